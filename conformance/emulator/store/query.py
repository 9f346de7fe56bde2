"""What a read of the store asks for: event filters (ms, inclusive, as one SQL WHERE clause) and a page."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

_INT64_MAX: Final = 2**63 - 1


@dataclass(frozen=True)
class EventFilters:
    """What both query interfaces can ask for, already converted to ms and person_type codes.

    Bounds are inclusive; None means "no restriction". Time bounds are in ms and may carry a fraction:
    they are compared with the event's true time (ts_ms plus its microseconds), at microsecond
    precision, so `ts_lte_ms=1628066406608` excludes an event at 1628066406608.026 ms. `name_exact`
    switches the name filter from case-sensitive substring to equality (only faults set it, at the
    `v2.filters` and `v1.filters` hook points).
    """

    ts_gte_ms: float | None = None
    ts_lte_ms: float | None = None
    identity_name: str | None = None
    name_exact: bool = False
    identity_id: str | None = None
    identity_id_fuzzy: bool = False  # only the *-identity-id-fuzzy faults set it: substring, not equality
    score_min: float | None = None
    score_max: float | None = None
    person_types: tuple[int, ...] | None = None
    device_ids: tuple[str, ...] | None = None
    room: str | None = None
    group_ids: tuple[str, ...] | None = None
    top_k: int | None = None

    @property
    def restricts_rows(self) -> bool:
        """True when any filter other than top_k is set (the unfiltered count is cached)."""
        return any(
            value is not None
            for value in (
                self.ts_gte_ms,
                self.ts_lte_ms,
                self.identity_name,
                self.identity_id,
                self.score_min,
                self.score_max,
                self.person_types,
                self.device_ids,
                self.room,
                self.group_ids,
            )
        )


@dataclass(frozen=True)
class PageRequest:
    """Which slice of the ordered matches to return.

    `unstable` shuffles equal timestamps (a fault); `ties_ascending` breaks ties by event_id ascending
    instead of descending (a conforming variation: the documents fix no order among equal timestamps).
    """

    offset: int
    limit: int
    unstable: bool = False
    ties_ascending: bool = False


def _placeholders(n: int) -> str:
    return ",".join("?" * n)


def bound_us(ms: float) -> int:
    """A time bound in ms as whole microseconds, the store's resolution, clamped to SQLite's integers.

    Rounded to the nearest microsecond: a float-seconds bound such as 1628066406.608026 is not exact in
    binary, and rounding it up or down would put the very event it names out of the window.
    """
    scaled = float(ms) * 1000
    if math.isnan(scaled):
        raise ValueError("a time bound is not a number")
    if math.isinf(scaled) or abs(scaled) >= _INT64_MAX:
        return _INT64_MAX if scaled > 0 else -_INT64_MAX
    return round(scaled)


def _time_conditions(filters: EventFilters) -> tuple[list[str], list[object]]:
    # ts_ms carries the index range; sub_ms_us decides only inside the bound's own millisecond.
    parts: list[str] = []
    params: list[object] = []
    if filters.ts_gte_ms is not None:
        whole, part = divmod(bound_us(filters.ts_gte_ms), 1000)
        parts.append("ts_ms >= ?" if part == 0 else "ts_ms >= ? AND (ts_ms > ? OR sub_ms_us >= ?)")
        params.extend([whole] if part == 0 else [whole, whole, part])
    if filters.ts_lte_ms is not None:
        whole, part = divmod(bound_us(filters.ts_lte_ms), 1000)
        parts.append("ts_ms <= ? AND (ts_ms < ? OR sub_ms_us <= ?)")
        params.extend([whole, whole, part])
    return parts, params


def where_clause(filters: EventFilters) -> tuple[str, list[object]]:
    """SQL condition over `events` (unaliased) and its parameters; "1" when nothing is filtered."""
    parts, params = _time_conditions(filters)
    if filters.identity_id is not None:
        parts.append("instr(identity_id, ?) > 0" if filters.identity_id_fuzzy else "identity_id = ?")
        params.append(filters.identity_id)
    if filters.score_min is not None:
        parts.append("score >= ?")
        params.append(filters.score_min)
    if filters.score_max is not None:
        parts.append("score <= ?")
        params.append(filters.score_max)
    if filters.person_types is not None:
        parts.append(f"person_type IN ({_placeholders(len(filters.person_types))})")
        params.extend(filters.person_types)
    if filters.device_ids is not None:
        parts.append(f"device_id IN ({_placeholders(len(filters.device_ids))})")
        params.extend(filters.device_ids)
    identity_sql, identity_params = _identity_condition(filters)
    if identity_sql:
        # Names, rooms and groups live on identities: pick the ids there, then use the events index.
        parts.append(f"identity_id IN (SELECT identity_id FROM identities WHERE {identity_sql})")
        params.extend(identity_params)
    return (" AND ".join(parts) or "1"), params


def _identity_condition(filters: EventFilters) -> tuple[str, list[object]]:
    parts: list[str] = []
    params: list[object] = []
    if filters.identity_name is not None:
        if filters.name_exact:
            parts.append("name = ?")
        else:
            parts.append("instr(name, ?) > 0")  # case-sensitive substring; "" matches every name
        params.append(filters.identity_name)
    if filters.room is not None:
        parts.append("room = ?")
        params.append(filters.room)
    if filters.group_ids is not None:
        parts.append(f"group_id IN ({_placeholders(len(filters.group_ids))})")
        params.extend(filters.group_ids)
    return " AND ".join(parts), params
