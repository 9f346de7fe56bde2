"""Paging area: pages of v2 getevents and v1 events partition the result, echo the request, stay in order.

Observational tests page through windows of the box's own newest events (no control plane needed);
the oracle test pages through the seeded core scenario and compares with the scenario's exact set.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.checks import paging
from conformance.checks.filter_oracle import compare_result
from conformance.checks.findings import Finding
from conformance.checks.requirement_ids import requirements_for
from conformance.clients.failures import fail_on
from conformance.clients.http_client import RecordingHttpClient
from conformance.suite.hypothesis_profiles import PAGING_SEEDED_EXAMPLES
from conformance.suite.support.history_queries import require_sample
from conformance.suite.support.history_sample import HistorySample
from conformance.suite.support.query_calls import APIS, V1, PagedResult, QueryApi
from conformance.suite.support.query_data import (
    WINDOW_CAP,
    WINDOW_EVENTS,
    BoxWindow,
    CoreData,
    ms_to_seconds,
    v2_time_as_box_reads,
)
from conformance.suite.support.query_paging import (
    default_findings,
    partition_findings,
    repeat_findings,
    slice_findings,
)

REPEATS = 4  # equal timestamps shuffled per call survive 4 identical calls with odds below 1e-5 (4 ties)
BOTH = [
    pytest.param(
        "v2",
        marks=pytest.mark.req(
            "V2Q-PAGE-002",
            "V2Q-PAGE-003",
            "V2Q-PAGE-004",
            "V2Q-PAGE-005",
            "V2Q-PAGE-006",
            "V2Q-PAGE-008",
            "V2Q-PAGE-009",
        ),
        id="v2",
    ),
    pytest.param(
        "v1",
        marks=pytest.mark.req(
            "V1Q-PAGE-001",
            "V1Q-PAGE-002",
            "V1Q-PAGE-004",
            "V1Q-PAGE-005",
            "V1Q-PAGE-006",
            "V1Q-PAGE-007",
            "V1Q-PAGE-009",
            "V1Q-PAGE-010",
        ),
        id="v1",
    ),
]


def newest_window(api: QueryApi, window: BoxWindow, count: int) -> dict[str, Any]:
    """Filters selecting the newest `count` events of the window (ties may add a few); 0 selects none."""
    times = window.timestamps_ms()
    if count <= 0 or not times:
        low, high = window.high_ms + 1, window.high_ms + 1000
    else:
        low, high = times[min(count, len(times)) - 1], window.high_ms
    return window.v2_filters(low, high) if api.is_v2 else window.v1_filters(low, high)


def listing(api: QueryApi, client: RecordingHttpClient, filters: dict[str, Any]) -> PagedResult:
    """The whole (small) result of a query on one page; skips when the filter did not narrow it."""
    result = api.fetch_all(client, filters, size=WINDOW_CAP)
    if (result.total_count or 0) > WINDOW_CAP:
        pytest.skip(
            f"the {api.name} time window holds {result.total_count} events: the box's time filter did not "
            "narrow the query (see test_timestamp_units for the unit it uses)"
        )
    return result


@pytest.mark.parametrize("api_name", BOTH)
@given(size=st.integers(1, 12), count=st.integers(0, WINDOW_EVENTS))
def test_pages_partition_the_result(
    api_name: str, box_window: BoxWindow, http_client: RecordingHttpClient, size: int, count: int
) -> None:
    """Any page size over any result size: no duplicate, no gap, exact sizes, totals, an empty page after."""
    api = APIS[api_name]
    filters = newest_window(api, box_window, count)
    whole = listing(api, http_client, filters)
    result = api.fetch_all(http_client, filters, size=size, past_end=True)
    findings = partition_findings(result) + slice_findings(api, whole.ids, result)
    fail_on(
        findings,
        title=f"{api.name} paging ({size} per page, {result.total_count} events)",
        exchanges=result.exchanges,
        context=f"filters {filters}",
    )


@pytest.mark.req("V1Q-PAGE-004")
@pytest.mark.parametrize("per_page", [5, 7])
def test_v1_num_pages_is_the_ceiling(
    box_window: BoxWindow, http_client: RecordingHttpClient, per_page: int
) -> None:
    """num_pages = ceil(total_count / per_page), like seed 001's 105085 / 5 → 21017, on every page."""
    for count in (1, per_page + 1, 2 * per_page - 1, 2 * per_page):
        filters = newest_window(V1, box_window, count)
        answer = V1.fetch(http_client, filters, page=0, size=per_page)
        fail_on(
            paging.num_pages([answer.page], requirements=requirements_for("paging.num_pages", "v1")),
            title=f"v1 num_pages with per_page {per_page}",
            exchanges=[answer.response.exchange],
        )


