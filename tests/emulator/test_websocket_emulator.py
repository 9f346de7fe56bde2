"""The push server and the uploader wired into the whole emulator: events added through the control
plane reach WebSocket clients and the configured upload URL (the lead's server.py hook, patched here)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import Any

import pytest
import requests
import websocket

from conformance.emulator import server
from conformance.emulator.server import EmulatorConfig, RunningEmulator, start_emulator_thread
from conformance.emulator.uploader import start_upload_service
from conformance.emulator.websocket_server import start_websocket_service

DEVICE = {
    "device_id": "04f98265-1fad-47e5-9dda-66e191272055",
    "device_name": "gate",
    "device_ip": "192.168.1.101",
    "device_type": "photo",
    "ws_device_type": "0",
}
OTHER = {**DEVICE, "device_id": "f9f0768f-497c-45f3-9307-ae80a9d89390", "ws_device_type": "3"}
TIMEOUT_S = 10.0


@pytest.fixture
def emulator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningEmulator]:
    monkeypatch.setattr(server, "_start_background_services", [start_websocket_service, start_upload_service])
    running = start_emulator_thread(
        EmulatorConfig(http_port=0, ws_port=0, version_port=-1, db_path=tmp_path / "e.sqlite3", control=True)
    )
    requests.post(f"{running.control_url}/devices", json={"devices": [DEVICE, OTHER]}, timeout=TIMEOUT_S)
    yield running
    running.stop()


def add_events(emulator: RunningEmulator, *device_ids: str) -> list[str]:
    events = [
        {"timestamp_ms": 1_700_000_000_000 + n, "device_id": d, "identity_id": "", "score": 0.5}
        for n, d in enumerate(device_ids)
    ]
    answer = requests.post(f"{emulator.control_url}/events", json={"events": events}, timeout=TIMEOUT_S)
    assert answer.status_code == 200, answer.text
    ids = answer.json()["event_ids"]
    assert isinstance(ids, list)
    return [str(i) for i in ids]


def test_control_plane_events_are_pushed_to_configured_clients(emulator: RunningEmulator) -> None:
    ws = websocket.create_connection(emulator.ws_url, timeout=TIMEOUT_S)
    try:
        ws.send(json.dumps({"event_list": [DEVICE["device_id"]]}))
        deadline = time.monotonic() + TIMEOUT_S
        while True:  # the protocol has no acknowledgement: add events until one arrives
            ids = add_events(emulator, OTHER["device_id"], DEVICE["device_id"])
            ws.settimeout(0.3)
            try:
                message = json.loads(ws.recv())
                break
            except websocket.WebSocketTimeoutException:
                assert time.monotonic() < deadline, "no event pushed"
        assert message["device_id"] == DEVICE["device_id"] and message["event_id"] in ids
        assert message["ext_data"]["device_type"] == "0"
        stats = requests.get(f"{emulator.control_url}/stats", timeout=TIMEOUT_S).json()
        assert "ws_clients" in json.dumps(stats)
    finally:
        ws.close()
        ws.shutdown()  # type: ignore[no-untyped-call]


def test_history_event_url_configured_over_http_receives_the_events(emulator: RunningEmulator) -> None:
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{receiver.server_address[1]}/HistoryEvent"
        answer = requests.post(
            f"{emulator.http_url}/SophonFogSys/api/HistoryEventUrl",
            json={"history_upload_event_url": [url], "content-type": "json", "reported_peroid": 10},
            timeout=TIMEOUT_S,
        )
        assert answer.status_code == 200, answer.text
        add_events(emulator, DEVICE["device_id"], OTHER["device_id"])
        deadline = time.monotonic() + TIMEOUT_S
        while len(received) < 2:
            assert time.monotonic() < deadline, "uploads did not arrive"
            time.sleep(0.05)
        assert sorted(p["timestamp"] for p in received) == [1_700_000_000_000, 1_700_000_000_001]
    finally:
        receiver.shutdown()
        receiver.server_close()
