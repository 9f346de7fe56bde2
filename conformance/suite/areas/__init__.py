"""Conformance test modules, one per area; each test names its requirement ids with `@pytest.mark.req`."""
