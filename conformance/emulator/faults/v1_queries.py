"""Faults of v1 events (seed 001): how the query string is read and paged, and how a v1 event is rendered.
Each fault carries its behaviour at the hook points."""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Final

import numpy as np
from starlette.datastructures import QueryParams

from conformance.emulator.errors import invalid
from conformance.emulator.faults import hooks
from conformance.emulator.faults.model import Family
from conformance.emulator.faults.v2_queries import generated_id, page_one_based, page_size_ignored
from conformance.emulator.model import EventRecord
from conformance.emulator.store.query import EventFilters

FAMILY: Final = Family("v1_queries")


def _page_zero_refused(params: QueryParams, *, page: int, **_: Any) -> QueryParams:
    if page == 0 and "page" in params:
        raise invalid("page", v1=True, detail="must be >= 1")
    return params


def _streams_first_only(filters: EventFilters, **_: Any) -> EventFilters:
    if not filters.device_ids:
        return filters
    return dataclasses.replace(filters, device_ids=filters.device_ids[:1])


def _name_exact(filters: EventFilters, **_: Any) -> EventFilters:
    return dataclasses.replace(filters, name_exact=True)


def _num_pages_floored(answer: dict[str, Any], *, api: str, **_: Any) -> dict[str, Any]:
    if api == "v1":
        pagination = answer["pagination"]
        pagination["num_pages"] = math.floor(pagination["total_count"] / pagination["per_page"])
    return answer


def _stranger_generated_id(event: dict[str, Any], **_: Any) -> dict[str, Any]:
    common = event.get("common")
    if isinstance(common, dict) and common.get("identity_id") == "":
        common["identity_id"] = generated_id(float(event["timestamp"]) * 1000)
    return event


def _person_type_string(event: dict[str, Any], **_: Any) -> dict[str, Any]:
    event["common"]["person_type"] = str(event["common"]["person_type"])
    return event


def _is_send_integer(event: dict[str, Any], **_: Any) -> dict[str, Any]:
    event["common"]["is_send"] = int(event["common"]["is_send"])
    return event


def _identity_info_bare(event: dict[str, Any], **_: Any) -> dict[str, Any]:
    event["common"]["identity_info"] = {}
    return event


def _feature_list(event: dict[str, Any], *, record: EventRecord, **_: Any) -> dict[str, Any]:
    attrs = event["common"]["recognize_face_attr"]
    del attrs["feature_binary"]
    attrs["feature"] = np.asarray(record.feature, dtype="<f4").tolist()
    return event


FAMILY.fault(
    "v1-page-zero-refused",
    "pagination",
    "v1 events counts pages from 1 and refuses page=0, so the documented example query fails",
    ("V1Q-SCHEMA-002",),
    {hooks.V1_QUERY: _page_zero_refused},
    caught_by="test_v1_every_parameter_is_optional and example",
)
FAMILY.fault(
    "v1-streams-first-only",
    "filters",
    "v1 events filters by the first id of streams only",
    ("V1Q-FILT-010",),
    {hooks.V1_FILTERS: _streams_first_only},
    caught_by="test_device_list_is_the_union_of_its_devices and v1",
)
FAMILY.fault(
    "v1-name-exact-match",
    "filters",
    "v1 events matches `name` exactly instead of as a substring",
    ("V1Q-FILT-003",),
    {hooks.V1_FILTERS: _name_exact},
    caught_by="test_v1_filter_agrees_with_the_history and name",
)
FAMILY.fault(
    "v1-num-pages-floored",
    "pagination",
    "v1 events computes num_pages with floor instead of ceil",
    ("V1Q-PAGE-004",),
    {hooks.QUERY_PAGE: _num_pages_floored},
    caught_by="test_v1_num_pages_is_the_ceiling",
    quick=True,
)
FAMILY.fault(
    "v1-stranger-generated-id",
    "schema",
    'v1 events of strangers carry a generated common.identity_id instead of ""',
    ("V1EV-SCHEMA-003",),
    {hooks.V1_EVENT: _stranger_generated_id},
    caught_by="test_v1_identity_follows_the_match",
)
FAMILY.fault(
    "v1-person-type-string",
    "schema",
    'v1 events carry common.person_type as a string ("1") instead of an integer',
    ("V1EV-SCHEMA-008",),
    {hooks.V1_EVENT: _person_type_string},
    caught_by="test_v1_and_v2_agree_on_the_newest_events",
)
FAMILY.fault(
    "v1-is-send-integer",
    "schema",
    "v1 events carry common.is_send as the integer 0/1 instead of a boolean (seed 001's example)",
    ("V1EV-SCHEMA-014",),
    {hooks.V1_EVENT: _is_send_integer},
    caught_by="test_query_event_fields",
)
FAMILY.fault(
    "v1-identity-info-bare",
    "schema",
    "v1 events of matched persons carry identity_info {} (no face_ids, no image_id)",
    ("V1EV-SCHEMA-004",),
    {hooks.V1_EVENT: _identity_info_bare},
    caught_by="test_query_event_fields",
)
FAMILY.fault(
    "v1-feature-list",
    "schema",
    "v1 events carry recognize_face_attr.feature, a float list, instead of feature_binary (seed 001)",
    ("V1EV-SCHEMA-013",),
    {hooks.V1_EVENT: _feature_list},
    caught_by="test_query_event_fields",
)


# --- deviations only a value check catches (issue 14 item 9: the history oracle) -----------------------
STRANGER_AND_VIP: Final = frozenset({4, 5})  # seed 001's description: 陌生人，VIP
NO_SUCH_NAME: Final = "\x00"  # no stored name contains NUL: a filter with it matches nothing
MS_PER_S: Final = 1000


