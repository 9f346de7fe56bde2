"""Tests of the target layer: preflight, the box profile, `init`."""
