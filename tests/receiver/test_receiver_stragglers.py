"""The delivery test's reading of the run's uploads (bounded pages, a cursor only answers move) and its wait
for missing events, which lasts while the box makes progress: against a scripted receiver and clock."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.clients.exchange import ReceivedUpload
from conformance.clients.receiver_client import PAGE_LIMIT
from conformance.suite.support import upload_stragglers
from conformance.suite.support.upload_stragglers import RunUploads, wait_for_stragglers

DEVICE = "cam-1"
QUIET_S = upload_stragglers.STRAGGLERS_MIN_S
BASE_MS = 1_796_312_800_000  # event times in ms as a box gives them


class ScriptedReceiver:
    """Uploads that become readable at given clock times; each read with a wait advances the clock."""

    def __init__(self, arrivals: list[tuple[float, int]]) -> None:
        self.now = 0.0
        self.arrivals = sorted(arrivals)  # (clock time it arrives, event ms)
        self.limits: list[int] = []

    def _arrived(self) -> list[ReceivedUpload]:
        return [_upload(seq, ms) for seq, (at, ms) in enumerate(self.arrivals, 1) if at <= self.now]

    def uploads(
        self, since: int = 0, wait_s: float = 0.0, limit: int = 100
    ) -> tuple[list[ReceivedUpload], int]:
        self.limits.append(limit)
        if not [u for u in self._arrived() if u.seq > since]:
            self.now += wait_s
        page = [u for u in self._arrived() if u.seq > since][:limit]
        return page, page[-1].seq if page else since


def _upload(seq: int, ms: int) -> ReceivedUpload:
    payload: dict[str, Any] = {
        "timestamp": BASE_MS + ms,
        "ep_info": {"device_id": DEVICE},
        "spot_pic": "x" * 100,
    }
    return ReceivedUpload(seq, 0.0, "application/json", "json", payload, True)


def _event(ms: int) -> dict[str, Any]:
    return {"event_id": str(ms), "timestamp": BASE_MS + ms, "media_device_info": {"media_device_id": DEVICE}}


class ScriptedTime:
    """Stands in for the module's `time`: its clock is the scripted receiver's."""

    def __init__(self, made: list[ScriptedReceiver]) -> None:
        self.made = made

    def monotonic(self) -> float:
        return self.made[-1].now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[ScriptedReceiver]:
    """Where the receiver a test creates goes, so that the module's clock is its clock."""
    made: list[ScriptedReceiver] = []
    monkeypatch.setattr(upload_stragglers, "time", ScriptedTime(made))
    return made


def _receiver(clock: list[ScriptedReceiver], arrivals: list[tuple[float, int]]) -> ScriptedReceiver:
    clock.append(ScriptedReceiver(arrivals))
    return clock[-1]


def test_reads_the_whole_run_in_bounded_pages(clock: list[ScriptedReceiver]) -> None:
    receiver = _receiver(clock, [(0.0, 1_000 + n) for n in range(2 * PAGE_LIMIT + 5)])
    run = RunUploads(receiver)  # type: ignore[arg-type]  # the receiver's reading side, scripted
    run.read_until(16, 1.0)
    assert run.received == 2 * PAGE_LIMIT + 5 and run.cursor == 2 * PAGE_LIMIT + 5
    assert set(receiver.limits) == {PAGE_LIMIT}
    assert run.payloads[-1] == {
        "timestamp": BASE_MS + 1_000 + 2 * PAGE_LIMIT + 4,
        "ep_info": {"device_id": DEVICE},
    }
    assert [u.seq for u in run.shown] == [2 * PAGE_LIMIT + 3, 2 * PAGE_LIMIT + 4, 2 * PAGE_LIMIT + 5]


def test_an_upload_arriving_between_reads_is_not_passed_over(clock: list[ScriptedReceiver]) -> None:
    receiver = _receiver(clock, [(0.0, 1_000), (0.0, 1_001), (0.5, 1_002)])
    run = RunUploads(receiver)  # type: ignore[arg-type]
    run.read()
    receiver.now = 1.0
    assert run.read() == [{"timestamp": BASE_MS + 1_002, "ep_info": {"device_id": DEVICE}}]


def test_a_late_straggler_is_waited_for_while_older_events_still_arrive(
    clock: list[ScriptedReceiver],
) -> None:
    # the box drains older events every 8 s (less than the quiet period); the missing one comes at 30 s
    old = [(8.0 * n, 500 + n) for n in range(1, 4)]
    receiver = _receiver(clock, [(0.0, 1_000), *old, (30.0, 1_001)])
    run = RunUploads(receiver)  # type: ignore[arg-type]
    run.read()
    result = wait_for_stragglers(run, [_event(1_000), _event(1_001)], 10.0)
    assert result.lost == [] and result.waited_s >= 30.0


def test_newer_uploads_alone_are_no_progress(clock: list[ScriptedReceiver]) -> None:
    newer = [(1.0 * n, 5_000 + n) for n in range(1, 60)]  # live traffic, never the missing event
    receiver = _receiver(clock, [(0.0, 1_000), *newer])
    run = RunUploads(receiver)  # type: ignore[arg-type]
    run.read()
    result = wait_for_stragglers(run, [_event(1_000), _event(1_001)], 10.0)
    assert [e["timestamp"] for e in result.lost] == [BASE_MS + 1_001]
    assert QUIET_S <= result.waited_s < 2 * QUIET_S and not result.capped


def test_the_wait_has_a_cap_however_the_box_drains(clock: list[ScriptedReceiver]) -> None:
    old = [(1.0 * n, 500 + n) for n in range(1, 200)]  # old events for ever, never the missing one
    receiver = _receiver(clock, [(0.0, 1_000), *old])
    run = RunUploads(receiver)  # type: ignore[arg-type]
    run.read()
    result = wait_for_stragglers(run, [_event(1_000), _event(1_001)], 10.0)
    assert [e["timestamp"] for e in result.lost] == [BASE_MS + 1_001]
    cap = upload_stragglers.CAP_PERIODS * QUIET_S
    assert cap <= result.waited_s < cap + 1 and result.capped
