"""Faults of the uploads (seed 003): the payload's fields, identity and device info, and how deliveries are
repeated or dropped. Each fault carries its behaviour at the hook points."""

from __future__ import annotations

import base64
import dataclasses
import io
from collections.abc import Mapping
from typing import Any, Final

from PIL import Image

from conformance.emulator.faults import hooks
from conformance.emulator.faults.model import Family
from conformance.emulator.model import EventRecord
from conformance.emulator.render_ws import EventPictures
from conformance.emulator.uploader import UploadConfig

FAMILY: Final = Family("upload")

SEEDED: Final = "caught only by tests that store events through the control plane and watch the receiver"
OUT_BEFORE_MS: Final = 1_500  # the track entered this long before the recognition
DUPLICATE_STORM_COPIES: Final = 5
UPLOAD_JSON: Final = "(test_upload_payloads and json)"


def _seconds_timestamps(payload: dict[str, Any], **_: Any) -> dict[str, Any]:
    payload["timestamp"] = payload["timestamp"] / 1000.0
    payload["out_timestamp"] = payload["out_timestamp"] / 1000.0
    return payload


def _missing_api_version(payload: dict[str, Any], **_: Any) -> dict[str, Any]:
    del payload["api_version"]
    return payload


def _pictures_ignore_flags(
    payload: dict[str, Any], *, record: EventRecord, pictures: EventPictures, **_: Any
) -> dict[str, Any]:
    if payload["reg_pic"] == "":
        payload["reg_pic"] = pictures.register_pic(record)
    if payload["spot_pic"] == "":
        payload["spot_pic"] = pictures.spot_pic(record)
    if payload["recognize_face"] == "":
        payload["recognize_face"] = pictures.face_pic(record)
    return payload


def _stranger_generated_id(payload: dict[str, Any], *, record: EventRecord, **_: Any) -> dict[str, Any]:
    if record.identity is None:
        payload["identity_id"] = f"{record.ts_ms / 1000:.7f}"
    return payload


def _ep_type_file(payload: dict[str, Any], *, record: EventRecord, **_: Any) -> dict[str, Any]:
    if record.device.device_type == "rtsp":
        payload["ep_info"]["ep_type"] = "file"
    return payload


def _matched(payload: dict[str, Any]) -> bool:
    info = payload.get("identity_info")
    return isinstance(info, Mapping) and bool(info)


def _matched_info_empty(payload: dict[str, Any], **context: Any) -> dict[str, Any]:
    if _matched(payload):
        payload["identity_info"] = {}
    return payload


def _stranger_info_filled(payload: dict[str, Any], **_: Any) -> dict[str, Any]:
    if not _matched(payload):
        payload["identity_info"] = {"face_ids": [], "image_id": ""}
    return payload


def _out_before_timestamp(payload: dict[str, Any], **_: Any) -> dict[str, Any]:
    if isinstance(payload.get("timestamp"), int | float):
        payload["out_timestamp"] = payload["timestamp"] - OUT_BEFORE_MS
    return payload


def _ep_name_empty(payload: dict[str, Any], **_: Any) -> dict[str, Any]:
    if isinstance(payload.get("ep_info"), dict):
        payload["ep_info"]["ep_name"] = ""
    return payload


def _device_id_is_ip(payload: dict[str, Any], **_: Any) -> dict[str, Any]:
    if isinstance(payload.get("ep_info"), dict):
        payload["ep_info"]["device_id"] = payload["ep_info"].get("ep_ip", "")
    return payload


def _duplicate_storm(config: UploadConfig, **_: Any) -> UploadConfig:
    return dataclasses.replace(config, copies=DUPLICATE_STORM_COPIES)


def _lost_when_down(config: UploadConfig, **_: Any) -> UploadConfig:
    return dataclasses.replace(config, retry_failed=False)


