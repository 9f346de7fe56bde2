"""Render a stored event as the v2 event (reference v2-event-fields), the strict reading of the errata."""

from __future__ import annotations

import base64
from typing import Any

import numpy as np

from conformance.emulator.faults.hooks import NO_FAULTS, V2_EVENT, FaultHooks
from conformance.emulator.model import EventRecord

V2_DEVICE_TYPES = {"photo": "photo", "rtsp": "rtsp", "file": "file"}


def feature_binary(record: EventRecord) -> str:
    """Base64 of 512 little-endian float32 (2048 bytes)."""
    values = np.asarray(record.feature, dtype="<f4")
    return base64.b64encode(values.tobytes()).decode("ascii")


def media_device_type(device_type: str) -> str:
    """v2's vocabulary is photo/rtsp/file (E33, strict): a card reader has none."""
    return V2_DEVICE_TYPES.get(device_type, "")


def render_event(record: EventRecord, faults: FaultHooks = NO_FAULTS) -> dict[str, Any]:
    """The v2 event: timestamps in integer ms (E02), attributes "" when unknown (E04), no extra keys (E17).

    The rendered event passes the `v2.event` hook point.
    """
    attrs = record.attributes
    matched = record.identity is not None
    event: dict[str, Any] = {
        "event_id": record.event_id,
        "timestamp": record.ts_ms,
        "identity_id": record.identity_id,
        "identity_name": record.identity_name,
        "register_image_id": record.register_image_id,
        "recognize_face_image_id": record.face_image_id,
        "spot_image_id": record.spot_image_id,
        "permission_id": record.device.permission_id if matched else "",
        "permission_name": "",
        "user_type": record.user_type,
        "score": record.score,
        "post_action": "0",
        "frame_id": record.frame_id,
        "is_send": record.is_send,
        "media_device_info": {
            "media_device_type": media_device_type(record.device.device_type),
            "media_device_ip": record.device.device_ip,
            "media_device_name": record.device.device_name,
            "media_device_id": record.device.device_id,
        },
        "recognize_face_attr": {
            "point": list(record.point),
            "box": list(record.box),
            "mask": attrs.mask,
            "gender": attrs.gender,
            "hat": "",
            "age": attrs.age,
            "glasses": attrs.glasses,
            "feature_binary": feature_binary(record),
        },
        "ext_data": {
            "ir_image_id": "",
            "depth_image_id": "",
            "track_id": record.track_id,
            "video_shape": list(record.video_shape),
            "in_timestamp": record.in_ts_ms,
            "recognition_timestamp": record.recognition_ts_ms,
            "out_timestamp": record.out_ts_ms,
            "pose_score": record.pose_score,
            "unknown_id": record.unknown_id,
        },
    }
    return faults.apply(V2_EVENT, event, record=record)
