"""The /_emulator control plane: seeding, validation, clock modes, faults on and off, reset, stats, token."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from conformance.emulator.server import EmulatorConfig, start_emulator_thread
from tests.emulator.conftest import BASE_MS, DEVICES, Box

NEWEST_FIRST = ["e07", "e06", "e05", "e04", "e03", "e02", "e01"]


@pytest.mark.parametrize(
    ("path", "body", "status", "fragment"),
    [
        ("devices", {"devices": []}, 400, "devices"),
        ("devices", {"devices": [{"device_name": "x"}]}, 400, "devices[0].device_id"),
        ("devices", {"devices": [{"device_id": "d", "device_type": "usb"}]}, 400, "devices[0].device_type"),
        ("identities", {"identities": [{"identity_id": "i", "person_type": 4}]}, 400, "person_type"),
        ("identities", {"identities": [{"identity_id": "i", "person_type": "1"}]}, 400, "person_type"),
        ("events", {"events": [{"device_id": "ghost", "score": 1}]}, 400, "events[0].device_id"),
        ("events", {"events": [{"device_id": "cam-a"}]}, 400, "events[0].score"),
        ("events", {"events": [{"device_id": "cam-a", "score": 101}]}, 400, "events[0].score"),
        (
            "events",
            {"events": [{"device_id": "cam-a", "score": 1, "identity_id": "who"}]},
            400,
            "identity_id",
        ),
        (
            "events",
            {"events": [{"device_id": "cam-a", "score": 1, "timestamp_ms": "now"}]},
            400,
            "timestamp_ms",
        ),
        (
            "events",
            {"events": [{"device_id": "cam-a", "score": 1, "attributes": {"mask": "1"}}]},
            400,
            "mask",
        ),
        ("events", {"events": [{"device_id": "cam-a", "score": 1, "event_id": "e01"}]}, 409, "e01"),
        ("events/generate", {"seed": 1}, 400, "count"),
        ("events/generate", {"count": 0}, 400, "count"),
        ("events/generate", {"count": 5, "device_ids": ["ghost"]}, 400, "device_ids"),
        ("clock", {"mode": "frozen"}, 400, "now_ms"),
        ("clock", {"mode": "sideways"}, 400, "mode"),
        ("faults", {"enable": ["no-such-fault"]}, 400, "no-such-fault"),
    ],
)
def test_bad_control_input_is_a_clear_4xx(
    seeded: Box, path: str, body: dict[str, Any], status: int, fragment: str
) -> None:
    response = seeded.control("POST", path, body)
    assert response.status_code == status, response.text
    assert fragment in response.json()["error"]["message"]


def test_non_json_control_body(box: Box) -> None:
    url = f"{box.running.control_url}/devices"
    response = box.session.post(url, data=b"{oops", timeout=10)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "INVALID_REQUEST_JSON"


def test_duplicate_ids_within_a_batch_store_nothing(seeded: Box) -> None:
    spec = {"device_id": "cam-a", "score": 5, "event_id": "twin"}
    assert seeded.control("POST", "events", {"events": [spec, spec]}).status_code == 409
    assert seeded.ok("GET", "stats")["events"] == 7


def test_injected_event_is_filled_in_like_a_recognition(seeded: Box) -> None:
    seeded.ok("POST", "clock", {"mode": "frozen", "now_ms": BASE_MS + 60_000})
    ids = seeded.ok(
        "POST", "events", {"events": [{"device_id": "cam-b", "identity_id": "p-bob", "score": 88}]}
    )
    event = seeded.v2("getevent", {"event_id": ids["event_ids"][0]}).json()
    assert event["timestamp"] == BASE_MS + 60_000
    assert event["identity_name"] == "Bob Li" and event["user_type"] == "vip"
    assert event["recognize_face_attr"]["gender"] in ("male", "female")


def test_generate_bulk(box: Box) -> None:
    box.ok("POST", "devices", {"devices": DEVICES})
    answer = box.ok("POST", "events/generate", {"count": 250, "seed": 3, "start_ms": BASE_MS, "step_ms": 10})
    assert answer["count"] == 250
    body = box.v2("getevents", {"page_limit": 1}).json()
    assert body["pagination"]["total_count"] == 250
    assert body["events"][0]["timestamp"] == BASE_MS + 249 * 10


def test_clock_modes(box: Box) -> None:
    assert box.ok("POST", "clock", {"mode": "frozen", "now_ms": 1234})["current_ms"] == 1234
    assert box.ok("GET", "clock") == {"mode": "frozen", "now_ms": 1234, "current_ms": 1234}
    real = box.ok("POST", "clock", {"mode": "real"})["current_ms"]
    shifted = box.ok("POST", "clock", {"mode": "offset", "offset_ms": -86_400_000})
    assert shifted["mode"] == "offset"
    assert shifted["current_ms"] < real - 86_000_000
    box.ok("POST", "reset")
    assert box.ok("GET", "clock")["mode"] == "real"


def _ids(box: Box, body: dict[str, Any]) -> list[str]:
    return box.ids_v2(body)


def _with_fault(box: Box, name: str) -> None:
    answer = box.ok("POST", "faults", {"enable": [name]})
    assert name in answer["active"] and name in answer["known"]


def test_fault_page_one_based(seeded: Box) -> None:
    assert _ids(seeded, {"page_limit": 2, "page_index": 1}) == NEWEST_FIRST[2:4]
    _with_fault(seeded, "v2-page-one-based")
    assert _ids(seeded, {"page_limit": 2, "page_index": 1}) == NEWEST_FIRST[0:2]
    seeded.ok("POST", "faults", {"disable": ["v2-page-one-based"]})
    assert _ids(seeded, {"page_limit": 2, "page_index": 1}) == NEWEST_FIRST[2:4]


def test_fault_total_count_of_page(seeded: Box) -> None:
    _with_fault(seeded, "v2-total-count-of-page")
    assert seeded.v2("getevents", {"page_limit": 2}).json()["pagination"]["total_count"] == 2


def test_fault_num_pages_floored(seeded: Box) -> None:
    _with_fault(seeded, "v1-num-pages-floored")
    assert seeded.v1({"per_page": 3}).json()["pagination"]["num_pages"] == math.floor(7 / 3)


def test_fault_time_bound_exclusive(seeded: Box) -> None:
    filters = {"datetime_gte": BASE_MS + 1000, "datetime_lte": BASE_MS + 3000}
    assert _ids(seeded, {"filters": filters}) == ["e05", "e04", "e03", "e02"]
    _with_fault(seeded, "v2-time-bound-exclusive")
    assert _ids(seeded, {"filters": filters}) == ["e03"]


def test_fault_ms_filter_read_as_seconds(seeded: Box) -> None:
    _with_fault(seeded, "v2-ms-filter-read-as-seconds")
    assert _ids(seeded, {"filters": {"datetime_gte": BASE_MS}}) == []
    assert _ids(seeded, {"filters": {"datetime_gte": BASE_MS // 1000}}) == NEWEST_FIRST


def test_fault_name_exact_and_ignore_score(seeded: Box) -> None:
    _with_fault(seeded, "v2-name-exact-match")
    assert _ids(seeded, {"filters": {"identity_name": "Wang"}}) == []
    assert _ids(seeded, {"filters": {"identity_name": "Alice Wang"}}) == ["e05", "e01"]
    _with_fault(seeded, "v2-ignore-score-filter")
    assert _ids(seeded, {"filters": {"score_min": 99}}) == NEWEST_FIRST


def test_fault_streams_first_only(seeded: Box) -> None:
    _with_fault(seeded, "v1-streams-first-only")
    assert seeded.ids_v1({"streams": "cam-b,cam-c"}) == ["e04", "e03"]


def test_fault_500_on_bad_input(seeded: Box) -> None:
    _with_fault(seeded, "v2-500-on-bad-input")
    assert seeded.v2("getevents", {"page_limit": "x"}).status_code == 500
    assert seeded.v1({"per_page": "x"}).status_code == 400  # a v2 fault only


def test_fault_render_faults(seeded: Box) -> None:
    _with_fault(seeded, "v2-drop-required-field")
    _with_fault(seeded, "v2-feature-wrong-length")
    event = seeded.v2("getevent", {"event_id": "e01"}).json()
    assert "user_type" not in event
    import base64

    assert len(base64.b64decode(event["recognize_face_attr"]["feature_binary"])) == 2044


def test_fault_unstable_order_reorders_ties(seeded: Box) -> None:
    spec = [{"device_id": "cam-a", "score": 50, "timestamp_ms": BASE_MS + 9000} for _ in range(12)]
    seeded.ok("POST", "events", {"events": spec})
    stable = {tuple(_ids(seeded, {"page_limit": 12})) for _ in range(3)}
    assert len(stable) == 1
    _with_fault(seeded, "v2-unstable-order")
    orders = {tuple(_ids(seeded, {"page_limit": 12})) for _ in range(8)}
    assert len(orders) > 1


def test_reset_restores_startup_state(seeded: Box) -> None:
    _with_fault(seeded, "v2-page-one-based")
    seeded.ok("POST", "reset")
    stats = seeded.ok("GET", "stats")
    assert stats["events"] == 0 and stats["devices"] == 0 and stats["faults_active"] == []


def test_stats_counts(seeded: Box) -> None:
    stats = seeded.ok("GET", "stats")
    assert (stats["events"], stats["devices"], stats["identities"]) == (7, 3, 3)


def test_face_photo(seeded: Box) -> None:
    response = seeded.control("GET", "faces/p-alice?variant=2")
    assert response.status_code == 200 and response.content[:2] == b"\xff\xd8"
    assert seeded.control("GET", "faces/ghost").status_code == 404
    assert seeded.control("GET", "faces/p-alice?variant=x").status_code == 400


@pytest.fixture
def guarded(tmp_path: Path) -> Iterator[str]:
    running = start_emulator_thread(
        EmulatorConfig(
            http_port=0,
            ws_port=0,
            version_port=-1,
            db_path=tmp_path / "t.db",
            control=True,
            control_token="s3cret",
        )
    )
    yield running.control_url
    running.stop()


def test_control_token(guarded: str) -> None:
    assert requests.get(f"{guarded}/stats", timeout=10).status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert requests.get(f"{guarded}/stats", headers=wrong, timeout=10).status_code == 401
    right = {"Authorization": "Bearer s3cret"}
    assert requests.get(f"{guarded}/stats", headers=right, timeout=10).status_code == 200


def test_control_plane_absent_without_flag(tmp_path: Path) -> None:
    running = start_emulator_thread(
        EmulatorConfig(http_port=0, ws_port=0, version_port=-1, db_path=tmp_path / "c.db")
    )
    try:
        assert requests.get(f"{running.control_url}/stats", timeout=10).status_code == 404
        assert (
            requests.post(f"{running.http_url}/sophon/v2/face/getevents", json={}, timeout=10).status_code
            == 200
        )
    finally:
        running.stop()
