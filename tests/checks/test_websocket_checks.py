"""WebSocket checks: routing by event_list, pictures per need_* flags, silence before config, ms times."""

from __future__ import annotations

from typing import Any

from conformance.checks import websocket_checks as ws
from conformance.checks.pictures import jpeg_problem
from conformance.checks.scenario import ScenarioEvent
from conformance.checks.websocket_checks import WsClientConfig
from tests.checks.pictures_data import JPEG, PNG

BASE_MS = 1_566_016_554_020
EVENTS = [
    ScenarioEvent("e1", BASE_MS, "dev-a", "666666", "Ming", 5),
    ScenarioEvent("e2", BASE_MS + 10, "dev-b", "", "", 4),
    ScenarioEvent("e3", BASE_MS + 20, "dev-c", "777", "Li", 1),
]


def _message(event: ScenarioEvent, *, face: bool, register: bool, **override: Any) -> dict[str, Any]:
    message: dict[str, Any] = {
        "identity_id": event.identity_id,
        "device_id": event.device_id,
        "timestamp": event.ts_ms,
        "score": 0.62,
        "reg_pic": JPEG if register and event.person_type != 4 else "",
        "ext_data": {"person_type": event.person_type, "device_type": "0", "device_ip": "1.2.3.4"},
    }
    if face:
        message["ext_data"]["recognize_face"] = JPEG
    message.update(override)
    return message


def _push(config: WsClientConfig, events: list[ScenarioEvent]) -> list[dict[str, Any]]:
    return [
        _message(e, face=config.need_face, register=config.need_register)
        for e in events
        if e.device_id in config.event_list
    ]


def test_config_message_parsing_defaults_off() -> None:
    assert WsClientConfig.from_message({}) == WsClientConfig()
    config = WsClientConfig.from_message({"need_face": True, "event_list": ["dev-a"]})
    assert config == WsClientConfig(True, False, ("dev-a",))


def test_routing_passes_and_reports_missing_foreign_and_duplicates() -> None:
    config = WsClientConfig(event_list=("dev-a", "dev-b"))
    messages = _push(config, EVENTS)
    assert ws.routing(config, messages, EVENTS) == []
    assert ws.routing(config, messages[:1], EVENTS)[0].evidence["lost_count"] == 1
    foreign = _message(EVENTS[2], face=False, register=False)
    found = ws.routing(config, [*messages, foreign], EVENTS)
    assert any("outside event_list" in f.message for f in found)
    assert any("more than once" in f.message for f in ws.routing(config, [*messages, messages[0]], EVENTS))


def test_pictures_follow_need_flags() -> None:
    asked = WsClientConfig(need_face=True, need_register=True, event_list=("dev-a", "dev-b"))
    assert ws.pictures(asked, _push(asked, EVENTS)) == []
    silent = WsClientConfig(event_list=("dev-a", "dev-b"))
    assert ws.pictures(silent, _push(silent, EVENTS)) == []
    unasked = ws.pictures(silent, _push(asked, EVENTS))
    assert {f.evidence["field"] for f in unasked} == {"ext_data.recognize_face", "reg_pic"}
    assert all("though" in f.message and "is false" in f.message for f in unasked)
    lacking = ws.pictures(asked, _push(silent, EVENTS))
    assert {f.evidence["field"] for f in lacking} == {"ext_data.recognize_face", "reg_pic"}


def test_pictures_must_be_base64_jpeg() -> None:
    config = WsClientConfig(need_register=True, event_list=("dev-a",))
    for bad, reason in ((PNG, "PNG"), ("not base64!", "base64"), ("aGVsbG8=", "decodable")):
        [found] = ws.pictures(config, [_message(EVENTS[0], face=False, register=True, reg_pic=bad)])
        assert reason in found.message
    assert jpeg_problem(JPEG) is None and jpeg_problem(5) is not None


def test_nothing_before_config() -> None:
    assert ws.before_config([]) == []
    [found] = ws.before_config(['{"timestamp": 1}'])
    assert found.evidence["count"] == 1


def test_timestamps_must_be_integer_ms() -> None:
    config = WsClientConfig(event_list=("dev-a",))
    assert ws.timestamps(_push(config, EVENTS)) == []
    seconds = [_message(EVENTS[0], face=False, register=False, timestamp=BASE_MS / 1000)]
    [found] = ws.timestamps(seconds)
    assert found.check == "ws.timestamps" and found.evidence["errata"] == ["E13"]


