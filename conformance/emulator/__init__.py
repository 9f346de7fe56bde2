"""A Sophon box emulator: the documented HTTP and WebSocket interfaces over SQLite, plus a control plane."""