FAMILY.fault(
    "upload-seconds-timestamps",
    "uploads",
    "uploads carry timestamp and out_timestamp as float seconds where integer ms is due",
    ("UP-TIME-001", "UP-TIME-002"),
    {hooks.UPLOAD_PAYLOAD: _seconds_timestamps},
    caught_by=UPLOAD_JSON,
)
FAMILY.fault(
    "upload-missing-api-version",
    "uploads",
    "uploads are sent without the required api_version",
    ("UP-SCHEMA-023",),
    {hooks.UPLOAD_PAYLOAD: _missing_api_version},
    caught_by=UPLOAD_JSON,
    quick=True,
)
FAMILY.fault(
    "upload-pictures-ignore-flags",
    "uploads",
    "uploads carry every picture whatever the history_need_* flags say",
    ("UP-UPLOAD-007", "UP-UPLOAD-008", "UP-UPLOAD-009"),
    {hooks.UPLOAD_PAYLOAD: _pictures_ignore_flags},
    caught_by="test_upload_pictures_follow_the_flags and off",
)
FAMILY.fault(
    "upload-stranger-generated-id",
    "uploads",
    'uploads of a stranger carry a generated identity_id (like "1602612036.3828533") instead of ""',
    ("UP-SCHEMA-001",),
    {hooks.UPLOAD_PAYLOAD: _stranger_generated_id},
    caught_by=UPLOAD_JSON,
)
FAMILY.fault(
    "upload-ep-type-file",
    "uploads",
    'uploads give ep_info.ep_type "file" (the v2 vocabulary) for stream devices instead of "rtsp"',
    ("UP-SCHEMA-012",),
    {hooks.UPLOAD_PAYLOAD: _ep_type_file},
    caught_by=UPLOAD_JSON,
)
FAMILY.fault(
    "upload-matched-info-empty",
    "uploads",
    "uploads of matched persons carry identity_info {} (no face_ids, no image_id)",
    ("UP-SCHEMA-004", "UP-SCHEMA-005"),
    {hooks.UPLOAD_PAYLOAD: _matched_info_empty},
    caught_by="test_upload_identity_info_follows_the_match",
)
FAMILY.fault(
    "upload-stranger-info-filled",
    "uploads",
    'uploads of strangers carry identity_info {"face_ids": [], "image_id": ""} instead of {}',
    ("UP-SCHEMA-003",),
    {hooks.UPLOAD_PAYLOAD: _stranger_info_filled},
    caught_by="test_upload_identity_info_follows_the_match",
)
FAMILY.fault(
    "upload-out-before-timestamp",
    "timestamps",
    "uploads carry the track's entry time as out_timestamp, 1.5 s before timestamp",
    ("UP-TIME-003",),
    {hooks.UPLOAD_PAYLOAD: _out_before_timestamp},
    caught_by="test_upload_out_timestamp_not_before_timestamp",
)
FAMILY.fault(
    "upload-ep-name-empty",
    "uploads",
    'uploads carry ep_info.ep_name "" instead of the producing device\'s name',
    ("UP-SCHEMA-013",),
    {hooks.UPLOAD_PAYLOAD: _ep_name_empty},
    caught_by="test_uploads_name_their_device",
)
FAMILY.fault(
    "upload-device-id-is-ip",
    "uploads",
    "uploads carry the camera's IP as ep_info.device_id instead of its device_id",
    ("UP-SCHEMA-014",),
    {hooks.UPLOAD_PAYLOAD: _device_id_is_ip},
    caught_by="test_uploads_name_their_device or test_live_upload_is_an_event_of_the_history",
)
FAMILY.fault(
    "upload-duplicate-storm",
    "uploads",
    "every acknowledged event is sent again several times",
    ("UP-UPLOAD-004",),
    {hooks.UPLOAD_CONFIG: _duplicate_storm},
    caught_by="test_every_stored_event_arrives",
)
FAMILY.fault(
    "upload-lost-when-down",
    "uploads",
    "an event whose delivery fails (receiver down, 5xx) is dropped instead of retried",
    ("UP-UPLOAD-002", "UP-UPLOAD-003"),
    {hooks.UPLOAD_CONFIG: _lost_when_down},
    caught_by="test_uploads_resume_after_the_receiver_was_down",
)


# -- faults only the live-upload checks catch (test_upload_live.py): uploads judged against the box's history
LIVE_TABLE: Final = "test_live_uploads_conform_to_the_table"
LIVE_IN_HISTORY: Final = "test_live_upload_is_an_event_of_the_history"
LIVE_AGREES: Final = "test_live_upload_agrees_with_its_history_event"
LIVE_SETTING: Final = "test_live_uploads_follow_the_setting"
LIVE_OUTAGE: Final = "test_live_uploads_survive_an_outage"
PICTURE_FIELDS: Final = ("reg_pic", "spot_pic", "recognize_face")


def _score_percent(payload: dict[str, Any], **_: Any) -> dict[str, Any]:
    if isinstance(payload.get("score"), int | float):
        payload["score"] = round(payload["score"] * 100, 4)
    return payload


def _person_type_employee(payload: dict[str, Any], *, record: EventRecord, **_: Any) -> dict[str, Any]:
    if record.identity is not None:
        payload["person_type"] = 1
    return payload


def _identity_id_is_name(payload: dict[str, Any], *, record: EventRecord, **_: Any) -> dict[str, Any]:
    if record.identity is not None:
        payload["identity_id"] = record.identity_name
    return payload


