"""A query's count and rows come from one snapshot: an event recorded between them (live traffic) must not
push an old match out of an answer sized by the count (the flaky v1 streams oracle failure)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from conformance.emulator.injection import make_event
from conformance.emulator.model import DeviceRecord, EventRecord
from conformance.emulator.store import database
from conformance.emulator.store.database import Store
from conformance.emulator.store.query import EventFilters, PageRequest, where_clause

DEVICE = DeviceRecord("d1", "cam", "10.0.0.9")
OLD_EVENTS = 5


def _event(seq: int, ts_ms: int) -> EventRecord:
    return make_event(seq=seq, ts_ms=ts_ms, device=DEVICE, identity=None, score=50.0)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "snap.db")
    s.upsert_devices([DEVICE])
    s.insert_events([_event(i, 1_000_000 + i) for i in range(OLD_EVENTS)])
    return s


def _record_live_event_before_the_row_read(
    monkeypatch: pytest.MonkeyPatch, store: Store, calls_before_rows: int
) -> None:
    """Another thread records a newer event just before the query reads its rows."""
    calls = {"n": 0}

    def racing_where_clause(filters: EventFilters) -> tuple[str, list[object]]:
        calls["n"] += 1
        if calls["n"] == calls_before_rows + 1:
            writer = threading.Thread(target=store.insert_events, args=([_event(99, 9_000_000)],))
            writer.start()
            writer.join()
        return where_clause(filters)

    monkeypatch.setattr(database, "where_clause", racing_where_clause)


@pytest.mark.parametrize(
    ("filters", "calls_before_rows"),
    [(EventFilters(device_ids=("d1",)), 1), (EventFilters(), 0)],
    ids=["filtered", "unfiltered"],
)
def test_an_event_recorded_mid_query_drops_no_old_match(
    monkeypatch: pytest.MonkeyPatch, store: Store, filters: EventFilters, calls_before_rows: int
) -> None:
    """The answer is the snapshot's: every old match, and a total equal to the rows of the one page."""
    old_ids = {record.event_id for record in store.query(filters, PageRequest(0, 100))[0]}
    _record_live_event_before_the_row_read(monkeypatch, store, calls_before_rows)
    records, total = store.query(filters, PageRequest(0, 100))
    ids = {record.event_id for record in records}
    assert ids == old_ids and total == len(records) == OLD_EVENTS
    after: Any = store.query(filters, PageRequest(0, 100))
    assert len(after[0]) == after[1] == OLD_EVENTS + 1  # the next query sees the live event


def test_counts_follow_commits_and_reset(store: Store) -> None:
    """The cached count moves with each commit (and to zero on reset), so unfiltered totals stay exact."""
    store.insert_events([_event(50, 2_000_000)])
    assert store.event_count == store.count(EventFilters()) == OLD_EVENTS + 1
    store.reset()
    assert store.event_count == store.count(EventFilters()) == 0
