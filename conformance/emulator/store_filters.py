"""Unit-free event filters (ms, inclusive) and their translation to one SQL WHERE clause."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EventFilters:
    """What both query interfaces can ask for, already converted to ms and person_type codes.

    Bounds are inclusive; None means "no restriction". `name_exact` switches the name filter from
    case-sensitive substring to equality (only the `v2-name-exact-match` fault sets it).
    """

    ts_gte_ms: int | None = None
    ts_lte_ms: int | None = None
    identity_name: str | None = None
    name_exact: bool = False
    identity_id: str | None = None
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


def _placeholders(n: int) -> str:
    return ",".join("?" * n)


def where_clause(filters: EventFilters) -> tuple[str, list[object]]:
    """SQL condition over `events` (unaliased) and its parameters; "1" when nothing is filtered."""
    parts: list[str] = []
    params: list[object] = []
    if filters.ts_gte_ms is not None:
        parts.append("ts_ms >= ?")
        params.append(filters.ts_gte_ms)
    if filters.ts_lte_ms is not None:
        parts.append("ts_ms <= ?")
        params.append(filters.ts_lte_ms)
    if filters.identity_id is not None:
        parts.append("identity_id = ?")
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
