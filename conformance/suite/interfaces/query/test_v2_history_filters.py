"""v2 getevents filters judged by the box's own history (any box, no control plane): for every filter of
seed 000, values drawn from a sampled past window; each answer is sound (its events satisfy the filter),
complete (the sampled events that satisfy it are returned) and, where the sample holds matches, not empty.
"""

from __future__ import annotations

import pytest

from conformance.checks.consistency import EventView, same_event
from conformance.checks.history_events import HistoryEvent, twins
from conformance.clients.failures import fail_on
from conformance.clients.http_client import RecordingHttpClient
from conformance.suite.judgement import judged, not_exercised
from conformance.suite.support.history_cases import V2_FAMILIES
from conformance.suite.support.history_queries import require_sample, run_family, window_findings
from conformance.suite.support.history_sample import HistorySample, page_size_for
from conformance.suite.support.query_calls import V2
from conformance.suite.support.query_data import SAME_EVENT_IDS
from conformance.suite.support.query_paging import partition_findings, repeat_findings

FAMILIES = [
    pytest.param("time", marks=pytest.mark.req("V2Q-FILT-002", "V2Q-FILT-003", "V2Q-TIME-001"), id="time"),
    pytest.param("identity_name", marks=pytest.mark.req("V2Q-FILT-004"), id="identity_name"),
    pytest.param("identity_id", marks=pytest.mark.req("V2Q-FILT-005"), id="identity_id"),
    pytest.param("score", marks=pytest.mark.req("V2Q-FILT-006", "V2Q-FILT-007"), id="score"),
    pytest.param("user_type", marks=pytest.mark.req("V2Q-FILT-008"), id="user_type"),
    pytest.param("media_device_ids", marks=pytest.mark.req("V2Q-FILT-009"), id="media_device_ids"),
    pytest.param("combined", marks=pytest.mark.req("V2Q-FILT-010"), id="combined"),
]


@pytest.mark.parametrize("family", FAMILIES)
def test_v2_filter_agrees_with_the_history(
    family: str,
    history_sample: HistorySample,
    http_client: RecordingHttpClient,
    request: pytest.FixtureRequest,
) -> None:
    """Each filter of seed 000 at values the sample holds: sound, complete, not empty where matches exist."""
    run = run_family(http_client, history_sample, "v2", V2_FAMILIES[family])
    judged(request, "events", run.judged)
    fail_on(
        run.findings,
        f"v2 {family} filter against the box's history",
        exchanges=run.exchanges,
        context=repr(history_sample),
    )


@pytest.mark.req("V2Q-FILT-001", "V2Q-FILT-002", "V2Q-FILT-003")
def test_v2_window_is_the_v1_window(history_sample: HistorySample, request: pytest.FixtureRequest) -> None:
    """The v2 window query keeps to its bounds and, with no other filter, holds every event v1 shows."""
    findings = window_findings(history_sample, "v2", requirements=["V2Q-FILT-001"])
    judged(request, "events", len(history_sample.v2) + len(history_sample.v1))
    fail_on(findings, "the v2 history window against the v1 window", context=repr(history_sample))


@pytest.mark.req("V2Q-PAGE-002", "V2Q-PAGE-004", "V2Q-PAGE-005", "V2Q-PAGE-007")
def test_v2_page_limit_pages_partition_the_window(
    history_sample: HistorySample, http_client: RecordingHttpClient
) -> None:
    """page_limit at a size drawn from the sample: pages partition the window, the same order twice."""
    require_sample(history_sample, "v2")
    window = history_sample.wire("v2", history_sample.window("v2"))
    size = page_size_for(len(history_sample.v2))
    first = V2.fetch_all(http_client, window, size=size, past_end=True)
    again = V2.fetch_all(http_client, window, size=size)
    findings = partition_findings(first) + repeat_findings(V2, [first.ids, again.ids])
    fail_on(findings, f"v2 paging of the window ({size} per page)", exchanges=first.exchanges[:2])


def _view(source: str, event: HistoryEvent) -> EventView:
    return EventView(
        source=source,
        event_id=event.id,
        ts_ms=float(event.span.low),
        device_id=event.device_id,
        score=event.score,
        person_type=event.person_type,
        type_label=f"user_type={event.user_type!r}" if source == "v2" else f"person_type={event.person_type}",
    )


@pytest.mark.req(*SAME_EVENT_IDS)
def test_v2_and_v1_tell_one_story_of_the_window(
    history_sample: HistorySample, request: pytest.FixtureRequest
) -> None:
    """Each sampled event, as v2 and v1 show it: same id, time (±1 ms), device, score and person type."""
    require_sample(history_sample, "v2")
    found = twins(history_sample.v2, history_sample.v1)
    pairs = [(event, found[event.id]) for event in history_sample.v2 if event.id in found]
    if not pairs:
        not_exercised("no sampled v2 event has a v1 twin (see test_v1_window_is_the_v2_window)")
    judged(request, "events", len(pairs))
    findings = [
        found
        for event, twin in pairs
        for found in same_event([_view("v2", event), _view("v1", twin)], requirements=SAME_EVENT_IDS)
    ]
    fail_on(findings, "v2 and v1 disagree about an event of the window", context=repr(history_sample))
