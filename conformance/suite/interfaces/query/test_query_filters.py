"""Filters area: every filter of v2 getevents and v1 events, alone and combined, means what the seeds say.

Oracle tests judge by `query_oracle`: with a control plane the seeded core scenario, each answer compared
with the exact id set the scenario implies (`checks.filter_oracle`; ids other tests added are ignored);
without one the box's own history sample, each case asking its twin question (`history_twins`) of a window
closed in the past and judged sound, complete and not empty. The metamorphic tests relate queries over the
box's own newest events.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from conformance.checks import metamorphic
from conformance.checks.filter_oracle import (
    V1Filter,
    V2Filter,
    compare_result,
    expected_ids,
    name_query_is_case_ambiguous,
)
from conformance.checks.history_events import split_point
from conformance.checks.history_filters import Interface
from conformance.checks.requirement_ids import requirements_for
from conformance.checks.vocabulary import person_type_of
from conformance.clients.exchange import Exchange
from conformance.clients.failures import fail, fail_on
from conformance.clients.http_client import RecordingHttpClient
from conformance.suite.judgement import judged, not_exercised
from conformance.suite.support.history_draws import draws, judge_combination, within_window
from conformance.suite.support.history_name_case import judge_name_case
from conformance.suite.support.history_queries import require_sample
from conformance.suite.support.history_sample import HistorySample
from conformance.suite.support.history_twins import V1_LIST_TWINS, V1_TWINS, V2_TWINS, judge_twin, run_twin
from conformance.suite.support.query_calls import APIS, V1, V2, ListForm, PagedResult, QueryApi
from conformance.suite.support.query_data import (
    WINDOW_CAP,
    BoxWindow,
    CoreData,
    v2_time_as_box_reads,
)
from conformance.suite.support.query_filter_cases import UNKNOWN_DEVICE, V1_CASES, V1_LIST_CASES, V2_CASES

NAME_POOL = ("Li", "Li Le", "Lei", "ming", "张三", "张三丰", "Wang", "小明")
SCORE_POOL = (0, 35.5, 60, 81.99, 82, 82.01, 90, 95.25, 100)
USER_TYPES = ("employee", "visitor", "blacklist", "stranger", "vip", "VIP")


def run_query(
    api: QueryApi, client: RecordingHttpClient, filters: Mapping[str, Any], form: ListForm = ListForm.REPEATED
) -> PagedResult:
    """Every page of a (small) filtered query."""
    return api.fetch_all(client, filters, size=WINDOW_CAP, list_form=form)


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
    parsed = V2Filter.from_body(filters) if api.is_v2 else V1Filter.from_params(filters)
    expected = expected_ids(core.events, parsed)
    fail_on(
        compare_result(expected, core.restrict(result.ids), requirements=requirements),
        title=f"{api.name} filters {json.dumps(sent, ensure_ascii=False)}",
        exchanges=result.exchanges,
        context=f"list form {form.value}" if not api.is_v2 else "",
    )


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


@pytest.mark.req("V2Q-FILT-004", "V1Q-FILT-003")
@pytest.mark.parametrize("api_name", ["v2", "v1"])
def test_name_case_is_one_consistent_reading(
    api_name: str,
    query_oracle: CoreData | HistorySample,
    http_client: RecordingHttpClient,
    request: pytest.FixtureRequest,
) -> None:
    """The documents do not say whether the fuzzy name match ignores case: either reading, applied alike."""
    if isinstance(query_oracle, HistorySample):
        judge_name_case(http_client, query_oracle, "v2" if api_name == "v2" else "v1", request)
        return
    core_data = query_oracle
    api = APIS[api_name]
    key = "identity_name" if api.is_v2 else "name"
    readings: dict[str, set[bool]] = {}
    for query in ("alice", "ALICE", "Alice"):
        result = run_query(api, http_client, {key: query})
        got = frozenset(core_data.restrict(result.ids))
        matching = {
            sensitive
            for sensitive in (True, False)
            if got == _expected_set(api, core_data, {key: query}, case_sensitive=sensitive)
        }
        if not matching:
            fail(
                f"{api.name} {key}={query!r} matches neither case-sensitively nor case-insensitively",
                ["V2Q-FILT-004" if api.is_v2 else "V1Q-FILT-003"],
                exchanges=result.exchanges,
            )
        readings[query] = matching
    common = set.intersection(*readings.values())
    if not common:
        fail(
            f"{api.name} name matching ignores case for some queries and not for others: {readings}",
            ["V2Q-FILT-004" if api.is_v2 else "V1Q-FILT-003"],
        )
    reading = "case-sensitive" if common == {True} else "case-insensitive"
    request.node.user_properties.append(("name_case", reading if len(common) == 1 else "undecided"))


def _expected_set(
    api: QueryApi, core: CoreData, filters: dict[str, Any], *, case_sensitive: bool
) -> frozenset[str]:
    parsed = V2Filter.from_body(filters) if api.is_v2 else V1Filter.from_params(filters)
    return expected_ids(core.events, parsed, case_sensitive=case_sensitive).required


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


# --- observational: relations that hold on any box's own data ------------------------------------


def window_filters(
    api: QueryApi, window: BoxWindow, low_ms: int | None = None, high_ms: int | None = None
) -> dict[str, Any]:
    """The observation window (or part of it) in the interface's documented unit."""
    return window.v2_filters(low_ms, high_ms) if api.is_v2 else window.v1_filters(low_ms, high_ms)


