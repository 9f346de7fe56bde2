"""The harness proves itself: run the suite against every emulator fault and conforming variation."""
