"""The upload queue: one row per pending delivery of one event to one URL, and the SQL that moves it.

The queue survives a restart (it is a table of the store); `Store` runs these under its write lock.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class UploadItem:
    """One pending delivery of one event to one upload URL."""

    upload_id: int
    event_rowid: int
    url: str
    attempts: int


def enqueue(conn: sqlite3.Connection, event_rowids: Sequence[int], url: str, now_ms: int) -> int:
    """Queue deliveries of events to `url` (queued pairs are skipped); how many were added."""
    cursor = conn.executemany(
        "INSERT OR IGNORE INTO upload_queue (event_rowid, url, next_attempt_ms) VALUES (?, ?, ?)",
        [(r, url, now_ms) for r in event_rowids],
    )
    return int(cursor.rowcount)


def due(conn: sqlite3.Connection, now_ms: int, limit: int) -> list[UploadItem]:
    """Unsent deliveries whose next attempt is due, oldest event first."""
    rows = conn.execute(
        "SELECT id, event_rowid, url, attempts FROM upload_queue WHERE sent = 0 AND next_attempt_ms <= ? "
        "ORDER BY event_rowid, id LIMIT ?",
        (now_ms, limit),
    )
    return [UploadItem(*r) for r in rows]


def mark_sent(conn: sqlite3.Connection, upload_ids: Sequence[int]) -> None:
    """Record successful deliveries and set their events' is_send flag."""
    params = [(upload_id,) for upload_id in upload_ids]
    conn.executemany("UPDATE upload_queue SET sent = 1, attempts = attempts + 1 WHERE id = ?", params)
    conn.executemany(
        "UPDATE events SET is_send = 1 WHERE id = (SELECT event_rowid FROM upload_queue WHERE id = ?)",
        params,
    )


def mark_failed(conn: sqlite3.Connection, upload_id: int, next_attempt_ms: int) -> None:
    """Record a failed attempt; the next one is due at `next_attempt_ms`."""
    conn.execute(
        "UPDATE upload_queue SET attempts = attempts + 1, next_attempt_ms = ? WHERE id = ?",
        (next_attempt_ms, upload_id),
    )


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Pending and sent deliveries."""
    rows = conn.execute("SELECT sent, COUNT(*) FROM upload_queue GROUP BY sent").fetchall()
    by_state = {int(sent): int(n) for sent, n in rows}
    return {"pending": by_state.get(0, 0), "sent": by_state.get(1, 0)}
