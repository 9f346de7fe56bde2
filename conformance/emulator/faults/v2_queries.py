"""Faults of v2 getevents (seed 000): how the request is read, filtered and paged, and how a v2 event is
rendered (getevent renders events the same way). Each fault carries its behaviour at the hook points."""

from __future__ import annotations

import base64
import dataclasses
from typing import Any, Final

import numpy as np

from conformance.emulator.errors import ApiError, missing
from conformance.emulator.faults import hooks
from conformance.emulator.faults.model import Behaviour, Family
from conformance.emulator.model import PERSON_TYPE_TO_USER_TYPE, STRANGER, EventRecord
from conformance.emulator.request_values import INT64_MAX, clamp_int64
from conformance.emulator.store.query import EventFilters, PageRequest

FAMILY: Final = Family("v2_queries")

BODY_KEYS: Final = frozenset({"page_limit", "page_index", "filters"})
FILTER_KEYS: Final = frozenset(
    {
        "datetime_gte",
        "datetime_lte",
        "identity_name",
        "identity_id",
        "score_min",
        "score_max",
        "user_type",
        "media_device_ids",
    }
)
KNOWN_PEOPLE: Final = tuple(code for code in sorted(PERSON_TYPE_TO_USER_TYPE) if code != STRANGER)
TIMESTAMP_KEYS: Final = ("in_timestamp", "recognition_timestamp", "out_timestamp")
OUT_OF_V2_TYPE: Final = "card"  # v1's name of a card reader, outside v2's photo/rtsp/file (E33)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def generated_id(timestamp_ms: float) -> str:
    """A stranger id made from the event time, as seed 003's example "1602612036.3828533"."""
    return f"{timestamp_ms / 1000:.7f}"


# --- the request --------------------------------------------------------------------------------------
def _paging_required(body: dict[str, Any], **_: Any) -> dict[str, Any]:
    for key in ("page_limit", "page_index"):
        if key not in body:
            raise missing(key)
    return body


def _unknown_key_500(body: dict[str, Any], **_: Any) -> dict[str, Any]:
    filters = body.get("filters")
    unknown = set(body) - BODY_KEYS | (set(filters) - FILTER_KEYS if isinstance(filters, dict) else set())
    if unknown:
        raise KeyError(sorted(unknown)[0])  # the endpoint turns this into HTTP 500 INTERNAL_ERROR
    return body


def _page_args_clamped(body: dict[str, Any], **_: Any) -> dict[str, Any]:
    bent = dict(body)
    if _is_int(bent.get("page_index")) and bent["page_index"] < 0:
        bent["page_index"] = 0
    if _is_int(bent.get("page_limit")) and bent["page_limit"] < 1:
        bent["page_limit"] = 10
    return bent


def _ms_read_as_seconds(value: float, **_: Any) -> float:
    return value * 1000.0


Filters = EventFilters | ApiError


def _filter_types_unchecked(filters: Filters, **_: Any) -> Filters:
    return EventFilters() if isinstance(filters, ApiError) else filters


def _time_bound_exclusive(filters: Filters, *, gte: float | None, lte: float | None, **_: Any) -> Filters:
    if isinstance(filters, ApiError):
        return filters
    # a single deviation: the +1 never leaves SQLite's integer range
    gte_ms = filters.ts_gte_ms if gte is None else min(clamp_int64(gte) + 1, INT64_MAX)
    lte_ms = filters.ts_lte_ms if lte is None else -clamp_int64(-lte) - 1
    return dataclasses.replace(filters, ts_gte_ms=gte_ms, ts_lte_ms=lte_ms)


def _ignore_score(filters: Filters, **_: Any) -> Filters:
    if isinstance(filters, ApiError):
        return filters
    return dataclasses.replace(filters, score_min=None, score_max=None)


def _devices_first_only(filters: Filters, **_: Any) -> Filters:
    if isinstance(filters, ApiError) or not filters.device_ids:
        return filters
    return dataclasses.replace(filters, device_ids=filters.device_ids[:1])


def _name_exact(filters: Filters, **_: Any) -> Filters:
    if isinstance(filters, ApiError):
        return filters
    return dataclasses.replace(filters, name_exact=True)


