"""SQLite tables and indexes of the emulator store, shaped for the documented queries over 1M events."""

from __future__ import annotations

from typing import Final

SCHEMA_VERSION: Final = 1

# Features are stored once per (face_seed, face_variant) in `faces`: every feature the emulator
# produces is a function of those two numbers, and a 2 KiB blob in each event row would cost one
# 4 KiB page per event (4 GB at a million events) and slow every query that touches the table.
DDL: Final = """
CREATE TABLE IF NOT EXISTS devices (
    device_id      TEXT PRIMARY KEY,
    device_name    TEXT NOT NULL DEFAULT '',
    device_ip      TEXT NOT NULL DEFAULT '',
    device_type    TEXT NOT NULL DEFAULT 'rtsp',
    ws_device_type TEXT NOT NULL DEFAULT '3',
    device_key     TEXT NOT NULL DEFAULT '',
    group_id       TEXT NOT NULL DEFAULT '',
    permission_id  TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS identities (
    identity_id TEXT PRIMARY KEY,
    name        TEXT NOT NULL DEFAULT '',
    person_type INTEGER NOT NULL DEFAULT 1,
    group_id    TEXT NOT NULL DEFAULT '',
    group_name  TEXT NOT NULL DEFAULT '',
    room        TEXT NOT NULL DEFAULT '',
    face_seed   INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS faces (
    id           INTEGER PRIMARY KEY,
    face_seed    INTEGER NOT NULL,
    face_variant INTEGER NOT NULL,
    feature      BLOB NOT NULL,
    UNIQUE (face_seed, face_variant)
);
CREATE TABLE IF NOT EXISTS events (
    id           INTEGER PRIMARY KEY,
    event_id     TEXT NOT NULL UNIQUE,
    ts_ms        INTEGER NOT NULL,
    device_id    TEXT NOT NULL,
    identity_id  TEXT NOT NULL DEFAULT '',
    person_type  INTEGER NOT NULL,
    score        REAL NOT NULL,
    face_seed    INTEGER NOT NULL,
    face_variant INTEGER NOT NULL,
    gender       TEXT NOT NULL DEFAULT '',
    age          TEXT NOT NULL DEFAULT '',
    mask         TEXT NOT NULL DEFAULT '',
    glasses      TEXT NOT NULL DEFAULT '',
    box          TEXT NOT NULL DEFAULT '[]',
    point        TEXT NOT NULL DEFAULT '[]',
    is_send      INTEGER NOT NULL DEFAULT 0,
    frame_id     INTEGER NOT NULL DEFAULT 1,
    track_id     INTEGER NOT NULL DEFAULT 0,
    unknown_id   INTEGER NOT NULL DEFAULT 0,
    in_ts_ms     INTEGER NOT NULL DEFAULT 0,
    out_ts_ms    INTEGER NOT NULL DEFAULT 0,
    pose_score   REAL NOT NULL DEFAULT 1.0,
    sub_ms_us    INTEGER NOT NULL DEFAULT 0
);
-- Time order for every query; the face and device columns make it cover picture search's scan.
DROP INDEX IF EXISTS events_by_time;
CREATE INDEX IF NOT EXISTS events_by_time_scan
    ON events (ts_ms, event_id, face_seed, face_variant, device_id);
CREATE INDEX IF NOT EXISTS events_by_device ON events (device_id, ts_ms, event_id);
CREATE INDEX IF NOT EXISTS events_by_identity ON events (identity_id, ts_ms, event_id);
CREATE INDEX IF NOT EXISTS identities_by_group ON identities (group_id);
CREATE TABLE IF NOT EXISTS settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS upload_queue (
    id              INTEGER PRIMARY KEY,
    event_rowid     INTEGER NOT NULL,
    url             TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER NOT NULL DEFAULT 0,
    sent            INTEGER NOT NULL DEFAULT 0,
    UNIQUE (event_rowid, url)
);
CREATE INDEX IF NOT EXISTS upload_queue_due ON upload_queue (sent, next_attempt_ms);
"""

# Columns added after the first release, with their DDL: an older database file gains them on open.
ADDED_EVENT_COLUMNS: Final = {"sub_ms_us": "INTEGER NOT NULL DEFAULT 0"}

EVENT_COLUMNS: Final = (
    "event_id",
    "ts_ms",
    "device_id",
    "identity_id",
    "person_type",
    "score",
    "face_seed",
    "face_variant",
    "gender",
    "age",
    "mask",
    "glasses",
    "box",
    "point",
    "is_send",
    "frame_id",
    "track_id",
    "unknown_id",
    "in_ts_ms",
    "out_ts_ms",
    "pose_score",
    "sub_ms_us",
)

# One full event row: the event, its device, its identity and its feature.
SELECT_FULL: Final = """
SELECT e.id, e.event_id, e.ts_ms, e.device_id, e.identity_id, e.person_type, e.score,
       e.face_seed, e.face_variant, e.gender, e.age, e.mask, e.glasses, e.box, e.point,
       e.is_send, e.frame_id, e.track_id, e.unknown_id, e.in_ts_ms, e.out_ts_ms, e.pose_score,
       e.sub_ms_us,
       d.device_name, d.device_ip, d.device_type, d.ws_device_type, d.device_key, d.group_id,
       d.permission_id,
       i.name, i.person_type, i.group_id, i.group_name, i.room, i.face_seed,
       f.feature
FROM events e
LEFT JOIN devices d ON d.device_id = e.device_id
LEFT JOIN identities i ON e.identity_id != '' AND i.identity_id = e.identity_id
LEFT JOIN faces f ON f.face_seed = e.face_seed AND f.face_variant = e.face_variant
"""

# Picture search's scan: one row per candidate in (ts_ms, event_id) order. Python builds an object
# per value fetched, so the packed form returns two integers a row instead of four:
# (id << 32 | ts_ms - lo) and (face_seed << 32 | face_variant), or -1 when a face does not fit.
SCAN_PACKED: Final = """
SELECT (id << 32) | (ts_ms - ?),
       CASE WHEN face_seed BETWEEN 0 AND 2147483647 AND face_variant BETWEEN 0 AND 4294967295
            THEN (face_seed << 32) | face_variant ELSE -1 END
FROM events WHERE {where} ORDER BY ts_ms {direction}, event_id {direction} LIMIT ?
"""
SCAN_PLAIN: Final = """
SELECT id, ts_ms, face_seed, face_variant
FROM events WHERE {where} ORDER BY ts_ms {direction}, event_id {direction} LIMIT ?
"""
