"""Emulator outages: a receiver that is down, an emulator that is SIGKILLed; nothing acknowledged is lost."""

from __future__ import annotations

import contextlib
import json
import socket
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from conformance.receiver.config import ReceiverConfig
from conformance.receiver.server import RunningReceiver, start_receiver_thread
from conformance.receiver.validation import no_validation
from tests.reliability.emulator_process import EmulatorProcess

BASE_MS = 1_700_000_000_000
DEVICE = {"device_id": "cam-r", "device_name": "Gate R", "device_ip": "10.0.0.9", "device_type": "rtsp"}
OUTAGE_S = 3.0  # benchmarks/reliability_outage.py runs the 30 s / 1,000-event version
EVENTS = 200
DELIVERY_DEADLINE_S = 60.0
STALL_S = 12.0  # after a 3 s outage no delivery waits longer than ~4 s of backoff; give up on 12 s of silence
BATCH = 20


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _receiver(port: int, log_path: Path) -> RunningReceiver:
    return start_receiver_thread(
        ReceiverConfig(port=port, log_path=log_path, profile=None), judge=no_validation()
    )


def _event(number: int) -> dict[str, Any]:
    return {
        "event_id": f"rel-{number:05d}",
        "timestamp_ms": BASE_MS + number,  # uploads carry no event id: the timestamp identifies the event
        "device_id": DEVICE["device_id"],
        "identity_id": "",
        "score": 10.0,
    }


def uploaded_timestamps(log_path: Path) -> Counter[int]:
    """How often each event (by its ms timestamp) reached the receiver."""
    seen: Counter[int] = Counter()
    if log_path.exists():
        for line in log_path.read_text(encoding="utf-8").splitlines():
            payload = json.loads(line).get("payload") or {}
            if isinstance(payload.get("timestamp"), int):
                seen[payload["timestamp"]] += 1
    return seen


def _wait_for(log_path: Path, wanted: set[int], deadline_s: float) -> Counter[int]:
    """Uploads seen once all wanted arrived, the deadline passed, or nothing new came for STALL_S."""
    deadline = time.monotonic() + deadline_s
    seen = uploaded_timestamps(log_path)
    last_progress, last_total = time.monotonic(), seen.total()
    while not wanted <= set(seen) and time.monotonic() < min(deadline, last_progress + STALL_S):
        time.sleep(0.25)
        seen = uploaded_timestamps(log_path)
        if seen.total() > last_total:
            last_progress, last_total = time.monotonic(), seen.total()
    return seen


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[EmulatorProcess]:
    running = EmulatorProcess(tmp_path / "box.sqlite3", tmp_path / "emulator.log").start()
    assert running.control("devices", {"devices": [DEVICE]}).status_code == 200
    yield running
    running.stop()


def _point_uploads_at(emulator: EmulatorProcess, url: str) -> None:
    body = {"history_upload_event_url": [url], "content-type": "json", "reported_peroid": 60}
    response = emulator.post("/SophonFogSys/api/HistoryEventUrl", body)
    assert response.status_code == 200, response.text


def test_events_injected_while_receiver_is_down_all_arrive(emulator: EmulatorProcess, tmp_path: Path) -> None:
    port, log_path = _free_port(), tmp_path / "uploads.jsonl"
    receiver = _receiver(port, log_path)
    _point_uploads_at(emulator, receiver.url)
    receiver.stop()
    down_since = time.monotonic()
    for first in range(0, EVENTS, BATCH):
        batch = [_event(n) for n in range(first, first + BATCH)]
        assert emulator.control("events", {"events": batch}).status_code == 200
    time.sleep(max(0.0, OUTAGE_S - (time.monotonic() - down_since)))
    receiver = _receiver(port, log_path)
    try:
        seen = _wait_for(log_path, {BASE_MS + n for n in range(EVENTS)}, DELIVERY_DEADLINE_S)
    finally:
        receiver.stop()
    missing = EVENTS - len([n for n in range(EVENTS) if BASE_MS + n in seen])
    assert missing == 0, f"{missing} of {EVENTS} events never arrived"


def _inject_until_killed(emulator: EmulatorProcess, kill_after_batches: int) -> list[str]:
    """Inject batches; SIGKILL the emulator while the next batch is in flight. Returns acknowledged ids."""
    acknowledged: list[str] = []
    number = 0
    for _ in range(kill_after_batches):
        batch = [_event(n) for n in range(number, number + BATCH)]
        number += BATCH
        response = emulator.control("events", {"events": batch})
        assert response.status_code == 200, response.text
        acknowledged += response.json()["event_ids"]
    in_flight = threading.Thread(
        target=_post_quietly, args=(emulator, [_event(n) for n in range(number, number + 500)])
    )
    in_flight.start()
    time.sleep(0.05)
    emulator.kill()
    in_flight.join(30)
    return acknowledged


def _post_quietly(emulator: EmulatorProcess, events: list[dict[str, Any]]) -> None:
    with contextlib.suppress(requests.RequestException):  # killed mid-request: never acknowledged
        emulator.control("events", {"events": events})


def test_acknowledged_events_survive_sigkill_and_are_queryable(emulator: EmulatorProcess) -> None:
    acknowledged = _inject_until_killed(emulator, kill_after_batches=5)
    restarted = EmulatorProcess(emulator.db_path, emulator.log_path).start()
    try:
        missing = [
            event_id
            for event_id in acknowledged
            if restarted.post("/sophon/v2/face/getevent", {"event_id": event_id}).status_code != 200
        ]
    finally:
        restarted.stop()
    assert len(acknowledged) == 5 * BATCH
    assert missing == [], f"acknowledged but gone after SIGKILL: {missing[:5]}"


def test_an_unknown_event_id_is_not_found() -> None:
    """Negative case for the query above: getevent must not answer 200 for ids that were never stored."""
    with tempfile.TemporaryDirectory() as scratch:
        running = EmulatorProcess(Path(scratch) / "db.sqlite3", Path(scratch) / "log.txt").start()
        try:
            assert running.post("/sophon/v2/face/getevent", {"event_id": "never-stored"}).status_code != 200
        finally:
            running.stop()


def test_acknowledged_events_are_still_uploaded_after_sigkill(
    emulator: EmulatorProcess, tmp_path: Path
) -> None:
    log_path = tmp_path / "uploads.jsonl"
    receiver = _receiver(_free_port(), log_path)
    try:
        _point_uploads_at(emulator, receiver.url)
        acknowledged = _inject_until_killed(emulator, kill_after_batches=5)
        restarted = EmulatorProcess(emulator.db_path, emulator.log_path).start()
        try:
            wanted = {BASE_MS + int(event_id.removeprefix("rel-")) for event_id in acknowledged}
            seen = _wait_for(log_path, wanted, DELIVERY_DEADLINE_S)
        finally:
            restarted.stop()
    finally:
        receiver.stop()
    assert wanted <= set(seen), f"{len(wanted - set(seen))} acknowledged events never uploaded"
