"""GET /SophonDevice/api/Devices and GET/POST /SophonFogSys/api/HistoryEventUrl (JSON and form data)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.emulator.conftest import TIMEOUT, Box

HISTORY = "/SophonFogSys/api/HistoryEventUrl"
GOOD = {
    "history_upload_event_url": ["http://127.0.0.1:9528/HistoryEvent"],
    "content-type": "form-data",
    "reported_peroid": 30,
    "history_need_spot_pic": False,
}


def test_devices_list_one_and_preview(seeded: Box) -> None:
    url = f"{seeded.url}/SophonDevice/api/Devices"
    data = seeded.session.get(url, timeout=TIMEOUT).json()["data"]
    assert [d["device_id"] for d in data["devices_list"]] == ["cam-a", "cam-b", "cam-c"]
    assert "preview_list" not in data
    one = seeded.session.get(url, params={"device_id": "cam-b", "need_preview_list": "True"}, timeout=TIMEOUT)
    body = one.json()["data"]
    assert [d["device_type"] for d in body["devices_list"]] == ["photo"]
    assert body["preview_list"]["preview_list"] == ["cam-b"]
    missing = seeded.session.get(url, params={"device_id": "ghost"}, timeout=TIMEOUT)
    assert missing.status_code == 404 and missing.json()["error"]["status"] == "DEVICE_ID_NOT_FOUND"
    bad = seeded.session.get(url, params={"need_preview_list": "maybe"}, timeout=TIMEOUT)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == 400


def test_history_defaults_then_json_roundtrip(box: Box) -> None:
    current = box.session.get(box.url + HISTORY, timeout=TIMEOUT).json()["data"]
    assert current["history_upload_event_url"] == [] and current["history_need_reg_pic"] is True
    answer = box.session.post(box.url + HISTORY, json=GOOD, timeout=TIMEOUT)
    assert answer.status_code == 200, answer.text
    stored = box.session.get(box.url + HISTORY, timeout=TIMEOUT).json()["data"]
    for key, value in GOOD.items():
        assert stored[key] == value
    assert stored["history_need_reg_pic"] is True


@pytest.mark.parametrize("encoding", ["repeated", "comma", "json"])
def test_history_form_data(box: Box, encoding: str) -> None:
    urls = ["http://127.0.0.1:9528/HistoryEvent", "https://example.test/api/SophonFogHistoryEvent"]
    fields: list[tuple[str, Any]] = [("content-type", (None, "json")), ("reported_peroid", (None, "60"))]
    fields.append(("history_need_reg_pic", (None, "false")))
    if encoding == "repeated":
        fields += [("history_upload_event_url", (None, u)) for u in urls]
    elif encoding == "comma":
        fields.append(("history_upload_event_url", (None, ",".join(urls))))
    else:
        fields.append(("history_upload_event_url", (None, json.dumps(urls))))
    response = box.session.post(box.url + HISTORY, files=fields, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["history_upload_event_url"] == urls and data["history_need_reg_pic"] is False


@pytest.mark.parametrize(
    ("body", "status", "code", "key"),
    [
        (
            {**GOOD, "history_upload_event_url": ["ftp://x/y"]},
            400,
            "INVALID_ARGUMENTS",
            "history_upload_event_url",
        ),
        ({**GOOD, "history_upload_event_url": [5]}, 400, "INVALID_ARGUMENTS", "history_upload_event_url"),
        ({**GOOD, "content-type": "xml"}, 400, "INVALID_ARGUMENTS", "content-type"),
        ({**GOOD, "reported_peroid": "often"}, 400, "INVALID_ARGUMENTS", "reported_peroid"),
        ({**GOOD, "history_need_reg_pic": "yes"}, 400, "INVALID_ARGUMENTS", "history_need_reg_pic"),
        ({k: v for k, v in GOOD.items() if k != "content-type"}, 400, "MISSING_ARGUMENTS", "content-type"),
    ],
)
def test_history_bad_json(box: Box, body: dict[str, Any], status: int, code: str, key: str) -> None:
    response = box.session.post(box.url + HISTORY, json=body, timeout=TIMEOUT)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == status and error["status"] == code and error["message"].startswith(key)


def test_history_bad_content(box: Box) -> None:
    response = box.session.post(
        box.url + HISTORY, data=b"x", headers={"Content-Type": "text/xml"}, timeout=TIMEOUT
    )
    assert response.status_code == 415 and response.json()["error"]["status"] == "UNSUPPORT_CONTENT_TYPE"
    response = box.session.post(
        box.url + HISTORY, data=b"{no", headers={"Content-Type": "application/json"}, timeout=TIMEOUT
    )
    assert response.status_code == 400 and response.json()["error"]["status"] == "INVALID_REQUEST_JSON"
    broken = b'--xx\r\nContent-Disposition: form-data; name="a"\r\n\r\nv'
    response = box.session.post(
        box.url + HISTORY,
        data=broken,
        headers={"Content-Type": "multipart/form-data; boundary=xx"},
        timeout=TIMEOUT,
    )
    assert 400 <= response.status_code < 500


def test_version_service(emulator: Any) -> None:
    import requests

    body = requests.post(
        f"{emulator.version_url}/sophon/v2/system/getsoftwareversion", timeout=TIMEOUT
    ).json()
    assert set(body) == {"nnsdk_version", "app_gate_version", "app_version_details"}
