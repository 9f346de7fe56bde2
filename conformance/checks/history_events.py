"""What a box's own history says about one event, read from v2 getevents or v1 events, for the history oracle.

A `HistoryEvent` holds the fields the filters of seeds 000 and 001 look at, as the box reported them,
and its time as a `TimeSpan`: the exact instant when the box showed it to the microsecond, else the
interval a coarser reading leaves open. A v2 integer millisecond may be the floor of a time that
carries microseconds (seed 000's own example is 1628066406.608026), so it only says "in [t, t + 1 ms)";
`with_finer_time` narrows it with the v1 twin's float seconds. A bound that falls inside a span can be
read either way by a conforming box; the history checks do not judge an event there.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from conformance.checks.scenario import ScenarioEvent
from conformance.checks.unit_inference import classify_timestamp
from conformance.checks.vocabulary import DEFAULT_PERSON_TYPE, MS_PER_SECOND, person_type_of, user_type_of

#: The finest resolution a box shows (µs); an integer ms reading leaves [t, t + 1 ms - 1 µs] open.
MICROSECOND_MS = Decimal("0.001")
#: Twins (v2 and v1 views of one event) without a shared id are paired when their times are this close.
PAIRING_TOLERANCE_MS = Decimal(1)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _score(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class TimeSpan:
    """An event's instant in ms: exact when low == high, else somewhere in [low, high]."""

    low: Decimal
    high: Decimal

    @property
    def exact(self) -> bool:
        """True when the box showed the instant to the microsecond."""
        return self.low == self.high

    def contains(self, other: TimeSpan) -> bool:
        """True when `other` lies inside this span (a finer reading of the same instant)."""
        return self.low <= other.low and other.high <= self.high

    def to_json(self) -> list[str]:
        """[low, high] as decimal text, for evidence."""
        return [str(self.low), str(self.high)]


def span_of(value: Any, *, ms_resolution: bool = False) -> TimeSpan | None:
    """The span a timestamp allows: float values are exact, an integer ms leaves 1 ms open.

    With `ms_resolution` (a v2 timestamp, documented as integer ms by E02), float seconds that show no
    more than whole milliseconds (1796295643.769, the lenient E02 rendering of an integer ms) leave the
    same 1 ms open as that integer would: the stored time may carry microseconds past it.
    """
    unit = classify_timestamp(value)
    if unit == "unknown":
        return None
    exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(int(value))
    if unit == "s":
        instant = exact * MS_PER_SECOND
        if ms_resolution and instant == instant.to_integral_value():
            return TimeSpan(instant, instant + 1 - MICROSECOND_MS)  # seconds of an integer ms reading
        return TimeSpan(instant, instant)
    if isinstance(value, float) and not value.is_integer():
        return TimeSpan(exact, exact)
    return TimeSpan(exact, exact + 1 - MICROSECOND_MS)  # an integer ms may be the floor of a µs time


