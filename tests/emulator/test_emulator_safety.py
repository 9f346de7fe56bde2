"""Emulator safety: bulk pushes never drop fast readers, and a bind beyond loopback is announced."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import websocket

from conformance.emulator.server import EmulatorConfig, RunningEmulator, start_emulator_thread
from conformance.emulator.websocket_server import QUEUE_LIMIT

BULK = QUEUE_LIMIT + 500
DEVICE = {"device_id": "d1", "device_name": "Gate", "device_ip": "10.0.0.1", "device_type": "rtsp"}


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[RunningEmulator]:
    running = start_emulator_thread(
        EmulatorConfig(http_port=0, ws_port=0, version_port=0, db_path=tmp_path / "e.sqlite3", control=True)
    )
    try:
        yield running
    finally:
        running.stop()


def test_fast_reader_gets_every_event_of_a_bulk_batch(emulator: RunningEmulator) -> None:
    seeded = requests.post(f"{emulator.control_url}/devices", json={"devices": [DEVICE]}, timeout=10)
    seeded.raise_for_status()
    client = websocket.WebSocket()
    client.connect(emulator.ws_url, timeout=10)  # type: ignore[no-untyped-call]
    try:
        client.send(json.dumps({"need_face": False, "need_register": False, "event_list": ["d1"]}))
        events = [
            {"timestamp_ms": 1_700_000_000_000 + i, "device_id": "d1", "identity_id": "", "score": 50.0}
            for i in range(BULK)
        ]
        answer = requests.post(f"{emulator.control_url}/events", json={"events": events}, timeout=60)
        answer.raise_for_status()
        ids = {json.loads(client.recv())["event_id"] for _ in range(BULK)}
    finally:
        client.close()
    assert ids == set(answer.json()["event_ids"])


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10"])
def test_binding_beyond_loopback_is_announced(host: str) -> None:
    from conformance.emulator.server import wide_bind_warning

    message = wide_bind_warning(host)
    assert message is not None and host in message


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_binding_is_quiet(host: str) -> None:
    from conformance.emulator.server import wide_bind_warning

    assert wide_bind_warning(host) is None
