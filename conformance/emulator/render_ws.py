"""Render a stored event as the seed 004 WebSocket push message (and the base64 pictures it may carry).

Decisions (docs/emulator.md): `timestamp` integer ms (E13); `event_id` and `video_id` always
present, `video_id` being the device id — seed 001 calls device ids "streams" (E14);
`ext_data.device_type` a string code (E15); `need_face` governs both on-site pictures
(`ext_data.recognize_face`, `ext_data.spot_pic`), `need_register` governs `reg_pic`; a picture not
asked for (or not existing, e.g. a stranger's registration photo) is sent as "" like the example.
"""

from __future__ import annotations

import base64
import functools
import json
from typing import Any

from conformance.emulator.faults.hooks import NO_FAULTS, WS_PUSH, FaultHooks
from conformance.emulator.model import EventRecord

REGISTER_PHOTO_VARIANT = 0
PICTURE_CACHE_SIZE = 256


class EventPictures:
    """Base64 JPEGs of an event's pictures, rendered by the faces package and cached by (seed, variant)."""

    @staticmethod
    @functools.lru_cache(maxsize=PICTURE_CACHE_SIZE)
    def _face(face_seed: int, variant: int) -> str:
        from conformance.emulator.faces import render_face_jpeg

        return base64.b64encode(render_face_jpeg(face_seed, variant)).decode("ascii")

    @staticmethod
    @functools.lru_cache(maxsize=PICTURE_CACHE_SIZE)
    def _spot(face_seed: int, variant: int) -> str:
        from conformance.emulator.faces import render_spot_jpeg

        return base64.b64encode(render_spot_jpeg(face_seed, variant)).decode("ascii")

    def register_pic(self, record: EventRecord) -> str:
        """The matched identity's registration photo; "" for a stranger."""
        if record.identity is None:
            return ""
        return self._face(record.identity.face_seed, REGISTER_PHOTO_VARIANT)

    def face_pic(self, record: EventRecord) -> str:
        """The face crop seen by the camera."""
        return self._face(record.face_seed, record.face_variant)

    def spot_pic(self, record: EventRecord) -> str:
        """The whole camera frame."""
        return self._spot(record.face_seed, record.face_variant)


def identity_info(record: EventRecord) -> dict[str, Any]:
    """Registration info of the matched identity ({} for strangers), limited to the documented keys."""
    if record.identity is None:
        return {}
    image_id = record.register_image_id
    return {"face_ids": [image_id], "image_id": image_id}


def group_name(record: EventRecord) -> str:
    """The group name, or the group id when the group has no name (seed 004)."""
    if record.identity is None:
        return ""
    return record.identity.group_name or record.identity.group_id


def ws_message(
    record: EventRecord, need_face: bool, need_register: bool, pictures: EventPictures
) -> dict[str, Any]:
    """The push message as a dict, with pictures only as the flags ask."""
    return {
        "event_id": record.event_id,
        "video_id": record.device_id,
        "identity_id": record.identity_id,
        "device_id": record.device_id,
        "identity_info": identity_info(record),
        "identity_name": record.identity_name,
        "group_name": group_name(record),
        "reg_pic": pictures.register_pic(record) if need_register else "",
        "timestamp": record.ts_ms,
        "score": record.score,
        "ext_data": {
            "device_ip": record.device.device_ip,
            "recognize_face": pictures.face_pic(record) if need_face else "",
            "spot_pic": pictures.spot_pic(record) if need_face else "",
            "person_type": record.person_type,
            "device_type": record.device.ws_device_type,
        },
    }


class EventRecordWsRenderer:
    """The WsRenderer of the emulator: EventRecord → JSON text."""

    def __init__(self, pictures: EventPictures | None = None, faults: FaultHooks = NO_FAULTS) -> None:
        self._pictures = pictures or EventPictures()
        self._faults = faults

    def device_id(self, record: EventRecord) -> str:
        """The device events are filtered by (`event_list`)."""
        return record.device_id

    def render(self, record: EventRecord, need_face: bool, need_register: bool) -> str:
        """The message text sent to every client with these flags (after the `ws.push` hook point)."""
        message = ws_message(record, need_face, need_register, self._pictures)
        message = self._faults.apply(WS_PUSH, message, record=record)
        return json.dumps(message, ensure_ascii=False, separators=(",", ":"))
