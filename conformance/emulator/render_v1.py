"""Render a stored event as the v1 event (reference v1-event-fields): float seconds, `common` block."""

from __future__ import annotations

from typing import Any, Final

from conformance.emulator.faults.hooks import NO_FAULTS, V1_EVENT, FaultHooks
from conformance.emulator.model import DeviceRecord, EventRecord
from conformance.emulator.render_v2 import feature_binary

# v1 shares the upload's mask vocabulary (E16): "0" no mask, "1" mask, "" unknown
V1_MASK_CODES: Final = {"no": "0", "yes": "1"}
# The box's own id prefix in ep_id ("0xe0a509261422__192.168.1.96" in seed 001).
BOX_EP_PREFIX: Final = "0xe0a5090e1e70"


def seconds(ms: int) -> float:
    """Epoch ms as the v1 float seconds."""
    return ms / 1000.0


def ep_info(device: DeviceRecord) -> dict[str, str]:
    """The v1 `ep_info` block of a device."""
    return {
        "device_id": device.device_id,
        "ep_id": f"{BOX_EP_PREFIX}__{device.device_key or device.device_ip}",
        "ep_ip": device.device_ip,
        "ep_name": device.device_name,
        "ep_type": device.device_type,
    }


def identity_info(record: EventRecord) -> dict[str, Any]:
    """Registered-person info; {} for strangers."""
    if record.identity is None:
        return {}
    return {"face_ids": [f"face_{record.identity_id}"], "image_id": record.register_image_id}


def video_data(record: EventRecord) -> dict[str, Any]:
    """Stream-mode private fields; {} for photo and card devices (as in seed 001's photo example)."""
    if record.device.device_type != "rtsp":
        return {}
    return {
        "track_id": record.track_id,
        "video_shape": list(record.video_shape),
        "in_timestamp": seconds(record.in_ts_ms),
        "in_bg_pic_id": record.spot_image_id,
        "in_face_pic_id": record.face_image_id,
        "in_box": list(record.box),
        "recognition_timestamp": seconds(record.recognition_ts_ms),
        "pose_score": record.pose_score,
        "out_timestamp": seconds(record.out_ts_ms),
        "unknown_id": record.unknown_id,
    }


def render_event(record: EventRecord, faults: FaultHooks = NO_FAULTS) -> dict[str, Any]:
    """The v1 event of GET /SophonFace/api/events, passed through the `v1.event` hook point."""
    return faults.apply(V1_EVENT, _event(record), record=record)


def _event(record: EventRecord) -> dict[str, Any]:
    attrs = record.attributes
    matched = record.identity is not None
    return {
        "_id": record.event_id,
        "timestamp": record.true_seconds,
        "common": {
            "card_id": "",
            "ep_info": ep_info(record.device),
            "frame_id": record.frame_id,
            "group_id": record.identity.group_id if record.identity else "",
            "group_name": record.identity.group_name if record.identity else "",
            "identity_id": record.identity_id,
            "identity_info": identity_info(record),
            "identity_name": record.identity_name,
            "is_send": bool(record.is_send),  # typed boolean in v1 (E24, strict reading)
            "permission_id": record.device.permission_id if matched else "",
            "permission_name": "",
            "person_type": record.person_type,
            "recognize_face_attr": {
                "point": list(record.point),
                "box": list(record.box),
                "mask": V1_MASK_CODES.get(attrs.mask, ""),
                "gender": attrs.gender,
                "hat": "",
                "age": attrs.age,
                "glasses": attrs.glasses,
                "feature_binary": feature_binary(record),
            },
            "recognize_face_pic_id": record.face_image_id,
            "score": record.score,
            "spot_pic_id": record.spot_image_id,
            "want_action": "0",
        },
        "gate_data": {},
        "grab_data": {},
        "video_data": video_data(record),
    }
