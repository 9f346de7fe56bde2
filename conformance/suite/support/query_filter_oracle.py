"""Filtered queries judged by the seeded core scenario: every page of the answer, compared with the exact id
set `checks.filter_oracle` computes from the scenario (ids other tests added are ignored)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from conformance.checks.filter_oracle import V1Filter, V2Filter, compare_result, expected_ids
from conformance.clients.failures import fail_on
from conformance.clients.http_client import RecordingHttpClient
from conformance.suite.support.query_calls import ListForm, PagedResult, QueryApi
from conformance.suite.support.query_data import WINDOW_CAP, CoreData, v2_time_as_box_reads


def run_query(
    api: QueryApi, client: RecordingHttpClient, filters: Mapping[str, Any], form: ListForm = ListForm.REPEATED
) -> PagedResult:
    """Every page of a (small) filtered query."""
    return api.fetch_all(client, filters, size=WINDOW_CAP, list_form=form)


def parsed_filter(api: QueryApi, filters: Mapping[str, Any]) -> V2Filter | V1Filter:
    """The filters as the oracle reads them (v2 body or v1 query parameters)."""
    return V2Filter.from_body(filters) if api.is_v2 else V1Filter.from_params(filters)


def expect_oracle(
    api: QueryApi,
    client: RecordingHttpClient,
    core: CoreData,
    filters: dict[str, Any],
    *,
    requirements: tuple[str, ...],
    form: ListForm = ListForm.REPEATED,
    v2_seconds: bool = False,
) -> None:
    """The seeded events the box returns for `filters` are exactly those the scenario implies."""
    sent = v2_time_as_box_reads(filters, seconds=v2_seconds) if api.is_v2 else filters
    result = run_query(api, client, sent, form)
    expected = expected_ids(core.events, parsed_filter(api, filters))
    fail_on(
        compare_result(expected, core.restrict(result.ids), requirements=requirements),
        title=f"{api.name} filters {json.dumps(sent, ensure_ascii=False)}",
        exchanges=result.exchanges,
        context=f"list form {form.value}" if not api.is_v2 else "",
    )
