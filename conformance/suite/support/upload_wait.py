"""Wait for the uploads of given events at the receiver (over its HTTP API) without failing on the deadline.

Uploads carry no event id; they are matched to events by (ms, ep_info.device_id). The wait ends when
every wanted key arrived (plus a short grace for duplicates) or at the deadline; the caller then
judges delivery with `upload_checks.delivery`, so a lost upload is a finding with requirement ids.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from conformance.checks.correlation import event_key
from conformance.checks.upload_checks import upload_key
from conformance.clients.exchange import ReceivedUpload
from conformance.clients.receiver_client import PAGE_LIMIT, ReceiverClient
from conformance.suite.evidence import attach_uploads
from conformance.suite.support.ws_events import Injected

UPLOAD_DEADLINE_S = 20.0
GRACE_S = 0.5
POLL_S = 2.0

HISTORY_EVENT_URL = "history_upload_event_url"


def keys_of(injected: Sequence[Injected]) -> set[str]:
    """The (ms, device) keys of injected events."""
    return {event_key(i.event.ts_ms, i.event.device_id) for i in injected}


def payload_of(upload: ReceivedUpload) -> Mapping[str, Any]:
    """The decoded payload (JSON or form-data shaped back), {} when the receiver could not decode it."""
    return upload.payload if isinstance(upload.payload, Mapping) else {}


def _key(upload: ReceivedUpload) -> object:
    return upload_key(payload_of(upload))


def wait_for_keys(
    receiver: ReceiverClient,
    since: int,
    keys: Collection[object],
    deadline_s: float = UPLOAD_DEADLINE_S,
    key: Callable[[ReceivedUpload], object] = _key,
) -> list[ReceivedUpload]:
    """Uploads after seq `since` whose key is wanted, once all arrived (+grace) or at the deadline.

    `key` is (ms, device) by default; a test that judges ep_info.device_id passes another (time alone).
    What arrived becomes Allure steps of the running test (one per upload), also when some are missing.
    """
    wanted = set(keys)
    found: list[ReceivedUpload] = []
    cursor = since
    end = time.monotonic() + deadline_s
    grace_end: float | None = None
    while True:
        now = time.monotonic()
        seen = {key(u) for u in found}
        if grace_end is None and wanted <= seen:
            grace_end = now + GRACE_S
        stop = grace_end if grace_end is not None else end
        if now >= stop:
            attach_uploads(found)
            return found
        batch, cursor = receiver.uploads(cursor, wait_s=max(0.0, min(stop - now, POLL_S)), limit=PAGE_LIMIT)
        found += [u for u in batch if key(u) in wanted]


def upload_setting(url: str, content_type: str = "json", **flags: bool) -> dict[str, Any]:
    """A HistoryEventUrl body (reference history-event-url-config) pointing at one URL."""
    return {HISTORY_EVENT_URL: [url], "content-type": content_type, "reported_peroid": 60, **flags}
