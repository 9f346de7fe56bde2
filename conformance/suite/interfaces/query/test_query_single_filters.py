"""Filters area, one filter at a time: every filter of v2 getevents and v1 events means what the seeds say.

Judged by `query_oracle`: with a control plane the seeded core scenario, each answer compared with the exact
id set the scenario implies (`checks.filter_oracle`); without one the box's own history sample, each case
asking its twin question (`history_twins`) of a window closed in the past and judged sound, complete and not
empty. The v2 user_type case rule (E03) is judged over the box's own newest events.
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance.clients.failures import fail
from conformance.clients.http_client import RecordingHttpClient
from conformance.suite.support.history_sample import HistorySample
from conformance.suite.support.history_twins import V1_TWINS, V2_TWINS, judge_twin
from conformance.suite.support.query_calls import V1, V2
from conformance.suite.support.query_data import BoxWindow, CoreData
from conformance.suite.support.query_filter_cases import V1_CASES, V2_CASES
from conformance.suite.support.query_filter_oracle import expect_oracle
from conformance.suite.support.query_window_ids import window_event_ids, window_ids


@pytest.mark.req(
    "V2Q-FILT-002", "V2Q-FILT-004", "V2Q-FILT-005", "V2Q-FILT-006", "V2Q-FILT-008", "V2Q-FILT-009"
)
@pytest.mark.parametrize("case", V2_CASES, ids=[case.name for case in V2_CASES])
def test_v2_single_filter(
    case: Any,
    query_oracle: CoreData | HistorySample,
    http_client: RecordingHttpClient,
    v2_reads_seconds: bool,
    request: pytest.FixtureRequest,
) -> None:
    """One v2 filter at a time, with values exactly at the seeded (or sampled) bounds, names and ids."""
    if isinstance(query_oracle, HistorySample):
        judge_twin(http_client, query_oracle, "v2", V2_TWINS[case.name], request)
        return
    filters = case.build(query_oracle)
    expect_oracle(
        V2, http_client, query_oracle, filters, requirements=case.requirements, v2_seconds=v2_reads_seconds
    )


@pytest.mark.req(
    "V1Q-FILT-001", "V1Q-FILT-003", "V1Q-FILT-004", "V1Q-FILT-005", "V1Q-FILT-007", "V1Q-FILT-008"
)
@pytest.mark.parametrize("case", V1_CASES, ids=[case.name for case in V1_CASES])
def test_v1_single_filter(
    case: Any,
    query_oracle: CoreData | HistorySample,
    http_client: RecordingHttpClient,
    request: pytest.FixtureRequest,
) -> None:
    """One v1 filter at a time: seconds with fractions, names, ids, scores, person_type codes, rooms."""
    if isinstance(query_oracle, HistorySample):
        judge_twin(http_client, query_oracle, "v1", V1_TWINS[case.name], request)
        return
    expect_oracle(V1, http_client, query_oracle, case.build(query_oracle), requirements=case.requirements)


@pytest.mark.req("V2Q-FILT-008")
def test_v2_user_type_ignores_case(box_window: BoxWindow, http_client: RecordingHttpClient) -> None:
    """E03: the filter value VIP equals the event value vip; every case of a type selects the same events."""
    types = [str(t) for t in box_window.values("user_type")][:3]
    if not types:
        pytest.skip("no events in the window")
    for value in types:
        answers = {
            v: window_ids(V2, http_client, box_window, {"user_type": v}) for v in (value, value.upper())
        }
        if len(set(answers.values())) > 1:
            fail(
                f"user_type {value!r} and {value.upper()!r} select different events (E03)",
                ["V2Q-FILT-008"],
                detail=str({v: len(ids) for v, ids in answers.items()}),
            )
        owners = window_event_ids(box_window, "user_type", value) & window_ids(
            V2, http_client, box_window, {}
        )
        if not owners <= answers[value]:
            fail(f"user_type {value!r} misses events of that type", ["V2Q-FILT-008"])
