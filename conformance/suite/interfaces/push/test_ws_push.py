"""WebSocket push (seed 004): pictures per the flags, the shape of every message and the seed's own sample
client.

With a control plane the events are injected and the oracle is what was injected. On any other box the
tests judge live recognitions (`--live-wait`): each push is read back from the v2 history, which gives the
stored event id and person type; a box that pushed nothing within the wait leaves them *not exercised*.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest
import websocket

from conformance.checks import websocket_checks
from conformance.checks.consistency import TIME_TOLERANCE_MS, EventView
from conformance.checks.correlation import event_key
from conformance.checks.websocket_checks import WsClientConfig, message_key
from conformance.clients.exchange import Exchange
from conformance.clients.failures import ConformanceFailure, fail_on, fail_unless
from conformance.clients.http_client import RecordingHttpClient
from conformance.clients.ws_client import RecordingWebSocket
from conformance.spec.schema_requirements import schema_requirement_ids
from conformance.suite.judgement import judged, not_exercised
from conformance.suite.support.schema_findings import fail_on_schema
from conformance.suite.support.ws_events import CAM, DOOR, GATE, STRANGER, Injected, LiveInjector
from conformance.suite.support.ws_live import MIN_PUSHES, HistoryWindow, LiveBox
from conformance.suite.support.ws_session import Received, collect, configure, has_pushes_of
from conformance.suite.support.ws_witness import every_camera, wait_until
from conformance.target.target import DEVICES_PATH, Target

Connect = Callable[[], RecordingWebSocket]
ROUTING = ("WS-WS-006", "WS-WS-007", "WS-WS-008")
IN_HISTORY = ("WS-SCHEMA-001", "WS-SCHEMA-007", "WS-SCHEMA-012", "WS-TIME-001")
STRANGER_TYPE = 4


def _keys(injected: list[Injected]) -> set[str]:
    return {event_key(i.event.ts_ms, i.event.device_id) for i in injected}


def _ours(messages: list[dict[str, Any]], injected: list[Injected]) -> list[dict[str, Any]]:
    keys = _keys(injected)
    return [m for m in messages if message_key(m) in keys]


def _site(target: Target, request: pytest.FixtureRequest) -> LiveBox | None:
    """The box's live side when there is no control plane (the test then judges live pushes)."""
    return request.getfixturevalue("live_box") if target.config.control_url is None else None


def _stored(message: Mapping[str, Any], window: HistoryWindow) -> EventView | None:
    """The history event of a push: same device, time within 1 ms, the same event id first."""
    push = EventView.from_ws(message)
    if push.ts_ms is None:
        return None
    near = [
        view
        for view in (EventView.from_v2(e) for e in window.events)
        if view.device_id == push.device_id
        and view.ts_ms is not None
        and abs(view.ts_ms - push.ts_ms) <= TIME_TOLERANCE_MS
    ]
    return next((v for v in near if v.event_id == message.get("event_id")), near[0] if near else None)


def _live_pushes(
    live_box: LiveBox, socket: RecordingWebSocket, config: Mapping[str, Any], what: str
) -> Received:
    """Configure `socket` and wait for live pushes; a matched person among them when need_register is on."""
    configure(socket, config)
    started = time.monotonic()
    received = live_box.wait_for_pushes(socket, MIN_PUSHES, devices=live_box.device_ids)
    if config.get("need_register") and received.events:
        wait_until(live_box, socket, received, _has_matched_person, started)
    if not received.events and received.closed is None:
        not_exercised(f"no live push came within {live_box.wait_s:g} s (--live-wait) {what}")
    return received


def _has_matched_person(received: Received) -> bool:
    return any(m.get("ext_data", {}).get("person_type") != STRANGER_TYPE for m in received.events)


PICTURE_CASES = {
    "off": {"need_face": False, "need_register": False},
    "face": {"need_face": True, "need_register": False},
    "register": {"need_face": False, "need_register": True},
    "both": {"need_face": True, "need_register": True},
}


