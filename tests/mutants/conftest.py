"""The emulator fixtures of tests/emulator (one emulator per module, reset per test, a known dataset)."""

from tests.emulator.conftest import Box, box, emulator, seeded

__all__ = ["Box", "box", "emulator", "seeded"]
