"""The history twin of each control-plane oracle case: the same question asked of the box's own history.

With a control plane `query_filter_cases` seeds the core scenario and knows each answer exactly. A real box
has no such scenario, so each case (by its name) has a twin here that draws the same kind of value from the
history sample: a bound at a sampled time, a prefix of a sampled name, a sampled score as int and as float,
every user type, one and two sampled devices. The twin's answer is judged by the history checks (sound,
complete, not empty where the sample proves matches). A twin whose value the sample cannot give ends *not
exercised* naming what was missing; a case about matching nothing (an unknown device, an id prefix) is
judged on every sampled event of the window, none of which may come back.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pytest

from conformance.checks.history_events import HistoryEvent
from conformance.checks.history_filters import HistoryQuery, Interface, matching_count
from conformance.clients.failures import fail_on
from conformance.clients.http_client import RecordingHttpClient
from conformance.suite.judgement import judged, not_exercised
from conformance.suite.support.history_cases import (
    Filters,
    as_number,
    by_frequency,
    id_lists,
    identity_ids,
    is_cjk,
    v1_times,
    v2_times,
)
from conformance.suite.support.history_queries import FamilyRun, require_sample, run_query
from conformance.suite.support.history_sample import HistorySample
from conformance.suite.support.query_filter_cases import UNKNOWN_DEVICE

Builder = Callable[[Sequence[HistoryEvent]], list[Filters]]


@dataclass(frozen=True)
class Twin:
    """The sample-drawn queries of one oracle case; `absent` says what the sample lacked for them."""

    build: Builder
    absent: str
    expects_nothing: bool = False  # the case asks for a filter no event satisfies


def _pick(builder: Builder, *indexes: int) -> Builder:
    """Some of another builder's queries (those it has)."""
    return lambda events: [case for i, case in enumerate(builder(events)) if i in indexes]