def _timestamp_whole_seconds(payload: dict[str, Any], *, record: EventRecord, **_: Any) -> dict[str, Any]:
    payload["timestamp"] = record.ts_ms // 1000 * 1000
    payload["out_timestamp"] = max(payload["timestamp"], int(payload.get("out_timestamp") or 0))
    return payload


def _png(value: str) -> str:
    """The same picture as base64 PNG (a decodable image, not the JPEG the table's pictures are)."""
    with Image.open(io.BytesIO(base64.b64decode(value))) as image:
        out = io.BytesIO()
        image.save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode("ascii")


def _pictures_png(payload: dict[str, Any], **_: Any) -> dict[str, Any]:
    for field in PICTURE_FIELDS:
        if isinstance(payload.get(field), str) and payload[field]:
            payload[field] = _png(payload[field])
    return payload


def _mask_inverted(payload: dict[str, Any], **_: Any) -> dict[str, Any]:
    attributes = payload.get("recognize_face_attr")
    if isinstance(attributes, dict) and attributes.get("mask") in ("0", "1"):
        attributes["mask"] = "1" if attributes["mask"] == "0" else "0"
    return payload


FAMILY.fault(
    "upload-score-percent",
    "uploads",
    "uploads carry the score on a 0-100 scale while the events query gives it on the stored scale",
    ("UP-UPLOAD-006",),
    {hooks.UPLOAD_PAYLOAD: _score_percent},
    caught_by=f"{LIVE_AGREES} and score",
)
FAMILY.fault(
    "upload-person-type-employee",
    "uploads",
    "uploads say person_type 1 (employee) for every matched person, whatever the history's user_type",
    ("UP-UPLOAD-006", "UP-SCHEMA-009"),
    {hooks.UPLOAD_PAYLOAD: _person_type_employee},
    caught_by=f"{LIVE_AGREES} and person_type",
)
FAMILY.fault(
    "upload-identity-id-is-name",
    "uploads",
    "uploads of matched persons carry the person's name as identity_id instead of the registered id",
    ("UP-UPLOAD-006", "UP-SCHEMA-001"),
    {hooks.UPLOAD_PAYLOAD: _identity_id_is_name},
    caught_by=f"{LIVE_AGREES} and identity",
)
FAMILY.fault(
    "upload-timestamp-whole-seconds",
    "timestamps",
    "uploads carry the event time cut to the whole second (still 13-digit ms), not the time it happened",
    ("UP-UPLOAD-006", "UP-TIME-001"),
    {hooks.UPLOAD_PAYLOAD: _timestamp_whole_seconds},
    caught_by=LIVE_IN_HISTORY,
)
FAMILY.fault(
    "upload-pictures-png",
    "uploads",
    "uploads carry their pictures as base64 PNG where the table's pictures are JPEG",
    ("UP-UPLOAD-008", "UP-UPLOAD-009"),
    {hooks.UPLOAD_PAYLOAD: _pictures_png},
    caught_by=f"{LIVE_SETTING} and form",
)
FAMILY.fault(
    "upload-mask-inverted",
    "uploads",
    'uploads give recognize_face_attr.mask "1" (mask) for an unmasked face and "0" for a masked one (E16)',
    ("UP-UPLOAD-006", "UP-SCHEMA-020"),
    {hooks.UPLOAD_PAYLOAD: _mask_inverted},
    caught_by=f"{LIVE_AGREES} and mask",
)


def _any_answer_acknowledges(acknowledged: bool, **_: Any) -> bool:
    return True  # reached only when the receiver answered: a 503 counts as delivered


FAMILY.fault(
    "upload-any-answer-acknowledges",
    "uploads",
    "any HTTP answer (503, 400) counts as delivered: uploads refused with 5xx are never retried",
    ("UP-UPLOAD-003", "UP-UPLOAD-002"),
    {hooks.UPLOAD_ANSWER: _any_answer_acknowledges},
    caught_by=LIVE_OUTAGE,
)


def _reg_pic_follows_spot_flag(config: UploadConfig, **_: Any) -> UploadConfig:
    options = dataclasses.replace(config.options, need_reg_pic=config.options.need_spot_pic)
    return dataclasses.replace(config, options=options)


FAMILY.fault(
    "upload-reg-pic-follows-spot-flag",
    "uploads",
    "uploads carry reg_pic only when history_need_spot_pic is true, whatever history_need_reg_pic says",
    ("UP-UPLOAD-007", "UPC-CONFIG-004"),
    {hooks.UPLOAD_CONFIG: _reg_pic_follows_spot_flag},
    caught_by="test_upload_pictures_follow_the_flags and mixed",
)
