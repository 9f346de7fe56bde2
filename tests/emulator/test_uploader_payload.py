"""The seed 003 upload payload: fields, units, picture flags, and its JSON and form-data encodings."""

from __future__ import annotations

import base64
import email
import io
import json
from email.message import Message
from typing import Any

import numpy as np
import pytest
from PIL import Image

from conformance.emulator.faults.hooks import UPLOAD_CONFIG, UPLOAD_PAYLOAD, ActiveFaults
from conformance.emulator.model import Attributes, DeviceRecord, EventRecord, IdentityRecord
from conformance.emulator.render_upload import (
    UploadOptions,
    encode_form_data,
    encode_json,
    encode_payload,
    form_fields,
    upload_payload,
)
from conformance.emulator.render_ws import EventPictures
from conformance.emulator.uploader import UploadConfig
from conformance.spec.catalog import Profile, load_spec

DEVICE = DeviceRecord(
    "3f09148d-b736-48fb-a29f-95bb9d23ff51", "3ran", "192.168.1.100", "rtsp", "3", "rtsp://x/ch1"
)
TOM = IdentityRecord("13435454", "Tom", 1, "g1", "default_group", face_seed=9)
FEATURE = (np.ones(512, dtype=np.float32) / np.sqrt(512)).astype(np.float32)
PICTURES = EventPictures()
NO_PICTURES = UploadOptions(False, False, False, dev_sno="SNO-1")


def record(identity: IdentityRecord | None = TOM, mask: str = "yes", out_ms: int = 0) -> EventRecord:
    return EventRecord(
        event_id="1602612036150001",
        ts_ms=1_602_612_036_150,
        device=DEVICE,
        identity=identity,
        person_type=identity.person_type if identity else 4,
        score=6.58,
        face_seed=9,
        face_variant=2,
        attributes=Attributes(gender="male", age="youth", mask=mask, glasses="no"),
        box=(1261.0, 31.0, 1375.0, 176.0),
        point=(1293.0, 1343.0, 1318.0, 1296.0, 1339.0, 82.0, 84.0, 114.0, 140.0, 141.0),
        feature=FEATURE,
        out_ts_ms=out_ms,
    )


def is_jpeg(text: str) -> bool:
    raw = base64.b64decode(text, validate=True)
    with Image.open(io.BytesIO(raw)) as image:
        return image.format == "JPEG"


@pytest.mark.parametrize("options", [NO_PICTURES, UploadOptions(dev_sno="SNO-1")])
def test_the_payload_of_a_matched_person_satisfies_the_strict_schema(options: UploadOptions) -> None:
    assert (
        load_spec(Profile.STRICT).validate("upload-payload", upload_payload(record(), options, PICTURES))
        == []
    )


def test_the_payload_of_a_stranger_satisfies_the_schema() -> None:
    # Lenient: E23 decides identity_info {} for strangers under strict too, but common.json's
    # identity_info_v1 still requires face_ids/image_id under strict (reported to the schema owner).
    payload = upload_payload(record(identity=None), UploadOptions(), PICTURES)
    assert load_spec(Profile.LENIENT).validate("upload-payload", payload) == []
    assert all(
        f.instance_path == "/identity_info"
        for f in load_spec(Profile.STRICT).validate("upload-payload", payload)
    )


def test_the_payload_carries_ms_timestamps_api_version_and_the_device() -> None:
    payload = upload_payload(record(out_ms=1_602_612_038_610), NO_PICTURES, PICTURES)
    assert payload["timestamp"] == 1_602_612_036_150 and isinstance(payload["timestamp"], int)
    assert payload["out_timestamp"] == 1_602_612_038_610
    assert payload["api_version"] == "1.0" and payload["dev_sno"] == "SNO-1"
    assert payload["want_action"] == "0" and payload["person_type"] == 1
    assert payload["identity_info"] == {"face_ids": ["reg_13435454"], "image_id": "reg_13435454"}
    assert payload["ep_info"] == {
        "ep_id": "rtsp://x/ch1",
        "ep_type": "rtsp",
        "ep_ip": "192.168.1.100",
        "ep_name": "3ran",
        "device_id": DEVICE.device_id,
    }
    attr = payload["recognize_face_attr"]
    assert attr["mask"] == "1" and attr["age"] == "youth" and len(attr["feature"]) == 512
    assert attr["box"] == [1261.0, 31.0, 1375.0, 176.0]


