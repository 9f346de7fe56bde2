"""Render a stored event as the v2 event (reference v2-event-fields), the strict reading of the errata."""

from __future__ import annotations

import base64
from typing import Any

import numpy as np

from conformance.emulator.device_faults import bend_v2_event
from conformance.emulator.faults import (
    V2_DROP_REQUIRED_FIELD,
    V2_FEATURE_WRONG_LENGTH,
    V2_TIMESTAMP_SECONDS,
    V2_TIMESTAMP_STRING,
    VAR_E04_NULL_ATTRIBUTES,
    VAR_EXTRA_FIELDS,
    FaultSwitchboard,
)
from conformance.emulator.faults.catalog import V2_DEVICE_TYPE_CARD
from conformance.emulator.faults.catalog_errors import V2_SPOT_IMAGE_PATH
from conformance.emulator.identity_faults import bend_v2_identity
from conformance.emulator.model import EventRecord

V2_DEVICE_TYPES = {"photo": "photo", "rtsp": "rtsp", "file": "file"}
TIMESTAMP_KEYS = ("in_timestamp", "recognition_timestamp", "out_timestamp")
ATTRIBUTE_KEYS = ("mask", "gender", "hat", "age", "glasses")
# Undocumented keys a firmware may add (E17); the lenient profile tolerates them.
EXTRA_TOP_LEVEL = {"dev_sno": "", "algorithm_version": "2.4.0"}
EXTRA_EXT_DATA = {"quality_score": 0.93}


def feature_binary(record: EventRecord, *, wrong_length: bool = False) -> str:
    """Base64 of 512 little-endian float32 (2048 bytes); the fault drops the last value."""
    values = np.asarray(record.feature, dtype="<f4")
    if wrong_length:
        values = values[:-1]
    return base64.b64encode(values.tobytes()).decode("ascii")


def media_device_type(device_type: str, faults: FaultSwitchboard | None) -> str:
    """v2's vocabulary is photo/rtsp/file (E33, strict): a card reader has none unless a fault says "card"."""
    if device_type == "card" and faults is not None and faults.active(V2_DEVICE_TYPE_CARD):
        return "card"
    return V2_DEVICE_TYPES.get(device_type, "")


def render_event(record: EventRecord, faults: FaultSwitchboard | None = None) -> dict[str, Any]:
    """The v2 event: timestamps in integer ms (E02), attributes "" when unknown (E04), no extra keys (E17)."""
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
            "media_device_type": media_device_type(record.device.device_type, faults),
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
            "feature_binary": feature_binary(
                record, wrong_length=faults is not None and faults.active(V2_FEATURE_WRONG_LENGTH)
            ),
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
    if faults is not None:
        apply_faults(event, faults)
    return event


def apply_faults(event: dict[str, Any], faults: FaultSwitchboard) -> None:
    """Bend a rendered event the way the active faults and variations say (one place for all of them)."""
    bend_v2_identity(event, faults.active)
    bend_v2_event(event, faults.active)
    if faults.active(V2_SPOT_IMAGE_PATH) and event["spot_image_id"]:
        event["spot_image_id"] = f"/data/spot/{event['spot_image_id']}.jpg"
    if faults.active(V2_DROP_REQUIRED_FIELD):
        del event["user_type"]
    if faults.active(V2_TIMESTAMP_SECONDS):
        event["timestamp"] = event["timestamp"] / 1000.0
        for key in TIMESTAMP_KEYS:
            event["ext_data"][key] = event["ext_data"][key] / 1000.0
    if faults.active(V2_TIMESTAMP_STRING):
        event["timestamp"] = str(event["timestamp"])
    if faults.active(VAR_E04_NULL_ATTRIBUTES):
        attrs = event["recognize_face_attr"]
        for key in ATTRIBUTE_KEYS:
            if attrs[key] == "":
                attrs[key] = None
        attrs["expression"] = None
    if faults.active(VAR_EXTRA_FIELDS):
        event.update(EXTRA_TOP_LEVEL)
        event["ext_data"].update(EXTRA_EXT_DATA)