def window_ids(
    api: QueryApi,
    client: RecordingHttpClient,
    window: BoxWindow,
    extra: Mapping[str, Any],
    form: ListForm = ListForm.REPEATED,
) -> frozenset[str]:
    """Ids of the window's events that also pass `extra`; skips when the window did not narrow the query."""
    result = run_query(api, client, {**window_filters(api, window), **extra}, form)
    if (result.total_count or 0) > WINDOW_CAP:
        pytest.skip(f"the {api.name} time window did not narrow the query (see test_timestamp_units)")
    return result.id_set


def device_key(api: QueryApi) -> str:
    """The device-list filter of the interface."""
    return "media_device_ids" if api.is_v2 else "streams"


def _devices(window: BoxWindow) -> list[str]:
    return [str(d) for d in window.values("media_device_info", "media_device_id")]


def _scores(window: BoxWindow) -> list[float]:
    return sorted(float(s) for s in window.values("score") if isinstance(s, int | float))


def _event_ids(window: BoxWindow, key: str, value: Any) -> frozenset[str]:
    """Ids of the window's events whose `key` equals `value` (v2 ids)."""
    return frozenset(str(e.get("event_id")) for e in window.events if e.get(key) == value)


def _require_data(window: BoxWindow) -> None:
    if window.empty:
        pytest.skip("the box holds no events: relations between queries need some")


@pytest.mark.req("V2Q-FILT-010", "V1Q-FILT-013")
@pytest.mark.parametrize("api_name", ["v2", "v1"])
def test_narrower_filter_returns_a_subset(
    api_name: str, box_window: BoxWindow, http_client: RecordingHttpClient
) -> None:
    """Adding a restriction (score, device, type) to the window never adds events."""
    _require_data(box_window)
    api = APIS[api_name]
    wide = window_ids(api, http_client, box_window, {})
    scores, devices = _scores(box_window), _devices(box_window)
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
    _require_data(box_window)
    api = APIS[api_name]
    scores, devices = _scores(box_window), _devices(box_window)
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


@pytest.mark.req("V2Q-FILT-004", "V1Q-FILT-003")
@pytest.mark.parametrize("api_name", ["v2", "v1"])
def test_name_substring_returns_a_superset(
    api_name: str, box_window: BoxWindow, http_client: RecordingHttpClient
) -> None:
    """A name's inner substring finds at least what the name finds, including the event the name came from."""
    names = [str(n) for n in box_window.values("identity_name") if len(str(n)) >= 2][:3]
    if not names:
        pytest.skip("no named events in the window: the box has recognised nobody")
    api = APIS[api_name]
    key = "identity_name" if api.is_v2 else "name"
    ids = requirements_for("meta.name_substring", api.name)
    base = window_ids(api, http_client, box_window, {})  # what the window itself returns, whatever its bounds
    findings = []
    for name in names:
        substring = name[1:] if len(name) > 2 else name[:1]
        longer = window_ids(api, http_client, box_window, {key: name})
        shorter = window_ids(api, http_client, box_window, {key: substring})
        findings += metamorphic.name_substring(shorter, longer, requirements=ids)
        owners = _event_ids(box_window, "identity_name", name) & base
        for query, got in ((name, longer), (substring, shorter)):
            if api.is_v2 and not owners <= got:  # v1 ids need not equal v2 ids: v2 only
                missing = compare_result(owners, sorted(got & owners), requirements=ids)
                findings += [replace(f, message=f"{key}={query!r}: {f.message}") for f in missing]
    fail_on(findings, title=f"{api.name} fuzzy name match", context=f"names {names}")


@pytest.mark.req("V2Q-FILT-006", "V2Q-FILT-007", "V1Q-FILT-005", "V1Q-FILT-006")
@pytest.mark.parametrize("api_name", ["v2", "v1"])
def test_score_bounds_are_monotonic(
    api_name: str, box_window: BoxWindow, http_client: RecordingHttpClient
) -> None:
    """Raising score_min never adds events, raising score_max never removes any; both bounds are inclusive."""
    _require_data(box_window)
    api = APIS[api_name]
    scores = _scores(box_window)
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
            at_bound = _event_ids(box_window, "score", value) & base
            if api.is_v2 and not at_bound <= got:
                findings += compare_result(at_bound, sorted(got & at_bound), requirements=ids)
    fail_on(findings, title=f"{api.name} score bounds")


@pytest.mark.req("V2Q-FILT-009", "V1Q-FILT-010")
@pytest.mark.parametrize("api_name", ["v2", "v1"])
def test_device_list_is_the_union_of_its_devices(
    api_name: str, box_window: BoxWindow, http_client: RecordingHttpClient
) -> None:
    """A device list selects the events of any listed device (not only the first)."""
    devices = _devices(box_window)[:3]
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
    devices = _devices(box_window)[:2]
    if not devices:
        pytest.skip("no device ids in the window")
    answers = {form: window_ids(V1, http_client, box_window, {"streams": devices}, form) for form in ListForm}
    if len(set(answers.values())) > 1:
        sizes = {form.value: len(ids) for form, ids in answers.items()}
        fail(f"v1 streams={devices} selects different events per list form: {sizes}", ["V1Q-FILT-012"])


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
        owners = _event_ids(box_window, "user_type", value) & window_ids(V2, http_client, box_window, {})
        if not owners <= answers[value]:
            fail(f"user_type {value!r} misses events of that type", ["V2Q-FILT-008"])


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
