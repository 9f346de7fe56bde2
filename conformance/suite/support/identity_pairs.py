"""Pair what a box reported with the seeded event it is about, for the identity checks.

v2 events carry the event id the control plane returned; v1 events, search items and uploads are keyed
by (whole ms, device) (`checks.correlation`). A key two seeded events share (core's tie at -600000 ms on
dev-gate-a: a matched person and a stranger) says nothing about which one an item is, so it is left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from conformance.checks.correlation import event_key, key_from_timestamp
from conformance.checks.identity_checks import Pair
from conformance.checks.scenario import ScenarioEvent
from conformance.clients.exchange import Exchange
from conformance.clients.failures import fail_unless


def by_unique_key(events: Iterable[ScenarioEvent]) -> dict[str, ScenarioEvent]:
    """Seeded events by (ms, device) key, without the keys that two events share."""
    listed = list(events)
    counts = Counter(event_key(e.ts_ms, e.device_id) for e in listed)
    return {key: e for e in listed if counts[key := event_key(e.ts_ms, e.device_id)] == 1}


def device_of(item: Mapping[str, Any], *path: str) -> str:
    """The device id at `path` (e.g. "common", "ep_info", "device_id"), "" when missing."""
    value: Any = item
    for key in path:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value if isinstance(value, str) else ""


def pair_by_key(
    oracle: Mapping[str, ScenarioEvent], items: Iterable[Mapping[str, Any]], *device_path: str
) -> list[Pair]:
    """(seeded event, item) for every item whose (timestamp, device) key names one seeded event."""
    pairs: list[Pair] = []
    for item in items:
        key = key_from_timestamp(item.get("timestamp"), device_of(item, *device_path))
        if key is not None and key in oracle:
            pairs.append((oracle[key], item))
    return pairs


def require_both_kinds(
    pairs: Sequence[Pair], what: str, requirement_ids: Sequence[str], exchanges: Sequence[Exchange]
) -> None:
    """Fail unless a stranger and a matched person are among the pairs: otherwise nothing was judged."""
    strangers = sum(1 for event, _ in pairs if not event.identity_id)
    fail_unless(
        0 < strangers < len(pairs),
        f"{what}: {len(pairs)} seeded event(s) found, {strangers} of them strangers; "
        "the test needs both strangers and matched persons",
        requirement_ids,
        exchanges,
    )
