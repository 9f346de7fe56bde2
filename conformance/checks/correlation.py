"""How one event is recognised across interfaces that carry no common id (uploads, WebSocket, search).

The upload payload and picture-search items have no event id; an event is the pair
(timestamp in whole ms, device id). `event_key` renders that pair; callers build expected keys from
scenario events and actual keys from payloads with the same function.
"""

from __future__ import annotations

from typing import Any

from conformance.checks.unit_inference import to_ms


def event_key(ts_ms: float, device_id: str) -> str:
    """'1628066406608@dev-1': the time rounded to whole ms, then the device id."""
    return f"{round(ts_ms)}@{device_id}"


def key_from_timestamp(timestamp: Any, device_id: str) -> str | None:
    """The key of a payload whose timestamp may be ms or s (by magnitude); None when it is neither."""
    try:
        return event_key(to_ms(timestamp), device_id)
    except (ValueError, TypeError):
        return None
