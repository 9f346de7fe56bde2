"""The history oracle: judge a filtered query by the events of the box's own history, no control plane needed.

A `HistoryQuery` is one filtered query over a window of the box's past (the window's bounds are among its
filters): v2 filters in ms (seed 000's table), v1 filters in seconds (seed 001). Each sampled or returned
event gets a verdict from the filter oracle's own predicates (`filter_oracle.V2Filter` / `V1Filter`):
"match", "no-match" or "unknown" — unknown when a reading the documents leave open decides it (the case
of a fuzzy name, a time bound inside an event's `TimeSpan`, a field the box does not report).

* ``history.soundness`` — every returned event satisfies the filter on its own fields;
* ``history.completeness`` — every sampled event that satisfies it is returned (bounds inclusive);
* ``history.non_empty`` — where the sample proves matches exist, the answer is not empty;
* ``history.top_k`` — v1 ``top_k`` answers the first k events of the same query without it, in order;
* ``history.same_window`` — one window shows the same events through v2 and v1 (twins by id, else by
  device and time).

Each finding names the requirements of the filter keys involved (`requirements_of`), plus the AND rule
(V2Q-FILT-010 / V1Q-FILT-013) when several filters are combined.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Literal

from conformance.checks.check_registry import check
from conformance.checks.filter_oracle import V1Filter, V2Filter
from conformance.checks.findings import Finding, describe_ids, deviation, id_sample
from conformance.checks.history_events import HistoryEvent, unmatched
from conformance.checks.vocabulary import MS_PER_SECOND

Verdict = Literal["match", "no-match", "unknown"]
Interface = Literal["v2", "v1"]

TIME_KEYS = ("datetime_gte", "datetime_lte")
#: Keys that page or cap rather than filter: never part of the predicate.
NOT_PREDICATES = ("top_k", "page", "per_page", "page_index", "page_limit")

REQUIREMENTS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "v2": {
        "datetime_gte": ("V2Q-FILT-002", "V2Q-TIME-001"),
        "datetime_lte": ("V2Q-FILT-003", "V2Q-TIME-001"),
        "identity_name": ("V2Q-FILT-004",),
        "identity_id": ("V2Q-FILT-005",),
        "score_min": ("V2Q-FILT-006",),
        "score_max": ("V2Q-FILT-007",),
        "user_type": ("V2Q-FILT-008",),
        "media_device_ids": ("V2Q-FILT-009",),
        "*": ("V2Q-FILT-010",),
    },
    "v1": {
        "datetime_gte": ("V1Q-FILT-001", "V1Q-TIME-001"),
        "datetime_lte": ("V1Q-FILT-002", "V1Q-TIME-001"),
        "name": ("V1Q-FILT-003",),
        "identity_id": ("V1Q-FILT-004",),
        "score_min": ("V1Q-FILT-005",),
        "score_max": ("V1Q-FILT-006",),
        "userType": ("V1Q-FILT-007",),
        "room": ("V1Q-FILT-008",),
        "groups": ("V1Q-FILT-009", "V1Q-FILT-011"),
        "streams": ("V1Q-FILT-010", "V1Q-FILT-011"),
        "top_k": ("V1Q-PAGE-011",),
        "*": ("V1Q-FILT-013",),
    },
}


@dataclass(frozen=True)
class HistoryQuery:
    """One filtered query over a past window: interface and filters as sent (time in the documented unit)."""

    interface: Interface
    filters: Mapping[str, Any]

    @property
    def predicate_keys(self) -> list[str]:
        """The filter keys the predicate judges (paging and top_k excluded)."""
        return [key for key in self.filters if key not in NOT_PREDICATES]

    @property
    def judged_keys(self) -> list[str]:
        """The filters under test: everything but the window's time bounds when something else is sent."""
        keys = [key for key in self.predicate_keys if key not in TIME_KEYS]
        return keys or self.predicate_keys

    def requirements(self, keys: Sequence[str] | None = None) -> tuple[str, ...]:
        """Requirement ids of `keys` (default: the judged keys), plus the AND rule for a combination."""
        table = REQUIREMENTS[self.interface]
        chosen = self.judged_keys if keys is None else list(keys)
        ids = [rid for key in chosen for rid in table.get(key, ())]
        if len([key for key in self.judged_keys if key not in TIME_KEYS]) > 1:
            ids += table["*"]
        return tuple(dict.fromkeys(ids))

    def describe(self) -> str:
        """The filters as short text for messages."""
        return f"{self.interface} " + ", ".join(f"{k}={v!r}" for k, v in self.filters.items())


