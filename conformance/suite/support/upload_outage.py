"""An outage of the receiver as a box sees it: the relay in front of the receiver closes its port, then
answers 5xx, then forwards again; every event the box's history shows recorded meanwhile must arrive
afterwards (seed 003 uploads every event: none may be lost, a repeat is no loss).

Used by the live-upload tests (closed port, then 503) and the real-box path of the delivery test (closed
port only); the setting read before is the base of the one written, and the test writes it back.

How long each refusal lasts follows the traffic: events injected through a control plane are recorded at
once, and the phases keep their given lengths (a retry must fall into the 503 phase); with the box's own
recognitions a phase lasts until the history shows PHASE_EVENTS recognitions recorded during it, so a busy
box is refused briefly and a slow one longer (up to a quarter of the live wait).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import pytest

from conformance.checks import upload_checks
from conformance.clients.exchange import ReceivedUpload
from conformance.clients.failures import fail_on, fail_unless
from conformance.clients.http_client import RecordingHttpClient
from conformance.clients.receiver_client import PAGE_LIMIT
from conformance.suite.fixtures import RunReceiver
from conformance.suite.judgement import judged, not_exercised
from conformance.suite.support.search_sandbox import write_upload_setting
from conformance.suite.support.upload_live import (
    UploadTraffic,
    decoded,
    no_upload_reason,
)
from conformance.suite.support.upload_relay import ReceiverRelay
from conformance.suite.support.upload_wait import upload_setting

# After the outage, this long for the box's retries (backoff) to deliver: with the box's own recognitions
# at least this, or the live wait when longer; events injected through a control plane get this, as the
# delivery test's control-plane path gives them (RESUME_DEADLINE_S): the live wait is for traffic to come.
RESUME_MIN_S = 12.0
PHASE_EVENTS = 3  # live traffic: a refusal phase lasts until the history shows this many recorded in it
PHASE_SHARE = 4  # ... or at most this share of the live wait (never less than the phase's given length)
PHASE_POLL_S = 0.25
OUTAGE_SPAN_MS = 600_000  # the history read at the outage's end: events after the last one delivered before
PICTURE_FLAGS = ("history_need_reg_pic", "history_need_spot_pic", "history_need_recognize_face")
PICTURES_OFF = dict.fromkeys(PICTURE_FLAGS, False)


def _newest_ms(uploads: list[ReceivedUpload]) -> float | None:
    times = [upload_checks.upload_ms(p) for p in decoded(uploads)]
    known = [t for t in times if t is not None]
    return max(known) if known else None


def _recorded_since(traffic: UploadTraffic, after_ms: float) -> int:
    """How many events the box's history shows recorded after `after_ms` (box clock)."""
    return len(traffic.history_box.history(after_ms + 1, after_ms + OUTAGE_SPAN_MS).events)


def hold_refusal(traffic: UploadTraffic, after_ms: float, given_s: float) -> None:
    """Keep the relay's current refusal: `given_s` for injected events; with the box's own recognitions
    until PHASE_EVENTS more are recorded (events after `after_ms`), at most max(given_s, wait/PHASE_SHARE)."""
    if traffic.injector is not None:
        time.sleep(given_s)
        return
    end = time.monotonic() + max(given_s, traffic.wait_s / PHASE_SHARE)
    start = _recorded_since(traffic, after_ms)
    while time.monotonic() < end and _recorded_since(traffic, after_ms) - start < PHASE_EVENTS:
        time.sleep(min(PHASE_POLL_S, max(0.0, end - time.monotonic())))


def judge_outage(  # noqa: PLR0917 - one outage, all it needs
    request: pytest.FixtureRequest,
    receiver: RunReceiver,
    client: RecordingHttpClient,
    traffic: UploadTraffic,
    restored: Mapping[str, Any],
    down_s: float,
    failing_s: float,
) -> None:
    """Refuse uploads (port closed, then 503 when `failing_s`; phase lengths per `hold_refusal`), then judge
    what was recorded meanwhile."""
    resume_s = RESUME_MIN_S if traffic.injector is not None else max(traffic.wait_s, RESUME_MIN_S)
    host = urlsplit(receiver.url).hostname or "127.0.0.1"
    with ReceiverRelay(receiver.url, bind_host=host) as relay:
        relay.forwarding()
        body = {**restored, **upload_setting(relay.url, "json", **PICTURES_OFF)}
        fail_unless(
            write_upload_setting(client, body), f"HistoryEventUrl refused {body}", ["UPC-CONFIG-001"], []
        )
        since = receiver.last_seq()
        accept = traffic.next_uploads(receiver)  # a new URL may first get a backlog: wait for the present
        before = traffic.wait_for_uploads(receiver, since, relay.url, want=1, accept=accept)
        last_delivered = _newest_ms(before)
        if last_delivered is None:
            not_exercised("no upload with a readable timestamp came before the outage")
        relay.down()
        started = time.monotonic()
        traffic.record()
        hold_refusal(traffic, last_delivered, down_s)
        if failing_s > 0:
            relay.failing(503)
            hold_refusal(traffic, last_delivered, failing_s)
        refused_s = time.monotonic() - started
        window = traffic.history_box.history(last_delivered + 1, last_delivered + OUTAGE_SPAN_MS)
        recorded = list(window.events)  # read while uploads are still refused: recorded during the outage
        relay.forwarding()
        if not recorded:
            not_exercised(no_upload_reason(refused_s, relay.url, "recognition recorded during the outage"))
        end = time.monotonic() + resume_s
        uploads: list[ReceivedUpload] = []
        cursor = since
        lost = recorded
        while lost and time.monotonic() < end:  # pages of PAGE_LIMIT; only the new ones are decoded
            batch, cursor = receiver.uploads(cursor, wait_s=1.0, limit=PAGE_LIMIT)
            uploads += batch
            lost = upload_checks.not_delivered(lost, decoded(batch))
    judged(request, "events", len(recorded))
    refused = f"{refused_s:.1f} s of refusals (port closed" + (", then 503 answers)" if failing_s else ")")
    fail_on(
        upload_checks.outage_delivery(recorded, decoded(uploads), resume_s),
        f"uploads after {refused}",
        exchanges=[*window.exchanges[-2:], *uploads[-3:]],
    )
