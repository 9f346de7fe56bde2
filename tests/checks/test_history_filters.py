"""The history oracle judges answers by the sample alone: conforming answers pass, each deviation is named."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from conformance.checks.documented_fields import differing_fields, documented_part
from conformance.checks.history_events import (
    HistoryEvent,
    TimeSpan,
    refine_times,
    span_of,
    split_point,
    twins,
)
from conformance.checks.history_filters import (
    HistoryQuery,
    completeness,
    judge,
    non_empty,
    same_window,
    soundness,
    top_k,
    verdict,
)

BASE_MS = 1_700_000_000_000


V2Fields = tuple[str, str, str, float, str]  # device, identity id, name, score, user type
V1Fields = tuple[str, str, str, float, int, str]  # device, identity id, name, score, person type, group


def v2_item(event_id: str, ms: float, fields: V2Fields) -> dict[str, Any]:
    device, identity, name, score, user_type = fields
    return {
        "event_id": event_id,
        "timestamp": ms,
        "media_device_info": {"media_device_id": device},
        "identity_id": identity,
        "identity_name": name,
        "score": score,
        "user_type": user_type,
    }


def v1_item(event_id: str, seconds: float, fields: V1Fields) -> dict[str, Any]:
    device, identity, name, score, code, group = fields
    return {
        "_id": event_id,
        "timestamp": seconds,
        "common": {
            "ep_info": {"device_id": device},
            "identity_id": identity,
            "identity_name": name,
            "score": score,
            "person_type": code,
            "group_id": group,
        },
    }


ROWS = [  # id, ms offset, device, identity id, name, score, user type, code, group
    ("e1", 0, "dev-a", "id-li", "Li Lei", 82.0, "employee", 1, "g-staff"),
    ("e2", 500, "dev-b", "id-li-le", "Li Leiming", 90.5, "visitor", 2, "g-guest"),
    ("e3", 1000, "dev-c", "", "", 35.25, "stranger", 4, ""),
    ("e4", 1500, "dev-a", "id-zs", "张三丰", 95.0, "vip", 5, "g-vip"),
    ("e5", 2000, "dev-b", "id-ww", "wang wei", 81.99, "blacklist", 3, "g-watch"),
]


def _v2_events() -> list[HistoryEvent]:
    items = [v2_item(r[0], BASE_MS + r[1], (r[2], r[3], r[4], r[5], r[6])) for r in ROWS]
    events = [HistoryEvent.from_v2(item) for item in items]
    return [e for e in events if e is not None]


def _v1_events() -> list[HistoryEvent]:
    events = [
        HistoryEvent.from_v1(v1_item(r[0], (BASE_MS + r[1]) / 1000, (r[2], r[3], r[4], r[5], r[7], r[8])))
        for r in ROWS
    ]
    return [e for e in events if e is not None]


V2 = refine_times(_v2_events(), _v1_events())
V1 = _v1_events()
WINDOW_V2 = {"datetime_gte": BASE_MS, "datetime_lte": BASE_MS + 2000}
WINDOW_V1 = {"datetime_gte": BASE_MS / 1000, "datetime_lte": (BASE_MS + 2000) / 1000}


def q2(**filters: Any) -> HistoryQuery:
    return HistoryQuery("v2", {**WINDOW_V2, **filters})


def q1(**filters: Any) -> HistoryQuery:
    return HistoryQuery("v1", {**WINDOW_V1, **filters})


def honest(query: HistoryQuery, sample: list[HistoryEvent]) -> list[HistoryEvent]:
    """What a conforming box returns: the matching sampled events."""
    return [event for event in sample if verdict(query, event) == "match"]


CASES_V2 = [
    q2(),
    q2(datetime_gte=BASE_MS + 500),
    q2(datetime_lte=BASE_MS + 1500),
    q2(identity_name="Li Le"),
    q2(identity_name="张三"),
    q2(identity_id="id-li"),
    q2(score_min=82.0),
    q2(score_max=81.99),
    q2(user_type="VIP"),
    q2(media_device_ids=["dev-a", "dev-b"]),
    q2(media_device_ids=["dev-b"], score_min=82),
    q2(media_device_ids=["dev-a", "dev-c"], score_max=95, user_type="vip"),
]
CASES_V1 = [
    q1(name="三"),
    q1(identity_id="id-li-le"),
    q1(userType=4),
    q1(groups=["g-staff", "g-vip"]),
    q1(streams=["dev-a"], score_min=90),
    q1(datetime_gte=(BASE_MS + 1000) / 1000),
]


@pytest.mark.parametrize("query", CASES_V2 + CASES_V1, ids=lambda q: q.describe())
def test_a_conforming_answer_passes(query: HistoryQuery) -> None:
    sample = V2 if query.interface == "v2" else V1
    assert judge(query, sample, honest(query, sample)) == []


def test_bounds_are_inclusive_at_sampled_values() -> None:
    query = q2(datetime_gte=BASE_MS + 500, datetime_lte=BASE_MS + 1500)
    assert [e.id for e in honest(query, V2)] == ["e2", "e3", "e4"]
    [found] = completeness(query, V2, ["e3"])
    assert found.check == "history.completeness" and set(found.evidence["missing"]) == {"e2", "e4"}
    assert found.requirement_ids == ("V2Q-FILT-002", "V2Q-TIME-001", "V2Q-FILT-003")
    assert honest(q2(score_min=82.0, score_max=82.0), V2)[0].id == "e1"


def test_an_ignored_filter_is_unsound() -> None:
    query = q2(score_max=81.99)
    [found] = soundness(query, V2)  # the whole window: score_max ignored
    assert found.check == "history.soundness" and found.requirement_ids == ("V2Q-FILT-007",)
    assert set(found.evidence["wrong"]) == {"e1", "e2", "e4"}


def test_a_filter_answering_nothing_is_caught_by_non_empty() -> None:
    query = q1(name="三")
    assert completeness(query, V1, []) == []  # an empty answer is non_empty's business, not twice
    [found] = non_empty(query, V1, [])
    assert found.check == "history.non_empty" and found.requirement_ids == ("V1Q-FILT-003",)


def test_a_name_matched_only_in_ascii_misses_chinese_substrings() -> None:
    query = q2(identity_name="张三")
    [found] = non_empty(query, V2, [])
    assert found.evidence["expected"] == ["e4"]


def test_identity_id_is_exact_not_fuzzy() -> None:
    query = q2(identity_id="id-li")
    fuzzy = [e for e in V2 if "id-li" in e.identity_id]
    [found] = soundness(query, fuzzy)
    assert found.evidence["wrong"] == ["e2"] and found.requirement_ids == ("V2Q-FILT-005",)


def test_one_user_type_only() -> None:
    query = q1(userType=2)
    [found] = non_empty(query, V1, [])
    assert found.requirement_ids == ("V1Q-FILT-007",)
    assert verdict(q2(user_type="VIP"), V2[3]) == "match"  # E03: VIP = vip


def test_a_device_list_cut_to_its_first_id_is_incomplete() -> None:
    query = q1(streams=["dev-a", "dev-b"])
    first_only = [e for e in V1 if e.device_id == "dev-a"]
    [found] = completeness(query, V1, [e.id for e in first_only])
    assert set(found.evidence["missing"]) == {"e2", "e5"}
    assert found.requirement_ids == ("V1Q-FILT-010", "V1Q-FILT-011")


def test_a_combination_names_the_violated_filter_and_the_and_rule() -> None:
    query = q2(media_device_ids=["dev-a"], user_type="vip")
    [found] = soundness(query, [V2[0], V2[3]])  # e1 is dev-a but an employee: user_type ignored
    assert found.evidence["violated"] == ["user_type"]
    assert found.requirement_ids == ("V2Q-FILT-008", "V2Q-FILT-010")


def test_groups_are_judged_only_where_the_box_shows_them() -> None:
    query = q1(groups=["g-vip"])
    assert verdict(query, V1[3]) == "match" and verdict(query, V1[0]) == "no-match"
    assert verdict(q2(), V2[0]) == "match"
    [found] = soundness(query, V1[:1])
    assert found.requirement_ids == ("V1Q-FILT-009", "V1Q-FILT-011")


def test_room_is_unknown_when_the_box_shows_none() -> None:
    assert verdict(q1(room="1004"), V1[0]) == "unknown"
    common = {"ep_info": {"device_id": "d"}, "identity_info": {"room": "1004"}, "score": 1.0}
    roomed = HistoryEvent.from_v1({"_id": "r", "timestamp": BASE_MS / 1000, "common": common})
    assert roomed is not None and verdict(q1(room="1004"), roomed) == "match"
    assert verdict(q1(room="100"), roomed) == "no-match"


def test_case_of_a_name_is_left_open() -> None:
    assert verdict(q2(identity_name="WANG"), V2[4]) == "unknown"  # either reading conforms
    assert completeness(q2(identity_name="WANG"), V2, ["x"]) == []
    assert soundness(q2(identity_name="WANG"), V2[4:]) == []


def test_microseconds_leave_an_integer_ms_bound_open() -> None:
    """seed 000's example: 1628066406.608026 s; v2 shows 1628066406608 ms, v1 the µs."""
    v2 = HistoryEvent.from_v2(v2_item("m", 1628066406608, ("d", "", "", 27.69, "stranger")))
    v1 = HistoryEvent.from_v1(v1_item("m", 1628066406.608026, ("d", "", "", 27.69, 4, "")))
    assert v2 is not None and v1 is not None
    assert not v2.span.exact
    refined = v2.with_finer_time(v1)
    assert refined.span == TimeSpan(Decimal("1628066406608.026"), Decimal("1628066406608.026"))
    at_floor = HistoryQuery("v2", {"datetime_lte": 1628066406608})
    assert verdict(at_floor, v2) == "unknown"  # without the v1 twin: the bound may cut the event
    assert verdict(at_floor, refined) == "no-match"  # 608.026 > 608
    assert verdict(HistoryQuery("v2", {"datetime_lte": 1628066406609}), refined) == "match"
    assert verdict(HistoryQuery("v2", {"datetime_gte": 1628066406608}), v2) == "match"
    assert verdict(HistoryQuery("v1", {"datetime_lte": 1628066406.608026}), v1) == "match"
    assert verdict(HistoryQuery("v1", {"datetime_gte": 1628066406.608027}), v1) == "no-match"


