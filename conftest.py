"""Root conftest: the conformance pytest plugin is loaded through its `pytest11` entry point."""
