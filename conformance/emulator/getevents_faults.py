"""How the getevents-argument faults of `catalog_errors` bend a request before and after parsing."""

from __future__ import annotations

import dataclasses
from typing import Any, Final

from conformance.emulator.errors import missing
from conformance.emulator.faults import FaultSwitchboard
from conformance.emulator.faults.catalog_errors import (
    V2_INVERTED_WINDOW_SWAPPED,
    V2_PAGE_ARGS_CLAMPED,
    V2_PAGING_ARGS_REQUIRED,
    V2_STRANGERS_HIDDEN_BY_DEFAULT,
    V2_UNKNOWN_KEY_500,
)
from conformance.emulator.model import PERSON_TYPE_TO_USER_TYPE, STRANGER
from conformance.emulator.store_filters import EventFilters

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


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def bend_body(body: dict[str, Any], faults: FaultSwitchboard) -> dict[str, Any]:
    """The body as a faulty firmware reads it: paging required, unknown keys crashing, clamped pages."""
    if faults.active(V2_PAGING_ARGS_REQUIRED):
        for key in ("page_limit", "page_index"):
            if key not in body:
                raise missing(key)
    if faults.active(V2_UNKNOWN_KEY_500):
        filters = body.get("filters")
        unknown = set(body) - BODY_KEYS | (set(filters) - FILTER_KEYS if isinstance(filters, dict) else set())
        if unknown:
            raise KeyError(sorted(unknown)[0])  # the endpoint turns this into HTTP 500 INTERNAL_ERROR
    if not faults.active(V2_PAGE_ARGS_CLAMPED):
        return body
    bent = dict(body)
    if _is_int(bent.get("page_index")) and bent["page_index"] < 0:
        bent["page_index"] = 0
    if _is_int(bent.get("page_limit")) and bent["page_limit"] < 1:
        bent["page_limit"] = 10
    return bent


def bend_filters(filters: EventFilters, faults: FaultSwitchboard) -> EventFilters:
    """The parsed filters as a faulty firmware applies them: strangers hidden, inverted windows swapped."""
    if filters.person_types is None and faults.active(V2_STRANGERS_HIDDEN_BY_DEFAULT):
        filters = dataclasses.replace(filters, person_types=KNOWN_PEOPLE)
    low, high = filters.ts_gte_ms, filters.ts_lte_ms
    if low is not None and high is not None and low > high and faults.active(V2_INVERTED_WINDOW_SWAPPED):
        filters = dataclasses.replace(filters, ts_gte_ms=high, ts_lte_ms=low)
    return filters
