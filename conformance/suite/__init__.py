"""The pytest plugin of sophon-conformance and the conformance tests it runs against a box."""
