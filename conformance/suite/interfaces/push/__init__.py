"""WebSocket push (seed 004): configuration, routing, pictures and message shape."""
