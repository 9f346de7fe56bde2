"""v1 events filters judged by the box's own history (any box, no control plane): for every filter of
seed 001, values drawn from a sampled past window; each answer is sound, complete and, where the sample
holds matches, not empty. List filters pass in any one E05 form (MUST), and should agree in all three.
"""

from __future__ import annotations

import pytest

from conformance.checks.findings import Finding
from conformance.checks.history_filters import HistoryQuery, matching_count, soundness, top_k
from conformance.clients.exchange import Exchange
from conformance.clients.failures import fail, fail_on
from conformance.clients.http_client import RecordingHttpClient
from conformance.suite.judgement import judged, not_exercised
from conformance.suite.support.history_cases import V1_FAMILIES
from conformance.suite.support.history_queries import (
    list_forms_disagree,
    require_sample,
    run_family,
    window_findings,
)
from conformance.suite.support.history_sample import HistorySample, page_size_for, read
from conformance.suite.support.query_calls import V1
from conformance.suite.support.query_paging import partition_findings, repeat_findings

FAMILIES = [
    pytest.param("time", marks=pytest.mark.req("V1Q-FILT-001", "V1Q-FILT-002", "V1Q-TIME-001"), id="time"),
    pytest.param("name", marks=pytest.mark.req("V1Q-FILT-003"), id="name"),
    pytest.param("identity_id", marks=pytest.mark.req("V1Q-FILT-004"), id="identity_id"),
    pytest.param("score", marks=pytest.mark.req("V1Q-FILT-005", "V1Q-FILT-006"), id="score"),
    pytest.param("userType", marks=pytest.mark.req("V1Q-FILT-007"), id="userType"),
    pytest.param("room", marks=pytest.mark.req("V1Q-FILT-008"), id="room"),
    pytest.param("groups", marks=pytest.mark.req("V1Q-FILT-009", "V1Q-FILT-011"), id="groups"),
    pytest.param("streams", marks=pytest.mark.req("V1Q-FILT-010", "V1Q-FILT-011"), id="streams"),
    pytest.param("combined", marks=pytest.mark.req("V1Q-FILT-013"), id="combined"),
]


@pytest.mark.parametrize("family", FAMILIES)
def test_v1_filter_agrees_with_the_history(
    family: str,
    history_sample: HistorySample,
    http_client: RecordingHttpClient,
    request: pytest.FixtureRequest,
) -> None:
    """Each filter of seed 001 at values the sample holds: sound, complete, not empty where matches exist."""
    run = run_family(http_client, history_sample, "v1", V1_FAMILIES[family])
    judged(request, "events", run.judged)
    fail_on(
        run.findings,
        f"v1 {family} filter against the box's history",
        exchanges=run.exchanges,
        context=repr(history_sample),
    )


@pytest.mark.req("V1Q-FILT-001", "V1Q-FILT-002")
def test_v1_window_is_the_v2_window(history_sample: HistorySample, request: pytest.FixtureRequest) -> None:
    """The v1 window query keeps to its bounds (seconds with fractions) and holds every event v2 shows."""
    findings = window_findings(history_sample, "v1", requirements=["V1Q-FILT-001", "V1Q-FILT-002"])
    judged(request, "events", len(history_sample.v2) + len(history_sample.v1))
    fail_on(findings, "the v1 history window against the v2 window", context=repr(history_sample))


@pytest.mark.req("V1Q-FILT-011", "V1Q-FILT-012")
def test_v1_list_forms_select_the_same_history(
    history_sample: HistorySample, http_client: RecordingHttpClient
) -> None:
    """streams and groups in the repeated-key, comma and JSON forms (E05) all select the same events."""
    runs = [
        run_family(http_client, history_sample, "v1", V1_FAMILIES[name], all_forms=True)
        for name in ("streams", "groups")
    ]
    fail_on(
        [found for run in runs for found in run.findings],
        "v1 list filter understood in no E05 form",
        exchanges=[exchange for run in runs for exchange in run.exchanges],
    )
    partial = {query: forms for run in runs for query, forms in list_forms_disagree(run).items()}
    if partial:
        fail(
            f"v1 list filters are right only in some E05 forms: {partial}",
            ["V1Q-FILT-012"],
            detail=repr(history_sample),
        )


@pytest.mark.req("V1Q-PAGE-011")
def test_v1_top_k_takes_the_head_of_the_filtered_history(
    history_sample: HistorySample, http_client: RecordingHttpClient
) -> None:
    """top_k over a filtered window: the first k events of the same query without it, each satisfying it."""
    require_sample(history_sample, "v1")
    device = history_sample.v1[len(history_sample.v1) // 2].device_id
    base = {**history_sample.window("v1"), "streams": [device]}
    uncapped = read(http_client, history_sample, "v1", base)
    matches = matching_count(HistoryQuery("v1", base), history_sample.v1)
    if not uncapped.complete or matches < 2:
        not_exercised(f"the window holds {matches} event(s) of device {device}, fewer than 2")
    findings: list[Finding] = []
    exchanges: list[Exchange] = []
    for k in (1, matches // 2):
        capped = read(http_client, history_sample, "v1", {**base, "top_k": k}, size=max(1, k // 2 + 1))
        ids = [event.id for event in capped.events]
        findings += top_k(k, ids, [event.id for event in uncapped.events])
        findings += soundness(HistoryQuery("v1", {**base, "top_k": k}), capped.events)
        exchanges += capped.exchanges[:1]
    fail_on(findings, "v1 top_k over the window", exchanges=exchanges, context=f"streams=[{device!r}]")


@pytest.mark.req("V1Q-PAGE-001", "V1Q-PAGE-004", "V1Q-PAGE-005", "V1Q-PAGE-006", "V1Q-PAGE-008")
def test_v1_per_page_pages_partition_the_window(
    history_sample: HistorySample, http_client: RecordingHttpClient
) -> None:
    """per_page at a size drawn from the sample: pages partition the window, the same order twice."""
    require_sample(history_sample, "v1")
    window = history_sample.window("v1")
    size = page_size_for(len(history_sample.v1))
    first = V1.fetch_all(http_client, window, size=size, past_end=True)
    again = V1.fetch_all(http_client, window, size=size)
    findings = partition_findings(first) + repeat_findings(V1, [first.ids, again.ids])
    fail_on(findings, f"v1 paging of the window ({size} per page)", exchanges=first.exchanges[:2])
