"""Filtered queries over the box's own newest events (`BoxWindow`): the ids each answer holds, for the
relations between queries that hold on any box (narrower is a subset, bounds are monotonic, ...)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from conformance.clients.http_client import RecordingHttpClient
from conformance.suite.support.query_calls import ListForm, QueryApi
from conformance.suite.support.query_data import WINDOW_CAP, BoxWindow
from conformance.suite.support.query_filter_oracle import run_query


def window_filters(
    api: QueryApi, window: BoxWindow, low_ms: int | None = None, high_ms: int | None = None
) -> dict[str, Any]:
    """The observation window (or part of it) in the interface's documented unit."""
    return window.v2_filters(low_ms, high_ms) if api.is_v2 else window.v1_filters(low_ms, high_ms)


def window_ids(
    api: QueryApi,
    client: RecordingHttpClient,
    window: BoxWindow,
    extra: Mapping[str, Any],
    form: ListForm = ListForm.REPEATED,
) -> frozenset[str]:
    """Ids of the window's events that also pass `extra`; skips when the window did not narrow the query."""
    result = run_query(api, client, {**window_filters(api, window), **extra}, form)
    if (result.total_count or 0) > WINDOW_CAP:
        pytest.skip(f"the {api.name} time window did not narrow the query (see test_timestamp_units)")
    return result.id_set


def device_key(api: QueryApi) -> str:
    """The device-list filter of the interface."""
    return "media_device_ids" if api.is_v2 else "streams"


def window_devices(window: BoxWindow) -> list[str]:
    """The device ids of the window's events."""
    return [str(d) for d in window.values("media_device_info", "media_device_id")]


def window_scores(window: BoxWindow) -> list[float]:
    """The scores of the window's events, lowest first."""
    return sorted(float(s) for s in window.values("score") if isinstance(s, int | float))


def window_event_ids(window: BoxWindow, key: str, value: Any) -> frozenset[str]:
    """Ids of the window's events whose `key` equals `value` (v2 ids)."""
    return frozenset(str(e.get("event_id")) for e in window.events if e.get(key) == value)


def require_window_events(window: BoxWindow) -> None:
    """Skip when the box holds no events: relations between queries need some."""
    if window.empty:
        pytest.skip("the box holds no events: relations between queries need some")
