"""Filters area, the range filters: the time bounds (`datetime_gte`/`datetime_lte`) and the score bounds
(`score_min`/`score_max`) of v2 getevents and v1 events are inclusive and behave as ranges.

Relations that hold on any box: the halves of a window of its past history partition it, and raising a
score bound moves the answer one way only, over the box's newest events.
"""

from __future__ import annotations

import pytest

from conformance.checks import metamorphic
from conformance.checks.filter_oracle import compare_result
from conformance.checks.history_events import split_point
from conformance.checks.requirement_ids import requirements_for
from conformance.clients.failures import fail_on
from conformance.clients.http_client import RecordingHttpClient
from conformance.suite.judgement import not_exercised
from conformance.suite.support.history_queries import require_sample
from conformance.suite.support.history_sample import HistorySample
from conformance.suite.support.query_calls import APIS
from conformance.suite.support.query_data import BoxWindow
from conformance.suite.support.query_filter_oracle import run_query
from conformance.suite.support.query_window_ids import (
    require_window_events,
    window_event_ids,
    window_ids,
    window_scores,
)


@pytest.mark.req("V2Q-FILT-002", "V2Q-FILT-003", "V1Q-FILT-001", "V1Q-FILT-002")
@pytest.mark.parametrize("api_name", ["v2", "v1"])
def test_splitting_the_time_range_splits_the_result(
    api_name: str, history_sample: HistorySample, http_client: RecordingHttpClient
) -> None:
    """[a, b] = [a, m] ∪ [m+1 ms, b], disjoint, over the history window closed in the past.

    m sits on an exact whole-ms event where one allows it (so the inclusive bound holds that event) and
    never inside an event's span: an event with microseconds after m's millisecond cannot fall between.
    """
    api = APIS[api_name]
    require_sample(history_sample, api.name)
    low, high = history_sample.low_ms, history_sample.high_ms
    middle = split_point([e.span for e in (*history_sample.v2, *history_sample.v1)], low, high)
    if middle is None:
        not_exercised("every millisecond of the window cuts an event's microseconds")

    def ids(start: int, end: int) -> frozenset[str]:
        filters = history_sample.wire(api.name, history_sample.span_filters(api.name, start, end))
        return run_query(api, http_client, filters).id_set

    whole, left, right = ids(low, high), ids(low, middle), ids(middle + 1, high)
    requirements = requirements_for("meta.time_split", api.name)
    fail_on(
        metamorphic.time_split(whole, left, right, requirements=requirements),
        title=f"{api.name} time range split",
        context=f"window {history_sample!r}, split after {middle} ms",
    )


@pytest.mark.req("V2Q-FILT-006", "V2Q-FILT-007", "V1Q-FILT-005", "V1Q-FILT-006")
@pytest.mark.parametrize("api_name", ["v2", "v1"])
def test_score_bounds_are_monotonic(
    api_name: str, box_window: BoxWindow, http_client: RecordingHttpClient
) -> None:
    """Raising score_min never adds events, raising score_max never removes any; both bounds are inclusive."""
    require_window_events(box_window)
    api = APIS[api_name]
    scores = window_scores(box_window)
    picks = sorted({scores[0], scores[len(scores) // 2], scores[-1]})
    ids = requirements_for("meta.score_monotonic", api.name)
    base = window_ids(api, http_client, box_window, {})
    findings = []
    for bound in ("min", "max"):
        results = [
            (value, window_ids(api, http_client, box_window, {f"score_{bound}": value})) for value in picks
        ]
        findings += metamorphic.score_monotonic(results, bound, requirements=ids)
        for value, got in results:  # an event scored exactly at the bound is kept
            at_bound = window_event_ids(box_window, "score", value) & base
            if api.is_v2 and not at_bound <= got:
                findings += compare_result(at_bound, sorted(got & at_bound), requirements=ids)
    fail_on(findings, title=f"{api.name} score bounds")
