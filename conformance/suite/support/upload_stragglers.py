"""The run's uploads as the delivery test of a box without control plane judges them, and its wait for the
events still missing (stragglers), which follows the box's progress.

Reading: every upload since the receiver's first counts (a box may still send a backlog), read in pages of
PAGE_LIMIT from a cursor that only the receiver's answers move (an upload that lands between two reads is
never passed over); each is kept as its (time, device) alone, its pictures dropped at once, and the last
few as received, for the report. So a long run costs bounded requests and no decoding twice.

Waiting: while events of the judged span are missing, the test reads what arrives and keeps waiting as long
as the box makes progress on them: one of them arrives, or an upload of an event recorded no later than the
newest missing one (retries, a backlog draining). It gives up after a quiet period with no such progress
(STRAGGLERS_MIN_S, or --live-wait when longer), and at the latest after CAP_PERIODS quiet periods in all, so
a box that keeps sending old events but never the missing ones cannot hold the run.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from conformance.checks import upload_checks
from conformance.checks.consistency import EventView
from conformance.clients.exchange import ReceivedUpload
from conformance.clients.receiver_client import PAGE_LIMIT, ReceiverClient
from conformance.suite.evidence import attach_uploads
from conformance.suite.support.upload_live import decoded

STRAGGLERS_MIN_S = 12.0  # the quiet period at least: a retry backs off
CAP_PERIODS = 3  # the whole wait never exceeds this many quiet periods
POLL_S = 0.5  # one long-poll of the receiver while events are missing
SHOWN = 3  # uploads kept as received, for the report


def slim(payload: Mapping[str, Any]) -> dict[str, Any]:
    """What matching an upload to its history event reads: its time and ep_info.device_id."""
    ep_info = payload.get("ep_info")
    device = ep_info.get("device_id") if isinstance(ep_info, Mapping) else None
    return {"timestamp": payload.get("timestamp"), "ep_info": {"device_id": device}}


@dataclass
class RunUploads:
    """Every upload of the run read so far, as (time, device) payloads; the newest few as received."""

    receiver: ReceiverClient
    payloads: list[dict[str, Any]] = field(default_factory=list)
    shown: deque[ReceivedUpload] = field(default_factory=lambda: deque(maxlen=SHOWN))
    received: int = 0  # uploads read, decodable or not
    cursor: int = 0

    def read(self, wait_s: float = 0.0) -> list[dict[str, Any]]:
        """Pages past the cursor until a short one (waiting up to `wait_s` for the first); their payloads."""
        fresh: list[dict[str, Any]] = []
        while True:
            batch, self.cursor = self.receiver.uploads(self.cursor, wait_s=wait_s, limit=PAGE_LIMIT)
            self.received += len(batch)
            self.shown.extend(batch[-SHOWN:])
            fresh += [slim(payload) for payload in decoded(batch)]
            if len(batch) < PAGE_LIMIT:
                break
            wait_s = 0.0
        self.payloads += fresh
        return fresh

    def read_until(self, want: int, wait_s: float) -> None:
        """Read all there is, then wait up to `wait_s` until `want` uploads were read."""
        end = time.monotonic() + wait_s
        self.read()
        while self.received < want and (remaining := end - time.monotonic()) > 0:
            self.read(wait_s=min(POLL_S, remaining))
        attach_uploads(list(self.shown))


@dataclass(frozen=True)
class Stragglers:
    """The span's events no upload carried when the wait ended, and how the wait ended."""

    lost: list[Mapping[str, Any]]
    waited_s: float
    quiet_s: float
    capped: bool  # the wait reached CAP_PERIODS quiet periods while the box still made progress

    def describe(self) -> str:
        """How long was waited and why it stopped, for the finding."""
        if self.capped:
            return f"within {self.waited_s:.0f} s, the most the test waits, though older events kept coming"
        return (
            f"within {self.waited_s:.0f} s: none of them, nor any upload of an older event, came in the "
            f"last {self.quiet_s:g} s"
        )


def _newest_ms(events: Sequence[Mapping[str, Any]]) -> float:
    times = [EventView.from_v2(event).ts_ms for event in events]
    return max((t for t in times if t is not None), default=float("inf"))


def wait_for_stragglers(
    run: RunUploads, recorded: Sequence[Mapping[str, Any]], live_wait_s: float
) -> Stragglers:
    """Read on while `recorded` events are missing and the box makes progress (rule: module docstring)."""
    quiet_s = max(live_wait_s, STRAGGLERS_MIN_S)
    start = last_progress = time.monotonic()
    cap = start + CAP_PERIODS * quiet_s
    lost = upload_checks.not_delivered(recorded, run.payloads)
    while lost and (now := time.monotonic()) < cap and now - last_progress < quiet_s:
        fresh = run.read(wait_s=min(POLL_S, cap - now))
        still = upload_checks.not_delivered(lost, fresh)
        newest_missing = _newest_ms(lost)
        draining = any((upload_checks.upload_ms(p) or float("inf")) <= newest_missing for p in fresh)
        if len(still) < len(lost) or draining:
            last_progress = time.monotonic()
        lost = still
    end = time.monotonic()
    return Stragglers(lost, end - start, quiet_s, capped=bool(lost) and end >= cap)
