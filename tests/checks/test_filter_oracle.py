"""The filter oracle computes exact expected ids and `filter.result` names every deviation of a box."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.checks.filter_oracle import (
    Expectation,
    V1Filter,
    V2Filter,
    compare_result,
    expected_ids,
    name_matches,
    name_query_is_case_ambiguous,
)
from conformance.checks.scenario import ScenarioEvent
from tests.checks.fake_box import v2_query
from tests.checks.strategies import BASE_MS, scenario_events, v1_filters, v2_filters

EVENTS = [
    ScenarioEvent("a", BASE_MS, "dev-a", "id-tom", "Tom", 1, score=82.0, group_id="g1", room="1004"),
    ScenarioEvent(
        "b", BASE_MS + 1000, "dev-b", "id-tommy", "Tommy", 5, score=90.0, group_id="g2", room="1005"
    ),
    ScenarioEvent("c", BASE_MS + 2000, "dev-c", "", "", 4, score=10.0),
    ScenarioEvent("d", BASE_MS + 2500, "dev-a", "id-anna", "anna", 2, score=81.99, group_id="g1"),
]


def _ids(expectation: Expectation) -> set[str]:
    assert expectation.exact
    return set(expectation.required)


def test_v2_bounds_are_inclusive_milliseconds() -> None:
    filt = V2Filter.from_body({"datetime_gte": BASE_MS, "datetime_lte": BASE_MS + 1000})
    assert _ids(expected_ids(EVENTS, filt)) == {"a", "b"}


def test_v1_bounds_are_inclusive_seconds_with_fractions() -> None:
    filt = V1Filter.from_params(
        {"datetime_gte": str(BASE_MS // 1000 + 1), "datetime_lte": BASE_MS / 1000 + 2.5}
    )
    assert _ids(expected_ids(EVENTS, filt)) == {"b", "c", "d"}


def test_v2_name_is_case_sensitive_substring_by_default() -> None:
    assert _ids(expected_ids(EVENTS, V2Filter(identity_name="Tom"))) == {"a", "b"}
    assert _ids(expected_ids(EVENTS, V2Filter(identity_name="tom"))) == set()
    assert _ids(expected_ids(EVENTS, V2Filter(identity_name="tom"), case_sensitive=False)) == {"a", "b"}
    assert name_query_is_case_ambiguous(EVENTS, "tom")
    assert not name_query_is_case_ambiguous(EVENTS, "Tomm")
    assert name_matches("小明同学", "明")


def test_v2_user_type_is_case_insensitive_and_devices_any_of() -> None:
    assert _ids(expected_ids(EVENTS, V2Filter(user_type="VIP"))) == {"b"}
    assert _ids(expected_ids(EVENTS, V2Filter(media_device_ids=("dev-a", "dev-c")))) == {"a", "c", "d"}
    assert _ids(expected_ids(EVENTS, V2Filter(media_device_ids=()))) == {"a", "b", "c", "d"}


def test_v2_scores_inclusive_and_identity_exact() -> None:
    assert _ids(expected_ids(EVENTS, V2Filter(score_min=82, score_max=90))) == {"a", "b"}
    assert _ids(expected_ids(EVENTS, V2Filter(identity_id="id-tom"))) == {"a"}


def test_v1_codes_room_groups_streams() -> None:
    assert _ids(expected_ids(EVENTS, V1Filter.from_params({"userType": "1,4"}))) == {"a", "c"}
    assert _ids(expected_ids(EVENTS, V1Filter.from_params({"userType": 5}))) == {"b"}
    assert _ids(expected_ids(EVENTS, V1Filter.from_params({"room": "1004"}))) == {"a"}
    assert _ids(expected_ids(EVENTS, V1Filter.from_params({"groups": ["g1"]}))) == {"a", "d"}
    assert _ids(expected_ids(EVENTS, V1Filter.from_params({"streams": "dev-b,dev-c"}))) == {"b", "c"}


def test_v1_top_k_takes_newest_and_leaves_ties_optional() -> None:
    assert expected_ids(EVENTS, V1Filter(top_k=2)) == Expectation(frozenset({"c", "d"}), max_count=2)
    tied = [*EVENTS, ScenarioEvent("e", BASE_MS + 2000, "dev-b")]
    result = expected_ids(tied, V1Filter(top_k=2))
    assert result == Expectation(frozenset({"d"}), frozenset({"c", "e"}), max_count=2)
    assert compare_result(result, ["d", "e"]) == []
    [found] = compare_result(result, ["d", "c", "e"])
    assert "at most 2" in found.message


def test_bad_filters_give_one_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown v2 filter key"):
        V2Filter.from_body({"datetime_gt": 1})
    with pytest.raises(ValueError, match="score_min must be a number"):
        V2Filter.from_body({"score_min": "high"})
    with pytest.raises(ValueError, match="userType must be person_type codes"):
        V1Filter.from_params({"userType": "vip"})
    with pytest.raises(ValueError, match="lacks the field 'ts_ms'"):
        ScenarioEvent.from_mapping({"id": "x", "device_id": "d"})


def test_scenario_event_from_mapping_derives_types() -> None:
    event = ScenarioEvent.from_mapping({"id": 1, "ts_ms": "5", "device_id": "d", "user_type": "VIP"})
    assert (event.id, event.ts_ms, event.person_type, event.user_type) == ("1", 5, 5, "VIP")
    assert ScenarioEvent.from_mapping({"id": "x", "ts_ms": 1, "device_id": "d"}).user_type == "employee"


def test_compare_result_names_missing_unexpected_and_duplicates() -> None:
    assert compare_result({"a", "b"}, ["b", "a"]) == []
    found = compare_result({"a", "b"}, ["a", "c", "c"])
    assert [
        f.evidence.get("missing") or f.evidence.get("unexpected") or f.evidence.get("duplicates")
        for f in found
    ] == [["b"], ["c"], ["c"]]
    assert all(f.check == "filter.result" for f in found)


@pytest.mark.parametrize(
    ("bug", "filt"),
    [
        ("exclusive_bounds", V2Filter(datetime_gte=BASE_MS, datetime_lte=BASE_MS + 2500)),
        ("ms_as_s", V2Filter(datetime_gte=BASE_MS, datetime_lte=BASE_MS + 2500)),
        ("exact_name", V2Filter(identity_name="Tom")),
        ("ignore_name", V2Filter(identity_name="Tomm")),
        ("first_device_only", V2Filter(media_device_ids=("dev-a", "dev-b"))),
        ("case_sensitive_user_type", V2Filter(user_type="VIP")),
        ("exclusive_score", V2Filter(score_max=90.0)),
    ],
)
def test_oracle_catches_each_box_defect(bug: str, filt: V2Filter) -> None:
    assert compare_result(expected_ids(EVENTS, filt), sorted(v2_query(EVENTS, filt))) == []
    assert compare_result(expected_ids(EVENTS, filt), sorted(v2_query(EVENTS, filt, bugs=[bug])))


@settings(max_examples=150, deadline=None)
@given(scenario_events(), v2_filters)
def test_oracle_agrees_with_an_independent_model(events: list[ScenarioEvent], filt: V2Filter) -> None:
    assert set(expected_ids(events, filt).required) == v2_query(events, filt)


@settings(max_examples=150, deadline=None)
@given(scenario_events(), v2_filters, v2_filters)
def test_oracle_of_a_conjunction_is_the_intersection(
    events: list[ScenarioEvent], first: V2Filter, second: V2Filter
) -> None:
    merged = {}
    for field in dataclasses.fields(V2Filter):
        a, b = getattr(first, field.name), getattr(second, field.name)
        if a is not None and b is not None and a != b:
            return  # the same key cannot carry two values in one request
        merged[field.name] = a if a is not None else b
    both = expected_ids(events, V2Filter(**merged)).required
    assert both == expected_ids(events, first).required & expected_ids(events, second).required


@settings(max_examples=100, deadline=None)
@given(scenario_events(), v1_filters, st.booleans())
def test_v1_oracle_only_selects_matching_events(
    events: list[ScenarioEvent], filt: V1Filter, case_sensitive: bool
) -> None:
    chosen = expected_ids(events, filt, case_sensitive=case_sensitive).required
    for event in events:
        assert (event.id in chosen) == filt.matches(event, case_sensitive=case_sensitive)
        if event.id in chosen and filt.datetime_gte is not None:
            assert event.ts_ms / 1000 >= filt.datetime_gte
