"""Filters area, the list filters: v2 `media_device_ids`, v1 `streams` and `groups` select the events of any
listed id, in every list form of E05 (repeated key, comma list, JSON text), and an id nothing carries
selects nothing.

`test_v1_list_filter_in_every_form` judges by `query_oracle` (the seeded core scenario with a control
plane, the box's own history sample without); the others relate queries over the box's newest events.
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance.checks import metamorphic
from conformance.checks.filter_oracle import V1Filter, compare_result, expected_ids
from conformance.checks.requirement_ids import requirements_for
from conformance.clients.exchange import Exchange
from conformance.clients.failures import fail, fail_on
from conformance.clients.http_client import RecordingHttpClient
from conformance.suite.judgement import judged, not_exercised
from conformance.suite.support.history_sample import HistorySample
from conformance.suite.support.history_twins import V1_LIST_TWINS, run_twin
from conformance.suite.support.query_calls import APIS, V1, ListForm
from conformance.suite.support.query_data import BoxWindow, CoreData
from conformance.suite.support.query_filter_cases import UNKNOWN_DEVICE, V1_LIST_CASES
from conformance.suite.support.query_filter_oracle import run_query
from conformance.suite.support.query_window_ids import device_key, window_devices, window_ids


@pytest.mark.req("V1Q-FILT-009", "V1Q-FILT-010", "V1Q-FILT-011", "V1Q-FILT-012")
@pytest.mark.parametrize("case", V1_LIST_CASES, ids=[c[0] for c in V1_LIST_CASES])
def test_v1_list_filter_in_every_form(
    case: tuple[str, str, tuple[str, ...], tuple[str, ...]],
    query_oracle: CoreData | HistorySample,
    http_client: RecordingHttpClient,
    request: pytest.FixtureRequest,
) -> None:
    """`streams`/`groups` select any of their ids in at least one E05 form (MUST), in all three (SHOULD)."""
    name, key, values, ids = case
    if isinstance(query_oracle, HistorySample):
        wrong, exchanges = _list_forms_from_history(http_client, query_oracle, name, request)
        values = ()
    else:
        wrong, exchanges = _list_forms_from_scenario(http_client, query_oracle, {key: list(values)})
    if len(wrong) == len(ListForm):
        fail(
            f"v1 {key}={list(values) or name} is not understood in any list form (E05)",
            [*ids, "V1Q-FILT-011"],
            detail="\n".join(f"{form}: {text}" for form, text in wrong.items()),
            exchanges=exchanges,
        )
    if wrong:
        fail(
            f"v1 {key}={list(values) or name} works in some list forms but not in {sorted(wrong)} (E05)",
            ["V1Q-FILT-012"],
            detail="\n".join(f"{form}: {text}" for form, text in wrong.items()),
            exchanges=exchanges,
        )


def _list_forms_from_scenario(
    client: RecordingHttpClient, core: CoreData, filters: dict[str, Any]
) -> tuple[dict[str, str], list[Exchange]]:
    """Each E05 form the seeded answer is wrong in (form -> what is wrong), and exchanges showing it."""
    expected = expected_ids(core.events, V1Filter.from_params(filters))
    wrong: dict[str, str] = {}
    exchanges: list[Exchange] = []
    for form in ListForm:
        result = run_query(V1, client, filters, form)
        findings = compare_result(expected, core.restrict(result.ids))
        if findings:
            wrong[form.value] = "; ".join(found.message for found in findings)
            exchanges += result.exchanges[:1]
    return wrong, exchanges


def _list_forms_from_history(
    client: RecordingHttpClient, sample: HistorySample, name: str, request: pytest.FixtureRequest
) -> tuple[dict[str, str], list[Exchange]]:
    """The same over the history window: the sampled ids of the case's twin, in each E05 form."""
    twin = V1_LIST_TWINS[name]
    run, matches = run_twin(client, sample, "v1", twin, all_forms=True)
    if not matches:
        not_exercised(f"{twin.absent}: no sampled event satisfies the query (sample {sample!r})")
    judged(request, "events", run.judged)
    message = "; ".join(found.message for found in run.findings) or "a wrong answer"
    wrong = {
        form.value: message
        for form in ListForm
        if any(form.value not in right for right in run.forms.values())
    }
    return wrong, run.exchanges


@pytest.mark.req("V2Q-FILT-009", "V1Q-FILT-010")
@pytest.mark.parametrize("api_name", ["v2", "v1"])
def test_device_list_is_the_union_of_its_devices(
    api_name: str, box_window: BoxWindow, http_client: RecordingHttpClient
) -> None:
    """A device list selects the events of any listed device (not only the first)."""
    devices = window_devices(box_window)[:3]
    if len(devices) < 2:
        pytest.skip("fewer than two devices in the window")
    api = APIS[api_name]
    key = device_key(api)
    per_device = {d: window_ids(api, http_client, box_window, {key: [d]}) for d in devices}
    combined = window_ids(api, http_client, box_window, {key: devices})
    fail_on(
        metamorphic.device_union(
            combined, per_device, requirements=requirements_for("meta.device_union", api.name)
        ),
        title=f"{api.name} device list {devices}",
    )


@pytest.mark.req("V1Q-FILT-011", "V1Q-FILT-012")
def test_v1_list_forms_agree(box_window: BoxWindow, http_client: RecordingHttpClient) -> None:
    """Repeated key, comma list and JSON text (E05) select the same events."""
    devices = window_devices(box_window)[:2]
    if not devices:
        pytest.skip("no device ids in the window")
    answers = {form: window_ids(V1, http_client, box_window, {"streams": devices}, form) for form in ListForm}
    if len(set(answers.values())) > 1:
        sizes = {form.value: len(ids) for form, ids in answers.items()}
        fail(f"v1 streams={devices} selects different events per list form: {sizes}", ["V1Q-FILT-012"])


@pytest.mark.req("V2Q-FILT-011", "V1Q-FILT-014")
@pytest.mark.parametrize("api_name", ["v2", "v1"])
def test_filter_matching_nothing_is_an_empty_answer(api_name: str, http_client: RecordingHttpClient) -> None:
    """An unknown device id is a valid filter that matches nothing: 200, no events, total 0 (v1: 0 pages)."""
    api = APIS[api_name]
    requirement = "V2Q-FILT-011" if api.is_v2 else "V1Q-FILT-014"
    answer = api.fetch(
        http_client, {device_key(api): [UNKNOWN_DEVICE]}, page=0, size=10, requirements=[requirement]
    )
    pagination = answer.page.pagination
    wrong = answer.ids or pagination.total_count != 0 or (not api.is_v2 and pagination.num_pages != 0)
    if wrong:
        fail(
            f"{api.name} filter matching nothing: {len(answer.ids)} items, "
            f"pagination {answer.body.get('pagination')}",
            [requirement],
            exchanges=[answer.response.exchange],
        )
