"""Named, switchable deviations from the documents (and conforming variations), one file per interface
family, acting on the box only through the hook points declared in `hooks` (see `catalog` for the list)."""
