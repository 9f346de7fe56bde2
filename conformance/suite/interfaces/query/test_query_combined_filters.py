"""Filters area, filters together: a combination of filters is their conjunction (seeds 000 and 001).

`test_combined_filters_match_the_oracle` draws combinations with Hypothesis and judges by `query_oracle`
(the seeded core scenario with a control plane, else combinations of the box's own sampled values over a
window closed in the past: sound, complete, not empty); the others relate queries over the box's newest
events: a narrower filter returns a subset, a conjunction the intersection of its single filters.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from conformance.checks import metamorphic
from conformance.checks.filter_oracle import name_query_is_case_ambiguous
from conformance.checks.history_filters import Interface
from conformance.checks.requirement_ids import requirements_for
from conformance.checks.vocabulary import person_type_of
from conformance.clients.failures import fail_on
from conformance.clients.http_client import RecordingHttpClient
from conformance.suite.support.history_draws import draws, judge_combination, within_window
from conformance.suite.support.history_queries import require_sample
from conformance.suite.support.history_sample import HistorySample
from conformance.suite.support.query_calls import APIS, ListForm
from conformance.suite.support.query_data import BoxWindow, CoreData
from conformance.suite.support.query_filter_cases import UNKNOWN_DEVICE
from conformance.suite.support.query_filter_oracle import expect_oracle
from conformance.suite.support.query_window_ids import (
    device_key,
    require_window_events,
    window_devices,
    window_ids,
    window_scores,
)

NAME_POOL = ("Li", "Li Le", "Lei", "ming", "张三", "张三丰", "Wang", "小明")
SCORE_POOL = (0, 35.5, 60, 81.99, 82, 82.01, 90, 95.25, 100)
USER_TYPES = ("employee", "visitor", "blacklist", "stranger", "vip", "VIP")


def _v2_filters(core: CoreData) -> st.SearchStrategy[dict[str, Any]]:
    times = sorted({event.ts_ms for event in core.events})
    devices = [*core.device_ids, UNKNOWN_DEVICE]
    identity_ids = sorted({event.identity_id for event in core.events if event.identity_id})
    return st.fixed_dictionaries(
        {},
        optional={
            "datetime_gte": st.sampled_from(times),
            "datetime_lte": st.sampled_from(times),
            "identity_name": st.sampled_from(NAME_POOL),
            "identity_id": st.sampled_from(identity_ids),
            "score_min": st.sampled_from(SCORE_POOL),
            "score_max": st.sampled_from(SCORE_POOL),
            "user_type": st.sampled_from(USER_TYPES),
            "media_device_ids": st.lists(st.sampled_from(devices), min_size=1, max_size=3, unique=True),
        },
    )


def _v1_filters(core: CoreData) -> st.SearchStrategy[dict[str, Any]]:
    seconds = sorted({event.ts_ms / 1000 for event in core.events})
    groups = sorted({event.group_id for event in core.events if event.group_id})
    rooms = sorted({event.room for event in core.events if event.room})
    return st.fixed_dictionaries(
        {},
        optional={
            "datetime_gte": st.sampled_from(seconds),
            "datetime_lte": st.sampled_from(seconds),
            "name": st.sampled_from(NAME_POOL),
            "score_min": st.sampled_from(SCORE_POOL),
            "score_max": st.sampled_from(SCORE_POOL),
            "userType": st.integers(1, 5),
            "room": st.sampled_from(rooms),
            "groups": st.lists(st.sampled_from(groups), min_size=1, max_size=2, unique=True),
            "streams": st.lists(st.sampled_from(core.device_ids), min_size=1, max_size=3, unique=True),
        },
    )


@pytest.mark.req("V2Q-FILT-010", "V1Q-FILT-013")
@pytest.mark.parametrize("api_name", ["v2", "v1"])
@given(data=st.data())
def test_combined_filters_match_the_oracle(
    api_name: str,
    query_oracle: CoreData | HistorySample,
    http_client: RecordingHttpClient,
    v2_reads_seconds: bool,
    data: st.DataObject,
) -> None:
    """Any combination of filters is their conjunction: exactly the seeded (or sampled) events passing all."""
    if isinstance(query_oracle, HistorySample):
        _combination_from_history(http_client, query_oracle, "v2" if api_name == "v2" else "v1", data)
        return
    core_data = query_oracle
    api = APIS[api_name]
    filters = data.draw(_v2_filters(core_data) if api.is_v2 else _v1_filters(core_data), label="filters")
    name = filters.get("identity_name", filters.get("name"))
    assume(name is None or not name_query_is_case_ambiguous(core_data.events, name))
    form = (
        data.draw(st.sampled_from(list(ListForm)), label="list form") if not api.is_v2 else ListForm.REPEATED
    )
    expect_oracle(
        api,
        http_client,
        core_data,
        filters,
        requirements=requirements_for("filter.result", api.name),
        form=form,
        v2_seconds=v2_reads_seconds,
    )


def _combination_from_history(
    client: RecordingHttpClient, sample: HistorySample, interface: Interface, data: st.DataObject
) -> None:
    """A combination drawn from the sample's own values, over its window: sound, complete, not empty."""
    require_sample(sample, interface)
    query = within_window(sample, interface, data.draw(draws(sample, interface), label="filters"))
    run = judge_combination(client, sample, query)
    fail_on(run.findings, f"{interface} combined filters against the box's history", exchanges=run.exchanges)


