"""How one event is recognised across interfaces that carry no common id (uploads, WebSocket, search).

The upload payload and picture-search items have no event id; an event is the pair
(timestamp's whole ms, device id). `event_key` renders that pair; callers build expected keys from
scenario events and actual keys from payloads with the same function.
"""

from __future__ import annotations

import math
from typing import Any

from conformance.checks.unit_inference import to_ms

#: Half a µs: a float read back (binary seconds) lies within it of the µs the box showed.
MICROSECOND_SLACK_MS = 0.0005


def ms_floor(ts_ms: float) -> int:
    """The millisecond a time falls in, read at µs precision: 1628066406.608726 s is ms …608 (its floor, as
    a whole-ms reading of the same event shows it; issue 14), and 1700000001.001 s stays on ms …001."""
    return math.floor(ts_ms + MICROSECOND_SLACK_MS)


def event_key(ts_ms: float, device_id: str) -> str:
    """'1628066406608@dev-1': the millisecond the time falls in (`ms_floor`), then the device id."""
    return f"{ms_floor(ts_ms)}@{device_id}"


def key_from_timestamp(timestamp: Any, device_id: str) -> str | None:
    """The key of a payload whose timestamp may be ms or s (by magnitude); None when it is neither."""
    try:
        return event_key(to_ms(timestamp), device_id)
    except (ValueError, TypeError):
        return None
