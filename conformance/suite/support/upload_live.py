"""Uploads from the box's own live recognitions: wait for them within the run's budget, read their events back
from the v2 history.

A real box uploads what it recognises, at a rate nobody knows (REAL-BOX.md). A test reads the receiver from
its current sequence number on and waits up to `--live-wait` seconds for the uploads it needs; when none
came it is *not exercised*, and the reason names the URL the box was given, so an unreachable receiver
(firewall, wrong address) shows at once. Uploads are matched to the history over a window closed in the
past: from the first upload's time (minus a margin) to the last one's (+1 ms).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from conformance.checks.consistency import EventView
from conformance.checks.upload_checks import match_history
from conformance.clients.exchange import ReceivedUpload
from conformance.clients.receiver_client import PAGE_LIMIT, ReceiverClient
from conformance.suite.evidence import attach_uploads
from conformance.suite.judgement import not_exercised
from conformance.suite.support.upload_wait import payload_of
from conformance.suite.support.ws_events import CAM, DOOR, GATE, LIVE_STEP_MS, STRANGER, LiveInjector
from conformance.suite.support.ws_live import HistoryWindow, LiveBox

MIN_UPLOADS = 4  # uploads a test waits for before it judges (fewer when the budget runs out)
# (as many as INJECTED_CAST stores on a box with a control plane, so that wait ends when they came)
LIVE_SAMPLE = 16  # live uploads judged against the history: enough to meet visitors, VIPs, strangers
QUIET_S = 0.3  # after the uploads a test needs, how long later ones (same-ms ties) are taken
POLL_S = 1.0
HISTORY_MARGIN_MS = 2_000
HISTORY_LAG_S = 5.0  # an uploaded recognition is in the v2 history within seconds
HISTORY_POLL_S = 0.5


def no_upload_reason(waited_s: float, url: str, what: str = "upload") -> str:
    """Why nothing was judged: no upload within the wait, naming the URL the box was told to upload to."""
    return (
        f"no {what} arrived within {waited_s:g} s; the box was told to upload to {url} "
        "(HistoryEventUrl): a quiet box records nothing, a box that cannot reach that address (firewall, "
        "another network: see --receiver-bind / --receiver-advertise-url) uploads nothing"
    )


def collect_uploads(
    receiver: ReceiverClient,
    since: int,
    want: int,
    wait_s: float,
    *,
    accept: Callable[[ReceivedUpload], bool] | None = None,
    passed_over: list[ReceivedUpload] | None = None,
) -> list[ReceivedUpload]:
    """Uploads after seq `since` (those `accept` keeps) until `want` came (+QUIET_S) or `wait_s` ran out;
    the ones `accept` refused go to `passed_over` when given."""
    found: list[ReceivedUpload] = []
    cursor = since
    end = time.monotonic() + wait_s
    stop = end
    while True:
        now = time.monotonic()
        if now >= stop:
            attach_uploads(found[-10:])
            return found
        batch, cursor = receiver.uploads(cursor, wait_s=max(0.0, min(stop - now, POLL_S)), limit=PAGE_LIMIT)
        found += [u for u in batch if accept is None or accept(u)]
        if passed_over is not None and accept is not None:
            passed_over += [u for u in batch if not accept(u)]
        if len(found) >= want and stop == end:
            stop = min(end, time.monotonic() + QUIET_S)


@dataclass
class UploadSilence:
    """What this session (this xdist worker) learned of the box's uploads: after a whole wait in which no
    upload at all came, the other upload tests are not exercised at once instead of waiting again."""

    reason: str = ""

    def check(self) -> None:
        """Not exercised at once when an earlier wait of the session brought no upload at all."""
        if self.reason:
            not_exercised(f"{self.reason} (an earlier test waited; the session waits once)")


UPLOAD_SILENCE = pytest.StashKey[UploadSilence]()


def upload_silence(config: pytest.Config) -> UploadSilence:
    """The session's (this worker's) knowledge of the box's uploads, created on first use."""
    return config.stash.setdefault(UPLOAD_SILENCE, UploadSilence())


def wait_for_live_uploads(  # noqa: PLR0917 - a wait and where it reports a silent box
    receiver: ReceiverClient,
    since: int,
    url: str,
    wait_s: float,
    want: int = MIN_UPLOADS,
    silence: UploadSilence | None = None,
    **kwargs: Any,
) -> list[ReceivedUpload]:
    """At least one upload within the budget, else the test is not exercised (naming `url`, and how many
    uploads of events recorded earlier, a backlog, came instead); a wait with no upload at all is noted
    in `silence`, when given, and a silence noted before ends the test at once."""
    if silence is not None:
        silence.check()
    passed_over: list[ReceivedUpload] = []
    uploads = collect_uploads(receiver, since, want, wait_s, passed_over=passed_over, **kwargs)
    if not uploads:
        reason = no_upload_reason(wait_s, url)
        if passed_over:
            reason += (
                f"; {len(passed_over)} upload(s) of events recorded before the wait came instead (a backlog "
                "the box sends first: a longer --live-wait lets it finish)"
            )
        elif silence is not None and receiver.last_seq() <= since:
            silence.reason = reason
        not_exercised(reason)
    return uploads


def decoded(uploads: Sequence[ReceivedUpload]) -> list[Mapping[str, Any]]:
    """The decoded payloads of the uploads the receiver could decode."""
    return [payload_of(u) for u in uploads if isinstance(u.payload, Mapping)]


