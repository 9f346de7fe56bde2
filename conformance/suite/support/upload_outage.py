"""An outage of the receiver as a box sees it: the relay in front of the receiver closes its port, then
answers 5xx, then forwards again; every event the box's history shows recorded meanwhile must arrive
afterwards (seed 003 uploads every event: none may be lost, a repeat is no loss).

Used by the live-upload tests (closed port, then 503) and the real-box path of the delivery test (closed
port only); the setting read before is the base of the one written, and the test writes it back.
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
from conformance.suite.fixtures import RunReceiver
from conformance.suite.judgement import judged, not_exercised
from conformance.suite.support.search_sandbox import write_upload_setting
from conformance.suite.support.upload_live import (
    UploadTraffic,
    decoded,
    no_upload_reason,
    wait_for_live_uploads,
)
from conformance.suite.support.upload_relay import ReceiverRelay
from conformance.suite.support.upload_wait import upload_setting

RESUME_MIN_S = 12.0  # after the outage, at least this long for the box's retries (backoff) to deliver
OUTAGE_SPAN_MS = 600_000  # the history read at the outage's end: events after the last one delivered before
PICTURE_FLAGS = ("history_need_reg_pic", "history_need_spot_pic", "history_need_recognize_face")
PICTURES_OFF = dict.fromkeys(PICTURE_FLAGS, False)


def _newest_ms(uploads: list[ReceivedUpload]) -> float | None:
    times = [upload_checks.upload_ms(p) for p in decoded(uploads)]
    known = [t for t in times if t is not None]
    return max(known) if known else None


def judge_outage(  # noqa: PLR0917 - one outage, all it needs
    request: pytest.FixtureRequest,
    receiver: RunReceiver,
    client: RecordingHttpClient,
    traffic: UploadTraffic,
    restored: Mapping[str, Any],
    down_s: float,
    failing_s: float,
) -> None:
    """Refuse uploads (`down_s` port closed, `failing_s` 503), then judge what was recorded meanwhile."""
    resume_s = max(traffic.wait_s, RESUME_MIN_S)
    host = urlsplit(receiver.url).hostname or "127.0.0.1"
    with ReceiverRelay(receiver.url, bind_host=host) as relay:
        relay.forwarding()
        body = {**restored, **upload_setting(relay.url, "json", **PICTURES_OFF)}
        fail_unless(
            write_upload_setting(client, body), f"HistoryEventUrl refused {body}", ["UPC-CONFIG-001"], []
        )
        since = receiver.last_seq()
        accept = traffic.next_uploads(receiver)  # a new URL may first get a backlog: wait for the present
        before = wait_for_live_uploads(receiver, since, relay.url, traffic.wait_s, want=1, accept=accept)
        last_delivered = _newest_ms(before)
        if last_delivered is None:
            not_exercised("no upload with a readable timestamp came before the outage")
        relay.down()
        traffic.record()
        time.sleep(down_s)
        if failing_s > 0:
            relay.failing(503)
            time.sleep(failing_s)
        window = traffic.history_box.history(last_delivered + 1, last_delivered + OUTAGE_SPAN_MS)
        recorded = list(window.events)  # read while uploads are still refused: recorded during the outage
        relay.forwarding()
        if not recorded:
            outage_s = down_s + failing_s
            not_exercised(no_upload_reason(outage_s, relay.url, "recognition recorded during the outage"))
        end = time.monotonic() + resume_s
        uploads: list[ReceivedUpload] = []
        cursor = since
        lost = recorded
        while lost and time.monotonic() < end:
            batch, cursor = receiver.uploads(cursor, wait_s=1.0, limit=1000)
            uploads += batch
            lost = upload_checks.not_delivered(recorded, decoded(uploads))
    judged(request, "events", len(recorded))
    refused = f"{down_s:g} s with the port closed" + (
        f" and {failing_s:g} s of 503 answers" if failing_s else ""
    )
    fail_on(
        upload_checks.outage_delivery(recorded, decoded(uploads), resume_s),
        f"uploads after {refused}",
        exchanges=[*window.exchanges[-2:], *uploads[-3:]],
    )
