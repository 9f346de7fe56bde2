"""POST /sophon/v2/face/getevents, getevent, getspotimage and login against a small known dataset."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tests.emulator.conftest import BASE_MS, Box

NEWEST_FIRST = ["e07", "e06", "e05", "e04", "e03", "e02", "e01"]


def test_defaults_first_page_newest_first_with_event_id_tie_break(seeded: Box) -> None:
    response = seeded.v2("getevents", {})
    body = response.json()
    assert response.status_code == 200
    assert [e["event_id"] for e in body["events"]] == NEWEST_FIRST
    assert body["pagination"] == {"page_index": 0, "page_limit": 10, "total_count": 7}


def test_paging_is_zero_based_and_stable(seeded: Box) -> None:
    pages = [seeded.ids_v2({"page_limit": 3, "page_index": i}) for i in range(3)]
    assert pages == [NEWEST_FIRST[0:3], NEWEST_FIRST[3:6], NEWEST_FIRST[6:]]
    assert seeded.ids_v2({"page_limit": 3, "page_index": 1}) == pages[1]


def test_page_past_the_end_is_empty_with_true_total(seeded: Box) -> None:
    body = seeded.v2("getevents", {"page_limit": 5, "page_index": 9}).json()
    assert body["events"] == []
    assert body["pagination"] == {"page_index": 9, "page_limit": 5, "total_count": 7}


def test_integer_valued_float_is_an_integer(seeded: Box) -> None:
    body = seeded.v2("getevents", {"page_limit": 2.0, "page_index": 1.0}).json()
    assert body["pagination"]["page_limit"] == 2
    assert [e["event_id"] for e in body["events"]] == NEWEST_FIRST[2:4]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"datetime_gte": BASE_MS + 3000}, ["e07", "e06", "e05", "e04"]),
        ({"datetime_lte": BASE_MS + 1000}, ["e02", "e01"]),
        ({"datetime_gte": BASE_MS + 1000, "datetime_lte": BASE_MS + 1000}, ["e02"]),
        ({"datetime_gte": BASE_MS + 1000.5}, ["e07", "e06", "e05", "e04", "e03"]),
        ({"score_min": 85.5}, ["e05", "e02", "e01"]),
        ({"score_max": 82}, ["e06", "e04", "e03"]),
        ({"score_min": 82, "score_max": 83}, ["e07", "e04"]),
        ({"identity_name": "Wang"}, ["e05", "e01"]),  # case-sensitive: "carol wang" does not match
        ({"identity_name": "wang"}, ["e04"]),
        ({"identity_name": ""}, NEWEST_FIRST),
        ({"identity_id": "p-bob"}, ["e07", "e02"]),
        ({"identity_id": "p-bo"}, []),
        ({"user_type": "VIP"}, ["e07", "e02"]),
        ({"user_type": "stranger"}, ["e06", "e03"]),
        ({"user_type": "Employee"}, ["e05", "e01"]),
        ({"media_device_ids": ["cam-b", "cam-c"]}, ["e07", "e05", "e04", "e03"]),
        ({"media_device_ids": []}, NEWEST_FIRST),
        ({"media_device_ids": ["nope"]}, []),
        ({"unknown_key": 1}, NEWEST_FIRST),
    ],
)
def test_filters(seeded: Box, filters: dict[str, Any], expected: list[str]) -> None:
    body = seeded.v2("getevents", {"filters": filters}).json()
    assert [e["event_id"] for e in body["events"]] == expected
    assert body["pagination"]["total_count"] == len(expected)


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ({"page_limit": "10"}, "page_limit"),
        ({"page_limit": 2.5}, "page_limit"),
        ({"page_limit": True}, "page_limit"),
        ({"page_limit": 0}, "page_limit"),
        ({"page_limit": 1001}, "page_limit"),
        ({"page_index": -1}, "page_index"),
        ({"page_index": None}, "page_index"),
        ({"filters": []}, "filters"),
        ({"filters": None}, "filters"),
        ({"filters": {"datetime_gte": "1607430334"}}, "datetime_gte"),
        ({"filters": {"datetime_lte": -5}}, "datetime_lte"),
        ({"filters": {"identity_name": 5}}, "identity_name"),
        ({"filters": {"identity_id": ["x"]}}, "identity_id"),
        ({"filters": {"score_min": "80"}}, "score_min"),
        ({"filters": {"score_max": False}}, "score_max"),
        ({"filters": {"user_type": "manager"}}, "user_type"),
        ({"filters": {"media_device_ids": "cam-a"}}, "media_device_ids"),
        ({"filters": {"media_device_ids": [1]}}, "media_device_ids"),
    ],
)
def test_bad_arguments_name_the_key(seeded: Box, body: dict[str, Any], key: str) -> None:
    response = seeded.v2("getevents", body)
    assert response.status_code == 400
    assert response.json() == {"error": {"code": "INVALID_ARGUMENTS", "message": key}}


@pytest.mark.parametrize(
    ("data", "content_type", "status", "code"),
    [
        (b"{not json", "application/json", 400, "INVALID_REQUEST_JSON"),
        (b"[1, 2]", "application/json", 400, "INVALID_REQUEST_JSON"),
        (b'{"page_limit": NaN}', "application/json", 400, "INVALID_REQUEST_JSON"),
        (b"", "application/json", 400, "EMPTY_REQUEST_JSON"),
        (b"  ", "application/json; charset=utf-8", 400, "EMPTY_REQUEST_JSON"),
        (b"{}", "text/plain", 415, "UNSUPPORT_CONTENT_TYPE"),
        (b"page_limit=10", "application/x-www-form-urlencoded", 415, "UNSUPPORT_CONTENT_TYPE"),
        (b"\xff\xfe", "application/json", 400, "INVALID_REQUEST_JSON"),
    ],
)
def test_bad_bodies(box: Box, data: bytes, content_type: str, status: int, code: str) -> None:
    response = box.v2("getevents", data=data, headers={"Content-Type": content_type})
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_charset_parameter_is_accepted(seeded: Box) -> None:
    response = seeded.v2("getevents", data=b"{}", headers={"Content-Type": "application/json; charset=UTF-8"})
    assert response.status_code == 200


def test_body_over_20_mb_is_refused_with_413(box: Box) -> None:
    big = b'{"x": "' + b"a" * (20 * 1024 * 1024) + b'"}'
    response = box.v2("getevents", data=big, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "INVALID_ARGUMENTS"


def test_body_just_under_the_limit_is_read(box: Box) -> None:
    body = b'{"x": "' + b"a" * (1024 * 1024) + b'"}'
    response = box.v2("getevents", data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 200


def test_event_shape_strict_reading(seeded: Box) -> None:
    event = seeded.v2("getevent", {"event_id": "e01"}).json()
    assert event["timestamp"] == BASE_MS and isinstance(event["timestamp"], int)
    assert event["user_type"] == "employee"
    assert event["identity_name"] == "Alice Wang"
    assert event["media_device_info"]["media_device_id"] == "cam-a"
    attrs = event["recognize_face_attr"]
    assert "expression" not in attrs
    assert all(isinstance(attrs[k], str) for k in ("mask", "gender", "hat", "age", "glasses"))
    assert len(base64.b64decode(attrs["feature_binary"])) == 2048
    assert isinstance(event["ext_data"]["recognition_timestamp"], int)
    stranger = seeded.v2("getevent", {"event_id": "e03"}).json()
    assert stranger["identity_id"] == "" and stranger["user_type"] == "stranger"
    assert stranger["register_image_id"] == ""


@pytest.mark.parametrize(
    ("body", "status", "code", "message"),
    [
        ({}, 400, "MISSING_ARGUMENTS", "event_id"),
        ({"event_id": 5}, 400, "INVALID_ARGUMENTS", "event_id"),
        ({"event_id": "missing"}, 404, "ID_NOT_FOUND", "missing"),
    ],
)
def test_getevent_errors(seeded: Box, body: dict[str, Any], status: int, code: str, message: str) -> None:
    response = seeded.v2("getevent", body)
    assert response.status_code == status
    assert response.json() == {"error": {"code": code, "message": message}}


def test_getspotimage(seeded: Box) -> None:
    event = seeded.v2("getevent", {"event_id": "e02"}).json()
    url = f"{seeded.url}/sophon/v2/face/getspotimage/"
    for image_id in (event["spot_image_id"], event["recognize_face_image_id"]):
        for ts in (event["timestamp"], event["timestamp"] / 1000):
            response = seeded.session.get(url + image_id, params={"timestamp": ts}, timeout=10)
            assert response.status_code == 200
            assert response.headers["content-type"] == "image/jpeg"
            assert response.content[:2] == b"\xff\xd8"
    cases: list[tuple[str, dict[str, Any], int, str]] = [
        (event["spot_image_id"], {}, 400, "MISSING_ARGUMENTS"),
        (event["spot_image_id"], {"timestamp": "soon"}, 400, "INVALID_ARGUMENTS"),
        (event["spot_image_id"], {"timestamp": 1_000_000_000}, 404, "ID_NOT_FOUND"),
        ("nope_spot", {"timestamp": event["timestamp"]}, 404, "ID_NOT_FOUND"),
        ("random", {"timestamp": event["timestamp"]}, 404, "ID_NOT_FOUND"),
    ]
    for image_id, params, status, code in cases:
        response = seeded.session.get(url + image_id, params=params, timeout=10)
        assert response.status_code == status, (image_id, params)
        assert response.json()["error"]["code"] == code


def test_login(box: Box) -> None:
    assert box.v2("login", {"username": "admin", "password": "admin"}).json() == {"result": True}
    wrong = box.v2("login", {"username": "admin", "password": "x"})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "PASSWORD_ERROR"
    missing = box.v2("login", {"username": "admin"})
    assert missing.json() == {"error": {"code": "MISSING_ARGUMENTS", "message": "password"}}


def test_wrong_method_and_unknown_path_use_the_v2_envelope(box: Box) -> None:
    response = box.session.get(f"{box.url}/sophon/v2/face/getevents", timeout=10)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert isinstance(response.json()["error"]["code"], str)
    response = box.session.post(f"{box.url}/sophon/v2/face/nothing", json={}, timeout=10)
    assert response.status_code == 404