def _strangers_hidden(filters: Filters, **_: Any) -> Filters:
    if isinstance(filters, ApiError) or filters.person_types is not None:
        return filters
    return dataclasses.replace(filters, person_types=KNOWN_PEOPLE)


def _inverted_window_swapped(filters: Filters, **_: Any) -> Filters:
    if isinstance(filters, ApiError):
        return filters
    low, high = filters.ts_gte_ms, filters.ts_lte_ms
    if low is not None and high is not None and low > high:
        return dataclasses.replace(filters, ts_gte_ms=high, ts_lte_ms=low)
    return filters


# --- the page -----------------------------------------------------------------------------------------
FIXED_PAGE_SIZE: Final = 10  # seed 000's page_limit default; the size a box ignoring the asked one serves


def page_size_ignored(interface: str) -> Behaviour:
    """Pages of `interface` ("v2" page_limit, "v1" per_page) served at 10 whatever size is asked, while
    pagination echoes the size asked: one behaviour for both interfaces' faults."""

    def serve_fixed_size(page: PageRequest, *, api: str, page_index: int, **_: Any) -> PageRequest:
        if api != interface:
            return page
        return dataclasses.replace(page, offset=page_index * FIXED_PAGE_SIZE, limit=FIXED_PAGE_SIZE)

    return serve_fixed_size


def page_one_based(interface: str) -> Behaviour:
    """Pages of `interface` counted from 1: page 1 is the first page, and page 0 answers it too."""

    def count_from_one(
        page: PageRequest, *, api: str, page_index: int, page_limit: int, **_: Any
    ) -> PageRequest:
        if api != interface:
            return page
        return dataclasses.replace(page, offset=max(page_index - 1, 0) * page_limit)

    return count_from_one


def _unstable_order(page: PageRequest, *, api: str, **_: Any) -> PageRequest:
    return dataclasses.replace(page, unstable=True) if api == "v2" else page


def _total_count_of_page(answer: dict[str, Any], *, api: str, **_: Any) -> dict[str, Any]:
    if api == "v2":
        answer["pagination"]["total_count"] = len(answer["events"])
    return answer


# --- the rendered event -------------------------------------------------------------------------------
def _register_image_kept(event: dict[str, Any], **_: Any) -> dict[str, Any]:
    if event.get("identity_id") == "":
        event["register_image_id"] = f"{event.get('event_id')}_nearest_reg"
    return event


def _stranger_generated_id(event: dict[str, Any], **_: Any) -> dict[str, Any]:
    if event.get("identity_id") == "" and isinstance(event.get("timestamp"), int | float):
        event["identity_id"] = generated_id(event["timestamp"])
    return event


def _media_device_unlisted(event: dict[str, Any], **_: Any) -> dict[str, Any]:
    info = event.get("media_device_info")
    if isinstance(info, dict):
        info["media_device_id"] = "stream-0"
    return event


def _spot_image_path(event: dict[str, Any], **_: Any) -> dict[str, Any]:
    if event["spot_image_id"]:
        event["spot_image_id"] = f"/data/spot/{event['spot_image_id']}.jpg"
    return event


def _drop_user_type(event: dict[str, Any], **_: Any) -> dict[str, Any]:
    del event["user_type"]
    return event


def _timestamp_seconds(event: dict[str, Any], **_: Any) -> dict[str, Any]:
    event["timestamp"] = event["timestamp"] / 1000.0
    for key in TIMESTAMP_KEYS:
        event["ext_data"][key] = event["ext_data"][key] / 1000.0
    return event


def _timestamp_string(event: dict[str, Any], **_: Any) -> dict[str, Any]:
    event["timestamp"] = str(event["timestamp"])
    return event


def _device_type_card(event: dict[str, Any], *, record: EventRecord, **_: Any) -> dict[str, Any]:
    if record.device.device_type == OUT_OF_V2_TYPE:
        event["media_device_info"]["media_device_type"] = OUT_OF_V2_TYPE
    return event


def _feature_wrong_length(event: dict[str, Any], *, record: EventRecord, **_: Any) -> dict[str, Any]:
    values = np.asarray(record.feature, dtype="<f4")[:-1]
    event["recognize_face_attr"]["feature_binary"] = base64.b64encode(values.tobytes()).decode("ascii")
    return event


