"""Turn a v1 events query string (seed 001) into filters and a page: seconds, person_type codes, E05 lists."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, TypeVar

from starlette.datastructures import QueryParams

from conformance.emulator.errors import invalid
from conformance.emulator.faults.hooks import PAGE_CAP, V1_FILTERS, V1_QUERY, FaultHooks
from conformance.emulator.request_values import BadValueError, text_int, text_list, text_number
from conformance.emulator.store.query import EventFilters

DEFAULT_PER_PAGE: Final = 10
MAX_PER_PAGE: Final = 1000
PERSON_TYPE_CODES: Final = (1, 2, 3, 4, 5)

T = TypeVar("T")


@dataclass(frozen=True)
class V1Query:
    """A parsed v1 events request."""

    filters: EventFilters
    page: int
    per_page: int


def _scalar(params: QueryParams, key: str, convert: Callable[[str], T]) -> T | None:
    values = params.getlist(key)
    if len(values) > 1:  # a scalar parameter: which copy a box would read is undocumented
        raise invalid(key, v1=True, detail="given more than once")
    text = values[0] if values else None
    if text is None or text == "":  # an empty value counts as absent
        return None
    try:
        return convert(text)
    except BadValueError as exc:
        raise invalid(key, v1=True, detail=str(exc)) from None


def _list(params: QueryParams, key: str) -> tuple[str, ...] | None:
    if key not in params:
        return None
    try:
        values = text_list(params.getlist(key))
    except BadValueError as exc:
        raise invalid(key, v1=True, detail=str(exc)) from None
    return tuple(values) or None


def parse_events_query(params: QueryParams, faults: FaultHooks) -> V1Query:
    """per_page 1..1000 (default 10), page >= 0 (default 0), top_k >= 1, datetime bounds in seconds."""
    per_page = _scalar(params, "per_page", text_int)
    per_page = DEFAULT_PER_PAGE if per_page is None else per_page
    if not 1 <= per_page <= faults.apply(PAGE_CAP, float(MAX_PER_PAGE), api="v1"):
        raise invalid("per_page", v1=True, detail=f"must be between 1 and {MAX_PER_PAGE}")
    page = _scalar(params, "page", text_int) or 0
    if page < 0:
        raise invalid("page", v1=True, detail="must be >= 0")
    params = faults.apply(V1_QUERY, params, page=page)
    top_k = _scalar(params, "top_k", text_int)
    if top_k is not None and top_k < 1:
        raise invalid("top_k", v1=True, detail="must be >= 1")
    gte = _scalar(params, "datetime_gte", text_number)
    lte = _scalar(params, "datetime_lte", text_number)
    for key, bound in (("datetime_gte", gte), ("datetime_lte", lte)):
        if bound is not None and bound < 0:
            raise invalid(key, v1=True, detail="must be >= 0")
    user_type = _scalar(params, "userType", text_int)
    if user_type is not None and user_type not in PERSON_TYPE_CODES:
        raise invalid("userType", v1=True, detail="must be a person_type code 1-5")
    streams = _list(params, "streams")
    filters = EventFilters(
        # seconds -> ms, inclusive, compared with the true time at microsecond precision
        ts_gte_ms=None if gte is None else gte * 1000,
        ts_lte_ms=None if lte is None else lte * 1000,
        identity_name=_scalar(params, "name", str),
        identity_id=_scalar(params, "identity_id", str),
        score_min=_scalar(params, "score_min", text_number),
        score_max=_scalar(params, "score_max", text_number),
        person_types=None if user_type is None else (user_type,),
        device_ids=streams,
        room=_scalar(params, "room", str),
        group_ids=_list(params, "groups"),
        top_k=top_k,
    )
    return V1Query(filters=faults.apply(V1_FILTERS, filters), page=page, per_page=per_page)