@pytest.mark.req("V2Q-PAGE-001", "V2Q-PAGE-003", "V2Q-PAGE-008", "V2Q-PAGE-009", "V1Q-PAGE-003")
@pytest.mark.parametrize("api_name", ["v2", "v1"])
def test_defaults_are_the_first_page(
    api_name: str, history_sample: HistorySample, http_client: RecordingHttpClient
) -> None:
    """Without paging keys: page 0 of the default size (v2: page_limit 10, page_index 0), the first items.

    Both calls query the history window closed in the past, so live recognitions cannot move the first page.
    """
    api = APIS[api_name]
    window = history_sample.wire(api.name, history_sample.window(api.name))
    default = api.fetch(http_client, window)
    explicit = api.fetch(http_client, window, page=0, size=2 * (default.page.pagination.size or 10))
    fail_on(
        default_findings(api, default.page, explicit.page),
        title=f"{api.name} paging defaults",
        exchanges=[default.response.exchange, explicit.response.exchange],
    )


@pytest.mark.req("V2Q-PAGE-003", "V2Q-PAGE-004", "V1Q-PAGE-002", "V1Q-PAGE-006")
@pytest.mark.parametrize("api_name", ["v2", "v1"])
def test_page_zero_is_first_and_page_one_follows(
    api_name: str, box_window: BoxWindow, http_client: RecordingHttpClient
) -> None:
    """Page 0 holds the first items of the listing and page 1 the next ones (not 1-based, not clamped)."""
    api = APIS[api_name]
    filters = newest_window(api, box_window, WINDOW_EVENTS)
    whole = listing(api, http_client, filters)
    if len(whole.ids) < 4:
        pytest.skip("fewer than 4 events on the box: pages 0 and 1 cannot both be full")
    size = len(whole.ids) // 2
    result = PagedResult(api=api)
    result.answers += [api.fetch(http_client, filters, page=index, size=size) for index in (0, 1)]
    findings = paging.first_page(
        result.pages,
        expected_first_ids=whole.ids,
        requirements=requirements_for("paging.first_page", api.name),
    ) + slice_findings(api, whole.ids, result)
    fail_on(findings, title=f"{api.name} page 0 is the first page", exchanges=result.exchanges)


@pytest.mark.req("V2Q-PAGE-007", "V1Q-PAGE-008")
@pytest.mark.parametrize("api_name", ["v2", "v1"])
def test_order_is_stable_across_calls_and_pages(
    api_name: str, box_window: BoxWindow, http_client: RecordingHttpClient
) -> None:
    """The same query gives the same sequence every time, and small pages follow that sequence."""
    api = APIS[api_name]
    filters = newest_window(api, box_window, WINDOW_EVENTS)
    calls = [listing(api, http_client, filters) for _ in range(REPEATS)]
    findings = repeat_findings(api, [call.ids for call in calls])
    paged = api.fetch_all(http_client, filters, size=3)
    findings += slice_findings(api, calls[0].ids, paged)
    again = PagedResult(api=api, answers=[paged.answers[0], api.fetch(http_client, filters, page=0, size=3)])
    findings += paging.stability(again.pages, requirements=requirements_for("paging.stability", api.name))
    fail_on(
        findings,
        title=f"{api.name} order is not stable",
        exchanges=[calls[0].exchanges[0], calls[-1].exchanges[0]],
    )


