"""Fixtures: one emulator per test module (control plane on), reset before each test, a known dataset."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from conformance.emulator.server import EmulatorConfig, RunningEmulator, start_emulator_thread

TIMEOUT = 10
BASE_MS = 1_700_000_000_000

DEVICES = [
    {"device_id": "cam-a", "device_name": "Gate A", "device_ip": "10.0.0.1", "device_type": "rtsp"},
    {"device_id": "cam-b", "device_name": "Gate B", "device_ip": "10.0.0.2", "device_type": "photo"},
    {"device_id": "cam-c", "device_name": "Desk", "device_ip": "10.0.0.3", "device_type": "card"},
]
IDENTITIES = [
    {"identity_id": "p-alice", "name": "Alice Wang", "person_type": 1, "group_id": "g1", "room": "1004"},
    {"identity_id": "p-bob", "name": "Bob Li", "person_type": 5, "group_id": "g2", "room": "1005"},
    {"identity_id": "p-carol", "name": "carol wang", "person_type": 2, "group_id": "g1", "room": "1004"},
]
# (event_id, offset_ms from BASE_MS, device, identity, score)
EVENTS = [
    ("e01", 0, "cam-a", "p-alice", 90.0),
    ("e02", 1000, "cam-a", "p-bob", 85.5),
    ("e03", 2000, "cam-b", "", 30.0),
    ("e04", 3000, "cam-b", "p-carol", 82.0),
    ("e05", 3000, "cam-c", "p-alice", 99.0),  # same ms as e04: tie broken by event_id
    ("e06", 4000, "cam-a", "", 12.25),
    ("e07", 5000, "cam-c", "p-bob", 83.0),
]


class Box:
    """A thin HTTP client for one emulator."""

    def __init__(self, running: RunningEmulator, token: str | None = None) -> None:
        self.running = running
        self.url = running.http_url
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def v2(self, path: str, body: Any = None, **kwargs: Any) -> requests.Response:
        if body is not None:
            kwargs["json"] = body
        return self.session.post(f"{self.url}/sophon/v2/face/{path}", timeout=TIMEOUT, **kwargs)

    def v1(self, params: Any = None) -> requests.Response:
        return self.session.get(f"{self.url}/SophonFace/api/events", params=params, timeout=TIMEOUT)

    def control(self, method: str, path: str, body: Any = None) -> requests.Response:
        return self.session.request(
            method, f"{self.running.control_url}/{path}", json=body, timeout=TIMEOUT * 6
        )

    def ok(self, method: str, path: str, body: Any = None) -> Any:
        response = self.control(method, path, body)
        assert response.status_code == 200, response.text
        return response.json()

    def seed_known(self) -> None:
        self.ok("POST", "devices", {"devices": DEVICES})
        self.ok("POST", "identities", {"identities": IDENTITIES})
        events = [
            {
                "event_id": eid,
                "timestamp_ms": BASE_MS + off,
                "device_id": dev,
                "identity_id": ident,
                "score": score,
            }
            for eid, off, dev, ident, score in EVENTS
        ]
        self.ok("POST", "events", {"events": events})

    def ids_v2(self, body: dict[str, Any]) -> list[str]:
        response = self.v2("getevents", body)
        assert response.status_code == 200, response.text
        return [e["event_id"] for e in response.json()["events"]]

    def ids_v1(self, params: Any) -> list[str]:
        response = self.v1(params)
        assert response.status_code == 200, response.text
        return [e["_id"] for e in response.json()["data"]]


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    db = Path(tmp_path_factory.mktemp("emulator")) / "box.sqlite3"
    running = start_emulator_thread(
        EmulatorConfig(http_port=0, ws_port=0, version_port=0, db_path=db, control=True)
    )
    yield running
    running.stop()


@pytest.fixture
def box(emulator: RunningEmulator) -> Box:
    client = Box(emulator)
    client.ok("POST", "reset")
    return client


@pytest.fixture
def seeded(box: Box) -> Box:
    box.seed_known()
    return box