def _one_ms_window(events: Sequence[HistoryEvent]) -> list[Filters]:
    """gte = lte at a whole-ms event; else the one millisecond [floor, ceil] around a µs event."""
    exact = [c for c in v2_times(events) if c.get("datetime_gte") == c.get("datetime_lte")]
    if exact:
        return exact
    timed = sorted(events, key=lambda e: e.span.low)
    if not timed:
        return []
    span = timed[len(timed) // 2].span
    return [{"datetime_gte": math.floor(span.low), "datetime_lte": math.ceil(span.high)}]


def _names(events: Sequence[HistoryEvent], *, cjk: bool) -> list[str]:
    return [n for n in by_frequency([e.name for e in events if e.name]) if is_cjk(n) == cjk]


def _name_part(key: str, part: Callable[[str], str | None], *, cjk: bool = False) -> Builder:
    """A part of the most frequent (Latin or Chinese) name that differs from the whole name."""

    def build(events: Sequence[HistoryEvent]) -> list[Filters]:
        parts = [p for p in (part(n) for n in _names(events, cjk=cjk)) if p and p.strip()]
        return [{key: parts[0]}] if parts else []

    return build


def _prefix(name: str) -> str | None:
    return name[:-1] if len(name) > 1 else None


def _inner(name: str) -> str | None:
    return name[1:-1] if len(name) > 2 else None


def _chinese(name: str) -> str | None:
    return name[:2] if len(name) > 2 else name[-1:]


def _scores(events: Sequence[HistoryEvent], *, whole: bool) -> list[float]:
    values = sorted({e.score for e in events if e.score is not None})
    return [v for v in values if v.is_integer() == whole]


def _score_bound(key: str, *, as_int: bool) -> Builder:
    """A bound at a sampled score: an int (at a whole score where one is sampled), or a float."""

    def build(events: Sequence[HistoryEvent]) -> list[Filters]:
        if as_int:
            whole = _scores(events, whole=True)
            pool = whole or _scores(events, whole=False)
            return [{key: int(pool[len(pool) // 2])}] if pool else []
        fraction = _scores(events, whole=False)
        return [{key: fraction[len(fraction) // 2]}] if fraction else []

    return build


def _score_band(events: Sequence[HistoryEvent]) -> list[Filters]:
    """score_min = score_max at one sampled score (int and float of it when it is whole)."""
    values = sorted({e.score for e in events if e.score is not None})
    if not values:
        return []
    value = values[len(values) // 2]
    return [{"score_min": as_number(value), "score_max": float(value)}]


def _fixed(filters: Filters) -> Builder:
    return lambda events: [dict(filters)] if events else []


def _id_prefix(events: Sequence[HistoryEvent]) -> list[Filters]:
    return identity_ids(events)[1:2]


def _rooms(exact: bool) -> Builder:
    def build(events: Sequence[HistoryEvent]) -> list[Filters]:
        rooms = by_frequency([e.room for e in events if e.room])
        if not rooms:
            return []
        return [{"room": rooms[0] if exact else rooms[0][:-1] or rooms[0]}]

    return build


DEVICE_LISTS = id_lists("media_device_ids", "device_id")
NO_TIME = "fewer than two sampled events with a readable time"
NO_NAME = "no sampled event carries a name"
NO_SCORE = "no sampled event carries a score"
NO_ROOM = "the box's events show no room (no event table defines one)"


def _user_type(value: str) -> Twin:
    return Twin(_fixed({"user_type": value}), f"no sampled event of user_type {value!r}")


V2_TWINS: dict[str, Twin] = {
    "time-both-bounds-at-events": Twin(_pick(v2_times, 2), NO_TIME),
    "time-gte-at-event": Twin(_pick(v2_times, 0), NO_TIME),
    "time-lte-at-event": Twin(_pick(v2_times, 1), NO_TIME),
    "time-one-ms-window": Twin(_one_ms_window, NO_TIME),
    "name-prefix": Twin(_name_part("identity_name", _prefix), "no sampled Latin name"),
    "name-inner": Twin(_name_part("identity_name", _inner), "no sampled Latin name of 3 or more letters"),
    "name-chinese": Twin(_name_part("identity_name", _chinese, cjk=True), "no sampled Chinese name"),
    "identity-id-exact": Twin(_pick(identity_ids, 0), "no sampled event is of a matched person"),
    "identity-id-prefix": Twin(_id_prefix, "no sampled identity id of 2 or more characters", True),
    "score-min-int-at-event": Twin(_score_bound("score_min", as_int=True), NO_SCORE),
    "score-min-float": Twin(_score_bound("score_min", as_int=False), "no sampled score with a fraction"),
    "score-max-int-at-event": Twin(_score_bound("score_max", as_int=True), NO_SCORE),
    "score-max-float": Twin(_score_bound("score_max", as_int=False), "no sampled score with a fraction"),
    "score-exact-band": Twin(_score_band, NO_SCORE),
    **{
        f"user-type-{value}": _user_type(value)
        for value in ("employee", "visitor", "blacklist", "stranger", "vip", "VIP", "Employee", "car")
    },
    "devices-one": Twin(_pick(DEVICE_LISTS, 0), "no sampled device"),
    "devices-two": Twin(_pick(DEVICE_LISTS, 1), "fewer than two sampled devices"),
    "devices-empty-list": Twin(_fixed({"media_device_ids": []}), "no sampled event"),
    "devices-unknown": Twin(_fixed({"media_device_ids": [UNKNOWN_DEVICE]}), "no sampled event", True),
}

V1_TWINS: dict[str, Twin] = {
    "time-both-bounds-at-events": Twin(_pick(v1_times, 2), NO_TIME),
    "time-gte-fraction": Twin(_pick(v1_times, 0), NO_TIME),
    "time-lte-fraction": Twin(_pick(v1_times, 1), NO_TIME),
    "time-one-ms-window": Twin(_pick(v1_times, 3), NO_TIME),
    "name-prefix": Twin(_name_part("name", _prefix), "no sampled Latin name"),
    "name-chinese": Twin(_name_part("name", _chinese, cjk=True), "no sampled Chinese name"),
    "identity-id-exact": Twin(_pick(identity_ids, 0), "no sampled event is of a matched person"),
    "identity-id-prefix": Twin(_id_prefix, "no sampled identity id of 2 or more characters", True),
    "score-min-at-event": Twin(_score_bound("score_min", as_int=False), "no sampled score with a fraction"),
    "score-max-float": Twin(_score_bound("score_max", as_int=False), "no sampled score with a fraction"),
    **{
        f"userType-{code}": Twin(_fixed({"userType": code}), f"no sampled event of person_type {code}")
        for code in (1, 2, 3, 4, 5)
    },
    "room-exact": Twin(_rooms(exact=True), NO_ROOM),
    "room-prefix": Twin(_rooms(exact=False), NO_ROOM, True),
    "streams-unknown": Twin(_fixed({"streams": [UNKNOWN_DEVICE]}), "no sampled event", True),
}

#: The twins of the v1 list cases tried in every E05 form (`V1_LIST_CASES` names).
V1_LIST_TWINS: dict[str, Twin] = {
    "streams-one": Twin(_pick(id_lists("streams", "device_id"), 0), "no sampled device"),
    "streams-two": Twin(_pick(id_lists("streams", "device_id"), 1), "fewer than two sampled devices"),
    "groups-one": Twin(_pick(id_lists("groups", "group_id"), 0), "no sampled event carries a group_id"),
    "groups-two": Twin(_pick(id_lists("groups", "group_id"), 1), "fewer than two sampled groups"),
}


def run_twin(
    client: RecordingHttpClient,
    sample: HistorySample,
    interface: Interface,
    twin: Twin,
    *,
    all_forms: bool = False,
) -> tuple[FamilyRun, int]:
    """Every query of the twin over the window, judged; returns the run and the sampled matches."""
    require_sample(sample, interface)
    events = sample.events(interface)
    cases = twin.build(events)
    if not cases:
        not_exercised(f"{twin.absent} (sample {sample!r})")
    run, matches = FamilyRun(), 0
    for filters in cases:
        query = HistoryQuery(interface, {**sample.window(interface), **filters})
        run_query(client, sample, query, run, all_forms=all_forms)
        matches += matching_count(query, events)
    return run, matches


def judge_twin(
    client: RecordingHttpClient,
    sample: HistorySample,
    interface: Interface,
    twin: Twin,
    request: pytest.FixtureRequest,
) -> None:
    """Run a twin and end the test: failed on findings, else passed on evidence or *not exercised*."""
    run, matches = run_twin(client, sample, interface, twin)
    title = f"{interface} filter against the box's history"
    fail_on(run.findings, title, exchanges=run.exchanges, context=repr(sample))
    evidence = len(sample.events(interface)) if twin.expects_nothing else run.judged
    if not matches and not twin.expects_nothing:
        not_exercised(f"{twin.absent}: no sampled event satisfies the query (sample {sample!r})")
    judged(request, "events", evidence)