# --- the catalog entries ------------------------------------------------------------------------------
FAMILY.fault(
    "v2-paging-args-required",
    "schema",
    "getevents answers MISSING_ARGUMENTS when page_limit or page_index is absent (so {} is refused)",
    ("V2Q-SCHEMA-002",),
    {hooks.V2_QUERY: _paging_required},
    caught_by="test_v2_every_parameter_is_optional",
)
FAMILY.fault(
    "v2-unknown-key-500",
    "errors",
    "getevents crashes with HTTP 500 INTERNAL_ERROR on a body or filters key it does not know",
    ("V2Q-ERR-006", "ERR-ERR-008"),
    {hooks.V2_QUERY: _unknown_key_500},
    caught_by="test_v2_unknown_keys_are_ignored_or_refused",
)
FAMILY.fault(
    "v2-page-args-clamped",
    "pagination",
    "getevents clamps a negative page_index to 0 and a page_limit below 1 to 10 instead of refusing them",
    ("V2Q-ERR-004",),
    {hooks.V2_QUERY: _page_args_clamped},
    caught_by="test_v2_invalid_arguments and (page_limit-zero or page_index-negative)",
)
FAMILY.fault(
    "v2-ms-filter-read-as-seconds",
    "filters",
    "getevents reads datetime_gte/lte as seconds instead of milliseconds",
    ("V2Q-TIME-001",),
    {hooks.V2_FILTER_BOUND: _ms_read_as_seconds},
    caught_by="test_time_filter_unit and v2",
    quick=True,
)
FAMILY.fault(
    "v2-filter-types-unchecked",
    "filters",
    "getevents ignores a filters object it cannot read (wrong types) and answers unfiltered",
    ("V2Q-ERR-005",),
    {hooks.V2_FILTERS: _filter_types_unchecked},
    caught_by="test_v2_invalid_arguments and score_min-string",
)
FAMILY.fault(
    "v2-time-bound-exclusive",
    "filters",
    "getevents treats datetime_gte/lte as exclusive bounds",
    ("V2Q-FILT-002", "V2Q-FILT-003"),
    {hooks.V2_FILTERS: _time_bound_exclusive},
    caught_by="(test_splitting_the_time_range_splits_the_result and v2) "
    "or (test_v2_filter_agrees_with_the_history and time)",
    quick=True,
)
FAMILY.fault(
    "v2-ignore-score-filter",
    "filters",
    "getevents silently ignores score_min and score_max",
    ("V2Q-FILT-006", "V2Q-FILT-007"),
    {hooks.V2_FILTERS: _ignore_score},
    caught_by="test_v2_filter_agrees_with_the_history and score",
)
FAMILY.fault(
    "v2-devices-first-only",
    "filters",
    "getevents filters by the first id of media_device_ids only",
    ("V2Q-FILT-009",),
    {hooks.V2_FILTERS: _devices_first_only},
    caught_by="test_v2_filter_agrees_with_the_history and media_device_ids",
)
FAMILY.fault(
    "v2-name-exact-match",
    "filters",
    "getevents matches identity_name exactly instead of as a substring",
    ("V2Q-FILT-004",),
    {hooks.V2_FILTERS: _name_exact},
    caught_by="test_v2_filter_agrees_with_the_history and identity_name",
)
FAMILY.fault(
    "v2-strangers-hidden-by-default",
    "filters",
    "getevents without a user_type filter leaves strangers out, so total_count is not every stored event",
    ("V2Q-FILT-001",),
    {hooks.V2_FILTERS: _strangers_hidden},
    caught_by="test_v2_window_is_the_v1_window",
)
FAMILY.fault(
    "v2-inverted-window-swapped",
    "filters",
    "getevents swaps datetime_gte and datetime_lte when gte > lte and answers the events in between",
    ("V2Q-FILT-012",),
    {hooks.V2_FILTERS: _inverted_window_swapped},
    caught_by="test_v2_inverted_time_window_is_empty",
)
FAMILY.fault(
    "v2-page-one-based",
    "pagination",
    "getevents treats page_index 1 as the first page (0 and 1 both answer the first page)",
    ("V2Q-PAGE-003", "V2Q-PAGE-004"),
    {hooks.PAGE_REQUEST: page_one_based("v2")},
    caught_by="test_page_zero_is_first_and_page_one_follows and v2",
    quick=True,
)
FAMILY.fault(
    "v2-unstable-order",
    "pagination",
    "getevents orders events with equal timestamps differently on every call",
    ("V2Q-PAGE-007", "V2Q-PAGE-004"),
    {hooks.PAGE_REQUEST: _unstable_order},
    caught_by="test_order_is_stable_across_calls_and_pages and v2",
)
FAMILY.fault(
    "v2-total-count-of-page",
    "pagination",
    "getevents reports the number of events on the page as total_count",
    ("V2Q-PAGE-005",),
    {hooks.QUERY_PAGE: _total_count_of_page},
    caught_by="test_pages_partition_the_result and v2",
)
FAMILY.fault(
    "v2-stranger-register-image-kept",
    "schema",
    'v2 events of strangers keep the register_image_id of the nearest registered face instead of ""',
    ("V2EV-SCHEMA-004", "V2EV-SCHEMA-026"),
    {hooks.V2_EVENT: _register_image_kept},
    caught_by="test_v2_identity_follows_the_match or test_v2_stranger_exactly_when_no_identity",
)
FAMILY.fault(
    "v2-stranger-generated-id",
    "schema",
    'v2 events of strangers carry a generated identity_id (like seed 003\'s "1602612036.3828533"), not ""',
    ("V2EV-SCHEMA-002", "V2EV-SCHEMA-026"),
    {hooks.V2_EVENT: _stranger_generated_id},
    caught_by="test_v2_identity_follows_the_match or test_v2_stranger_exactly_when_no_identity",
)
FAMILY.fault(
    "v2-media-device-unlisted",
    "schema",
    "v2 media_device_info.media_device_id is an internal stream index (stream-0), not a listed device_id",
    ("V2EV-SCHEMA-015",),
    {hooks.V2_EVENT: _media_device_unlisted},
    caught_by="test_v2_media_device_is_a_listed_device",
)
FAMILY.fault(
    "v2-spot-image-path",
    "schema",
    "v2 events carry the scene picture's storage path (/data/spot/<id>.jpg) as spot_image_id, "
    "which getspotimage does not serve",
    ("V2EV-SCHEMA-006",),
    {hooks.V2_EVENT: _spot_image_path},
    caught_by="test_spot_image_found_by_the_event_timestamp",
)
FAMILY.fault(
    "v2-drop-required-field",
    "schema",
    "v2 events are rendered without user_type",
    ("V2Q-SCHEMA-003", "V2EV-SCHEMA-008", "V2EV-SCHEMA-025"),
    {hooks.V2_EVENT: _drop_user_type},
    caught_by="test_v2_event_fields_follow_the_table",
    quick=True,
)
FAMILY.fault(
    "v2-timestamp-seconds",
    "timestamps",
    "v2 events carry timestamp and ext_data.*_timestamp as float seconds where integer ms is due",
    ("V2EV-TIME-001", "V2EV-TIME-002"),
    {hooks.V2_EVENT: _timestamp_seconds},
    caught_by="test_timestamp_field_unit and v2",
    quick=True,
)
FAMILY.fault(
    "v2-timestamp-string",
    "timestamps",
    "v2 events carry timestamp as a string of digits instead of an integer",
    ("V2EV-TIME-001",),
    {hooks.V2_EVENT: _timestamp_string},
    caught_by="test_v2_getevents_conforms",
)
FAMILY.fault(
    "v2-device-type-card",
    "schema",
    'v2 events of card readers carry media_device_type "card", outside v2\'s photo/rtsp/file',
    ("V2EV-SCHEMA-014",),
    {hooks.V2_EVENT: _device_type_card},
    caught_by="test_query_event_fields",
)
FAMILY.fault(
    "v2-feature-wrong-length",
    "schema",
    "v2 feature_binary decodes to 511 float32 values instead of 512",
    ("V2EV-SCHEMA-020",),
    {hooks.V2_EVENT: _feature_wrong_length},
    caught_by="test_v2_getevents_conforms or test_v2_features_are_unit_vectors",
)