def _groups_ignored(filters: EventFilters, **_: Any) -> EventFilters:
    return dataclasses.replace(filters, group_ids=None)


def _top_k_ignored(filters: EventFilters, **_: Any) -> EventFilters:
    return dataclasses.replace(filters, top_k=None)


def _user_type_stranger_vip_only(filters: EventFilters, **_: Any) -> EventFilters:
    if filters.person_types is None:
        return filters
    kept = tuple(code for code in filters.person_types if code in STRANGER_AND_VIP)
    return dataclasses.replace(filters, person_types=kept)


def _whole_seconds(ms: float | None) -> float | None:
    return None if ms is None else math.floor(ms / MS_PER_S) * MS_PER_S


def _time_whole_seconds(filters: EventFilters, **_: Any) -> EventFilters:
    return dataclasses.replace(
        filters, ts_gte_ms=_whole_seconds(filters.ts_gte_ms), ts_lte_ms=_whole_seconds(filters.ts_lte_ms)
    )


def _identity_id_fuzzy(filters: EventFilters, **_: Any) -> EventFilters:
    return dataclasses.replace(filters, identity_id_fuzzy=True)


def _name_ascii_only(filters: EventFilters, **_: Any) -> EventFilters:
    if filters.identity_name is None or filters.identity_name.isascii():
        return filters
    return dataclasses.replace(filters, identity_name=NO_SUCH_NAME)


def _score_min_ignored(filters: EventFilters, **_: Any) -> EventFilters:
    return dataclasses.replace(filters, score_min=None)


def _score_max_ignored(filters: EventFilters, **_: Any) -> EventFilters:
    return dataclasses.replace(filters, score_max=None)


HISTORY = "test_v1_filter_agrees_with_the_history and "
FAMILY.fault(
    "v1-groups-ignored",
    "filters",
    "v1 events silently ignores `groups`",
    ("V1Q-FILT-009",),
    {hooks.V1_FILTERS: _groups_ignored},
    caught_by=HISTORY + "groups",
)
FAMILY.fault(
    "v1-top-k-ignored",
    "pagination",
    "v1 events ignores `top_k`: paging reaches every matching event",
    ("V1Q-PAGE-011",),
    {hooks.V1_FILTERS: _top_k_ignored},
    caught_by="test_v1_top_k_takes_the_head_of_the_filtered_history",
)
FAMILY.fault(
    "v1-user-type-stranger-vip-only",
    "filters",
    "v1 events filters userType only for 4 (stranger) and 5 (VIP), the description's two types; "
    "codes 1-3 find nothing",
    ("V1Q-FILT-007",),
    {hooks.V1_FILTERS: _user_type_stranger_vip_only},
    caught_by=HISTORY + "userType",
)
FAMILY.fault(
    "v1-time-whole-seconds",
    "filters",
    "v1 events cuts the fraction off datetime_gte/lte (reads whole seconds), so bounds inside a second move",
    ("V1Q-TIME-001", "V1Q-FILT-001", "V1Q-FILT-002"),
    {hooks.V1_FILTERS: _time_whole_seconds},
    caught_by=HISTORY + "time",
)
FAMILY.fault(
    "v1-identity-id-fuzzy",
    "filters",
    "v1 events matches identity_id as a substring (fuzzy) instead of exactly",
    ("V1Q-FILT-004",),
    {hooks.V1_FILTERS: _identity_id_fuzzy},
    caught_by=HISTORY + "identity_id",
)
FAMILY.fault(
    "v1-name-ascii-only",
    "filters",
    "v1 events matches `name` only when it is ASCII: a Chinese name or part of one finds nothing",
    ("V1Q-FILT-003",),
    {hooks.V1_FILTERS: _name_ascii_only},
    caught_by=HISTORY + "name",
)
FAMILY.fault(
    "v1-score-min-ignored",
    "filters",
    "v1 events honours score_max but silently ignores score_min",
    ("V1Q-FILT-005",),
    {hooks.V1_FILTERS: _score_min_ignored},
    caught_by=HISTORY + "score",
)
FAMILY.fault(
    "v1-score-max-ignored",
    "filters",
    "v1 events honours score_min but silently ignores score_max",
    ("V1Q-FILT-006",),
    {hooks.V1_FILTERS: _score_max_ignored},
    caught_by=HISTORY + "score",
)


def _room_ignored(filters: EventFilters, **_: Any) -> EventFilters:
    return dataclasses.replace(filters, room=None)


FAMILY.fault(
    "v1-per-page-ignored",
    "pagination",
    "v1 events serves pages of 10 whatever per_page asks, while pagination echoes the per_page asked",
    ("V1Q-PAGE-001",),
    {hooks.PAGE_REQUEST: page_size_ignored("v1")},
    caught_by="test_v1_per_page_pages_partition_the_window",
)
FAMILY.fault(
    "v1-room-ignored",
    "filters",
    "v1 events silently ignores `room`",
    ("V1Q-FILT-008",),
    {hooks.V1_FILTERS: _room_ignored},
    caught_by="test_v1_single_filter and room",
    blind_reason="no event table shows a room: only the seeded identities say which events a room selects",
)
FAMILY.fault(
    "v1-page-one-based",
    "pagination",
    "v1 events counts `page` from 1: page=1 answers the first page, and page=0 answers it too",
    ("V1Q-PAGE-006", "V1Q-PAGE-002"),
    {hooks.PAGE_REQUEST: page_one_based("v1")},
    caught_by="test_v1_per_page_pages_partition_the_window "
    "or (test_page_zero_is_first_and_page_one_follows and v1)",
)
