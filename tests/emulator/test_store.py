"""Store: ordering, paging from both ends, counting, duplicates, upload queue, settings, search candidates."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from conformance.emulator.faults.catalog import CATALOG, Catalog
from conformance.emulator.faults.hooks import PAGE_REQUEST, ActiveFaults
from conformance.emulator.faults.model import DuplicateFaultError, UnknownFaultError
from conformance.emulator.injection import make_event
from conformance.emulator.model import DeviceRecord, EventRecord
from conformance.emulator.store.database import DuplicateEventError, Store
from conformance.emulator.store.query import EventFilters, PageRequest

DEVICE = DeviceRecord("d1", "cam", "10.0.0.9")


def _events(n: int, ties: int = 3) -> list[EventRecord]:
    return [
        make_event(
            seq=i, ts_ms=1_000_000 + (i // ties) * 10, device=DEVICE, identity=None, score=float(i % 100)
        )
        for i in range(n)
    ]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "s.db")
    s.upsert_devices([DEVICE])
    return s


def test_memory_path_refused() -> None:
    with pytest.raises(ValueError, match="file"):
        Store(":memory:")


def test_every_page_from_either_end_matches_the_full_order(store: Store) -> None:
    records = _events(101)
    store.insert_events(records)
    expected = [r.event_id for r in sorted(records, key=lambda r: (r.ts_ms, r.event_id), reverse=True)]
    got: list[str] = []
    for page in range(11):
        rows, total = store.query(EventFilters(), PageRequest(page * 10, 10))
        assert total == 101
        got += [r.event_id for r in rows]
    assert got == expected
    high = [
        r.event_id
        for r in sorted(records, key=lambda r: (r.ts_ms, r.event_id), reverse=True)
        if r.score >= 50
    ]
    filtered, total = store.query(EventFilters(score_min=50), PageRequest(40, 10))
    assert total == len(high) == 50
    assert [r.event_id for r in filtered] == high[40:50]


def test_top_k_with_reverse_paging(store: Store) -> None:
    store.insert_events(_events(30, ties=1))
    rows, total = store.query(EventFilters(top_k=20), PageRequest(15, 10))
    assert total == 20
    assert [r.ts_ms for r in rows] == [1_000_000 + (29 - i) * 10 for i in range(15, 20)]


def test_duplicates(store: Store) -> None:
    records = _events(3)
    store.insert_events(records)
    with pytest.raises(DuplicateEventError, match=records[0].event_id):
        store.insert_events([records[0]])
    assert store.insert_events(records, ignore_duplicates=True) == [r.event_id for r in records]
    assert store.event_count == 3


def test_count_survives_reopen_and_reset(tmp_path: Path) -> None:
    first = Store(tmp_path / "r.db")
    first.upsert_devices([DEVICE])
    first.insert_events(_events(5))
    first.close()
    second = Store(tmp_path / "r.db")
    assert second.event_count == 5 and second.count(EventFilters(score_max=2)) == 3
    second.reset()
    assert second.event_count == 0 and second.devices() == []


def test_get_event_roundtrip_keeps_feature(store: Store) -> None:
    record = _events(1)[0]
    store.insert_events([record])
    loaded = store.get_event(record.event_id)
    assert loaded is not None
    assert np.array_equal(loaded.feature, record.feature)
    assert loaded.box == record.box and loaded.device.device_name == "cam"
    assert store.get_event("nope") is None


def test_scan_keys_in_scan_order_with_ties(store: Store) -> None:
    records = _events(30, ties=3)
    store.insert_events(records)
    newest = store.scan_keys(1_000_050, 1_000_080, None, newest_first=True, limit=5)
    expected = sorted(
        (r for r in records if 1_000_050 <= r.ts_ms <= 1_000_080), key=lambda r: (r.ts_ms, r.event_id)
    )[::-1][:5]
    loaded = store.records_by_rowid([int(i) for i in newest.rowids])
    assert [r.event_id for r in loaded] == [r.event_id for r in expected]
    assert newest.ts_ms.tolist() == [r.ts_ms for r in expected]
    assert newest.face_seed.tolist() == [r.face_seed for r in expected]
    assert newest.face_variant.tolist() == [r.face_variant for r in expected]
    assert all(a.dtype == np.int64 for a in newest)
    oldest = store.scan_keys(0, 2_000_000, ["d1"], newest_first=False, limit=4)
    assert oldest.ts_ms.tolist() == [1_000_000, 1_000_000, 1_000_000, 1_000_010]
    assert store.scan_keys(0, 2_000_000, ["other"], newest_first=False, limit=4).rowids.shape == (0,)


def test_scan_keys_outside_the_packed_range(store: Store) -> None:
    odd = make_event(seq=1, ts_ms=5_000, device=DEVICE, identity=None, score=1.0, face_seed=1, face_variant=0)
    far = make_event(seq=2, ts_ms=2**33, device=DEVICE, identity=None, score=1.0, face_seed=2, face_variant=0)
    big = replace(odd, event_id="big", ts_ms=6_000, face_seed=2**40, face_variant=-3)
    store.insert_events([odd, far, big])
    wide = store.scan_keys(0, 2**34, None, newest_first=False, limit=10)  # span beyond 32 bits
    assert wide.ts_ms.tolist() == [5_000, 6_000, 2**33]
    narrow = store.scan_keys(0, 10_000, None, newest_first=True, limit=10)  # a face beyond the packing
    assert narrow.face_seed.tolist() == [2**40, 1] and narrow.face_variant.tolist() == [-3, 0]


def test_face_features_and_records_by_rowid(store: Store) -> None:
    records = _events(4, ties=1)
    store.insert_events(records)
    faces = [(r.face_seed, r.face_variant) for r in records[::-1]] + [(123456, 9)]
    features = store.face_features(faces)
    assert features.shape == (5, 512) and features.dtype == np.float32
    for row, record in zip(features, records[::-1], strict=False):
        assert np.array_equal(row, record.feature)
    assert not features[-1].any()
    rowids = [r.rowid for r in store.events_after(0, 10)]
    loaded = store.records_by_rowid([rowids[2], rowids[0], 999_999])
    assert [r.event_id for r in loaded] == [records[2].event_id, records[0].event_id]


def test_reset_bumps_the_generation(store: Store) -> None:
    before = store.generation
    store.reset()
    assert store.generation == before + 1


def test_upload_queue(store: Store) -> None:
    store.insert_events(_events(3))
    rows = [r.rowid for r in store.events_after(0, 10)]
    assert len(rows) == 3
    assert store.enqueue_uploads(rows, "http://x/y", now_ms=100) == 3
    assert store.enqueue_uploads(rows, "http://x/y", now_ms=100) == 0
    due = store.due_uploads(now_ms=100, limit=10)
    store.mark_sent(due[0].upload_id)
    store.mark_failed(due[1].upload_id, backoff_ms=1000, now_ms=100)
    assert [d.upload_id for d in store.due_uploads(now_ms=100, limit=10)] == [due[2].upload_id]
    assert store.upload_counts() == {"pending": 2, "sent": 1}
    sent = store.events_after(rows[0] - 1, 1)[0]
    assert sent.is_send == 1


def test_mark_sent_many_marks_every_delivery_and_event(store: Store) -> None:
    store.insert_events(_events(4))
    rows = [r.rowid for r in store.events_after(0, 10)]
    store.enqueue_uploads(rows, "http://x/y", now_ms=100)
    due = store.due_uploads(now_ms=100, limit=10)
    store.mark_sent_many([d.upload_id for d in due[:3]])
    store.mark_sent_many([])
    assert store.upload_counts() == {"pending": 1, "sent": 3}
    assert [d.upload_id for d in store.due_uploads(now_ms=100, limit=10)] == [due[3].upload_id]
    assert sorted(e.is_send for e in store.events_after(0, 10)) == [0, 1, 1, 1]


def test_settings(store: Store) -> None:
    assert store.settings_get("k") is None
    store.settings_set("k", {"a": [1]})
    assert store.settings_get("k") == {"a": [1]}


def test_fault_catalog_rules() -> None:
    with pytest.raises(DuplicateFaultError):
        Catalog([*CATALOG.all_in_order(), CATALOG.get("v2-page-one-based")])
    with pytest.raises(UnknownFaultError, match="known faults"):
        ActiveFaults(["nope"])
    faults = ActiveFaults(["v2-page-one-based"])
    page = faults.apply(PAGE_REQUEST, PageRequest(20, 10), api="v2", page_index=2, page_limit=10)
    assert faults.active_names() == ["v2-page-one-based"] and page.offset == 10
    with pytest.raises(UnknownFaultError):
        faults.disable(["nope"])
    faults.disable(["v2-page-one-based"])
    assert faults.active_names() == [] and not faults.hooked(PAGE_REQUEST)


def test_an_old_database_gets_the_covering_time_index(tmp_path: Path) -> None:
    old = Store(tmp_path / "old.db")
    conn = old._conn()
    conn.execute("DROP INDEX events_by_time_scan")
    conn.execute("CREATE INDEX events_by_time ON events (ts_ms, event_id)")
    old.close()
    reopened = Store(tmp_path / "old.db")
    conn = reopened._conn()
    names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    plan = conn.execute(
        "EXPLAIN QUERY PLAN SELECT face_seed FROM events WHERE ts_ms >= 0 ORDER BY ts_ms, event_id"
    ).fetchall()
    reopened.close()
    assert "events_by_time_scan" in names and "events_by_time" not in names
    assert "COVERING INDEX events_by_time_scan" in " ".join(str(row) for row in plan)


# -- tie order: equal timestamps broken by event_id either way, stable and partitioned across pages --

TIE_PAGE = 7  # does not divide the tie groups, so ties straddle page boundaries


def _paged(store: Store, n: int, *, ties_ascending: bool) -> list[str]:
    """Every page, first to last; pages past the middle are read from the old end of the index."""
    got: list[str] = []
    for offset in range(0, n, TIE_PAGE):
        page = PageRequest(offset, TIE_PAGE, ties_ascending=ties_ascending)
        rows, total = store.query(EventFilters(), page)
        assert total == n
        got += [r.event_id for r in rows]
    return got


@pytest.mark.parametrize("ties_ascending", [False, True])
def test_pages_follow_one_order_with_ties_broken_by_id(store: Store, ties_ascending: bool) -> None:
    records = _events(53, ties=4)
    store.insert_events(records)
    by_id = sorted(records, key=lambda r: r.event_id, reverse=not ties_ascending)
    expected = [r.event_id for r in sorted(by_id, key=lambda r: r.ts_ms, reverse=True)]  # stable sort
    assert _paged(store, len(records), ties_ascending=ties_ascending) == expected


def test_the_two_tie_orders_differ_only_within_ties(store: Store) -> None:
    records = _events(20, ties=4)
    store.insert_events(records)
    descending = _paged(store, len(records), ties_ascending=False)
    ascending = _paged(store, len(records), ties_ascending=True)
    assert descending != ascending
    stamp = {r.event_id: r.ts_ms for r in records}
    assert [stamp[i] for i in descending] == [stamp[i] for i in ascending]
    assert sorted(descending) == sorted(ascending)


def test_v1_queries_take_the_tie_order(store: Store) -> None:
    records = _events(8, ties=8)
    store.insert_events(records)
    rows, _ = store.query_v1(EventFilters(), 0, 8, ties_ascending=True)
    ids = [r.event_id for r in rows]
    assert ids == sorted(ids)
