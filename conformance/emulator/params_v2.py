"""Turn a v2 getevents body (seed 000) into store filters and a page, applying the errata decisions.

The body, each time bound, the filters and the page pass their hook points (`v2.query`, …).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from conformance.emulator.errors import ApiError, invalid
from conformance.emulator.faults.hooks import (
    PAGE_CAP,
    PAGE_REQUEST,
    V2_FILTER_BOUND,
    V2_FILTERS,
    V2_QUERY,
    FaultHooks,
)
from conformance.emulator.model import USER_TYPE_TO_PERSON_TYPE
from conformance.emulator.request_values import (
    BadValueError,
    json_int,
    json_number,
    json_string,
    json_string_list,
)
from conformance.emulator.store.query import EventFilters, PageRequest

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


def _time_bound(filters: dict[str, Any], key: str, faults: FaultHooks) -> float | None:
    value = _read(filters, key, json_number)
    if value is None:
        return None
    if value < 0:
        raise invalid(key)
    return faults.apply(V2_FILTER_BOUND, value, key=key)


@dataclass(frozen=True)
class _ReadFilters:
    """The filters as read, with the time bounds as numbers (ms) before rounding."""

    filters: EventFilters
    gte: float | None = None
    lte: float | None = None


def parse_filters(raw: Any, faults: FaultHooks) -> _ReadFilters:
    """The `filters` object; wrong types give INVALID_ARGUMENTS naming the key, unknown keys are ignored."""
    if raw is None:
        raise invalid("filters")
    if not isinstance(raw, dict):
        raise invalid("filters")
    gte = _time_bound(raw, "datetime_gte", faults)
    lte = _time_bound(raw, "datetime_lte", faults)
    score_min = _read(raw, "score_min", json_number)
    score_max = _read(raw, "score_max", json_number)
    user_type = _read(raw, "user_type", json_string)
    person_types = None
    if user_type:
        code = USER_TYPE_TO_PERSON_TYPE.get(user_type.lower())
        if code is None:
            raise invalid("user_type")
        person_types = (code,)
    devices = _read(raw, "media_device_ids", json_string_list)
    filters = EventFilters(
        ts_gte_ms=gte,  # compared with the true time at µs precision (store.query), not rounded
        ts_lte_ms=lte,
        identity_name=_non_empty(_read(raw, "identity_name", json_string)),
        identity_id=_non_empty(_read(raw, "identity_id", json_string)),
        score_min=score_min,
        score_max=score_max,
        person_types=person_types,
        device_ids=tuple(devices) if devices else None,
    )
    return _ReadFilters(filters, gte, lte)


def parse_getevents(body: dict[str, Any], faults: FaultHooks) -> V2Query:
    """The whole request; page_limit 1..1000 (default 10), page_index >= 0 (default 0, the first page)."""
    body = faults.apply(V2_QUERY, body)
    read = _ReadFilters(EventFilters())
    filters: EventFilters | ApiError
    try:
        if "filters" in body:
            read = parse_filters(body["filters"], faults)
        filters = read.filters
    except ApiError as refused:
        filters = refused
    filters = faults.apply(V2_FILTERS, filters, gte=read.gte, lte=read.lte)
    if isinstance(filters, ApiError):
        raise filters
    page_limit = _read(body, "page_limit", json_int)
    page_limit = DEFAULT_PAGE_LIMIT if page_limit is None else page_limit
    if not 1 <= page_limit <= faults.apply(PAGE_CAP, float(MAX_PAGE_LIMIT), api="v2"):
        raise invalid("page_limit")
    page_index = _read(body, "page_index", json_int)
    page_index = DEFAULT_PAGE_INDEX if page_index is None else page_index
    if page_index < 0:
        raise invalid("page_index")
    page = PageRequest(page_index * page_limit, page_limit)
    page = faults.apply(PAGE_REQUEST, page, api="v2", page_index=page_index, page_limit=page_limit)
    return V2Query(filters, page_index, page_limit, page)
