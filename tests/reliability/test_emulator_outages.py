"""Emulator outages: a receiver that is down, an emulator that is SIGKILLed; nothing acknowledged is lost."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from conformance.receiver.config import ReceiverConfig
from conformance.receiver.server import RunningReceiver, start_receiver_thread
from conformance.receiver.validation import no_validation
from tests.reliability.emulator_process import EmulatorProcess
from tests.reliability.upload_audit import (
    BASE_MS,
    DEVICE,
    event,
    free_port,
    point_uploads_at,
    timestamp_of,
    wait_for_uploads,
)

OUTAGE_S = 3.0  # benchmarks/reliability_outage.py runs the 30 s / 1,000-event version
EVENTS = 200
DELIVERY_DEADLINE_S = 60.0
STALL_S = 12.0  # after a 3 s outage no delivery waits longer than ~4 s of backoff; give up on 12 s of silence
BATCH = 20
# Uploads go without pictures: rendering each synthetic JPEG costs ~65 ms of CPU and is not what is tested.


def _receiver(port: int, log_path: Path) -> RunningReceiver:
    return start_receiver_thread(
        ReceiverConfig(port=port, log_path=log_path, profile=None), judge=no_validation()
    )


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[EmulatorProcess]:
    running = EmulatorProcess(tmp_path / "box.sqlite3", tmp_path / "emulator.log").start()
    assert running.control("devices", {"devices": [DEVICE]}).status_code == 200
    yield running
    running.stop()


def test_events_injected_while_receiver_is_down_all_arrive(emulator: EmulatorProcess, tmp_path: Path) -> None:
    port, log_path = free_port(), tmp_path / "uploads.jsonl"
    receiver = _receiver(port, log_path)
    point_uploads_at(emulator, receiver.url, pictures=False)
    receiver.stop()
    down_since = time.monotonic()
    for first in range(0, EVENTS, BATCH):
        batch = [event(n) for n in range(first, first + BATCH)]
        assert emulator.control("events", {"events": batch}).status_code == 200
    time.sleep(max(0.0, OUTAGE_S - (time.monotonic() - down_since)))
    receiver = _receiver(port, log_path)
    wanted = {BASE_MS + n for n in range(EVENTS)}
    try:
        delivery = wait_for_uploads(log_path, wanted, DELIVERY_DEADLINE_S, STALL_S)
    finally:
        receiver.stop()
    assert delivery.missing(wanted) == 0, f"{delivery.missing(wanted)} of {EVENTS} events never arrived"


def _inject_until_killed(emulator: EmulatorProcess, kill_after_batches: int) -> list[str]:
    """Inject batches; SIGKILL the emulator while the next batch is in flight. Returns acknowledged ids."""
    acknowledged: list[str] = []
    number = 0
    for _ in range(kill_after_batches):
        batch = [event(n) for n in range(number, number + BATCH)]
        number += BATCH
        response = emulator.control("events", {"events": batch})
        assert response.status_code == 200, response.text
        acknowledged += response.json()["event_ids"]
    in_flight = threading.Thread(
        target=_post_quietly, args=(emulator, [event(n) for n in range(number, number + 500)])
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
        # negative case for the query: getevent must not answer 200 for an id that was never stored
        never_stored = restarted.post("/sophon/v2/face/getevent", {"event_id": "never-stored"})
        missing = [
            event_id
            for event_id in acknowledged
            if restarted.post("/sophon/v2/face/getevent", {"event_id": event_id}).status_code != 200
        ]
    finally:
        restarted.stop()
    assert never_stored.status_code != 200, never_stored.text
    assert len(acknowledged) == 5 * BATCH
    assert missing == [], f"acknowledged but gone after SIGKILL: {missing[:5]}"


def test_acknowledged_events_are_still_uploaded_after_sigkill(
    emulator: EmulatorProcess, tmp_path: Path
) -> None:
    log_path = tmp_path / "uploads.jsonl"
    receiver = _receiver(free_port(), log_path)
    try:
        point_uploads_at(emulator, receiver.url, pictures=False)
        acknowledged = _inject_until_killed(emulator, kill_after_batches=5)
        restarted = EmulatorProcess(emulator.db_path, emulator.log_path).start()
        try:
            wanted = {timestamp_of(event_id) for event_id in acknowledged}
            seen = wait_for_uploads(log_path, wanted, DELIVERY_DEADLINE_S, STALL_S).seen
        finally:
            restarted.stop()
    finally:
        receiver.stop()
    assert wanted <= set(seen), f"{len(wanted - set(seen))} acknowledged events never uploaded"
