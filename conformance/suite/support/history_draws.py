"""Random queries drawn from the history sample, and what a box that serves its own history must answer them.

The control-plane tests draw filter combinations and pages over a seeded scenario and compare each answer
with the model of what was seeded. On a real box the model is the sample: combinations are drawn from the
values its events show (times, names, ids, scores, types, devices, groups), each answer is judged by the
history checks, its total_count is the number of sampled matches where every verdict is certain, and any
page of it is the matching slice of the whole answer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from conformance.checks.findings import Finding
from conformance.checks.history_events import HistoryEvent
from conformance.checks.history_filters import HistoryQuery, Interface, verdict
from conformance.checks.requirement_ids import requirements_for
from conformance.clients.http_client import RecordingHttpClient
from conformance.suite.support.history_cases import as_number, by_frequency, name_queries
from conformance.suite.support.history_queries import FamilyRun, run_query
from conformance.suite.support.history_sample import HistorySample, api_of, read
from conformance.suite.support.query_calls import PagedResult
from conformance.suite.support.query_filter_cases import UNKNOWN_DEVICE
from conformance.suite.support.query_paging import slice_findings

USER_TYPES = ("employee", "visitor", "blacklist", "stranger", "vip", "VIP", "car")


def _values(events: Sequence[HistoryEvent], attribute: str) -> list[Any]:
    return by_frequency([getattr(e, attribute) for e in events if getattr(e, attribute) not in (None, "")])


def _lists(values: Sequence[str], extra: Sequence[str] = ()) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from([*values, *extra]), min_size=1, max_size=3, unique=True)


def _scores(events: Sequence[HistoryEvent]) -> st.SearchStrategy[int | float]:
    values = sorted({e.score for e in events if e.score is not None})
    return st.sampled_from([as_number(v) for v in values] + [0, 100])


def v2_draws(events: Sequence[HistoryEvent]) -> st.SearchStrategy[dict[str, Any]]:
    """Any combination of seed 000's filters, at values the sampled v2 events show (bounds at their times)."""
    lows = sorted({math.floor(e.span.low) for e in events})
    highs = sorted({math.ceil(e.span.high) for e in events})
    optional: dict[str, st.SearchStrategy[Any]] = {
        "datetime_gte": st.sampled_from(lows),
        "datetime_lte": st.sampled_from(highs),
        "score_min": _scores(events),
        "score_max": _scores(events),
        "user_type": st.sampled_from(USER_TYPES),
        "media_device_ids": _lists(_values(events, "device_id"), (UNKNOWN_DEVICE,)),
    }
    if names := name_queries(events):
        optional["identity_name"] = st.sampled_from(names)
    if ids := _values(events, "identity_id"):
        optional["identity_id"] = st.sampled_from(ids[:5])
    return st.fixed_dictionaries({}, optional=optional)


def _seconds(instant: Decimal) -> float:
    return float(instant / 1000)


def v1_draws(events: Sequence[HistoryEvent]) -> st.SearchStrategy[dict[str, Any]]:
    """Any combination of seed 001's filters, at values the sampled v1 events show (seconds, µs exact)."""
    exact = sorted({_seconds(e.span.low) for e in events if e.span.exact})
    optional: dict[str, st.SearchStrategy[Any]] = {
        "score_min": _scores(events),
        "score_max": _scores(events),
        "userType": st.integers(1, 5),
        "streams": _lists(_values(events, "device_id")),
    }
    if exact:
        optional["datetime_gte"] = st.sampled_from(exact)
        optional["datetime_lte"] = st.sampled_from(exact)
    if names := name_queries(events):
        optional["name"] = st.sampled_from(names)
    if ids := _values(events, "identity_id"):
        optional["identity_id"] = st.sampled_from(ids[:5])
    if groups := _values(events, "group_id"):
        optional["groups"] = _lists(groups)
    if rooms := _values(events, "room"):
        optional["room"] = st.sampled_from(rooms)
    return st.fixed_dictionaries({}, optional=optional)


def draws(sample: HistorySample, interface: Interface) -> st.SearchStrategy[dict[str, Any]]:
    """Filter combinations for one interface, drawn from the sample."""
    events = sample.events(interface)
    return v2_draws(events) if interface == "v2" else v1_draws(events)


def within_window(sample: HistorySample, interface: Interface, drawn: dict[str, Any]) -> HistoryQuery:
    """The window plus the drawn filters (a drawn time bound lies inside the window, so it narrows it)."""
    return HistoryQuery(interface, {**sample.window(interface), **drawn})


def judge_combination(client: RecordingHttpClient, sample: HistorySample, query: HistoryQuery) -> FamilyRun:
    """One drawn combination, read and judged (sound, complete, not empty where the sample has matches)."""
    run = FamilyRun()
    run_query(client, sample, query, run)
    return run


def certain_count(query: HistoryQuery, events: Sequence[HistoryEvent]) -> int | None:
    """How many sampled events satisfy the query, or None when a reading left open decides one of them."""
    verdicts = [verdict(query, event) for event in events]
    return None if "unknown" in verdicts else verdicts.count("match")


def model_findings(
    client: RecordingHttpClient,
    sample: HistorySample,
    query: HistoryQuery,
    *,
    size: int,
    position: float,
) -> tuple[list[Finding], list[Any]]:
    """The sample as the model: the answer is judged, total_count is its certain size, a page its slice
    (the page at `position` of the way through the answer, 0 ≤ position ≤ 1, past-the-end page included)."""
    interface, api = query.interface, api_of(query.interface)
    run = judge_combination(client, sample, query)
    findings = list(run.findings)
    listing = read(client, sample, interface, query.filters)
    expected = certain_count(query, sample.events(interface)) if sample.complete else None
    if expected is not None and listing.complete and listing.total_count != expected:
        findings.append(
            Finding(
                check="paging.total_count",
                message=f"total_count {listing.total_count} for {query.describe()}, "
                f"but {expected} sampled event(s) satisfy it",
                requirement_ids=requirements_for("paging.total_count", interface),
                evidence={"total_count": listing.total_count, "expected": expected},
            )
        )
    ids = [event.id for event in listing.events] if listing.complete else []
    index = math.floor(position * (len(ids) // size + 1))
    page = api.fetch(client, sample.wire(interface, query.filters), page=index, size=size)
    if ids:
        findings += slice_findings(api, ids, PagedResult(api=api, answers=[page]))
    return findings, [*run.exchanges, page.response.exchange]