@pytest.mark.req("WS-WS-004", "WS-WS-005", "WS-SCHEMA-006", "WS-SCHEMA-010")
@pytest.mark.parametrize("case", list(PICTURE_CASES))
def test_pictures_follow_the_flags(
    ws_connect: Connect, target: Target, request: pytest.FixtureRequest, case: str
) -> None:
    """need_face governs ext_data.recognize_face, need_register governs reg_pic (base64 JPEG, or absent)."""
    socket = ws_connect()
    live_box = _site(target, request)
    if live_box is not None:
        config = every_camera(live_box, **PICTURE_CASES[case])
        messages = _live_pushes(live_box, socket, config, f"with {PICTURE_CASES[case]}").events
        judged(request, "pushes", len(messages))
    else:
        live: LiveInjector = request.getfixturevalue("live")
        config = {**PICTURE_CASES[case], "event_list": [GATE, CAM]}
        configure(socket, config)
        injected = live.inject([(GATE, "id-live-emp"), (CAM, STRANGER), (GATE, "id-live-vip")])
        received = collect(socket, 0, until=has_pushes_of([i.event for i in injected]))
        messages = _ours(received.events, injected)
        fail_unless(
            len(messages) == len(injected),
            f"{len(messages)} of {len(injected)} events pushed",
            list(ROUTING),
            [socket.transcript],
        )
    findings = websocket_checks.pictures(WsClientConfig.from_message(config), messages, target.profile)
    fail_on(findings, f"pictures with {PICTURE_CASES[case]}", exchanges=[socket.transcript])
    if live_box is not None and config["need_register"] and not _has_matched_person(Received(messages)):
        not_exercised(
            f"need_register: all {len(messages)} live push(es) were strangers (reg_pic: matched persons only)"
        )


@pytest.mark.req(
    "WS-WS-015",
    "WS-WS-016",
    "WS-TIME-001",
    "WS-SCHEMA-001",
    "WS-SCHEMA-002",
    "WS-SCHEMA-003",
    "WS-SCHEMA-004",
    "WS-SCHEMA-005",
    "WS-SCHEMA-007",
    "WS-SCHEMA-008",
    "WS-SCHEMA-009",
    "WS-SCHEMA-012",
    "WS-SCHEMA-013",
    "WS-SCHEMA-014",
    *schema_requirement_ids("ws-event"),
)
def test_every_message_validates(ws_connect: Connect, target: Target, request: pytest.FixtureRequest) -> None:
    """One JSON object per text or binary frame (E37), valid per the table (E13, E14, E15, E18 by profile).

    Each message's event id and person type are the stored event's: injected, or read from the v2 history.
    """
    socket = ws_connect()
    live_box = _site(target, request)
    exchanges: list[Exchange] = [socket.transcript]
    stored: list[tuple[str | None, int | None]] = []  # (event id, person type) of each message's event
    if live_box is not None:
        config = every_camera(live_box, need_face=True, need_register=True)
        received = _live_pushes(live_box, socket, config, "to judge message shapes")
        messages = received.events
        window = live_box.history_of(messages)
        exchanges += window.exchanges
        judged(request, "pushes", len(messages))
        fail_on(
            websocket_checks.in_history(messages, window.events, requirements=IN_HISTORY),
            "live pushes against the v2 history",
            exchanges=exchanges,
        )
        views = [_stored(m, window) for m in messages]
        stored = [(v.event_id, v.person_type) if v else (None, None) for v in views]
        complete = received.closed is None
    else:
        live: LiveInjector = request.getfixturevalue("live")
        configure(socket, {"need_face": True, "need_register": True, "event_list": [GATE, CAM, DOOR]})
        plan = [
            (GATE, "id-live-emp"),
            (CAM, "id-live-visitor"),
            (DOOR, "id-live-black"),
            (GATE, "id-live-vip"),
        ]
        injected = live.inject([*plan, (CAM, STRANGER)])
        received = collect(socket, 0, until=has_pushes_of([i.event for i in injected]))
        messages = _ours(received.events, injected)
        judged(request, "pushes", len(messages))
        by_key = {event_key(i.event.ts_ms, i.event.device_id): i for i in injected}
        stored = [
            (by_key[str(message_key(m))].event_id, by_key[str(message_key(m))].event.person_type)
            for m in messages
        ]
        complete = len(messages) == len(injected)
    fail_unless(
        complete and not received.others,
        f"{len(messages)} event message(s), closed: {received.closed}, {len(received.others)} other frame(s)",
        ["WS-WS-015", *ROUTING],
        exchanges,
    )
    _judge_messages(messages, stored, target.profile, exchanges)


def _judge_messages(
    messages: Sequence[dict[str, Any]],
    stored: Sequence[tuple[str | None, int | None]],
    profile: str,
    exchanges: list[Exchange],
) -> None:
    """Timestamps, the schema, event_id/video_id and person_type of each message against its stored event."""
    fail_on(websocket_checks.timestamps(messages), "push timestamps", exchanges=exchanges)
    for message in messages:
        fail_on_schema(
            "ws-event", message, profile, ["WS-SCHEMA-014", "WS-WS-016"], exchanges, what="push message"
        )
    for message, (event_id, person_type) in zip(messages, stored, strict=True):
        if event_id is None:
            continue  # not in the history: in_history has said so
        fail_unless(
            _ids_conform(message, event_id, profile),
            f"event_id {message.get('event_id')!r} / video_id {message.get('video_id')!r}: expected "
            f"the stored id {event_id!r} and a video id (E14; lenient: both may be absent)",
            ["WS-WS-016"],
            exchanges,
        )
        person = message.get("ext_data", {}).get("person_type")
        fail_unless(
            person == person_type,
            f"person_type {person!r}, stored {person_type}",
            ["WS-SCHEMA-012"],
            exchanges,
        )


