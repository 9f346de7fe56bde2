"""Events with unique ms timestamps and an audit of the receiver's log by timestamp (uploads carry no id).

Shared by tests/reliability/test_emulator_outages.py and benchmarks/reliability_outage.py.
"""

from __future__ import annotations

import json
import socket
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.reliability.emulator_process import EmulatorProcess

BASE_MS = 1_700_000_000_000
DEVICE = {"device_id": "cam-r", "device_name": "Gate R", "device_ip": "10.0.0.9", "device_type": "rtsp"}
POLL_S = 0.25


def free_port() -> int:
    """A loopback port nobody listens on right now (the receiver comes back on the same one)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def event(number: int) -> dict[str, Any]:
    """EventSpec number n: event id `rel-n`, timestamp BASE_MS + n (unique per event, so it names it)."""
    return {
        "event_id": f"rel-{number:05d}",
        "timestamp_ms": BASE_MS + number,
        "device_id": DEVICE["device_id"],
        "identity_id": "",
        "score": 10.0,
    }


def timestamp_of(event_id: str) -> int:
    """The upload timestamp of the event `event(n)` created with this id."""
    return BASE_MS + int(event_id.removeprefix("rel-"))


def point_uploads_at(emulator: EmulatorProcess, url: str, pictures: bool = True) -> None:
    """Configure HistoryEventUrl (JSON uploads; pictures as asked) on the emulator; raises when refused."""
    body: dict[str, Any] = {"history_upload_event_url": [url], "content-type": "json", "reported_peroid": 60}
    body.update(
        dict.fromkeys(
            ("history_need_reg_pic", "history_need_spot_pic", "history_need_recognize_face"), pictures
        )
    )
    response = emulator.post("/SophonFogSys/api/HistoryEventUrl", body)
    if response.status_code != 200:
        raise RuntimeError(f"HistoryEventUrl refused: {response.status_code} {response.text[:300]}")


def uploaded_timestamps(log_path: Path) -> Counter[int]:
    """How often each event (by its ms timestamp) reached the receiver."""
    seen: Counter[int] = Counter()
    if log_path.exists():
        for line in log_path.read_text(encoding="utf-8").splitlines():
            payload = json.loads(line).get("payload") or {}
            if isinstance(payload.get("timestamp"), int):
                seen[payload["timestamp"]] += 1
    return seen


@dataclass(frozen=True)
class Delivery:
    """What the log held when the wait ended, and when the last wanted event arrived (None: not all did)."""

    seen: Counter[int]
    complete_after_s: float | None

    def missing(self, wanted: set[int]) -> int:
        """Wanted events that never arrived."""
        return len(wanted - set(self.seen))

    def duplicates(self) -> int:
        """Extra copies beyond the first of each event (at-least-once delivery allows them)."""
        return sum(count - 1 for count in self.seen.values() if count > 1)


def wait_for_uploads(log_path: Path, wanted: set[int], deadline_s: float, stall_s: float) -> Delivery:
    """Poll the log until every wanted event arrived, the deadline passed, or nothing new came for stall_s."""
    started = time.monotonic()
    deadline = started + deadline_s
    seen = uploaded_timestamps(log_path)
    last_progress, last_total = started, seen.total()
    while not wanted <= set(seen) and time.monotonic() < min(deadline, last_progress + stall_s):
        time.sleep(POLL_S)
        seen = uploaded_timestamps(log_path)
        if seen.total() > last_total:
            last_progress, last_total = time.monotonic(), seen.total()
    complete = wanted <= set(seen)
    return Delivery(seen, time.monotonic() - started if complete else None)
