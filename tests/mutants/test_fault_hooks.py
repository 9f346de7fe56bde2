"""Each hook this package adds to the emulator bends exactly what its fault or variation says, when on."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.mutants.conftest import Box

STRANGER_EVENT = "e03"


def _enable(box: Box, *names: str) -> None:
    box.ok("POST", "faults", {"enable": list(names), "disable": []})


def _v2_events(box: Box, body: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    response = box.v2("getevents", body or {"page_limit": 100})
    assert response.status_code == 200, response.text
    events: list[dict[str, Any]] = response.json()["events"]
    return events


def test_v2_timestamp_string(seeded: Box) -> None:
    assert all(isinstance(e["timestamp"], int) for e in _v2_events(seeded))
    _enable(seeded, "v2-timestamp-string")
    assert all(isinstance(e["timestamp"], str) and e["timestamp"].isdigit() for e in _v2_events(seeded))


@pytest.mark.parametrize("name", ["v2-timestamp-seconds", "var-e02-seconds-timestamps"])
def test_v2_timestamp_seconds(seeded: Box, name: str) -> None:
    before = {e["event_id"]: e for e in _v2_events(seeded)}
    _enable(seeded, name)
    for event in _v2_events(seeded):
        assert event["timestamp"] == before[event["event_id"]]["timestamp"] / 1000.0
        assert (
            event["ext_data"]["out_timestamp"]
            == before[event["event_id"]]["ext_data"]["out_timestamp"] / 1000.0
        )


def test_v2_devices_first_only(seeded: Box) -> None:
    body = {"filters": {"media_device_ids": ["cam-a", "cam-b"]}, "page_limit": 100}
    assert len(seeded.ids_v2(body)) == 5
    _enable(seeded, "v2-devices-first-only")
    assert sorted(seeded.ids_v2(body)) == ["e01", "e02", "e06"]


def test_v1_name_exact_match(seeded: Box) -> None:
    assert sorted(seeded.ids_v1({"name": "Wang", "per_page": 100})) == ["e01", "e05"]
    _enable(seeded, "v1-name-exact-match")
    assert seeded.ids_v1({"name": "Wang", "per_page": 100}) == []
    assert sorted(seeded.ids_v1({"name": "Alice Wang", "per_page": 100})) == ["e01", "e05"]


def test_v1_person_type_string(seeded: Box) -> None:
    assert all(
        isinstance(e["common"]["person_type"], int) for e in seeded.v1({"per_page": 100}).json()["data"]
    )
    _enable(seeded, "v1-person-type-string")
    assert all(
        isinstance(e["common"]["person_type"], str) for e in seeded.v1({"per_page": 100}).json()["data"]
    )


def test_v1_error_envelope(seeded: Box) -> None:
    assert seeded.v1({"per_page": "abc"}).json()["error"]["code"] == 400
    _enable(seeded, "v1-v2-error-envelope")
    response = seeded.v1({"per_page": "abc"})
    assert response.status_code == 400
    assert response.json() == {
        "error": {"code": "INVALID_ARGUMENTS", "message": "per_page: " + _detail(response)}
    }


def _detail(response: Any) -> str:
    message: str = response.json()["error"]["message"]
    return message.split(": ", 1)[1]


def test_v2_500_on_bad_input_leaves_v1_alone(seeded: Box) -> None:
    _enable(seeded, "v2-500-on-bad-input")
    assert seeded.v2("getevents", {"page_limit": "x"}).status_code == 500
    assert seeded.v1({"per_page": "abc"}).status_code == 400


def test_keys_reversed(seeded: Box) -> None:
    plain = seeded.v2("getevents", {"page_limit": 1}).json()
    _enable(seeded, "var-keys-reversed")
    reversed_ = seeded.v2("getevents", {"page_limit": 1}).json()
    assert reversed_ == plain
    assert list(reversed_) == list(reversed(list(plain)))
    assert list(reversed_["events"][0]) == list(reversed(list(plain["events"][0])))


def test_integral_floats(seeded: Box) -> None:
    assert "1700000000.0" in seeded.v1({"per_page": 100}).text
    _enable(seeded, "var-integral-floats")
    text = seeded.v1({"per_page": 100}).text
    assert "1700000000.0" not in text and '"timestamp":1700000000,' in text
    assert json.loads(text)["data"][0]["common"]["score"] == 83


def test_extra_fields(seeded: Box) -> None:
    assert "dev_sno" not in _v2_events(seeded)[0]
    _enable(seeded, "var-extra-fields")
    event = _v2_events(seeded)[0]
    assert event["dev_sno"] == "" and "quality_score" in event["ext_data"]


def test_null_attributes(seeded: Box) -> None:
    stranger = next(e for e in _v2_events(seeded) if e["event_id"] == STRANGER_EVENT)
    assert "expression" not in stranger["recognize_face_attr"]
    _enable(seeded, "var-e04-null-attributes")
    attrs = next(e for e in _v2_events(seeded) if e["event_id"] == STRANGER_EVENT)["recognize_face_attr"]
    assert attrs["expression"] is None and attrs["hat"] is None


def test_filters_in_seconds_variation(seeded: Box) -> None:
    body = {"filters": {"datetime_gte": 1_700_000_004, "datetime_lte": 1_700_000_005}, "page_limit": 100}
    assert seeded.ids_v2(body) == []
    _enable(seeded, "var-e01-filters-in-seconds")
    assert sorted(seeded.ids_v2(body)) == ["e06", "e07"]


def test_exclusive_bounds_fault_is_a_single_deviation(seeded: Box) -> None:
    """The exclusive-bound fault must not also turn a huge bound into a 5xx (that is another fault)."""
    _enable(seeded, "v2-time-bound-exclusive")
    assert seeded.ids_v2({"filters": {"datetime_gte": 2**63 - 1}}) == []
    assert seeded.ids_v2({"filters": {"datetime_gte": 1e300, "datetime_lte": 1e300}}) == []
    assert "e02" not in seeded.ids_v2({"filters": {"datetime_gte": 1_700_000_001_000}, "page_limit": 100})
