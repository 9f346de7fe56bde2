"""Pair what a box reported with the seeded event it is about, for the identity checks.

v2 events carry the event id the control plane returned; v1 events, search items and uploads are keyed
by (whole ms, device) (`checks.correlation`). A key two seeded events share (core's tie at -600000 ms on
dev-gate-a: a matched person and a stranger) says nothing about which one an item is, so it is left out.

On a box without control plane there is no seeded oracle: the reference is the box's own stored event as
another interface shows it (its v1 twin for a v2 event and the other way round, its v2 event for a search
item or an upload), taken only when that event is self-consistent about its match, so a defect of one
interface is blamed on that interface alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from conformance.checks.correlation import event_key, key_from_timestamp
from conformance.checks.history_events import PAIRING_TOLERANCE_MS, HistoryEvent, twins
from conformance.checks.identity_checks import Pair
from conformance.checks.scenario import ScenarioEvent
from conformance.checks.unit_inference import classify_timestamp, to_ms
from conformance.checks.vocabulary import STRANGER_PERSON_TYPE
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


# --- a box without control plane: the other interface's view of the same stored event is the reference ------

Reading = tuple[HistoryEvent, Mapping[str, Any]]  # an item and what the history reader made of it


def consistent_match(event: HistoryEvent) -> bool:
    """The event says one thing about its match: a stranger (user_type, or person_type 4) exactly when its
    identity_id is "" (an event that contradicts itself is no reference for another interface)."""
    stranger = event.person_type == STRANGER_PERSON_TYPE
    return stranger == (event.identity_id == "")


def readings(interface: str, items: Iterable[Mapping[str, Any]]) -> list[Reading]:
    """(history event, item) for every item whose time the interface's reader understands."""
    reader = HistoryEvent.from_v2 if interface == "v2" else HistoryEvent.from_v1
    return [(event, item) for item in items if (event := reader(item)) is not None]


def twin_pairs(items: Sequence[Reading], references: Sequence[Reading]) -> list[Pair]:
    """(reference as the oracle event, item) for every item whose twin in the other interface (same id, else
    same device within 1 ms, `history_events.twins`) is self-consistent about its match."""
    found = twins([event for event, _ in items], [event for event, _ in references])
    return [
        (found[event.id].as_scenario_event(), item)
        for event, item in items
        if event.id in found and consistent_match(found[event.id])
    ]


def item_ms(item: Mapping[str, Any]) -> float | None:
    """The item's `timestamp` in ms (ms or s by magnitude), None when it is neither."""
    value = item.get("timestamp")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return to_ms(value) if classify_timestamp(value) != "unknown" else None


def pair_by_time(
    events: Sequence[HistoryEvent], items: Iterable[Mapping[str, Any]], *device_path: str
) -> list[Reading]:
    """(stored event, item) for every item whose time lies within 1 ms of exactly one stored event's span
    (and, with a `device_path`, of that device): uploads and search items carry no event id."""
    pairs: list[Reading] = []
    for item in items:
        ms = item_ms(item)
        if ms is None:
            continue
        at = Decimal(repr(ms))
        device = device_of(item, *device_path) if device_path else None
        candidates = [
            event
            for event in events
            if event.span.low - PAIRING_TOLERANCE_MS < at < event.span.high + PAIRING_TOLERANCE_MS
            and (device is None or event.device_id == device)
        ]
        if len(candidates) == 1:
            pairs.append((candidates[0], item))
    return pairs


def kinds_judged(pairs: Sequence[Pair]) -> str:
    """'3 strangers and 12 matched persons': what a test judged, for its record and messages."""
    strangers = sum(1 for event, _ in pairs if not event.identity_id)
    return f"{strangers} stranger(s) and {len(pairs) - strangers} matched person(s)"
