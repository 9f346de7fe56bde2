"""The emulator's SQLite store: events, devices, identities, settings and the upload queue.

WAL with synchronous=FULL: a commit that returned is on disk, so an event the control plane
acknowledged survives `kill -9` (NORMAL in WAL mode may lose the last commits on power loss and
is not what the "acknowledged means durable" rule promises). One connection per thread; writes
serialise on one lock. A query reads its count and its rows in one snapshot, so events recorded
meanwhile (live recognitions) never push a match out of an answer sized by a count taken before them.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from conformance.emulator.model import FEATURE_DIM, DeviceRecord, EventRecord, IdentityRecord
from conformance.emulator.store import upload_queue
from conformance.emulator.store.query import EventFilters, PageRequest, where_clause
from conformance.emulator.store.rows import (
    device_from_row,
    device_params,
    event_from_row,
    event_params,
    feature_blob,
    identity_from_row,
    identity_params,
)
from conformance.emulator.store.scan_keys import (
    PACKED_ROWID_LIMIT,
    PACKED_SPAN,
    ScanKeys,
    plain_scan,
    unpack_scan,
)
from conformance.emulator.store.schema import (
    ADDED_EVENT_COLUMNS,
    DDL,
    EVENT_COLUMNS,
    SCAN_PACKED,
    SCAN_PLAIN,
    SELECT_FULL,
)
from conformance.emulator.store.upload_queue import UploadItem

_SQL_CHUNK = 500  # stay far below SQLite's host-parameter limit


class DuplicateEventError(ValueError):
    """An event id that is already stored (or repeated within one batch)."""


class Store:
    """Thread-safe access to one SQLite database file."""

    def __init__(self, path: str | Path) -> None:
        if str(path) == ":memory:":
            raise ValueError("the emulator store needs a file (one connection per thread); use a temp file")
        self.path = Path(path)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._conn_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._snapshot_lock = threading.Lock()  # a commit and its count change vs. a snapshot's start
        self._pending_count_change = 0  # applied with the commit of the running write
        self._closed = False
        self._generation = 0
        conn = self._conn()
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(DDL)
        present = {str(row[1]) for row in conn.execute("PRAGMA table_info(events)")}
        for column, ddl in ADDED_EVENT_COLUMNS.items():
            if column not in present:
                conn.execute(f"ALTER TABLE events ADD COLUMN {column} {ddl}")
        self._event_count = int(conn.execute("SELECT COUNT(*) FROM events").fetchone()[0])
        self._next_seq = int(conn.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0]) + 1

    # -- connections -------------------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            if self._closed:
                raise RuntimeError("store is closed")
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute("PRAGMA cache_size=-8000")
            conn.execute("PRAGMA temp_store=MEMORY")
            self._local.conn = conn
            with self._conn_lock:
                self._connections.append(conn)
        return conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._write_lock:
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE")
            self._pending_count_change = 0
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            with self._snapshot_lock:
                conn.execute("COMMIT")
                self._event_count += self._pending_count_change

    @contextmanager
    def _snapshot(self) -> Iterator[tuple[sqlite3.Connection, int]]:
        """A read transaction and the event count of exactly what it sees."""
        conn = self._conn()
        with self._snapshot_lock:
            conn.execute("BEGIN DEFERRED")
            conn.execute("SELECT 1 FROM events LIMIT 1").fetchall()  # WAL: the snapshot starts at a read
            count = self._event_count
        try:
            yield conn, count
        finally:
            conn.execute("COMMIT")

    def close(self) -> None:
        """Close every connection of every thread."""
        self._closed = True
        with self._conn_lock:
            for conn in self._connections:
                with contextlib.suppress(sqlite3.ProgrammingError):
                    conn.close()
            self._connections.clear()

    # -- events --------------------------------------------------------------------------------

    def reserve_sequence(self, n: int) -> int:
        """Reserve n consecutive sequence numbers (used to build unique event ids); returns the first."""
        with self._write_lock:
            first = self._next_seq
            self._next_seq += n
            return first

    def insert_events(self, records: Sequence[EventRecord], *, ignore_duplicates: bool = False) -> list[str]:
        """Store events in one transaction; durable when this returns. Duplicate ids raise unless ignored."""
        if not records:
            return []
        ids = [r.event_id for r in records]
        if not ignore_duplicates and len(set(ids)) != len(ids):
            seen: set[str] = set()
            dup = next(i for i in ids if i in seen or seen.add(i))  # type: ignore[func-returns-value]
            raise DuplicateEventError(f"event_id {dup!r} appears twice in the batch")
        faces: dict[tuple[int, int], bytes] = {}
        for r in records:
            key = (r.face_seed, r.face_variant)
            if key not in faces:
                faces[key] = feature_blob(r)
        verb = "INSERT OR IGNORE" if ignore_duplicates else "INSERT"
        cols = ",".join(EVENT_COLUMNS)
        sql = f"{verb} INTO events ({cols}) VALUES ({','.join('?' * len(EVENT_COLUMNS))})"
        with self._write() as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO faces (face_seed, face_variant, feature) VALUES (?, ?, ?)",
                [(s, v, b) for (s, v), b in faces.items()],
            )
            try:
                cursor = conn.executemany(sql, [event_params(r) for r in records])
            except sqlite3.IntegrityError:
                raise DuplicateEventError(self._first_existing(conn, ids)) from None
            self._pending_count_change = cursor.rowcount
            self._next_seq = max(
                self._next_seq, int(conn.execute("SELECT MAX(id) FROM events").fetchone()[0]) + 1
            )
        return ids

    def _first_existing(self, conn: sqlite3.Connection, ids: Sequence[str]) -> str:
        for start in range(0, len(ids), _SQL_CHUNK):
            chunk = list(ids[start : start + _SQL_CHUNK])
            row = conn.execute(
                f"SELECT event_id FROM events WHERE event_id IN ({','.join('?' * len(chunk))}) LIMIT 1", chunk
            ).fetchone()
            if row is not None:
                return f"event_id {row[0]!r} is already stored"
        return "an event_id is already stored"

    @property
    def event_count(self) -> int:
        """Number of stored events (kept in memory; exact)."""
        return self._event_count

    def count(self, filters: EventFilters) -> int:
        """How many events match, before top_k."""
        with self._snapshot() as (conn, stored):
            return _count(conn, stored, filters)

    def query(self, filters: EventFilters, page: PageRequest) -> tuple[list[EventRecord], int]:
        """One page of matches, newest first (ties: event_id descending unless asked otherwise) and the total
        (capped by top_k), all read in one snapshot."""
        with self._snapshot() as (conn, stored):
            return self._query(conn, _count(conn, stored, filters), filters, page)

    def _query(
        self, conn: sqlite3.Connection, matches: int, filters: EventFilters, page: PageRequest
    ) -> tuple[list[EventRecord], int]:
        total = matches if filters.top_k is None else min(matches, filters.top_k)
        offset, limit = page.offset, min(page.limit, max(0, total - page.offset))
        if limit <= 0 or offset >= total:
            return [], total
        where, params = where_clause(filters)
        tie, tie_backwards = ("ASC", "DESC") if page.ties_ascending else ("DESC", "ASC")
        if page.unstable:
            order, reverse, skip = "ts_ms DESC, random()", False, offset
        elif offset > matches // 2:
            # Walk the index from the old end: the last page costs as little as the first one.
            order, reverse, skip = f"ts_ms ASC, event_id {tie_backwards}", True, matches - offset - limit
        else:
            order, reverse, skip = f"ts_ms DESC, event_id {tie}", False, offset
        rowids = [
            r[0]
            for r in conn.execute(
                f"SELECT id FROM events WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
                [*params, limit, skip],
            )
        ]
        if reverse:
            rowids.reverse()
        return self.records_by_rowid(rowids), total

    def query_v2(
        self, filters: EventFilters, page_index: int, page_limit: int
    ) -> tuple[list[EventRecord], int]:
        """v2 getevents: page_index 0 is the first page."""
        return self.query(filters, PageRequest(page_index * page_limit, page_limit))

    def query_v1(
        self, filters: EventFilters, page: int, per_page: int, *, ties_ascending: bool = False
    ) -> tuple[list[EventRecord], int]:
        """v1 events: page 0 is the first page; filters.top_k caps the matches before paging."""
        return self.query(filters, PageRequest(page * per_page, per_page, ties_ascending=ties_ascending))

    def records_by_rowid(self, rowids: Sequence[int]) -> list[EventRecord]:
        """Full events for store rowids, in the order given (unknown rowids are left out)."""
        by_id: dict[int, EventRecord] = {}
        conn = self._conn()
        for start in range(0, len(rowids), _SQL_CHUNK):
            chunk = list(rowids[start : start + _SQL_CHUNK])
            sql = f"{SELECT_FULL} WHERE e.id IN ({','.join('?' * len(chunk))})"
            for row in conn.execute(sql, chunk):
                by_id[int(row[0])] = event_from_row(row)
        return [by_id[r] for r in rowids if r in by_id]

    def get_event(self, event_id: str) -> EventRecord | None:
        """One event by its id, or None."""
        row = self._conn().execute(f"{SELECT_FULL} WHERE e.event_id = ?", (event_id,)).fetchone()
        return None if row is None else event_from_row(row)

    def last_rowid(self) -> int:
        """The rowid of the newest stored event, 0 when there is none."""
        return int(self._conn().execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0])

    def events_after(self, rowid: int, limit: int) -> list[EventRecord]:
        """Events stored after `rowid`, oldest first (the uploader's cursor)."""
        rows = self._conn().execute(f"{SELECT_FULL} WHERE e.id > ? ORDER BY e.id LIMIT ?", (rowid, limit))
        return [event_from_row(r) for r in rows]

    def scan_keys(
        self, start_ms: int, end_ms: int, device_ids: list[str] | None, newest_first: bool, limit: int
    ) -> ScanKeys:
        """Picture search candidates in [start_ms, end_ms]: at most `limit`, in (ts_ms, event_id) order.

        Picture search works in whole milliseconds (its caps never split one): an event belongs to the
        millisecond its true time falls in.
        """
        only_devices = EventFilters(device_ids=tuple(device_ids) if device_ids else None)
        devices, device_params = where_clause(only_devices)
        where, params = f"ts_ms >= ? AND ts_ms <= ? AND {devices}", [start_ms, end_ms, *device_params]
        direction = "DESC" if newest_first else "ASC"
        conn = self._conn()
        if end_ms - start_ms < PACKED_SPAN and self._next_seq < PACKED_ROWID_LIMIT:
            sql = SCAN_PACKED.format(where=where, direction=direction)
            flat = np.fromiter(chain.from_iterable(conn.execute(sql, [start_ms, *params, limit])), np.int64)
            keys = unpack_scan(flat, start_ms)
            if keys is not None:
                return keys
        sql = SCAN_PLAIN.format(where=where, direction=direction)
        return plain_scan(np.fromiter(chain.from_iterable(conn.execute(sql, [*params, limit])), np.int64))

    def face_features(self, faces: Sequence[tuple[int, int]]) -> npt.NDArray[np.float32]:
        """Stored (n, 512) features of (face_seed, face_variant) pairs; zeros for a face never stored."""
        out = np.zeros((len(faces), FEATURE_DIM), dtype=np.float32)
        where = {face: n for n, face in enumerate(faces)}
        conn = self._conn()
        for start in range(0, len(faces), _SQL_CHUNK):
            chunk = faces[start : start + _SQL_CHUNK]
            sql = (
                f"WITH wanted(s, v) AS (VALUES {','.join(['(?, ?)'] * len(chunk))}) "
                "SELECT f.face_seed, f.face_variant, f.feature FROM wanted "
                "JOIN faces f ON f.face_seed = wanted.s AND f.face_variant = wanted.v"
            )
            for seed, variant, blob in conn.execute(sql, [value for face in chunk for value in face]):
                out[where[(int(seed), int(variant))]] = np.frombuffer(blob, dtype="<f4")
        return out

    @property
    def generation(self) -> int:
        """Bumped by reset(): a cache of stored data built in another generation is stale."""
        return self._generation

    # -- devices and identities ------------------------------------------------------------------

    def upsert_devices(self, devices: Sequence[DeviceRecord]) -> None:
        """Add or replace devices."""
        with self._write() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO devices VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [device_params(d) for d in devices],
            )

    def upsert_identities(self, identities: Sequence[IdentityRecord]) -> None:
        """Add or replace identities."""
        with self._write() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO identities VALUES (?, ?, ?, ?, ?, ?, ?)",
                [identity_params(i) for i in identities],
            )

    def devices(self) -> list[DeviceRecord]:
        """All devices, by id."""
        rows = self._conn().execute("SELECT * FROM devices ORDER BY device_id")
        return [device_from_row(r) for r in rows]

    def device(self, device_id: str) -> DeviceRecord | None:
        """One device, or None."""
        row = self._conn().execute("SELECT * FROM devices WHERE device_id = ?", (device_id,)).fetchone()
        return None if row is None else device_from_row(row)

    def identities(self) -> list[IdentityRecord]:
        """All identities, by id."""
        rows = self._conn().execute("SELECT * FROM identities ORDER BY identity_id")
        return [identity_from_row(r) for r in rows]

    def identity(self, identity_id: str) -> IdentityRecord | None:
        """One identity, or None."""
        row = (
            self._conn().execute("SELECT * FROM identities WHERE identity_id = ?", (identity_id,)).fetchone()
        )
        return None if row is None else identity_from_row(row)

    # -- settings ------------------------------------------------------------------------------

    def settings_get(self, key: str) -> Any:
        """A stored JSON value, or None."""
        row = self._conn().execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def settings_set(self, key: str, value: Any) -> None:
        """Store a JSON value durably."""
        with self._write() as conn:
            conn.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", (key, json.dumps(value)))

    # -- upload queue (SQL in upload_queue.py) ---------------------------------------------------

    def enqueue_uploads(self, event_rowids: Sequence[int], url: str, now_ms: int) -> int:
        """Queue deliveries of events to `url` (queued pairs are skipped); returns how many were added."""
        with self._write() as conn:
            return upload_queue.enqueue(conn, event_rowids, url, now_ms)

    def due_uploads(self, now_ms: int, limit: int) -> list[UploadItem]:
        """Unsent deliveries whose next attempt is due, oldest event first."""
        return upload_queue.due(self._conn(), now_ms, limit)

    def mark_sent(self, upload_id: int) -> None:
        """Record a successful delivery and set the event's is_send flag."""
        with self._write() as conn:
            upload_queue.mark_sent(conn, [upload_id])

    def mark_sent_many(self, upload_ids: list[int]) -> None:
        """Record many successful deliveries in one transaction (one fsync instead of one per upload)."""
        if upload_ids:
            with self._write() as conn:
                upload_queue.mark_sent(conn, upload_ids)

    def mark_failed(self, upload_id: int, backoff_ms: int, now_ms: int) -> None:
        """Record a failed attempt; the next one is due `backoff_ms` after `now_ms`."""
        with self._write() as conn:
            upload_queue.mark_failed(conn, upload_id, now_ms + backoff_ms)

    def upload_counts(self) -> dict[str, int]:
        """Pending and sent deliveries."""
        return upload_queue.counts(self._conn())

    # -- maintenance ---------------------------------------------------------------------------

    def reset(self) -> None:
        """Wipe events, devices, identities, faces, settings and the upload queue."""
        with self._write() as conn:
            for table in ("upload_queue", "events", "faces", "devices", "identities", "settings"):
                conn.execute(f"DELETE FROM {table}")
            self._pending_count_change = -self._event_count
        self._generation += 1

    def stats(self) -> dict[str, int]:
        """Row counts for GET /_emulator/stats."""
        conn = self._conn()
        return {
            "events": self._event_count,
            "devices": int(conn.execute("SELECT COUNT(*) FROM devices").fetchone()[0]),
            "identities": int(conn.execute("SELECT COUNT(*) FROM identities").fetchone()[0]),
            **{f"uploads_{k}": v for k, v in self.upload_counts().items()},
        }


def _count(conn: sqlite3.Connection, stored: int, filters: EventFilters) -> int:
    """Matches in the connection's snapshot; `stored` (that snapshot's event count) when nothing filters."""
    if not filters.restricts_rows:
        return stored
    where, params = where_clause(filters)
    return int(conn.execute(f"SELECT COUNT(*) FROM events WHERE {where}", params).fetchone()[0])
