"""Filter values drawn from the history sample: for every filter of seeds 000 and 001, queries whose answers
the sample can judge (bounds at sampled times and scores, names and ids that occur, every type and device).

Each builder returns filter dicts in the documented unit (v2 ms, v1 seconds), without the window's bounds
(the test adds them); an empty list means the sample holds nothing to draw from, and `Family.absent` says why.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from conformance.checks.history_events import HistoryEvent, TimeSpan

Filters = dict[str, Any]
Builder = Callable[[Sequence[HistoryEvent]], list[Filters]]


@dataclass(frozen=True)
class Family:
    """The queries of one filter (or combination) and why there are none when the sample lacks data."""

    name: str
    build: Builder
    absent: str


def by_frequency(values: Sequence[Any]) -> list[Any]:
    """Distinct values, most frequent first (ties in first-seen order)."""
    return [value for value, _ in Counter(values).most_common()]


def is_cjk(text: str) -> bool:
    """True when the text holds a Chinese character."""
    return any("\u4e00" <= char <= "\u9fff" for char in text)


def as_number(value: float) -> int | float:
    """A score as sent: an int when whole (both forms are documented as accepted)."""
    return int(value) if value.is_integer() else value


def _ordered(events: Sequence[HistoryEvent]) -> list[HistoryEvent]:
    return sorted(events, key=lambda event: event.span.low)


def _v2_bound(span: TimeSpan, side: str) -> int:
    """An integer ms bound that holds the event: its own time when whole, else just outside its span."""
    return math.floor(span.low) if side == "gte" else math.ceil(span.high)


def _whole_ms(events: Sequence[HistoryEvent]) -> list[HistoryEvent]:
    """Events whose time the box showed as an exact whole millisecond (a ms bound can sit on them)."""
    return [e for e in events if e.span.exact and e.span.low == e.span.low.to_integral_value()]


def v2_times(events: Sequence[HistoryEvent]) -> list[Filters]:
    """datetime_gte/lte at sampled times (ms): alone, together, and a one-millisecond window."""
    whole = _ordered(_whole_ms(events))
    pool = whole if len(whole) >= 2 else _ordered(events)
    if len(pool) < 2:
        return []
    early, late = pool[len(pool) // 4], pool[(3 * len(pool)) // 4]
    gte, lte = _v2_bound(early.span, "gte"), _v2_bound(late.span, "lte")
    cases = [{"datetime_gte": gte}, {"datetime_lte": lte}, {"datetime_gte": gte, "datetime_lte": lte}]
    exact = _whole_ms(events)
    if exact:
        instant = int(exact[len(exact) // 2].span.low)
        cases.append({"datetime_gte": instant, "datetime_lte": instant})
    return cases


def _seconds(instant: Decimal) -> float:
    return float(instant / 1000)


def v1_times(events: Sequence[HistoryEvent]) -> list[Filters]:
    """datetime_gte/lte at sampled times in seconds, with their fraction (µs); a pair within one second."""
    pool = _ordered([e for e in events if e.span.exact])
    if len(pool) < 2:
        return []
    early, late = pool[len(pool) // 4], pool[(3 * len(pool)) // 4]
    gte, lte = _seconds(early.span.low), _seconds(late.span.low)
    one = _seconds(pool[len(pool) // 2].span.low)
    cases: list[Filters] = [
        {"datetime_gte": gte},
        {"datetime_lte": lte},
        {"datetime_gte": gte, "datetime_lte": lte},
        {"datetime_gte": one, "datetime_lte": one},
    ]
    same_second = [
        (first, second)
        for first, second in itertools.pairwise(pool)
        if first.span.low < second.span.low and first.span.low // 1000 == second.span.low // 1000
    ]
    for first, second in same_second[:1]:  # a bound read in whole seconds takes in the other event
        cases += [{"datetime_gte": _seconds(second.span.low)}, {"datetime_lte": _seconds(first.span.low)}]
    return cases


def name_queries(events: Sequence[HistoryEvent]) -> list[str]:
    """Whole names and inner substrings, Chinese ones included (one and two characters)."""
    names = by_frequency([e.name for e in events if e.name])
    queries: list[str] = []
    cjk = [name for name in names if is_cjk(name)]
    latin = [name for name in names if not is_cjk(name)]
    for name in cjk[:1]:
        queries += [name[-1], name[:2]] if len(name) > 2 else [name[-1]]
    for name in latin[:1]:
        queries += [name, name[1:-1].strip() or name] if len(name) > 3 else [name]
    if not queries and names:
        queries.append(names[0])
    return list(dict.fromkeys(queries))


def names(key: str) -> Builder:
    """The fuzzy name filter (`identity_name` v2, `name` v1)."""
    return lambda events: [{key: query} for query in name_queries(events)]


def identity_ids(events: Sequence[HistoryEvent]) -> list[Filters]:
    """An identity id that occurs, and a proper prefix of it (exact match: the prefix is another id)."""
    ids = by_frequency([e.identity_id for e in events if e.identity_id])
    if not ids:
        return []
    cases = [{"identity_id": ids[0]}]
    if len(ids[0]) > 1:
        cases.append({"identity_id": ids[0][:-1]})
    return cases


def scores(events: Sequence[HistoryEvent]) -> list[Filters]:
    """score_min and score_max at sampled scores (inclusive there), alone and as a band."""
    values = sorted({e.score for e in events if e.score is not None})
    if len(values) < 2:
        return []
    low, middle, high = values[len(values) // 4], values[len(values) // 2], values[(3 * len(values)) // 4]
    return [
        {"score_min": as_number(middle)},
        {"score_max": as_number(low)},
        {"score_min": as_number(low), "score_max": as_number(high)},
    ]


def user_types(events: Sequence[HistoryEvent]) -> list[Filters]:
    """Every v2 user_type the sample shows, and "VIP" for "vip" (E03)."""
    shown = by_frequency([e.user_type for e in events if e.user_type])
    extra = ["VIP"] if "vip" in shown else []
    return [{"user_type": value} for value in [*shown, *extra]]


def person_types(events: Sequence[HistoryEvent]) -> list[Filters]:
    """Every v1 person_type code the sample shows, as userType."""
    codes = by_frequency([e.person_type for e in events if e.person_type is not None])
    return [{"userType": code} for code in codes]


def id_lists(key: str, attribute: str) -> Builder:
    """A list filter (devices, groups) with one id, two ids, and all but the most frequent."""

    def build(events: Sequence[HistoryEvent]) -> list[Filters]:
        ids = by_frequency([getattr(e, attribute) for e in events if getattr(e, attribute)])
        cases: list[Filters] = [{key: ids[:1]}] if ids else []
        if len(ids) >= 2:
            cases.append({key: [ids[0], ids[-1]]})
        if len(ids) >= 3:
            cases.append({key: ids[1:]})
        return cases

    return build


def rooms(events: Sequence[HistoryEvent]) -> list[Filters]:
    """room, where the box shows a room on its events (no table defines one)."""
    shown = by_frequency([e.room for e in events if e.room])
    return [{"room": value} for value in shown[:2]]


def _anchor(events: Sequence[HistoryEvent]) -> HistoryEvent | None:
    """A matched person's event (its own fields satisfy every filter built from them)."""
    named = [e for e in events if e.identity_id and e.name and e.score is not None]
    return named[len(named) // 2] if named else None


def _other_device(events: Sequence[HistoryEvent], device: str) -> list[str]:
    others = [d for d in by_frequency([e.device_id for e in events]) if d and d != device]
    return [device, others[-1]] if others else [device]


def _shown_values(cases: list[Filters]) -> list[Filters]:
    """Only combinations whose every value the event showed (no "" and no empty id)."""
    return [case for case in cases if all(value not in ("", [""]) for value in case.values())]


def v2_combinations(events: Sequence[HistoryEvent]) -> list[Filters]:
    """Two and three filters at once, drawn from one event's own fields (so the answer holds it)."""
    anchor = _anchor(events)
    if anchor is None or anchor.score is None:
        return []
    part = anchor.name[-1] if is_cjk(anchor.name) else anchor.name[: max(1, len(anchor.name) - 1)]
    return _shown_values(
        [
            {"media_device_ids": [anchor.device_id], "user_type": anchor.user_type},
            {"identity_name": part, "score_min": as_number(anchor.score)},
            {
                "media_device_ids": _other_device(events, anchor.device_id),
                "score_max": as_number(anchor.score),
                "user_type": anchor.user_type,
            },
        ]
    )


def v1_combinations(events: Sequence[HistoryEvent]) -> list[Filters]:
    """v1: two and three filters at once, from one event's own fields."""
    anchor = _anchor(events)
    if anchor is None or anchor.score is None:
        return []
    part = anchor.name[-1] if is_cjk(anchor.name) else anchor.name[: max(1, len(anchor.name) - 1)]
    cases: list[Filters] = [{"name": part, "score_min": as_number(anchor.score)}]
    if anchor.person_type is not None:
        cases.append({"streams": [anchor.device_id], "userType": anchor.person_type})
    if anchor.group_id:
        cases.append(
            {
                "groups": [anchor.group_id],
                "streams": _other_device(events, anchor.device_id),
                "score_max": as_number(anchor.score),
            }
        )
    return _shown_values(cases)


V2_FAMILIES = {
    "time": Family("time", v2_times, "fewer than two sampled events with a readable time"),
    "identity_name": Family("identity_name", names("identity_name"), "no sampled event carries a name"),
    "identity_id": Family("identity_id", identity_ids, "no sampled event is of a matched person"),
    "score": Family("score", scores, "fewer than two distinct sampled scores"),
    "user_type": Family("user_type", user_types, "no sampled event carries a user_type"),
    "media_device_ids": Family(
        "media_device_ids", id_lists("media_device_ids", "device_id"), "no sampled event names a device"
    ),
    "combined": Family("combined", v2_combinations, "no sampled event of a matched person with a score"),
}
V1_FAMILIES = {
    "time": Family("time", v1_times, "fewer than two sampled events with a readable time"),
    "name": Family("name", names("name"), "no sampled event carries a name"),
    "identity_id": Family("identity_id", identity_ids, "no sampled event is of a matched person"),
    "score": Family("score", scores, "fewer than two distinct sampled scores"),
    "userType": Family("userType", person_types, "no sampled event carries an integer person_type"),
    "room": Family("room", rooms, "the box's events show no room (no event table defines one)"),
    "groups": Family("groups", id_lists("groups", "group_id"), "no sampled event carries a group_id"),
    "streams": Family("streams", id_lists("streams", "device_id"), "no sampled event names a device"),
    "combined": Family("combined", v1_combinations, "no sampled event of a matched person with a score"),
}
