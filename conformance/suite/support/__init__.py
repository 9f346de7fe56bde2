"""Support modules of the conformance tests: query and search clients, relays, taps, samplers, waiters."""