# --- deviations only a value check catches (issue 14 item 9: the history oracle) -----------------------
SEED_USER_TYPES: Final = frozenset({1, 4, 5})  # seed 000 lists employee, VIP, stranger only (E03)
NO_SUCH_NAME: Final = "\x00"  # no stored name contains NUL: a filter with it matches nothing


def _time_filters_ignored(filters: Filters, **_: Any) -> Filters:
    if isinstance(filters, ApiError):
        return filters
    return dataclasses.replace(filters, ts_gte_ms=None, ts_lte_ms=None)


def _name_ascii_only(filters: Filters, **_: Any) -> Filters:
    if isinstance(filters, ApiError) or filters.identity_name is None or filters.identity_name.isascii():
        return filters
    return dataclasses.replace(filters, identity_name=NO_SUCH_NAME)


def _identity_id_fuzzy(filters: Filters, **_: Any) -> Filters:
    if isinstance(filters, ApiError):
        return filters
    return dataclasses.replace(filters, identity_id_fuzzy=True)


def _score_max_ignored(filters: Filters, **_: Any) -> Filters:
    if isinstance(filters, ApiError):
        return filters
    return dataclasses.replace(filters, score_max=None)


def _user_type_seed_values_only(filters: Filters, **_: Any) -> Filters:
    if isinstance(filters, ApiError) or filters.person_types is None:
        return filters
    kept = tuple(code for code in filters.person_types if code in SEED_USER_TYPES)
    return dataclasses.replace(filters, person_types=kept)