@dataclass(frozen=True)
class HistoryEvent:
    """One event of the box's history, with what the filters judge; `room` is None when the box shows none."""

    id: str
    span: TimeSpan
    device_id: str
    identity_id: str
    name: str
    score: float | None
    user_type: str  # v2 string; "" when read from v1
    person_type: int | None  # v1 code; derived from user_type for v2, None when unknown
    group_id: str | None = None  # v1 only
    room: str | None = None  # only when the box reports one (no table defines it)

    @classmethod
    def from_v2(cls, item: Mapping[str, Any]) -> HistoryEvent | None:
        """A v2 getevents event; None when its timestamp cannot be read."""
        span = span_of(item.get("timestamp"), ms_resolution=True)
        if span is None:
            return None
        user_type = _text(item.get("user_type"))
        return cls(
            id=_text(item.get("event_id")),
            span=span,
            device_id=_text(_mapping(item.get("media_device_info")).get("media_device_id")),
            identity_id=_text(item.get("identity_id")),
            name=_text(item.get("identity_name")),
            score=_score(item.get("score")),
            user_type=user_type,
            person_type=person_type_of(user_type),
        )

    @classmethod
    def from_v1(cls, item: Mapping[str, Any]) -> HistoryEvent | None:
        """A v1 events item (fields under `common`); None when its timestamp cannot be read."""
        span = span_of(item.get("timestamp"))
        if span is None:
            return None
        common = _mapping(item.get("common"))
        code = common.get("person_type", DEFAULT_PERSON_TYPE)  # absent means employee (the table)
        room = _mapping(common.get("identity_info")).get("room", common.get("room"))
        return cls(
            id=_text(item.get("_id")),
            span=span,
            device_id=_text(_mapping(common.get("ep_info")).get("device_id")),
            identity_id=_text(common.get("identity_id")),
            name=_text(common.get("identity_name")),
            score=_score(common.get("score")),
            user_type="",
            person_type=code if isinstance(code, int) and not isinstance(code, bool) else None,
            group_id=_text(common.get("group_id")),
            room=None if room is None else str(room),
        )

    def with_finer_time(self, twin: HistoryEvent) -> HistoryEvent:
        """This event with its twin's finer reading of the instant (v1 µs seconds for a v2 integer ms)."""
        if twin.span.high - twin.span.low < self.span.high - self.span.low and self.span.contains(twin.span):
            return replace(self, span=twin.span)
        return self

    def is_twin(self, other: HistoryEvent) -> bool:
        """The same event seen through the other interface: same id, or same device at the same instant."""
        if self.id and self.id == other.id:
            return True
        gap = max(self.span.low - other.span.high, other.span.low - self.span.high, Decimal(0))
        return self.device_id == other.device_id and gap < PAIRING_TOLERANCE_MS

    def as_scenario_event(self) -> ScenarioEvent:
        """The fields in the filter oracle's shape, so its predicates judge them (time is judged apart)."""
        code = self.person_type if self.person_type is not None else 0
        return ScenarioEvent(
            id=self.id,
            ts_ms=math.floor(self.span.low),
            device_id=self.device_id,
            identity_id=self.identity_id,
            name=self.name,
            person_type=code,
            user_type=self.user_type or user_type_of(code) or "",
            score=self.score if self.score is not None else math.nan,
            group_id=self.group_id or "",
            room=self.room or "",
        )


def twins(events: Sequence[HistoryEvent], others: Sequence[HistoryEvent]) -> dict[str, HistoryEvent]:
    """event id -> the same event in the other interface's reading: by id when the interfaces share ids,
    else the one event of the same device within 1 ms (two candidates, e.g. a tie, pair nothing)."""
    by_id = {other.id: other for other in others if other.id}
    if any(event.id in by_id for event in events):
        return {event.id: by_id[event.id] for event in events if event.id in by_id}
    paired: dict[str, HistoryEvent] = {}
    for event in events:
        candidates = [other for other in others if event.is_twin(other)]
        if len(candidates) == 1:
            paired[event.id] = candidates[0]
    return paired


def unmatched(events: Sequence[HistoryEvent], others: Sequence[HistoryEvent]) -> list[HistoryEvent]:
    """The events with no counterpart at all among `others` (by id when ids are shared, else by device
    and time); an event with two candidates (a tie) has a counterpart, just not a unique one."""
    ids = {other.id for other in others if other.id}
    if any(event.id in ids for event in events):
        return [event for event in events if event.id not in ids]
    return [event for event in events if not any(event.is_twin(other) for other in others)]


def refine_times(events: Sequence[HistoryEvent], others: Sequence[HistoryEvent]) -> list[HistoryEvent]:
    """Each event with the finer time of its twin in the other interface's reading, where one is found."""
    found = twins(events, others)
    return [event.with_finer_time(found[event.id]) if event.id in found else event for event in events]


def split_point(spans: Sequence[TimeSpan], low: int, high: int) -> int | None:
    """An integer ms m in [low, high) with every span in [.., m] or [m + 1, ..]: no event in neither half.

    Prefers an m on an exact whole-ms event (so the inclusive bound holds that event), nearest the middle;
    a span that reaches into (m, m + 1) — microseconds after a ms floor — rules that m out.
    """
    blocked = {
        m
        for span in spans
        for m in range(math.floor(span.low), math.ceil(span.high))
        if not (span.high <= m or span.low >= m + 1)
    }
    on_events = sorted(
        {int(s.low) for s in spans if s.exact and s.low == s.low.to_integral_value() and low <= s.low < high},
        key=lambda m: abs(2 * m - low - high),
    )
    centre = (low + high) // 2
    near_centre = [m for d in range(len(blocked) + 1) for m in (centre - d, centre + d) if low <= m < high]
    return next((m for m in [*on_events, *near_centre] if m not in blocked), None)
