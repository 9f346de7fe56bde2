"""Render a stored event as the seed 003 upload payload and encode it as JSON or multipart form-data.

Decisions (docs/emulator.md): `timestamp` and `out_timestamp` integer ms (E11); a stranger's
`identity_id` and `identity_name` are "" (E12); pictures follow `history_need_reg_pic`,
`history_need_spot_pic`, `history_need_recognize_face` and are "" when off (as the example);
`recognize_face_attr.mask` is "0" no mask, "1" mask, "" unknown (E16; "2" is never produced);
`api_version` "1.0".
Form-data: every field is a string; dicts and lists are JSON text; numbers in decimal.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from conformance.emulator.model import EventRecord
from conformance.emulator.render_ws import EventPictures, identity_info

API_VERSION = "1.0"
MASK_CODES = {"no": "0", "yes": "1"}
CONTENT_JSON = "json"
CONTENT_FORM = "form-data"


@dataclass(frozen=True)
class UploadOptions:
    """The HistoryEventUrl flags that shape one payload (reference history-event-url-config)."""

    need_reg_pic: bool = True
    need_spot_pic: bool = True
    need_recognize_face: bool = True
    dev_sno: str = ""


def _recognize_face_attr(record: EventRecord) -> dict[str, Any]:
    attributes = record.attributes
    return {
        "point": [float(p) for p in record.point],
        "age": attributes.age,
        "mask": MASK_CODES.get(attributes.mask, ""),
        "gender": attributes.gender,
        "glasses": attributes.glasses,
        "feature": [float(x) for x in record.feature.tolist()],
        "box": [float(b) for b in record.box],
        "hat": "",
    }


def _ep_info(record: EventRecord) -> dict[str, str]:
    device = record.device
    return {
        "ep_id": device.device_key or device.device_id,
        "ep_type": device.device_type,
        "ep_ip": device.device_ip,
        "ep_name": device.device_name,
        "device_id": device.device_id,
    }


def upload_payload(record: EventRecord, options: UploadOptions, pictures: EventPictures) -> dict[str, Any]:
    """The seed 003 payload for one event."""
    out_ms = record.out_ts_ms or record.ts_ms
    return {
        "identity_id": record.identity_id,
        "identity_name": record.identity_name,
        "identity_info": identity_info(record),
        "timestamp": record.ts_ms,
        "score": record.score,
        "want_action": "0",
        "reg_pic": pictures.register_pic(record) if options.need_reg_pic else "",
        "spot_pic": pictures.spot_pic(record) if options.need_spot_pic else "",
        "recognize_face": pictures.face_pic(record) if options.need_recognize_face else "",
        "person_type": record.person_type,
        "out_timestamp": out_ms,
        "ep_info": _ep_info(record),
        "dev_sno": options.dev_sno,
        "recognize_face_attr": _recognize_face_attr(record),
        "api_version": API_VERSION,
    }


def _form_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def form_fields(payload: dict[str, Any]) -> dict[str, str]:
    """Every payload field as a string: dicts and lists as JSON text, numbers in decimal."""
    return {key: _form_value(value) for key, value in payload.items()}


def encode_json(payload: dict[str, Any]) -> tuple[bytes, str]:
    """(body, Content-Type) of the JSON form of a payload."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return body, "application/json"


def encode_form_data(payload: dict[str, Any], boundary: str | None = None) -> tuple[bytes, str]:
    """(body, Content-Type) of the multipart/form-data form of a payload: one text part per field."""
    boundary = boundary or f"sophon-{uuid.uuid4().hex}"
    parts: list[bytes] = []
    for name, value in form_fields(payload).items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode("utf-8")
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def encode_payload(payload: dict[str, Any], content_type: str) -> tuple[bytes, str]:
    """Encode as the HistoryEventUrl `content-type` asks ("json" or "form-data")."""
    if content_type == CONTENT_FORM:
        return encode_form_data(payload)
    return encode_json(payload)