def _devices_match_nothing(filters: Filters, **_: Any) -> Filters:
    if isinstance(filters, ApiError) or not filters.device_ids:
        return filters
    return dataclasses.replace(filters, device_ids=(NO_SUCH_NAME,))


HISTORY = "test_v2_filter_agrees_with_the_history and "
FAMILY.fault(
    "v2-time-filters-ignored",
    "filters",
    "getevents ignores datetime_gte and datetime_lte and answers every stored event",
    ("V2Q-FILT-002", "V2Q-FILT-003"),
    {hooks.V2_FILTERS: _time_filters_ignored},
    caught_by="test_v2_window_is_the_v1_window or (test_v2_filter_agrees_with_the_history and time)",
)
FAMILY.fault(
    "v2-name-ascii-only",
    "filters",
    "getevents matches identity_name only when it is ASCII: a Chinese name or part of one finds nothing",
    ("V2Q-FILT-004",),
    {hooks.V2_FILTERS: _name_ascii_only},
    caught_by=HISTORY + "identity_name",
)
FAMILY.fault(
    "v2-identity-id-fuzzy",
    "filters",
    "getevents matches identity_id as a substring (fuzzy) instead of exactly",
    ("V2Q-FILT-005",),
    {hooks.V2_FILTERS: _identity_id_fuzzy},
    caught_by=HISTORY + "identity_id",
)
FAMILY.fault(
    "v2-score-max-ignored",
    "filters",
    "getevents honours score_min but silently ignores score_max",
    ("V2Q-FILT-007",),
    {hooks.V2_FILTERS: _score_max_ignored},
    caught_by=HISTORY + "score",
)
FAMILY.fault(
    "v2-user-type-seed-values-only",
    "filters",
    "getevents filters user_type only for employee, VIP and stranger (seed 000's list); visitor, "
    "blacklist and car find nothing",
    ("V2Q-FILT-008",),
    {hooks.V2_FILTERS: _user_type_seed_values_only},
    caught_by=HISTORY + "user_type",
)
FAMILY.fault(
    "v2-devices-match-nothing",
    "filters",
    "getevents answers every media_device_ids filter with no events (200, total_count 0)",
    ("V2Q-FILT-009",),
    {hooks.V2_FILTERS: _devices_match_nothing},
    caught_by=HISTORY + "media_device_ids",
)


FAMILY.fault(
    "v2-page-limit-ignored",
    "pagination",
    "getevents serves pages of 10 whatever page_limit asks, while pagination echoes the page_limit asked",
    ("V2Q-PAGE-002",),
    {hooks.PAGE_REQUEST: page_size_ignored("v2")},
    caught_by="test_v2_page_limit_pages_partition_the_window",
)