def test_spans_and_twins() -> None:
    assert span_of("1700000000000") is None and span_of(True) is None
    assert span_of(1700000000.5) == TimeSpan(Decimal("1700000000500.0"), Decimal("1700000000500.0"))
    v2 = HistoryEvent.from_v2(v2_item("x", BASE_MS, ("d", "", "", 1.0, "stranger")))
    v1 = HistoryEvent.from_v1(v1_item("other-id", BASE_MS / 1000 + 0.0004, ("d", "", "", 1.0, 4, "")))
    assert v2 is not None and v1 is not None and v2.is_twin(v1)
    assert refine_times([v2], [v1])[0].span.exact


def test_v2_seconds_at_whole_ms_leave_the_millisecond_open() -> None:
    # E02 lenient: a v2 integer ms rendered as float seconds (…643.769) may be the floor of …643.769015.
    seconds = HistoryEvent.from_v2(v2_item("s", 1796295643.769, ("d", "", "", 1.0, "stranger")))
    assert seconds is not None
    assert seconds.span == TimeSpan(Decimal("1796295643769"), Decimal("1796295643769.999"))
    v1 = HistoryEvent.from_v1(v1_item("s", 1796295643.769015, ("d", "", "", 1.0, 4, "")))
    assert v1 is not None and v1.span.exact
    refined = refine_times([seconds], [v1])[0]
    assert refined.span == TimeSpan(Decimal("1796295643769.015"), Decimal("1796295643769.015"))
    assert verdict(HistoryQuery("v2", {"datetime_lte": 1796295643769}), refined) == "no-match"
    assert verdict(HistoryQuery("v2", {"datetime_lte": 1796295643770}), refined) == "match"
    micro = HistoryEvent.from_v2(v2_item("m", 1628066406.608026, ("d", "", "", 1.0, "stranger")))
    assert micro is not None and micro.span.exact  # seed 000's example shows µs: exact