def test_lenient_profile_tolerates_unasked_but_valid_pictures() -> None:
    asked = WsClientConfig(need_face=True, need_register=True, event_list=("dev-a", "dev-b"))
    silent = WsClientConfig(event_list=("dev-a", "dev-b"))
    assert ws.pictures(silent, _push(asked, EVENTS), "lenient") == []
    broken = [_message(EVENTS[0], face=False, register=True, reg_pic=PNG)]
    [found] = ws.pictures(silent, broken, "lenient")
    assert "not a base64 JPEG" in found.message
    assert ws.pictures(asked, _push(silent, EVENTS), "lenient")


# --- live pushes against the v2 history (ws.in_history, ws.live_routing) ----------------------------------


def _v2(event: ScenarioEvent, *, ts: float | None = None, score: float = 62.0) -> dict[str, Any]:
    """The v2 getevents view of an event (µs time allowed), as the history oracle reads it."""
    return {
        "event_id": event.id,
        "timestamp": event.ts_ms if ts is None else ts,
        "identity_id": event.identity_id,
        "media_device_info": {"media_device_id": event.device_id},
        "score": score,
        "user_type": {1: "employee", 4: "stranger", 5: "vip"}[event.person_type],
    }


def _live(event: ScenarioEvent, **override: Any) -> dict[str, Any]:
    return _message(event, face=False, register=False, **{"score": 62.0, "event_id": event.id, **override})


def test_pushes_found_in_the_history_agree() -> None:
    """Same device, time within 1 ms (µs history vs whole-ms push), same ids, score and type: no finding."""
    history = [_v2(EVENTS[0], ts=BASE_MS + 0.026), _v2(EVENTS[1]), _v2(EVENTS[2])]
    assert ws.in_history([_live(e) for e in EVENTS], history) == []


def test_a_score_on_seed_004s_0_1_scale_conforms() -> None:
    """The push may carry the v2 score / 100 (seed 004's example 0.623); no erratum decides, both conform."""
    assert ws.in_history([_live(EVENTS[0], score=0.62)], [_v2(EVENTS[0])]) == []


def test_a_push_disagreeing_with_its_history_event_is_named() -> None:
    """Another score, another identity_id or person type: one finding each."""
    push = _live(EVENTS[0], score=1.0, identity_id="img-1")
    push["ext_data"]["person_type"] = 1
    messages = [f.message for f in ws.in_history([push], [_v2(EVENTS[0])])]
    assert any("score differs" in m for m in messages), messages
    assert any("identity_id differs" in m for m in messages), messages
    assert any("person type differs" in m for m in messages), messages


def test_a_push_outside_the_history_is_named() -> None:
    """A push whose time matches no history event of its device (cut to the second) is missing."""
    push = _live(EVENTS[0], timestamp=BASE_MS // 1000 * 1000)
    findings = ws.in_history([push], [_v2(EVENTS[0])])
    assert len(findings) == 1 and "not found in the v2 history" in findings[0].message
    assert ws.unmatched_pushes([push], [_v2(EVENTS[0])]) == [push]


def test_live_routing_against_a_closed_history_window() -> None:
    """Listed devices' recorded events pushed once each, none of another device: no finding."""
    config = WsClientConfig(event_list=("dev-a", "dev-c"))
    history = [_v2(e) for e in EVENTS]
    assert ws.live_routing(config, [_live(EVENTS[0]), _live(EVENTS[2])], history) == []


def test_live_routing_names_lost_repeated_and_foreign_pushes() -> None:
    """A recorded event of a listed device not pushed, one pushed twice, one of an unlisted device pushed."""
    config = WsClientConfig(event_list=("dev-a", "dev-c"))
    history = [_v2(e) for e in EVENTS]
    lost = [f.message for f in ws.live_routing(config, [_live(EVENTS[0])], history)]
    assert len(lost) == 1 and "never pushed" in lost[0] and "e3@dev-c" in lost[0]
    twice = [_live(EVENTS[0]), _live(EVENTS[0]), _live(EVENTS[2])]
    repeated = [f.message for f in ws.live_routing(config, twice, history)]
    assert len(repeated) == 1 and "more than once" in repeated[0]
    foreign = [f.message for f in ws.live_routing(config, [_live(e) for e in EVENTS], history)]
    assert len(foreign) == 1 and "outside event_list" in foreign[0]


def test_live_routing_expects_no_push_of_a_car() -> None:
    """A history event that is no person recognition (user_type car) need not be pushed (seed 004)."""
    car = {**_v2(EVENTS[2]), "user_type": "car"}
    config = WsClientConfig(event_list=("dev-a", "dev-c"))
    assert ws.live_routing(config, [_live(EVENTS[0])], [_v2(EVENTS[0]), car]) == []