def _bound_ms(query: HistoryQuery, key: str) -> Decimal | None:
    value = query.filters.get(key)
    if value is None:
        return None
    bound = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))
    return bound * MS_PER_SECOND if query.interface == "v1" else bound


def _time_verdict(query: HistoryQuery, event: HistoryEvent) -> Verdict:
    """Inclusive bounds against the event's span: inside, outside, or a bound within the span (unknown)."""
    low, high = _bound_ms(query, "datetime_gte"), _bound_ms(query, "datetime_lte")
    span = event.span
    if (low is not None and span.high < low) or (high is not None and span.low > high):
        return "no-match"
    if (low is None or span.low >= low) and (high is None or span.high <= high):
        return "match"
    return "unknown"


def _unknowable(filters: Mapping[str, Any], event: HistoryEvent) -> bool:
    """True when a sent filter looks at a field the event does not show (score, code, group, room)."""
    needs = {
        "score_min": event.score is None,
        "score_max": event.score is None,
        "userType": event.person_type is None,
        "groups": event.group_id is None,
        "room": event.room is None,
    }
    return any(needs.get(key, False) for key in filters)


def _field_verdict(query: HistoryQuery, event: HistoryEvent) -> Verdict:
    """The non-time filters, by the filter oracle's predicates; a name whose case decides it is unknown."""
    fields = {k: v for k, v in query.filters.items() if k not in TIME_KEYS and k not in NOT_PREDICATES}
    if not fields:
        return "match"
    if _unknowable(fields, event):
        return "unknown"
    parsed = V2Filter.from_body(fields) if query.interface == "v2" else V1Filter.from_params(fields)
    scenario = event.as_scenario_event()
    readings = {parsed.matches(scenario, case_sensitive=sensitive) for sensitive in (True, False)}
    if len(readings) > 1:
        return "unknown"
    return "match" if readings.pop() else "no-match"


def verdict(query: HistoryQuery, event: HistoryEvent) -> Verdict:
    """Does `event` satisfy the query? "unknown" when a reading the documents leave open decides it."""
    parts = {_time_verdict(query, event), _field_verdict(query, event)}
    if "no-match" in parts:
        return "no-match"
    return "unknown" if "unknown" in parts else "match"


def violated_keys(query: HistoryQuery, event: HistoryEvent) -> list[str]:
    """The filter keys the event fails on its own (each judged alone)."""
    return [
        key
        for key in query.predicate_keys
        if verdict(replace(query, filters={key: query.filters[key]}), event) == "no-match"
    ]


def _with_ids(found: Finding, ids: Sequence[str]) -> Finding:
    return replace(found, requirement_ids=tuple(ids))


@check("history.soundness")
def soundness(
    query: HistoryQuery, returned: Sequence[HistoryEvent], *, requirements: Sequence[str] = ()
) -> list[Finding]:
    """Every event the box returned satisfies the filter on its own fields."""
    wrong = [event for event in returned if verdict(query, event) == "no-match"]
    if not wrong:
        return []
    keys = list(dict.fromkeys(key for event in wrong for key in violated_keys(query, event)))
    first = wrong[0]
    shown = {key: _shown(first, key) for key in violated_keys(query, first)}
    found = deviation(
        f"{len(wrong)} returned event(s) fail {', '.join(keys)} ({query.describe()}): "
        f"{describe_ids(e.id for e in wrong)}; e.g. {first.id} has {shown}",
        wrong=id_sample(e.id for e in wrong),
        wrong_count=len(wrong),
        violated=keys,
        filters=dict(query.filters),
    )
    return [_with_ids(found, requirements or query.requirements(keys))]


def _shown(event: HistoryEvent, key: str) -> Any:
    """What the event shows for a filter key, for messages."""
    values: dict[str, Any] = {
        "datetime_gte": event.span.to_json(),
        "datetime_lte": event.span.to_json(),
        "identity_name": event.name,
        "name": event.name,
        "identity_id": event.identity_id,
        "score_min": event.score,
        "score_max": event.score,
        "user_type": event.user_type,
        "userType": event.person_type,
        "media_device_ids": event.device_id,
        "streams": event.device_id,
        "groups": event.group_id,
        "room": event.room,
    }
    return values.get(key)


