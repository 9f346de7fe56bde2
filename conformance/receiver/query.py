"""Parse the query of GET /_receiver/uploads with clear messages for bad values."""

from __future__ import annotations

from collections.abc import Mapping

MAX_WAIT_S = 30.0
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


class QueryError(ValueError):
    """A query parameter out of range or not a number; the message names it."""


def _number(params: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise QueryError(f"{name} must be a number, got {raw!r}") from None
    if not low <= value <= high:  # also rejects nan
        raise QueryError(f"{name} must be between {low:g} and {high:g}, got {raw!r}")
    return value


def uploads_query(params: Mapping[str, str]) -> tuple[int, float, int]:
    """(since, wait seconds, limit) with since >= 0, 0 <= wait <= 30, 1 <= limit <= 1000."""
    since = _number(params, "since", 0, 0, 2**53)
    if since != int(since):
        raise QueryError(f"since must be an integer, got {params.get('since')!r}")
    wait_s = _number(params, "wait", 0.0, 0.0, MAX_WAIT_S)
    limit = _number(params, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    if limit != int(limit):
        raise QueryError(f"limit must be an integer, got {params.get('limit')!r}")
    return int(since), wait_s, int(limit)