def test_top_k_is_the_head_of_the_uncapped_query() -> None:
    assert top_k(2, ["a", "b"], ["a", "b", "c"]) == []
    assert top_k(5, ["a", "b"], ["a", "b"]) == []
    [ignored] = top_k(2, ["a", "b", "c"], ["a", "b", "c"])
    assert "at most 2" in ignored.message and ignored.requirement_ids == ("V1Q-PAGE-011",)
    [other] = top_k(2, ["b", "c"], ["a", "b", "c"])
    assert "not the first" in other.message
    [order] = top_k(2, ["b", "a"], ["a", "b", "c"])
    assert "order" in order.message


def test_same_window_pairs_twins_and_names_the_missing() -> None:
    assert same_window(V2, V1) == []
    [found] = same_window([e for e in V2 if e.user_type != "stranger"], V1, requirements=["V2Q-FILT-001"])
    assert found.evidence["missing"] == ["e3"] and found.requirement_ids == ("V2Q-FILT-001",)


def test_split_point_leaves_no_event_between_the_halves() -> None:
    exact = TimeSpan(Decimal(1005), Decimal(1005))
    micro = TimeSpan(Decimal("1003.5"), Decimal("1003.5"))
    floor_only = TimeSpan(Decimal(1007), Decimal("1007.999"))
    assert split_point([exact, micro, floor_only], 1000, 1010) == 1005  # on the exact event: lte holds it
    assert split_point([micro, floor_only], 1003, 1004) is None  # only m=1003, which cuts 1003.5
    m = split_point([micro, floor_only], 1000, 1010)
    assert m is not None and m not in (1003, 1007)
    assert split_point([floor_only], 1007, 1008) is None


