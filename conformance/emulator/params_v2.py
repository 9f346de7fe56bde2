"""Turn a v2 getevents body (seed 000) into store filters and a page, applying the errata decisions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from conformance.emulator.errors import ApiError, invalid
from conformance.emulator.faults import (
    V2_DEVICES_FIRST_ONLY,
    V2_IGNORE_SCORE_FILTER,
    V2_MS_FILTER_READ_AS_SECONDS,
    V2_NAME_EXACT_MATCH,
    V2_PAGE_ONE_BASED,
    V2_TIME_BOUND_EXCLUSIVE,
    V2_UNSTABLE_ORDER,
    FaultSwitchboard,
)
from conformance.emulator.faults.catalog_errors import V2_FILTER_TYPES_UNCHECKED
from conformance.emulator.faults.variations import VAR_TIES_REVERSED
from conformance.emulator.getevents_faults import bend_body, bend_filters
from conformance.emulator.model import USER_TYPE_TO_PERSON_TYPE
from conformance.emulator.request_values import (
    INT64_MAX,
    BadValueError,
    clamp_int64,
    json_int,
    json_number,
    json_string,
    json_string_list,
)
from conformance.emulator.store import PageRequest
from conformance.emulator.store_filters import EventFilters

DEFAULT_PAGE_LIMIT: Final = 10
DEFAULT_PAGE_INDEX: Final = 0
MAX_PAGE_LIMIT: Final = 1000

T = TypeVar("T")


@dataclass(frozen=True)
class V2Query:
    """A parsed getevents request: filters (ms, inclusive), the page asked for, the page to read."""

    filters: EventFilters
    page_index: int
    page_limit: int
    page: PageRequest


def _read(container: dict[str, Any], key: str, convert: Callable[[Any], T]) -> T | None:
    if key not in container:
        return None
    try:
        return convert(container[key])
    except BadValueError:
        raise invalid(key) from None


def _non_empty(value: str | None) -> str | None:
    return value if value else None  # "" means "no restriction", as the box's `if value:` does


def _time_bound(filters: dict[str, Any], key: str, faults: FaultSwitchboard) -> float | None:
    value = _read(filters, key, json_number)
    if value is None:
        return None
    if value < 0:
        raise invalid(key)
    if faults.active(V2_MS_FILTER_READ_AS_SECONDS):
        value *= 1000.0
    return value


def parse_filters(raw: Any, faults: FaultSwitchboard) -> EventFilters:
    """The `filters` object; wrong types give INVALID_ARGUMENTS naming the key, unknown keys are ignored."""
    if raw is None:
        raise invalid("filters")
    if not isinstance(raw, dict):
        raise invalid("filters")
    gte = _time_bound(raw, "datetime_gte", faults)
    lte = _time_bound(raw, "datetime_lte", faults)
    exclusive = faults.active(V2_TIME_BOUND_EXCLUSIVE)
    # the exclusive fault stays a single deviation: its +1 never leaves SQLite's integer range
    gte_exclusive = None if gte is None else min(clamp_int64(gte) + 1, INT64_MAX)
    gte_ms = None if gte is None else (gte_exclusive if exclusive else -clamp_int64(-gte))
    lte_ms = None if lte is None else (-clamp_int64(-lte) - 1 if exclusive else clamp_int64(lte))
    score_min = _read(raw, "score_min", json_number)
    score_max = _read(raw, "score_max", json_number)
    if faults.active(V2_IGNORE_SCORE_FILTER):
        score_min = score_max = None
    user_type = _read(raw, "user_type", json_string)
    person_types = None
    if user_type:
        code = USER_TYPE_TO_PERSON_TYPE.get(user_type.lower())
        if code is None:
            raise invalid("user_type")
        person_types = (code,)
    devices = _read(raw, "media_device_ids", json_string_list)
    if devices and faults.active(V2_DEVICES_FIRST_ONLY):
        devices = devices[:1]
    return EventFilters(
        ts_gte_ms=gte_ms,
        ts_lte_ms=lte_ms,
        identity_name=_non_empty(_read(raw, "identity_name", json_string)),
        name_exact=faults.active(V2_NAME_EXACT_MATCH),
        identity_id=_non_empty(_read(raw, "identity_id", json_string)),
        score_min=score_min,
        score_max=score_max,
        person_types=person_types,
        device_ids=tuple(devices) if devices else None,
    )


def parse_getevents(body: dict[str, Any], faults: FaultSwitchboard) -> V2Query:
    """The whole request; page_limit 1..1000 (default 10), page_index >= 0 (default 0, the first page)."""
    body = bend_body(body, faults)
    try:
        filters = parse_filters(body["filters"], faults) if "filters" in body else EventFilters()
    except ApiError:
        if not faults.active(V2_FILTER_TYPES_UNCHECKED):
            raise
        filters = EventFilters()
    filters = bend_filters(filters, faults)
    page_limit = _read(body, "page_limit", json_int)
    page_limit = DEFAULT_PAGE_LIMIT if page_limit is None else page_limit
    if not 1 <= page_limit <= MAX_PAGE_LIMIT:
        raise invalid("page_limit")
    page_index = _read(body, "page_index", json_int)
    page_index = DEFAULT_PAGE_INDEX if page_index is None else page_index
    if page_index < 0:
        raise invalid("page_index")
    first = 1 if faults.active(V2_PAGE_ONE_BASED) else 0
    offset = max(page_index - first, 0) * page_limit
    page = PageRequest(
        offset,
        page_limit,
        unstable=faults.active(V2_UNSTABLE_ORDER),
        ties_ascending=faults.active(VAR_TIES_REVERSED),
    )
    return V2Query(filters, page_index, page_limit, page)
