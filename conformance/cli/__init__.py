"""Command-line entry points of sophon-conformance."""