def test_documented_part_drops_only_undocumented_fields() -> None:
    schema: dict[str, Any] = {"properties": {"a": {}, "b": {"properties": {"c": {}}}}}
    first = {"a": 1, "b": {"c": 2, "debug": 1}, "extra": "x"}
    second = {"a": 1, "b": {"c": 2, "debug": 9}, "extra": "y"}
    assert documented_part(first, schema) == {"a": 1, "b": {"c": 2}}
    assert differing_fields(first, second, schema) == []
    assert differing_fields(first, {**second, "a": 2}, schema) == ["a"]


def test_twins_pair_by_shared_ids_and_never_by_an_ambiguous_tie() -> None:
    one = HistoryEvent.from_v2(v2_item("a", BASE_MS, ("d", "", "", 1.0, "stranger")))
    tie = HistoryEvent.from_v1(v1_item("b", BASE_MS / 1000, ("d", "", "", 2.0, 4, "")))
    same = HistoryEvent.from_v1(v1_item("a", BASE_MS / 1000, ("d", "", "", 1.0, 4, "")))
    other_id = HistoryEvent.from_v1(v1_item("z", BASE_MS / 1000, ("d", "", "", 1.0, 4, "")))
    assert one is not None and tie is not None and same is not None and other_id is not None
    assert twins([one], [tie, same]) == {"a": same}  # shared ids: the tie on the same device is not it
    assert twins([one], [tie, other_id]) == {}  # no shared ids and two candidates: no pairing
    assert twins([one], [other_id]) == {"a": other_id}
    [found] = same_window([one], [tie, same])
    assert found.evidence["missing"] == ["b"]
    assert same_window([one], [other_id, tie]) == []  # no shared ids: a tie has a counterpart
