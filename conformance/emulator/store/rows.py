"""Convert between EventRecord and SQLite rows, so the store's SQL and the model stay in one place each."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np

from conformance.emulator.model import (
    FEATURE_BYTES,
    Attributes,
    DeviceRecord,
    EventRecord,
    IdentityRecord,
)


def event_params(record: EventRecord) -> tuple[Any, ...]:
    """Values for an INSERT in schema.EVENT_COLUMNS order."""
    attrs = record.attributes
    return (
        record.event_id,
        record.ts_ms,
        record.device_id,
        record.identity_id,
        record.person_type,
        float(record.score),
        record.face_seed,
        record.face_variant,
        attrs.gender,
        attrs.age,
        attrs.mask,
        attrs.glasses,
        json.dumps(list(record.box)),
        json.dumps(list(record.point)),
        record.is_send,
        record.frame_id,
        record.track_id,
        record.unknown_id,
        record.in_ts_ms,
        record.out_ts_ms,
        float(record.pose_score),
        record.sub_ms_us,
    )


def feature_blob(record: EventRecord) -> bytes:
    """The 2048-byte little-endian float32 feature of an event."""
    blob = np.asarray(record.feature, dtype="<f4").tobytes()
    if len(blob) != FEATURE_BYTES:
        raise ValueError(f"event {record.event_id}: feature has {len(blob)} bytes, expected {FEATURE_BYTES}")
    return blob


def event_from_row(row: Sequence[Any]) -> EventRecord:
    """Build an EventRecord from one schema.SELECT_FULL row."""
    (
        rowid, event_id, ts_ms, device_id, identity_id, person_type, score,
        face_seed, face_variant, gender, age, mask, glasses, box, point,
        is_send, frame_id, track_id, unknown_id, in_ts_ms, out_ts_ms, pose_score,
        sub_ms_us,
        d_name, d_ip, d_type, d_ws_type, d_key, d_group, d_perm,
        i_name, i_type, i_group, i_group_name, i_room, i_seed,
        feature,
    ) = row  # fmt: skip
    device = DeviceRecord(
        device_id=device_id,
        device_name=d_name or "",
        device_ip=d_ip or "",
        device_type=d_type or "rtsp",
        ws_device_type=d_ws_type or "3",
        device_key=d_key or "",
        group_id=d_group or "",
        permission_id=d_perm or "",
    )
    identity = None
    if identity_id:
        identity = IdentityRecord(
            identity_id=identity_id,
            name=i_name or "",
            person_type=int(i_type) if i_type is not None else int(person_type),
            group_id=i_group or "",
            group_name=i_group_name or "",
            room=i_room or "",
            face_seed=int(i_seed) if i_seed is not None else int(face_seed),
        )
    if feature is None:
        vector = np.zeros(FEATURE_BYTES // 4, dtype=np.float32)
    else:
        vector = np.frombuffer(feature, dtype="<f4").astype(np.float32)
    return EventRecord(
        event_id=event_id,
        ts_ms=int(ts_ms),
        device=device,
        identity=identity,
        person_type=int(person_type),
        score=float(score),
        face_seed=int(face_seed),
        face_variant=int(face_variant),
        attributes=Attributes(gender=gender, age=age, mask=mask, glasses=glasses),
        box=_box(box),
        point=tuple(float(v) for v in json.loads(point)),
        feature=vector,
        is_send=int(is_send),
        frame_id=int(frame_id),
        track_id=int(track_id),
        unknown_id=int(unknown_id),
        in_ts_ms=int(in_ts_ms),
        out_ts_ms=int(out_ts_ms),
        pose_score=float(pose_score),
        rowid=int(rowid),
        sub_ms_us=int(sub_ms_us),
    )


def _box(text: str) -> tuple[float, float, float, float]:
    values = [float(v) for v in json.loads(text)] + [0.0] * 4
    return values[0], values[1], values[2], values[3]


def device_params(device: DeviceRecord) -> tuple[str, ...]:
    """Values for an upsert into devices."""
    return (
        device.device_id,
        device.device_name,
        device.device_ip,
        device.device_type,
        device.ws_device_type,
        device.device_key,
        device.group_id,
        device.permission_id,
    )


def identity_params(identity: IdentityRecord) -> tuple[Any, ...]:
    """Values for an upsert into identities."""
    return (
        identity.identity_id,
        identity.name,
        identity.person_type,
        identity.group_id,
        identity.group_name,
        identity.room,
        identity.face_seed,
    )


def device_from_row(row: Sequence[Any]) -> DeviceRecord:
    """A DeviceRecord from a `SELECT * FROM devices` row."""
    return DeviceRecord(*row)


def identity_from_row(row: Sequence[Any]) -> IdentityRecord:
    """An IdentityRecord from a `SELECT * FROM identities` row."""
    return IdentityRecord(row[0], row[1], int(row[2]), row[3], row[4], row[5], int(row[6]))
