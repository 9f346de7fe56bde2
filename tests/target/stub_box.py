"""A stub box on a free 127.0.0.1 port whose answers each test picks: interfaces present, missing, broken."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

DEVICES = {"data": {"devices_list": [{"device_id": "dev-1"}, {"device_id": "dev-2"}]}}
V2_PAGE = {"events": [], "pagination": {"page_index": 0, "page_limit": 1, "total_count": 0}}
V1_PAGE = {"data": [], "pagination": {"num_pages": 0, "page": 0, "per_page": 1, "total_count": 0}}
MISSING_ARGS = {"error": {"code": 400, "message": "face_image_base64", "status": "MISSING_ARGUMENTS"}}
UPLOAD_SETTING: dict[str, Any] = {"data": {"history_upload_event_url": []}}
DROP = (0, None)  # close the connection without an answer: a transport error
# a fixed answer, or one computed from the request (JSON body or None, query string parameters)
Answer = tuple[int, Any] | Callable[[Any, dict[str, list[str]]], tuple[int, Any]]
# what a complete box answers to each preflight probe
COMPLETE: dict[tuple[str, str], Answer] = {
    ("GET", "/SophonDevice/api/Devices"): (200, DEVICES),
    ("POST", "/sophon/v2/face/getevents"): (200, V2_PAGE),
    ("GET", "/SophonFace/api/events"): (200, V1_PAGE),
    ("POST", "/SophonMatch/api/picturesearch"): (400, MISSING_ARGS),
    ("GET", "/SophonFogSys/api/HistoryEventUrl"): (200, UPLOAD_SETTING),
}


def _handler(answers: Mapping[tuple[str, str], Answer]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            sent = self.rfile.read(length) if length else b""
            path, _, query = self.path.partition("?")
            answer = answers.get((method, path), (404, {"error": "not found"}))
            if callable(answer):
                answer = answer(_json_or_none(sent), parse_qs(query, keep_blank_values=True))
            status, body = answer
            if (status, body) == DROP:
                self.close_connection = True
                return
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._answer("GET")

        def do_POST(self) -> None:
            self._answer("POST")

        def log_message(self, format: str, *args: object) -> None:
            return

    return Handler


def _json_or_none(data: bytes) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        return None


@contextmanager
def stub_box(changes: Mapping[tuple[str, str], Answer] | None = None) -> Iterator[str]:
    """Serve COMPLETE with `changes` applied; yields the base URL."""
    answers = {**COMPLETE, **(changes or {})}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(answers))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