@dataclass(frozen=True)
class UploadHistory:
    """The uploads judged (decoded payloads and as received) and the v2 history window around them."""

    payloads: tuple[Mapping[str, Any], ...]
    window: HistoryWindow
    uploads: tuple[ReceivedUpload, ...]
    since: int = 0  # the receiver's sequence number before the wait


def history_of_uploads(live_box: LiveBox, payloads: Sequence[Mapping[str, Any]]) -> HistoryWindow:
    """The closed v2 window around the uploads' times, read until it holds them all or HISTORY_LAG_S ran."""
    times = [t for t in (EventView.from_upload(p).ts_ms for p in payloads) if t is not None]
    if not times:
        return HistoryWindow(0, 0, (), ())
    low, high = min(times) - HISTORY_MARGIN_MS, max(times) + 1
    deadline = time.monotonic() + HISTORY_LAG_S
    while True:
        window = live_box.history(low, high)
        _, unmatched = match_history(payloads, window.events)
        if not unmatched or time.monotonic() >= deadline:
            return window
        time.sleep(HISTORY_POLL_S)


RECENT_UPLOADS = 50  # the receiver's latest uploads read to find where the box's history is now
NOW_SPAN_MS = 300_000  # how far past the latest upload the history is read for newer events


def history_now_ms(live_box: LiveBox, receiver: ReceiverClient) -> float | None:
    """The newest event time in the box's history now (box clock), found from the receiver's latest uploads.

    Uploads that follow a setting change are those of events recorded after it: a box may render an
    event's upload when it records it, so one recorded before the change may still come in the old form.
    None when the receiver has no upload with a readable time yet.
    """
    last = receiver.last_seq()
    recent, _ = receiver.uploads(max(0, last - RECENT_UPLOADS), limit=RECENT_UPLOADS)
    times = [t for t in (EventView.from_upload(p).ts_ms for p in decoded(recent)) if t is not None]
    if not times:
        return None
    window = live_box.history(max(times), max(times) + NOW_SPAN_MS)
    stored = [t for t in (EventView.from_v2(e).ts_ms for e in window.events) if t is not None]
    return max([*stored, *times])


def recorded_after(cutoff_ms: float | None) -> Callable[[ReceivedUpload], bool]:
    """Keeps the uploads of events recorded after `cutoff_ms` (every upload when None)."""

    def keep(upload: ReceivedUpload) -> bool:
        ts = EventView.from_upload(payload_of(upload)).ts_ms
        return cutoff_ms is None or (ts is not None and ts > cutoff_ms)

    return keep


def _between(upload: ReceivedUpload, low_ms: float, high_ms: float) -> bool:
    """True when the upload's event time lies in (low_ms, high_ms]."""
    ts = EventView.from_upload(payload_of(upload)).ts_ms
    return ts is not None and low_ms < ts <= high_ms


#: What a box with a control plane records when a test needs recognitions (the emulator: no live traffic).
INJECTED_LEEWAY_MS = LIVE_STEP_MS - 0.5  # below the first injected time, above the one injected before it
INJECTED_CAST = ((GATE, "id-live-emp"), (CAM, STRANGER), (DOOR, "id-live-black"), (GATE, "id-live-vip"))


@dataclass
class UploadTraffic:
    """Where the uploads a test judges come from: the box's own recognitions, and on a box with a control
    plane (the emulator, which has no live traffic) a few events stored through it."""

    history_box: LiveBox  # the v2 history reader (cameras unused)
    wait_s: float
    injector: LiveInjector | None = None
    silence: UploadSilence | None = None  # the box's own recognitions: the session's silent-box memory

    def wait_for_uploads(
        self,
        receiver: ReceiverClient,
        since: int,
        url: str,
        want: int = MIN_UPLOADS,
        accept: Callable[[ReceivedUpload], bool] | None = None,
        *,
        notes_silence: bool = False,
    ) -> list[ReceivedUpload]:
        """`wait_for_live_uploads` within the budget; not exercised at once after a silent wait of the
        session; `notes_silence` for a wait under the run's own setting, whose silence is the box's."""
        if self.silence is not None:
            self.silence.check()
        silence = self.silence if notes_silence else None
        return wait_for_live_uploads(receiver, since, url, self.wait_s, want, silence, accept=accept)

    @property
    def sample_size(self) -> int:
        """Uploads to judge against the history: the injected cast, or LIVE_SAMPLE of the site's own."""
        return len(INJECTED_CAST) if self.injector is not None else LIVE_SAMPLE

    def record(self) -> None:
        """Have the box record recognitions now: injected ones with a control plane, else the site's own."""
        if self.injector is not None:
            self.injector.inject(INJECTED_CAST)

    def next_uploads(self, receiver: ReceiverClient) -> Callable[[ReceivedUpload], bool]:
        """Keeps the uploads of events recorded from now on (call it right after a setting change)."""
        if self.injector is None:
            return recorded_after(history_now_ms(self.history_box, receiver))
        # live recognitions the box stamps with its own (unfrozen) time may have been recorded, and their
        # uploads rendered, before the change: those up to the history's newest event now are passed over
        live_before = history_now_ms(self.history_box, receiver)
        injected = self.injector.inject(INJECTED_CAST)
        times = [i.event.ts_ms for i in injected]
        # from just before the first injected event: a box that cuts or shifts times still shows them
        after = recorded_after(min(times) - INJECTED_LEEWAY_MS)
        if live_before is None:
            return after
        last_injected = max(times) + LIVE_STEP_MS
        return lambda upload: after(upload) and not _between(upload, last_injected, live_before)
