"""GET /SophonFace/api/events (seed 001): seconds, top_k, num_pages, E05 list encodings, v1 error envelope."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator.conftest import BASE_MS, Box

NEWEST_FIRST = ["e07", "e06", "e05", "e04", "e03", "e02", "e01"]
BASE_S = BASE_MS / 1000


def test_defaults_and_pagination(seeded: Box) -> None:
    body = seeded.v1(None).json()
    assert [e["_id"] for e in body["data"]] == NEWEST_FIRST
    assert body["pagination"] == {"num_pages": 1, "page": 0, "per_page": 10, "total_count": 7}


def test_num_pages_is_ceiling_and_pages_partition(seeded: Box) -> None:
    body = seeded.v1({"per_page": 3, "page": 2}).json()
    assert body["pagination"] == {"num_pages": 3, "page": 2, "per_page": 3, "total_count": 7}
    pages = [seeded.ids_v1({"per_page": "3.0", "page": p}) for p in range(4)]
    assert pages == [NEWEST_FIRST[0:3], NEWEST_FIRST[3:6], NEWEST_FIRST[6:], []]


def test_top_k_caps_total_before_paging(seeded: Box) -> None:
    body = seeded.v1({"top_k": 4, "per_page": 3, "page": 1}).json()
    assert body["pagination"]["total_count"] == 4
    assert body["pagination"]["num_pages"] == 2
    assert [e["_id"] for e in body["data"]] == ["e04"]
    assert seeded.v1({"top_k": 100}).json()["pagination"]["total_count"] == 7


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"datetime_gte": BASE_S + 3}, ["e07", "e06", "e05", "e04"]),
        ({"datetime_gte": int(BASE_S) + 3}, ["e07", "e06", "e05", "e04"]),
        ({"datetime_lte": BASE_S + 1}, ["e02", "e01"]),
        ({"datetime_gte": BASE_S + 1, "datetime_lte": BASE_S + 1}, ["e02"]),
        ({"datetime_gte": BASE_S + 1.0005}, ["e07", "e06", "e05", "e04", "e03"]),
        ({"name": "Wang"}, ["e05", "e01"]),
        ({"identity_id": "p-alice"}, ["e05", "e01"]),
        ({"score_min": 85.5, "score_max": 95}, ["e02", "e01"]),
        ({"userType": 4}, ["e06", "e03"]),
        ({"userType": 5}, ["e07", "e02"]),
        ({"room": "1004"}, ["e05", "e04", "e01"]),
        ({"groups": "g2"}, ["e07", "e02"]),
        ({"streams": ["cam-b", "cam-c"]}, ["e07", "e05", "e04", "e03"]),
        ({"streams": "cam-b,cam-c"}, ["e07", "e05", "e04", "e03"]),
        ({"streams": '["cam-b","cam-c"]'}, ["e07", "e05", "e04", "e03"]),
        ({"groups": '["g1"]', "streams": "cam-a"}, ["e01"]),
        ({"per_page": ""}, NEWEST_FIRST),
        ({"cache_buster": "1"}, NEWEST_FIRST),
    ],
)
def test_filters(seeded: Box, params: dict[str, Any], expected: list[str]) -> None:
    body = seeded.v1(params).json()
    assert [e["_id"] for e in body["data"]] == expected
    assert body["pagination"]["total_count"] == len(expected)


@pytest.mark.parametrize(
    ("params", "key"),
    [
        ({"per_page": "ten"}, "per_page"),
        ({"per_page": "2.5"}, "per_page"),
        ({"per_page": 0}, "per_page"),
        ({"page": -1}, "page"),
        ({"top_k": 0}, "top_k"),
        ({"datetime_gte": "yesterday"}, "datetime_gte"),
        ({"datetime_lte": -1}, "datetime_lte"),
        ({"score_min": "high"}, "score_min"),
        ({"userType": 9}, "userType"),
        ({"userType": "vip"}, "userType"),
        ({"streams": "[1, 2]"}, "streams"),
        ({"groups": "[broken"}, "groups"),
    ],
)
def test_bad_parameters_use_the_v1_envelope(seeded: Box, params: dict[str, Any], key: str) -> None:
    response = seeded.v1(params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == 400 and error["status"] == "INVALID_ARGUMENTS"
    assert error["message"].startswith(key)


def test_v1_event_shape(seeded: Box) -> None:
    event = seeded.v1({"identity_id": "p-alice", "per_page": 1}).json()["data"][0]
    assert event["_id"] == "e05"
    assert event["timestamp"] == pytest.approx(BASE_S + 3)
    common = event["common"]
    assert common["person_type"] == 1 and common["group_id"] == "g1"
    assert common["ep_info"]["device_id"] == "cam-c" and common["ep_info"]["ep_type"] == "card"
    assert common["identity_info"]["image_id"] == "reg_p-alice"
    assert event["video_data"] == {}
    rtsp = seeded.v1({"identity_id": "p-alice", "page": 1, "per_page": 1}).json()["data"][0]
    assert rtsp["video_data"]["recognition_timestamp"] == pytest.approx(BASE_S)
    stranger = seeded.v1({"userType": 4, "per_page": 1}).json()["data"][0]["common"]
    assert stranger["identity_info"] == {} and stranger["identity_name"] == ""


def test_unknown_v1_path_and_wrong_method(box: Box) -> None:
    response = box.session.post(f"{box.url}/SophonFace/api/events", timeout=10)
    assert response.status_code == 405
    assert response.json()["error"]["code"] == 405