def test_out_timestamp_defaults_to_the_event_time() -> None:
    assert upload_payload(record(), NO_PICTURES, PICTURES)["out_timestamp"] == 1_602_612_036_150


@pytest.mark.parametrize(("mask", "code"), [("no", "0"), ("yes", "1"), ("", "")])
def test_mask_travels_as_an_upload_code(mask: str, code: str) -> None:
    assert upload_payload(record(mask=mask), NO_PICTURES, PICTURES)["recognize_face_attr"]["mask"] == code


def test_a_stranger_has_empty_identity_fields() -> None:
    payload = upload_payload(record(identity=None), UploadOptions(), PICTURES)
    assert payload["identity_id"] == "" and payload["identity_name"] == ""
    assert payload["identity_info"] == {} and payload["person_type"] == 4
    assert payload["reg_pic"] == ""  # nobody's registration photo
    assert is_jpeg(payload["spot_pic"]) and is_jpeg(payload["recognize_face"])


@pytest.mark.parametrize("flag", ["need_reg_pic", "need_spot_pic", "need_recognize_face"])
def test_each_picture_follows_its_own_flag(flag: str) -> None:
    field = {"need_reg_pic": "reg_pic", "need_spot_pic": "spot_pic", "need_recognize_face": "recognize_face"}
    options = UploadOptions(
        need_reg_pic=flag == "need_reg_pic",
        need_spot_pic=flag == "need_spot_pic",
        need_recognize_face=flag == "need_recognize_face",
    )
    payload = upload_payload(record(), options, PICTURES)
    assert is_jpeg(payload[field[flag]])
    assert [payload[v] for f, v in field.items() if f != flag] == ["", ""]


def test_payload_faults_change_what_a_receiver_sees() -> None:
    faults = ActiveFaults(
        ["upload-seconds-timestamps", "upload-missing-api-version", "upload-pictures-ignore-flags"]
    )
    event = record()
    plain = upload_payload(event, NO_PICTURES, PICTURES)
    faulty = faults.apply(UPLOAD_PAYLOAD, plain, record=event, pictures=PICTURES)
    assert faulty["timestamp"] == pytest.approx(1_602_612_036.15)
    assert "api_version" not in faulty
    assert is_jpeg(faulty["reg_pic"])
    assert load_spec(Profile.STRICT).validate("upload-payload", faulty) != []


def _multipart(body: bytes, content_type: str) -> dict[str, str]:
    message = email.message_from_bytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    fields: dict[str, str] = {}
    for part in message.get_payload():
        assert isinstance(part, Message)
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        assert isinstance(name, str) and isinstance(payload, bytes)
        fields[name] = payload.decode("utf-8")
    return fields


def test_form_data_is_multipart_with_one_string_field_per_key() -> None:
    payload = upload_payload(record(), UploadOptions(dev_sno="SNO-1"), PICTURES)
    body, content_type = encode_form_data(payload)
    assert content_type.startswith("multipart/form-data; boundary=")
    fields = _multipart(body, content_type)
    assert fields == form_fields(payload)
    assert fields["timestamp"] == "1602612036150" and fields["person_type"] == "1"
    assert json.loads(fields["ep_info"]) == payload["ep_info"]
    assert json.loads(fields["recognize_face_attr"]) == payload["recognize_face_attr"]
    assert load_spec(Profile.STRICT).validate("upload-form-fields", fields) == []


def test_encode_payload_picks_the_configured_encoding_unless_the_fault_is_on() -> None:
    payload: dict[str, Any] = {"a": {"b": 1}}
    assert encode_payload(payload, "json")[1] == "application/json"
    assert encode_payload(payload, "form-data")[1].startswith("multipart/form-data")
    faults = ActiveFaults(["upload-form-sends-json"])
    config = faults.apply(UPLOAD_CONFIG, UploadConfig(content_type="form-data"))
    assert encode_payload(payload, config.content_type)[1] == "application/json"
    assert json.loads(encode_json(payload)[0]) == payload
