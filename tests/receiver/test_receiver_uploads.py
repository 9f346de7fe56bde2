"""Uploads as JSON and form-data are decoded to the JSON shape, judged, and on disk before the 200."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import requests

from conformance.receiver.server import RunningReceiver

from .conftest import GOOD_UPLOAD, read_log

TIMEOUT = 10


def _form_fields(payload: dict[str, object]) -> dict[str, tuple[None, str]]:
    """Form-data as a box sends it: every value as text, nested objects as JSON text."""
    return {
        key: (None, value if isinstance(value, str) else json.dumps(value)) for key, value in payload.items()
    }


def test_json_upload_is_logged_before_the_200(receiver: RunningReceiver, log_path: Path) -> None:
    for number in range(5):
        response = requests.post(
            receiver.url, json={**GOOD_UPLOAD, "identity_id": str(number)}, timeout=TIMEOUT
        )
        assert response.status_code == 200
        seq = response.json()["seq"]
        # the 200 has arrived: the line must already be in the file
        records = {record["seq"]: record for record in read_log(log_path)}
        assert records[seq]["payload"]["identity_id"] == str(number)
    record = read_log(log_path)[0]
    assert record["mode"] == "json" and record["valid"] is True and record["findings"] == []
    assert record["content_type"] == "application/json" and record["seq"] == 1
    assert isinstance(record["received_at"], float)


def test_multipart_form_is_decoded_into_the_json_shape(receiver: RunningReceiver, log_path: Path) -> None:
    response = requests.post(receiver.url, files=_form_fields(GOOD_UPLOAD), timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    record = read_log(log_path)[-1]
    assert record["mode"] == "form-data" and record["valid"] is True
    assert record["payload"] == GOOD_UPLOAD  # numbers are numbers again, nested dicts are dicts


def test_urlencoded_form_is_form_data_mode(receiver: RunningReceiver, log_path: Path) -> None:
    fields = {key: value for key, (_, value) in _form_fields(GOOD_UPLOAD).items()}
    response = requests.post(receiver.url, data=fields, timeout=TIMEOUT)
    assert response.status_code == 200
    assert read_log(log_path)[-1]["payload"] == GOOD_UPLOAD


def test_file_parts_become_base64_like_in_json(receiver: RunningReceiver, log_path: Path) -> None:
    picture = b"\xff\xd8\xff\xe0" + bytes(range(256))
    files: dict[str, Any] = {**_form_fields(GOOD_UPLOAD), "spot_pic": ("spot.jpg", picture, "image/jpeg")}
    assert requests.post(receiver.url, files=files, timeout=TIMEOUT).status_code == 200
    assert base64.b64decode(read_log(log_path)[-1]["payload"]["spot_pic"]) == picture


def test_form_values_that_are_not_the_declared_type_stay_text_and_fail(
    receiver: RunningReceiver, log_path: Path
) -> None:
    fields = _form_fields({**GOOD_UPLOAD, "timestamp": "1565771454.932"})
    response = requests.post(receiver.url, files=fields, timeout=TIMEOUT)
    assert response.status_code == 400
    body = response.json()
    assert body["findings"] == [
        {"instance_path": "/timestamp", "message": "must be an integer", "errata": ["E11"]}
    ]
    record = read_log(log_path)[-1]
    assert record["valid"] is False and record["payload"]["timestamp"] == "1565771454.932"
    assert record["seq"] == body["seq"]


def test_schema_invalid_json_is_logged_invalid_with_findings(
    receiver: RunningReceiver, log_path: Path
) -> None:
    response = requests.post(receiver.url, json={**GOOD_UPLOAD, "timestamp": 1565771454.932}, timeout=TIMEOUT)
    assert response.status_code == 400
    assert "1 schema finding(s)" in response.json()["error"]
    record = read_log(log_path)[-1]
    assert record["valid"] is False and record["findings"][0]["instance_path"] == "/timestamp"


def test_non_ascii_payload_round_trips(receiver: RunningReceiver, log_path: Path) -> None:
    upload = {
        **GOOD_UPLOAD,
        "identity_name": "张三",
        "ep_info": {**GOOD_UPLOAD["ep_info"], "ep_name": "门口"},
    }
    assert requests.post(receiver.url, json=upload, timeout=TIMEOUT).status_code == 200
    assert read_log(log_path)[-1]["payload"] == upload


def test_stats_count_by_verdict_and_mode(receiver: RunningReceiver) -> None:
    requests.post(receiver.url, json=GOOD_UPLOAD, timeout=TIMEOUT)
    requests.post(receiver.url, files=_form_fields(GOOD_UPLOAD), timeout=TIMEOUT)
    requests.post(receiver.url, json={"identity_id": 1}, timeout=TIMEOUT)
    stats = requests.get(f"{receiver.base_url}/_receiver/stats", timeout=TIMEOUT).json()
    assert stats["received"] == 3 and stats["valid"] == 2 and stats["invalid"] == 1
    assert stats["json"] == 2 and stats["form-data"] == 1
    assert stats["last_seq"] == 3 and stats["upload_path"] == "/HistoryEvent"


def test_other_paths_and_methods_are_not_uploads(receiver: RunningReceiver, log_path: Path) -> None:
    assert requests.post(f"{receiver.base_url}/Other", json=GOOD_UPLOAD, timeout=TIMEOUT).status_code == 404
    assert requests.get(receiver.url, timeout=TIMEOUT).status_code == 405
    assert not log_path.exists() or read_log(log_path) == []
