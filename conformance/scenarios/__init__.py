"""Scenario datasets as typed objects: devices, identities, events timed relative to a clock origin."""