def _matching(query: HistoryQuery, sample: Sequence[HistoryEvent]) -> list[HistoryEvent]:
    return [event for event in sample if verdict(query, event) == "match"]


@check("history.completeness")
def completeness(
    query: HistoryQuery,
    sample: Sequence[HistoryEvent],
    returned_ids: Sequence[str],
    *,
    requirements: Sequence[str] = (),
) -> list[Finding]:
    """Every sampled event that satisfies the filter (bounds inclusive) is returned (empty: see non_empty)."""
    got = set(returned_ids)
    if not got:
        return []
    missing = [event for event in _matching(query, sample) if event.id not in got]
    if not missing:
        return []
    found = deviation(
        f"{len(missing)} sampled event(s) satisfy {query.describe()} but were not returned: "
        f"{describe_ids(e.id for e in missing)}",
        missing=id_sample(e.id for e in missing),
        missing_count=len(missing),
        filters=dict(query.filters),
    )
    return [_with_ids(found, requirements or query.requirements())]


@check("history.non_empty")
def non_empty(
    query: HistoryQuery,
    sample: Sequence[HistoryEvent],
    returned_ids: Sequence[str],
    *,
    requirements: Sequence[str] = (),
) -> list[Finding]:
    """Where the sample proves matching events exist, the answer is not empty."""
    matching = _matching(query, sample)
    if returned_ids or not matching:
        return []
    found = deviation(
        f"{query.describe()} returned nothing, but {len(matching)} sampled event(s) satisfy it: "
        f"{describe_ids(e.id for e in matching)}",
        expected=id_sample(e.id for e in matching),
        expected_count=len(matching),
        filters=dict(query.filters),
    )
    return [_with_ids(found, requirements or query.requirements())]


def judge(
    query: HistoryQuery, sample: Sequence[HistoryEvent], returned: Sequence[HistoryEvent]
) -> list[Finding]:
    """Soundness, completeness and non-emptiness of one answer against the sample."""
    ids = [event.id for event in returned]
    return soundness(query, returned) + completeness(query, sample, ids) + non_empty(query, sample, ids)


def matching_count(query: HistoryQuery, sample: Sequence[HistoryEvent]) -> int:
    """How many sampled events certainly satisfy the query (0: the query proves nothing by its answer)."""
    return len(_matching(query, sample))


@check("history.top_k", requirements=("V1Q-PAGE-011",))
def top_k(
    k: int, capped_ids: Sequence[str], uncapped_ids: Sequence[str], *, requirements: Sequence[str] = ()
) -> list[Finding]:
    """v1 top_k: the answer is the first k events of the same query without top_k, in its order."""
    want = list(uncapped_ids[:k])
    if list(capped_ids) == want:
        return []
    if len(capped_ids) > k:
        problem = f"{len(capped_ids)} events returned, top_k={k} allows at most {k}"
    elif set(capped_ids) != set(want):
        problem = f"not the first {k} of the uncapped query ({len(capped_ids)} events, {len(want)} expected)"
    else:
        problem = f"the first {k} events of the uncapped query in another order"
    return [
        deviation(
            f"top_k={k}: {problem}",
            capped=id_sample(capped_ids),
            expected=id_sample(want),
            capped_count=len(capped_ids),
        )
    ]


@check("history.same_window")
def same_window(
    shown: Sequence[HistoryEvent],
    other: Sequence[HistoryEvent],
    *,
    names: tuple[str, str] = ("v2", "v1"),
    requirements: Sequence[str] = (),
) -> list[Finding]:
    """Every event the other interface shows in the window is shown here too (twins: id, or time+device)."""
    lost = unmatched(other, shown)
    if not lost:
        return []
    return [
        deviation(
            f"{len(lost)} event(s) {names[1]} shows in the window are missing from {names[0]}'s same window: "
            f"{describe_ids(e.id for e in lost)}",
            missing=id_sample(e.id for e in lost),
            missing_count=len(lost),
        )
    ]
