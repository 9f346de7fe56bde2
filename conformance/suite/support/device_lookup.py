"""The box's device list (reference devices-get) read once, and uploads waited for by event time alone.

Uploads are usually matched by (ms, ep_info.device_id); a test that judges device_id itself must not
depend on it, so `uploads_at` matches by the whole millisecond only (each injected event has its own).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from conformance.checks.correlation import ms_floor
from conformance.checks.unit_inference import to_ms
from conformance.clients.exchange import ReceivedUpload
from conformance.clients.http_client import RecordedResponse, RecordingHttpClient
from conformance.clients.receiver_client import ReceiverClient
from conformance.suite.support.upload_wait import payload_of, wait_for_keys
from conformance.target.target import DEVICES_PATH


def listed_devices(http_client: RecordingHttpClient) -> tuple[list[Any], RecordedResponse]:
    """(devices_list, the answer): the list is [] when the answer holds none."""
    answer = http_client.get(DEVICES_PATH)
    body = answer.json()
    data = body.get("data") if isinstance(body, dict) else None
    listed = data.get("devices_list") if isinstance(data, dict) else None
    return (listed if answer.status == 200 and isinstance(listed, list) else []), answer


def upload_ms(upload: ReceivedUpload) -> int | None:
    """The upload's timestamp in whole ms (ms or s by magnitude), None when it has none."""
    value = payload_of(upload).get("timestamp")
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    try:
        return ms_floor(to_ms(value))  # the ms it falls in: a µs time stays on its own ms (issue 14)
    except ValueError:
        return None


def uploads_at(receiver: ReceiverClient, since: int, times_ms: Collection[int]) -> list[ReceivedUpload]:
    """Uploads after seq `since` at the wanted times (whole ms): `wait_for_keys` keyed by time alone."""
    return wait_for_keys(receiver, since, times_ms, key=upload_ms)
