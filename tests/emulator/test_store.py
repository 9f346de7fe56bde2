"""Store: ordering, paging from both ends, counting, duplicates, upload queue, settings, search candidates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from conformance.emulator.faults import (
    REGISTRY,
    DuplicateFaultError,
    Fault,
    FaultSwitchboard,
    UnknownFaultError,
)
from conformance.emulator.injection import make_event
from conformance.emulator.model import DeviceRecord, EventRecord
from conformance.emulator.store import DuplicateEventError, PageRequest, Store
from conformance.emulator.store_filters import EventFilters

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


def test_search_candidates(store: Store) -> None:
    store.insert_events(_events(20, ties=1))
    records, matrix = store.search_candidates(1_000_050, 1_000_120, None, newest_first=True, limit=5)
    assert [r.ts_ms for r in records] == [1_000_120, 1_000_110, 1_000_100, 1_000_090, 1_000_080]
    assert matrix.shape == (5, 512) and matrix.dtype == np.float32
    none, empty = store.search_candidates(0, 10, ["d1"], newest_first=False, limit=5)
    assert none == [] and empty.shape == (0, 512)


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


def test_settings(store: Store) -> None:
    assert store.settings_get("k") is None
    store.settings_set("k", {"a": [1]})
    assert store.settings_get("k") == {"a": [1]}


def test_fault_registry_rules() -> None:
    with pytest.raises(DuplicateFaultError):
        REGISTRY.register(Fault("v2-page-one-based", "again", (), "v2"))
    with pytest.raises(UnknownFaultError, match="known faults"):
        FaultSwitchboard(REGISTRY, ["nope"])
    board = FaultSwitchboard(REGISTRY, ["v2-page-one-based"])
    assert board.active("v2-page-one-based") and not board.active("v2-ignore-score-filter")
    with pytest.raises(UnknownFaultError):
        board.active("nope")
    board.disable(["v2-page-one-based"])
    assert board.active_names() == []