def _ids_conform(message: dict[str, Any], event_id: str, profile: str) -> bool:
    """event_id is the stored id and video_id non-empty; lenient (E14) also accepts a message without both."""
    if profile == "lenient" and "event_id" not in message and "video_id" not in message:
        return True
    return message.get("event_id") == event_id and message.get("video_id") not in (None, "")


@pytest.mark.req("WS-WS-016", "WS-WS-003", "WS-WS-014")
def test_the_seeds_sample_client_works(
    target: Target, http_client: RecordingHttpClient, request: pytest.FixtureRequest
) -> None:
    """Seed 004's own client: Devices ids, json.dumps config, recv_data, event['video_id'/'event_id'].

    The first event it receives is injected (control plane) or a live recognition (any box, busy or not), read
    back from the v2 history for its stored id.
    """
    devices = http_client.get(DEVICES_PATH)
    body = devices.json()
    listed = [
        d.get("device_id")
        for d in (body or {}).get("data", {}).get("devices_list", [])
        if isinstance(d, dict)
    ]
    live_box = _site(target, request)
    live: LiveInjector | None = None if live_box else request.getfixturevalue("live")
    if live_box is None:
        fail_unless(
            GATE in listed, f"GET {DEVICES_PATH} does not list {GATE}", ["WS-WS-014"], [devices.exchange]
        )
    elif not listed:
        not_exercised(f"GET {DEVICES_PATH} lists no device for the sample client's event_list")
    else:
        live_box.traffic.check()
    s = websocket.WebSocket()
    s.connect(target.ws_url, timeout=5)  # type: ignore[no-untyped-call]
    injected: list[Injected] = []
    try:
        s.send(json.dumps({"need_face": True, "need_register": True, "event_list": listed}))
        time.sleep(0.5)
        if live is not None:
            injected = live.inject([(GATE, "id-live-emp")])
        info = _first_frame(s, live_box)
        event = json.loads(str(info[1], encoding="utf8"))
        # E14 lenient: a box may send only the table's fields, so the print line would raise KeyError
        without_ids = target.profile == "lenient" and "event_id" not in event and "video_id" not in event
        seen = "" if without_ids else f"{event['video_id']} {event['event_id']}"  # KeyError = E14
    except (KeyError, TypeError, websocket.WebSocketException, OSError, ValueError) as exc:
        raise ConformanceFailure.of(
            f"the seed's sample client failed: {type(exc).__name__}: {exc}",
            ["WS-WS-016", "WS-WS-003"],
            detail="seed 004: info = s.recv_data(4096); event = json.loads(...); event['video_id']",
            exchanges=[devices.exchange],
        ) from None
    finally:
        s.close()
    exchanges: list[Exchange] = [devices.exchange]
    ours = bool(injected) and message_key(event) == event_key(injected[0].event.ts_ms, GATE)
    if not ours:  # a live recognition (any box, also an emulator whose cameras record): its stored id
        history_box: LiveBox = live_box or request.getfixturevalue("live_box")
        window = history_box.history_of([event])
        exchanges += window.exchanges
        view = _stored(event, window)
        fail_unless(
            view is not None,
            f"the sample client's event {message_key(event)!r} is not in the v2 history",
            ["WS-WS-003", "WS-WS-014"],
            exchanges,
        )
        key, event_id = str(message_key(event)), str(view.event_id if view else "")
        judged(request, "pushes", 1)
    else:
        key, event_id = event_key(injected[0].event.ts_ms, injected[0].event.device_id), injected[0].event_id
    if without_ids:
        fail_unless(
            message_key(event) == key,
            f"sample client received the event {message_key(event)!r}, expected {key}",
            ["WS-WS-003", "WS-WS-014"],
            exchanges,
        )
        return
    fail_unless(
        event_id in seen,
        f"sample client printed {seen!r}, expected event id {event_id}",
        ["WS-WS-016"],
        exchanges,
    )


def _first_frame(s: websocket.WebSocket, live_box: LiveBox | None) -> tuple[int, bytes]:
    """The seed's `s.recv_data(4096)`; on live traffic within `--live-wait`, else *not exercised*."""
    if live_box is None:
        s.settimeout(8)
        return s.recv_data(4096)  # type: ignore[arg-type]  # the seed's own call
    s.settimeout(max(live_box.wait_s, 0.01))
    started = time.monotonic()
    try:
        info = s.recv_data(4096)  # type: ignore[arg-type]  # the seed's own call
    except websocket.WebSocketTimeoutException:
        live_box.note_wait(0, time.monotonic() - started)
        not_exercised(f"no live push came to the sample client within {live_box.wait_s:g} s (--live-wait)")
    live_box.note_wait(1, time.monotonic() - started)
    return info