@pytest.mark.req("V2Q-FILT-010", "V1Q-FILT-013")
@pytest.mark.parametrize("api_name", ["v2", "v1"])
def test_narrower_filter_returns_a_subset(
    api_name: str, box_window: BoxWindow, http_client: RecordingHttpClient
) -> None:
    """Adding a restriction (score, device, type) to the window never adds events."""
    require_window_events(box_window)
    api = APIS[api_name]
    wide = window_ids(api, http_client, box_window, {})
    scores, devices = window_scores(box_window), window_devices(box_window)
    restrictions: list[dict[str, Any]] = [{"score_min": scores[len(scores) // 2]}] if scores else []
    restrictions += [{device_key(api): devices[:1]}] if devices else []
    findings = []
    for restriction in restrictions:
        narrow = window_ids(api, http_client, box_window, restriction)
        findings += metamorphic.narrower_subset(
            narrow, wide, requirements=requirements_for("meta.narrower_subset", api.name)
        )
    fail_on(findings, title=f"{api.name} narrower filter adds events")


@pytest.mark.req("V2Q-FILT-010", "V1Q-FILT-013")
@pytest.mark.parametrize("api_name", ["v2", "v1"])
def test_conjunction_is_the_intersection(
    api_name: str, box_window: BoxWindow, http_client: RecordingHttpClient
) -> None:
    """score ∧ device ∧ type over the window equals the intersection of the three single-filter answers."""
    require_window_events(box_window)
    api = APIS[api_name]
    scores, devices = window_scores(box_window), window_devices(box_window)
    first_type = box_window.values("user_type")[:1]
    singles_filters: dict[str, dict[str, Any]] = {}
    if scores:
        singles_filters["score_min"] = {"score_min": scores[len(scores) // 3]}
    if devices:
        singles_filters[device_key(api)] = {device_key(api): devices[: max(1, len(devices) // 2)]}
    if first_type:
        singles_filters["type"] = (
            {"user_type": first_type[0]} if api.is_v2 else {"userType": _code(str(first_type[0]))}
        )
    singles = {name: window_ids(api, http_client, box_window, f) for name, f in singles_filters.items()}
    combined_filters = {k: v for f in singles_filters.values() for k, v in f.items()}
    combined = window_ids(api, http_client, box_window, combined_filters)
    fail_on(
        metamorphic.conjunction(
            combined, singles, requirements=requirements_for("meta.conjunction", api.name)
        ),
        title=f"{api.name} combined filters",
        context=f"filters {combined_filters}",
    )


def _code(user_type: str) -> int:
    return person_type_of(user_type) or 1
