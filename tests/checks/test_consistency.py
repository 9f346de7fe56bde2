"""One event through v2, v1, WebSocket, upload and search: ids, times, devices, scores and types agree."""

from __future__ import annotations

from typing import Any

from conformance.checks.consistency import EventView, same_event

T_MS = 1_628_066_406_608
DEVICE = "dev-a"


def _views(**bugs: Any) -> list[EventView]:
    v2 = {
        "event_id": "E1",
        "timestamp": T_MS,
        "score": 88.5,
        "user_type": bugs.get("user_type", "vip"),
        "media_device_info": {"media_device_id": DEVICE},
    }
    v1 = {
        "_id": bugs.get("v1_id", "E1"),
        "timestamp": bugs.get("v1_ts", T_MS / 1000),
        "common": {"score": 88.5, "person_type": 5, "ep_info": {"device_id": DEVICE}},
    }
    ws = {
        "event_id": "E1",
        "timestamp": T_MS,
        "score": bugs.get("ws_score", 88.5),
        "device_id": DEVICE,
        "ext_data": {"person_type": 5},
    }
    upload = {
        "timestamp": T_MS,
        "score": 88.5,
        "person_type": 5,
        "ep_info": {"device_id": bugs.get("upload_device", DEVICE)},
    }
    search = {
        "timestamp": T_MS / 1000,
        "score": 88.5,
        "compare_score": 0.93,
        "person_type": 5,
        "ep_info": {"device_id": DEVICE},
    }
    return [
        EventView.from_v2(v2),
        EventView.from_v1(v1),
        EventView.from_ws(ws),
        EventView.from_upload(upload),
        EventView.from_search(search),
    ]


def test_consistent_event_passes() -> None:
    assert same_event(_views()) == []
    assert same_event(_views()[:1]) == []


def test_time_within_one_ms_after_conversion() -> None:
    assert same_event(_views(v1_ts=T_MS / 1000 + 0.0009)) == []
    [found] = same_event(_views(v1_ts=T_MS / 1000 + 0.002))
    assert found.evidence["sources"] == ["v2", "v1"]
    [seconds_as_ms] = same_event(_views(v1_ts=T_MS / 1000 + 1))
    assert "after unit conversion" in seconds_as_ms.message


def test_each_kind_of_disagreement() -> None:
    messages = [f.message for f in same_event(_views(v1_id="E2"))]
    assert messages == ["event id differs: 'E1' vs 'E2'"]
    [device] = same_event(_views(upload_device="dev-z"))
    assert device.evidence["sources"] == ["v2", "upload"]
    [scale] = same_event(_views(ws_score=0.885))
    assert scale.category == "unit"
    [score] = same_event(_views(ws_score=70.0))
    assert score.category == "semantic"


def test_person_type_maps_to_user_type() -> None:
    assert same_event(_views(user_type="VIP")) == []
    found = same_event(_views(user_type="employee"))
    assert len(found) == 4 and all("person type differs" in f.message for f in found)
    assert same_event(_views(user_type="car"))


def test_missing_person_type_means_employee() -> None:
    v2 = EventView.from_v2({"user_type": "employee"})
    upload = EventView.from_upload({})
    assert upload.person_type == 1
    assert same_event([v2, upload]) == []
