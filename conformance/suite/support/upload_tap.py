"""A second upload endpoint for fan-out tests: a tiny HTTP server that answers 200 and keeps the event time
of every JSON upload, so a test can tell which of several configured URLs received an event.

It binds the receiver's host (as `upload_relay` does), so a real box that reaches the receiver reaches it.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Collection
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from conformance.checks.unit_inference import to_ms

PATH = "/sophon-conformance/second-url"
POLL_S = 0.1


class _Handler(BaseHTTPRequestHandler):
    server: _TapServer

    def do_POST(self) -> None:
        """Keep the upload's event time (whole ms), answer 200."""
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            timestamp = json.loads(body).get("timestamp")
            self.server.tap.add(round(to_ms(timestamp)))
        except (ValueError, TypeError, AttributeError):
            self.server.tap.add(None)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test reports what arrived."""


class _TapServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: str, tap: UploadTap) -> None:
        super().__init__((host, 0), _Handler)
        self.tap = tap


class UploadTap:
    """Listens on `url` while open; `wait_for(times)` gives the wanted event times that arrived."""

    def __init__(self, bind_host: str = "127.0.0.1") -> None:
        self._lock = threading.Lock()
        self._times: list[int | None] = []
        self._server = _TapServer(bind_host, self)
        self._thread = threading.Thread(target=self._server.serve_forever, name="upload-tap", daemon=True)
        self._thread.start()
        host, port = self._server.server_address[:2]
        self.url = f"http://{host!s}:{port}{PATH}"

    def add(self, ts_ms: int | None) -> None:
        """Record one upload (None: not a JSON upload with a timestamp)."""
        with self._lock:
            self._times.append(ts_ms)

    def received(self) -> list[int | None]:
        """Event times of everything received so far, in order."""
        with self._lock:
            return list(self._times)

    def wait_for(self, times_ms: Collection[int], deadline_s: float) -> set[int]:
        """The wanted times that arrived, once all did or at the deadline."""
        end = time.monotonic() + deadline_s
        while True:
            got = set(times_ms) & set(self.received())
            if got == set(times_ms) or time.monotonic() >= end:
                return got
            time.sleep(POLL_S)

    def close(self) -> None:
        """Stop listening."""
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> UploadTap:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