@pytest.mark.req("V1Q-PAGE-011")
@given(top_k=st.integers(1, 30), per_page=st.integers(1, 9))
def test_v1_top_k_caps_what_paging_reaches(
    box_window: BoxWindow, http_client: RecordingHttpClient, top_k: int, per_page: int
) -> None:
    """Paging with top_k reaches exactly the first top_k items of the uncapped query, in its order."""
    filters = newest_window(V1, box_window, WINDOW_EVENTS)
    whole = listing(V1, http_client, filters)
    capped = V1.fetch_all(http_client, {**filters, "top_k": top_k}, size=per_page, past_end=True)
    ids = requirements_for("paging.top_k", "v1")
    findings = paging.top_k(capped.pages, uncapped_count=len(whole.ids), requirements=ids)
    findings += paging.duplicates(capped.pages, requirements=ids)
    findings += paging.past_end(capped.pages, requirements=ids)
    findings += paging.num_pages(capped.pages, requirements=requirements_for("paging.num_pages", "v1"))
    if capped.ids != whole.ids[:top_k]:
        findings += compare_result(whole.ids[:top_k], capped.ids, requirements=ids)
        if not findings:
            findings.append(
                Finding(
                    check="paging.top_k",
                    message=f"top_k={top_k} pages hold the first items in another order",
                    requirement_ids=ids,
                )
            )
    fail_on(
        findings,
        title=f"v1 top_k={top_k} with per_page={per_page}",
        exchanges=capped.exchanges,
        context=f"filters {filters}; uncapped listing {len(whole.ids)} events",
    )


@pytest.mark.req("V2Q-PAGE-004", "V2Q-PAGE-005", "V1Q-PAGE-005", "V1Q-PAGE-006")
@pytest.mark.parametrize("api_name", ["v2", "v1"])
@settings(max_examples=PAGING_SEEDED_EXAMPLES)
@given(size=st.integers(7, 40))
def test_paging_reaches_every_seeded_event(
    api_name: str,
    query_oracle: CoreData | HistorySample,
    http_client: RecordingHttpClient,
    request: pytest.FixtureRequest,
    size: int,
) -> None:
    """Paging through the whole store up to the seeded scenario's end reaches every seeded event exactly
    once; without a control plane, paging through the sampled window reaches every sampled event exactly once.

    Both windows are closed in the past before the first call: live recognitions arriving at the head of
    an open listing would shift items across pages (issue 14).
    """
    api = APIS[api_name]
    if isinstance(query_oracle, HistorySample):
        _paging_reaches_the_window(api, http_client, query_oracle, size)
        return
    core_data = query_oracle
    result = api.fetch_all(http_client, _seeded_past(api, core_data, request), size=size, past_end=True)
    findings = partition_findings(result)
    reached = core_data.restrict(result.ids)
    findings += compare_result(
        core_data.ids, reached, requirements=requirements_for("paging.coverage", api.name)
    )
    fail_on(findings, title=f"{api.name} pages over the whole store", exchanges=result.exchanges)


def _seeded_past(api: QueryApi, core_data: CoreData, request: pytest.FixtureRequest) -> dict[str, Any]:
    """Only an upper time bound, 1 ms past the newest seeded event's ms (past its microseconds too)."""
    end_ms = max(event.ts_ms for event in core_data.events) + 1
    if not api.is_v2:
        return {"datetime_lte": ms_to_seconds(end_ms)}
    seconds: bool = request.getfixturevalue("v2_reads_seconds")
    return v2_time_as_box_reads({"datetime_lte": end_ms}, seconds=seconds)


def _paging_reaches_the_window(
    api: QueryApi, client: RecordingHttpClient, sample: HistorySample, size: int
) -> None:
    """Pages of the window partition it and hold the sampled events (exactly, when it was read whole)."""
    require_sample(sample, api.name)
    window = sample.wire(api.name, sample.window(api.name))
    result = api.fetch_all(client, window, size=size, past_end=True)
    findings = partition_findings(result)
    sampled = frozenset(event.id for event in sample.events(api.name))
    reached = result.ids if sample.complete else [item for item in result.ids if item in sampled]
    findings += compare_result(sampled, reached, requirements=requirements_for("paging.coverage", api.name))
    fail_on(findings, title=f"{api.name} pages over the history window", exchanges=result.exchanges[:3])
