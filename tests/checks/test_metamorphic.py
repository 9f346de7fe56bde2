"""Metamorphic relations hold on a correct box's answers and break on the defects they target."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.checks import metamorphic
from conformance.checks.filter_oracle import V2Filter
from conformance.checks.scenario import ScenarioEvent
from tests.checks.fake_box import v2_query
from tests.checks.strategies import BASE_MS, DEVICES, scenario_events, v2_filters

EVENTS = [
    ScenarioEvent("a", BASE_MS, "dev-a", "id-tom", "Tom", score=82.0),
    ScenarioEvent("b", BASE_MS + 500, "dev-b", "id-tommy", "Tommy", score=90.0),
    ScenarioEvent("c", BASE_MS + 501, "dev-c", "", "", 4, score=10.0),
    ScenarioEvent("d", BASE_MS + 1000, "dev-a", "id-anna", "Anna", 2, score=81.99),
]


def test_narrower_subset() -> None:
    assert metamorphic.narrower_subset({"a"}, {"a", "b"}) == []
    [found] = metamorphic.narrower_subset({"a", "z"}, {"a", "b"})
    assert found.evidence["extra"] == ["z"] and found.check == "meta.narrower_subset"


def test_conjunction_names_an_ignored_filter() -> None:
    singles = {"identity_name": {"a", "b"}, "score_min": {"b", "d"}}
    assert metamorphic.conjunction({"b"}, singles) == []
    [found] = metamorphic.conjunction({"b", "d"}, singles)  # name ignored when combined
    assert found.evidence["looks_ignored"] == ["identity_name"]
    assert metamorphic.conjunction(set(), {}) == []


@pytest.mark.parametrize("bug", ["", "exclusive_bounds"])
def test_time_split_detects_exclusive_bounds(bug: str) -> None:
    (low, mid), (mid_next, high) = metamorphic.split_time_range(BASE_MS, BASE_MS + 1000)
    assert (mid, mid_next) == (BASE_MS + 499, BASE_MS + 500)
    bugs = [bug] if bug else []
    whole = v2_query(EVENTS, V2Filter(datetime_gte=low, datetime_lte=high), bugs=bugs)
    left = v2_query(EVENTS, V2Filter(datetime_gte=low, datetime_lte=mid), bugs=bugs)
    right = v2_query(EVENTS, V2Filter(datetime_gte=mid_next, datetime_lte=high), bugs=bugs)
    found = metamorphic.time_split(whole, left, right)
    assert bool(found) == bool(bug)


def test_time_split_reports_overlap_and_extra() -> None:
    found = metamorphic.time_split({"a", "b"}, {"a", "b"}, {"b", "x"})
    assert [next(iter(f.evidence)) for f in found] == ["overlap", "extra"]


def test_split_range_rejects_a_too_short_range_and_handles_seconds() -> None:
    with pytest.raises(ValueError, match="too short"):
        metamorphic.split_time_range(10, 10)
    (low, mid), (nxt, high) = metamorphic.split_time_range(100.0, 101.0, 0.001)
    assert low == 100.0 and high == 101.0 and nxt - mid == pytest.approx(0.001)


def test_gap_split_point_avoids_fractional_timestamps() -> None:
    seconds = [100.2, 101.5, 102.7, 103.0]
    middle = metamorphic.gap_split_point(seconds, 100, 104)
    assert middle == 103  # (101,102) and (102,103) hold events; 103 < t < 104 holds none
    assert metamorphic.gap_split_point([100.5, 101.5], 100, 102) is None


def test_name_substring() -> None:
    assert metamorphic.name_substring({"a", "b"}, {"b"}) == []
    assert metamorphic.name_substring({"a"}, {"b"})  # exact-match box: "Tommy" ⊄ results("Tom")


def test_score_monotonic_both_bounds() -> None:
    assert metamorphic.score_monotonic([(0, {"a", "b"}), (82, {"b"}), (90, set())]) == []
    [found] = metamorphic.score_monotonic([(0, {"a"}), (82, {"a", "b"})])
    assert found.evidence["values"] == [0, 82]
    assert metamorphic.score_monotonic([(50, {"a"}), (90, {"a", "b"})], bound="max") == []
    assert metamorphic.score_monotonic([(50, {"a", "b"}), (90, {"a"})], bound="max")
    with pytest.raises(ValueError, match="bound"):
        metamorphic.score_monotonic([], bound="avg")


def test_device_union_catches_first_device_only() -> None:
    devices = ("dev-a", "dev-b")
    per_device = {d: v2_query(EVENTS, V2Filter(media_device_ids=(d,))) for d in devices}
    good = v2_query(EVENTS, V2Filter(media_device_ids=devices))
    assert metamorphic.device_union(good, per_device) == []
    bad = v2_query(EVENTS, V2Filter(media_device_ids=devices), bugs=["first_device_only"])
    [found] = metamorphic.device_union(bad, per_device)
    assert found.evidence["missing"] == ["b"] and found.evidence["devices_covered"] == ["dev-a"]


RESTRICTIONS = {
    "score_min": V2Filter(score_min=82.0),
    "media_device_ids": V2Filter(media_device_ids=("dev-a",)),
    "identity_name": V2Filter(identity_name="Tom"),
}


def _with(base: V2Filter, extra: V2Filter) -> V2Filter:
    """`base` plus every filter `extra` sets."""
    values = {
        f.name: getattr(extra, f.name)
        for f in dataclasses.fields(V2Filter)
        if getattr(extra, f.name) is not None
    }
    return dataclasses.replace(base, **values)


@settings(max_examples=100, deadline=None)
@given(scenario_events(), v2_filters, st.sampled_from(sorted(RESTRICTIONS)))
def test_relations_never_fire_on_a_correct_box(
    events: list[ScenarioEvent], base: V2Filter, extra: str
) -> None:
    if getattr(base, extra) is not None:
        return
    narrow = _with(base, RESTRICTIONS[extra])
    assert metamorphic.narrower_subset(v2_query(events, narrow), v2_query(events, base)) == []
    singles = {extra: v2_query(events, RESTRICTIONS[extra]), "base": v2_query(events, base)}
    assert metamorphic.conjunction(v2_query(events, narrow), singles) == []
    per_device = {d: v2_query(events, dataclasses.replace(base, media_device_ids=(d,))) for d in DEVICES}
    combined = v2_query(events, dataclasses.replace(base, media_device_ids=DEVICES))
    assert metamorphic.device_union(combined, per_device) == []


@settings(max_examples=100, deadline=None)
@given(scenario_events(), st.integers(BASE_MS, BASE_MS + 2000), st.integers(2, 3000))
def test_time_split_holds_for_any_range(events: list[ScenarioEvent], low: int, width: int) -> None:
    (a, m), (m1, b) = metamorphic.split_time_range(low, low + width)

    def query(gte: float, lte: float) -> set[str]:
        return v2_query(events, V2Filter(datetime_gte=gte, datetime_lte=lte))

    assert metamorphic.time_split(query(a, b), query(a, m), query(m1, b)) == []
