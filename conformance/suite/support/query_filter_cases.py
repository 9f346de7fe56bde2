"""Single-filter oracle cases over the core scenario: each names the filters to send and what it checks.

Values come from `scenarios/core.yaml`: bounds exactly at seeded timestamps (`bound-low`, `bound-high`,
`sec-*` a millisecond apart around a whole second), names that contain each other ("Li" ⊂ "Li Lei" ⊂
"Li Leiming", "张三" ⊂ "张三丰"), ids that are prefixes of other ids, scores exactly at 82.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance.suite.support.query_data import CoreData, ms_to_seconds

Build = Callable[[CoreData], dict[str, Any]]
UNKNOWN_DEVICE = "no-such-device-3f9a"


@dataclass(frozen=True)
class FilterCase:
    """One filtered query whose exact answer the oracle computes from the scenario."""

    name: str
    build: Build
    requirements: tuple[str, ...]


def _v2_time(gte: str | None, lte: str | None) -> Build:
    def build(core: CoreData) -> dict[str, Any]:
        filters: dict[str, Any] = {}
        if gte:
            filters["datetime_gte"] = core.ts(gte)
        if lte:
            filters["datetime_lte"] = core.ts(lte)
        return filters

    return build


def _v1_time(gte: str | None, lte: str | None) -> Build:
    def build(core: CoreData) -> dict[str, Any]:
        filters: dict[str, Any] = {}
        if gte:
            filters["datetime_gte"] = ms_to_seconds(core.ts(gte))
        if lte:
            filters["datetime_lte"] = ms_to_seconds(core.ts(lte))
        return filters

    return build


def _fixed(filters: dict[str, Any]) -> Build:
    return lambda _core: dict(filters)


V2_TIME = ("V2Q-FILT-002", "V2Q-FILT-003")
V1_TIME = ("V1Q-FILT-001", "V1Q-FILT-002")

V2_CASES = (
    FilterCase("time-both-bounds-at-events", _v2_time("bound-low", "bound-high"), V2_TIME),
    FilterCase("time-gte-at-event", _v2_time("sec-exact", None), ("V2Q-FILT-002",)),
    FilterCase("time-lte-at-event", _v2_time(None, "sec-exact"), ("V2Q-FILT-003",)),
    FilterCase("time-one-ms-window", _v2_time("sec-plus-1ms", "sec-plus-1ms"), V2_TIME),
    FilterCase("name-prefix", _fixed({"identity_name": "Li Le"}), ("V2Q-FILT-004",)),
    FilterCase("name-inner", _fixed({"identity_name": "Wang"}), ("V2Q-FILT-004",)),
    FilterCase("name-chinese", _fixed({"identity_name": "张三"}), ("V2Q-FILT-004",)),
    FilterCase("identity-id-exact", _fixed({"identity_id": "id-li"}), ("V2Q-FILT-005",)),
    FilterCase("identity-id-prefix", _fixed({"identity_id": "id-li-le"}), ("V2Q-FILT-005", "V2Q-FILT-011")),
    FilterCase("score-min-int-at-event", _fixed({"score_min": 82}), ("V2Q-FILT-006",)),
    FilterCase("score-min-float", _fixed({"score_min": 81.99}), ("V2Q-FILT-006",)),
    FilterCase("score-max-int-at-event", _fixed({"score_max": 82}), ("V2Q-FILT-007",)),
    FilterCase("score-max-float", _fixed({"score_max": 82.01}), ("V2Q-FILT-007",)),
    FilterCase(
        "score-exact-band", _fixed({"score_min": 90, "score_max": 90.0}), ("V2Q-FILT-006", "V2Q-FILT-007")
    ),
    *(
        FilterCase(f"user-type-{value}", _fixed({"user_type": value}), ("V2Q-FILT-008",))
        for value in ("employee", "visitor", "blacklist", "stranger", "vip", "VIP", "Employee", "car")
    ),
    FilterCase("devices-one", _fixed({"media_device_ids": ["dev-door-d"]}), ("V2Q-FILT-009",)),
    FilterCase("devices-two", _fixed({"media_device_ids": ["dev-gate-a", "dev-ipc-c"]}), ("V2Q-FILT-009",)),
    FilterCase("devices-empty-list", _fixed({"media_device_ids": []}), ("V2Q-FILT-009",)),
    FilterCase(
        "devices-unknown", _fixed({"media_device_ids": [UNKNOWN_DEVICE]}), ("V2Q-FILT-009", "V2Q-FILT-011")
    ),
)

V1_CASES = (
    FilterCase("time-both-bounds-at-events", _v1_time("bound-low", "bound-high"), V1_TIME),
    FilterCase("time-gte-fraction", _v1_time("sec-plus-1ms", None), ("V1Q-FILT-001", "V1Q-TIME-001")),
    FilterCase("time-lte-fraction", _v1_time(None, "sec-plus-1ms"), ("V1Q-FILT-002", "V1Q-TIME-001")),
    FilterCase(
        "time-one-ms-window", _v1_time("sec-plus-999ms", "sec-plus-999ms"), (*V1_TIME, "V1Q-TIME-001")
    ),
    FilterCase("name-prefix", _fixed({"name": "Li Le"}), ("V1Q-FILT-003",)),
    FilterCase("name-chinese", _fixed({"name": "张三"}), ("V1Q-FILT-003",)),
    FilterCase("identity-id-exact", _fixed({"identity_id": "id-li"}), ("V1Q-FILT-004",)),
    FilterCase("identity-id-prefix", _fixed({"identity_id": "id-li-le"}), ("V1Q-FILT-004", "V1Q-FILT-014")),
    FilterCase("score-min-at-event", _fixed({"score_min": 82}), ("V1Q-FILT-005",)),
    FilterCase("score-max-float", _fixed({"score_max": 81.99}), ("V1Q-FILT-006",)),
    *(
        FilterCase(f"userType-{code}", _fixed({"userType": code}), ("V1Q-FILT-007",))
        for code in (1, 2, 3, 4, 5)
    ),
    FilterCase("room-exact", _fixed({"room": "1004"}), ("V1Q-FILT-008",)),
    FilterCase("room-prefix", _fixed({"room": "100"}), ("V1Q-FILT-008", "V1Q-FILT-014")),
    FilterCase("streams-unknown", _fixed({"streams": [UNKNOWN_DEVICE]}), ("V1Q-FILT-010", "V1Q-FILT-014")),
)

#: v1 list filters tried in every E05 form: (case name, key, values, requirement ids).
V1_LIST_CASES = (
    ("streams-one", "streams", ("dev-door-d",), ("V1Q-FILT-010",)),
    ("streams-two", "streams", ("dev-gate-a", "dev-ipc-c"), ("V1Q-FILT-010",)),
    ("groups-one", "groups", ("grp-staff",), ("V1Q-FILT-009",)),
    ("groups-two", "groups", ("grp-vip", "grp-watch"), ("V1Q-FILT-009",)),
)
