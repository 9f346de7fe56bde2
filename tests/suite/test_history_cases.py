"""Filter values drawn from a history sample: every filter gets values the sample holds, Chinese substrings,
an id prefix, bounds on sampled times and scores, and combinations an event of the sample satisfies."""

from __future__ import annotations

from decimal import Decimal

from conformance.checks.history_events import HistoryEvent, TimeSpan
from conformance.checks.history_filters import HistoryQuery, Interface, verdict
from conformance.suite.support import history_cases as cases
from conformance.suite.support.history_sample import page_size_for

BASE = Decimal(1_700_000_000_000)


def _event(n: int, name: str, user_type: str, code: int, *, micro: bool = False) -> HistoryEvent:
    instant = BASE + 1000 * n + (Decimal("0.5") if micro else 0)
    return HistoryEvent(
        id=f"e{n}",
        span=TimeSpan(instant, instant),
        device_id=f"dev-{n % 3}",
        identity_id=f"id-{name}" if name else "",
        name=name,
        score=50.0 + n,
        user_type=user_type,
        person_type=code,
        group_id=f"g-{n % 2}" if name else "",
    )


EVENTS = [
    _event(0, "张三丰", "vip", 5),
    _event(1, "John Smith", "employee", 1),
    _event(2, "", "stranger", 4),
    _event(3, "John Smith", "employee", 1, micro=True),
    _event(4, "Ann", "visitor", 2),
]


def test_every_family_draws_values_the_sample_holds() -> None:
    for family in (*cases.V2_FAMILIES.values(), *cases.V1_FAMILIES.values()):
        drawn = family.build(EVENTS)
        assert drawn or family.name == "room", family.name
    assert cases.rooms(EVENTS) == []  # no event shows a room


def test_names_include_chinese_substrings_and_an_inner_latin_part() -> None:
    assert cases.name_queries(EVENTS) == ["丰", "张三", "John Smith", "ohn Smit"]


def test_identity_ids_include_a_prefix_that_is_no_id() -> None:
    assert cases.identity_ids(EVENTS) == [{"identity_id": "id-John Smith"}, {"identity_id": "id-John Smit"}]


def test_user_types_add_vip_in_capitals_e03() -> None:
    assert {"user_type": "VIP"} in cases.user_types(EVENTS)


def test_v2_time_bounds_sit_on_whole_ms_events_and_v1_bounds_keep_microseconds() -> None:
    v2 = cases.v2_times(EVENTS)
    assert all(isinstance(value, int) for case in v2 for value in case.values())
    assert {"datetime_gte": 1_700_000_001_000, "datetime_lte": 1_700_000_004_000} in v2
    v1 = cases.v1_times([_event(n, "x", "employee", 1, micro=True) for n in range(4)])
    assert {"datetime_gte": 1_700_000_002.0005, "datetime_lte": 1_700_000_002.0005} in v1


def test_combinations_hold_the_event_they_come_from() -> None:
    builders: list[tuple[Interface, cases.Builder]] = [
        ("v2", cases.v2_combinations),
        ("v1", cases.v1_combinations),
    ]
    for interface, build in builders:
        combos = build(EVENTS)
        assert combos and any(len(combo) >= 3 for combo in combos)
        for combo in combos:
            query = HistoryQuery(interface, combo)
            assert any(verdict(query, event) == "match" for event in EVENTS), combo


def test_page_sizes_never_hit_the_common_default() -> None:
    assert [page_size_for(n) for n in (0, 2, 21, 30, 33, 200)] == [1, 1, 7, 9, 11, 66]
