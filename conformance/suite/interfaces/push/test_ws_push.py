"""WebSocket push (seed 004): silence before configuration, event_list routing, pictures, reconfiguration,
several clients, malformed configurations, message shape and the seed's own sample client.

Events are caused through the control plane (`LiveInjector`); the oracle is what was injected. The
silence and malformed-configuration tests also run on a box without a control plane.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
import websocket
from hypothesis import given

from conformance.checks import websocket_checks
from conformance.checks.correlation import event_key
from conformance.checks.websocket_checks import WsClientConfig, message_key
from conformance.clients.failures import ConformanceFailure, fail_on, fail_unless
from conformance.clients.http_client import RecordingHttpClient
from conformance.clients.ws_client import RecordingWebSocket
from conformance.spec.schema_requirements import schema_requirement_ids
from conformance.suite.support.schema_findings import fail_on_schema
from conformance.suite.support.ws_events import CAM, DOOR, GATE, STRANGER, Injected, LiveInjector
from conformance.suite.support.ws_malformed import MALFORMED, MalformedFrame
from conformance.suite.support.ws_session import collect, configure, listen_quietly
from conformance.target.target import DEVICES_PATH, Target

Connect = Callable[[], RecordingWebSocket]
SILENCE_S = 1.0  # "nothing arrives before the configuration": the bounded wait
REACTION_S = 0.3  # how long a malformed configuration's reaction is waited for
CLEAN_CLOSE_CODES = {1000, 1001, 1003, 1007, 1008, 1009}
ROUTING = ("WS-WS-006", "WS-WS-007", "WS-WS-008")


def _release(socket: RecordingWebSocket) -> None:
    """Close and free the OS socket even when the box closed first.

    RecordingWebSocket.close() skips websocket-client's shutdown() once the peer has closed, which
    leaks the socket (ResourceWarning); reported to the clients' owner.
    """
    raw = getattr(socket, "_ws", None)
    socket.close()
    if raw is not None:
        raw.shutdown()


def _keys(injected: list[Injected]) -> set[str]:
    return {event_key(i.event.ts_ms, i.event.device_id) for i in injected}


def _ours(messages: list[dict[str, Any]], injected: list[Injected]) -> list[dict[str, Any]]:
    keys = _keys(injected)
    return [m for m in messages if message_key(m) in keys]


@pytest.mark.req("WS-WS-002", "WS-WS-001", "WS-WS-009")
def test_nothing_arrives_before_the_configuration(
    ws_connect: Connect, target: Target, request: pytest.FixtureRequest
) -> None:
    """After connecting the box sends nothing until configured, even while events occur."""
    socket = ws_connect()
    injected: list[Injected] = []
    if target.config.control_url is not None:
        live_events: LiveInjector = request.getfixturevalue("live")
        injected = live_events.inject([(GATE, "id-live-emp"), (CAM, STRANGER), (DOOR, "id-live-vip")])
    before = listen_quietly(socket, SILENCE_S)
    fail_on(
        websocket_checks.before_config(before.events + before.others),
        "before configuration",
        exchanges=[socket.transcript],
    )
    if not injected:
        return
    configure(socket, {"need_face": False, "need_register": False, "event_list": [GATE, CAM, DOOR]})
    later = live_events.inject([(GATE, "id-live-visitor")])
    received = collect(socket, 1)
    replayed = _ours(received.events, injected)
    fail_unless(
        not replayed,
        f"{len(replayed)} event(s) stored before the configuration were replayed after it",
        ["WS-WS-009"],
        [socket.transcript],
    )
    fail_on(
        websocket_checks.routing(
            WsClientConfig(event_list=(GATE, CAM, DOOR)),
            _ours(received.events, later),
            [i.event for i in later],
        ),
        "push after configuration",
        exchanges=[socket.transcript],
    )


@pytest.mark.req(*ROUTING, "WS-WS-014")
@pytest.mark.needs_control
@pytest.mark.parametrize("event_list", [[GATE], [CAM, DOOR], []], ids=["gate", "cam-door", "empty"])
def test_only_listed_devices_are_pushed(
    live: LiveInjector, ws_connect: Connect, event_list: list[str]
) -> None:
    """Exactly the events of devices in event_list are pushed, once each; [] pushes nothing."""
    socket = ws_connect()
    config = {"need_face": False, "need_register": False, "event_list": event_list}
    configure(socket, config)
    injected = live.inject(
        [(GATE, "id-live-emp"), (CAM, STRANGER), (DOOR, "id-live-black"), (GATE, STRANGER)]
    )
    wanted = sum(1 for i in injected if i.event.device_id in event_list)
    received = collect(socket, wanted, deadline_s=8.0 if wanted else 1.5)
    findings = websocket_checks.routing(
        WsClientConfig.from_message(config), received.events, [i.event for i in injected]
    )
    fail_on(findings, f"push with event_list {event_list}", exchanges=[socket.transcript])


PICTURE_CASES = {
    "off": {"need_face": False, "need_register": False},
    "face": {"need_face": True, "need_register": False},
    "register": {"need_face": False, "need_register": True},
    "both": {"need_face": True, "need_register": True},
}


@pytest.mark.req("WS-WS-004", "WS-WS-005", "WS-SCHEMA-006", "WS-SCHEMA-010")
@pytest.mark.needs_control
@pytest.mark.parametrize("case", list(PICTURE_CASES))
def test_pictures_follow_the_flags(
    live: LiveInjector, ws_connect: Connect, target: Target, case: str
) -> None:
    """need_face governs ext_data.recognize_face, need_register governs reg_pic (base64 JPEG, or absent)."""
    socket = ws_connect()
    config = {**PICTURE_CASES[case], "event_list": [GATE, CAM]}
    configure(socket, config)
    injected = live.inject([(GATE, "id-live-emp"), (CAM, STRANGER), (GATE, "id-live-vip")])
    received = collect(socket, len(injected))
    messages = _ours(received.events, injected)
    fail_unless(
        len(messages) == len(injected),
        f"{len(messages)} of {len(injected)} events pushed",
        list(ROUTING),
        [socket.transcript],
    )
    findings = websocket_checks.pictures(WsClientConfig.from_message(config), messages, target.profile)
    fail_on(findings, f"pictures with {PICTURE_CASES[case]}", exchanges=[socket.transcript])


@pytest.mark.req("WS-WS-010", "WS-WS-004")
@pytest.mark.needs_control
def test_a_second_configuration_replaces_the_first(
    live: LiveInjector, ws_connect: Connect, target: Target
) -> None:
    """A later configuration governs every event after it: new devices, new picture flags."""
    socket = ws_connect()
    configure(socket, {"need_face": False, "need_register": False, "event_list": [GATE]})
    first = live.inject([(GATE, "id-live-emp"), (CAM, "id-live-emp")])
    collect(socket, 1)
    second_config = {"need_face": True, "need_register": False, "event_list": [CAM]}
    configure(socket, second_config)
    second = live.inject([(GATE, "id-live-visitor"), (CAM, "id-live-visitor"), (CAM, STRANGER)])
    received = collect(socket, 2)
    messages = _ours(received.events, second)
    config = WsClientConfig.from_message(second_config)
    findings = websocket_checks.routing(
        config, messages, [i.event for i in second], requirements=("WS-WS-010",)
    )
    findings += websocket_checks.pictures(
        config, messages, target.profile, requirements=("WS-WS-010", "WS-WS-004")
    )
    fail_on(findings, "after a second configuration", exchanges=[socket.transcript])
    fail_unless(
        not _ours(received.events, first),
        "events of the first configuration arrived late",
        ["WS-WS-010"],
        [socket.transcript],
    )


@pytest.mark.req("WS-WS-013", *ROUTING)
@pytest.mark.needs_control
def test_each_client_gets_exactly_its_events(live: LiveInjector, ws_connect: Connect, target: Target) -> None:
    """Three clients with different configurations each receive their own stream, pictures per their flags."""
    configs: list[dict[str, Any]] = [
        {"need_face": False, "need_register": False, "event_list": [GATE]},
        {"need_face": True, "need_register": False, "event_list": [CAM, DOOR]},
        {"need_face": False, "need_register": True, "event_list": [GATE, DOOR]},
    ]
    sockets = [ws_connect() for _ in configs]
    for socket, config in zip(sockets, configs, strict=True):
        configure(socket, config, settle_s=0.0)
    configure(sockets[-1], configs[-1])  # once more, then settle: every client is configured
    injected = live.inject(
        [(GATE, "id-live-emp"), (CAM, "id-live-vip"), (DOOR, STRANGER), (DOOR, "id-live-visitor")]
    )
    for socket, config in zip(sockets, configs, strict=True):
        wanted = sum(1 for i in injected if i.event.device_id in config["event_list"])
        messages = _ours(collect(socket, wanted).events, injected)
        client = WsClientConfig.from_message(config)
        findings = websocket_checks.routing(
            client, messages, [i.event for i in injected], requirements=("WS-WS-013", *ROUTING)
        )
        findings += websocket_checks.pictures(client, messages, target.profile)
        fail_on(findings, f"client configured {config}", exchanges=[socket.transcript])


@pytest.mark.req("WS-WS-011", "WS-WS-003")
@given(case=MALFORMED)
def test_malformed_configurations_disturb_no_one(
    case: MalformedFrame, ws_connect: Connect, target: Target, request: pytest.FixtureRequest
) -> None:
    """A malformed configuration gets an error reply, silence or a clean close; others keep receiving."""
    kind, frame = case.kind, case.frame
    bystander: RecordingWebSocket | None = None
    live_events: LiveInjector | None = None
    if target.config.control_url is not None:
        live_events = request.getfixturevalue("live")
        bystander = ws_connect()
        configure(bystander, {"event_list": [DOOR]}, settle_s=0.05)
    socket = ws_connect()
    if isinstance(frame, bytes):
        socket.send_binary(frame)
    else:
        socket.send_text(frame)
    reaction = listen_quietly(socket, REACTION_S)
    transcripts = [socket.transcript] + ([bystander.transcript] if bystander else [])
    request.node.user_properties.append(
        (
            "ws_malformed_reaction",
            json.dumps(
                {
                    "kind": kind,
                    "closed": reaction.closed,
                    "replies": [str(o)[:120] for o in reaction.others[:2]],
                }
            ),
        )
    )
    fail_unless(
        not reaction.events,
        f"{kind}: events pushed to a client whose configuration was malformed",
        ["WS-WS-011"],
        transcripts,
    )
    if reaction.closed is not None:
        code = int(reaction.closed.split()[1]) if reaction.closed.startswith("status ") else None
        fail_unless(
            code in CLEAN_CLOSE_CODES,
            f"{kind}: connection closed with {reaction.closed}, not cleanly",
            ["WS-WS-011"],
            transcripts,
        )
    _release(socket)
    _release(ws_connect())  # new connections are still accepted
    if bystander is not None and live_events is not None:
        injected = live_events.inject([(DOOR, "id-live-emp")])
        got = _ours(collect(bystander, 1, quiet_s=0.0).events, injected)
        fail_unless(
            len(got) == 1,
            f"{kind}: another client stopped receiving after a malformed configuration",
            ["WS-WS-011"],
            transcripts,
        )
        _release(bystander)


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
@pytest.mark.needs_control
def test_every_message_validates(live: LiveInjector, ws_connect: Connect, target: Target) -> None:
    """One JSON object per text or binary frame (E37), valid per the table (E13, E14, E15, E18 by profile)."""
    socket = ws_connect()
    configure(socket, {"need_face": True, "need_register": True, "event_list": [GATE, CAM, DOOR]})
    injected = live.inject(
        [
            (GATE, "id-live-emp"),
            (CAM, "id-live-visitor"),
            (DOOR, "id-live-black"),
            (GATE, "id-live-vip"),
            (CAM, STRANGER),
        ]
    )
    received = collect(socket, len(injected))
    messages = _ours(received.events, injected)
    fail_unless(
        len(messages) == len(injected) and not received.others,
        f"{len(messages)} event message(s) of {len(injected)}, {len(received.others)} other frame(s)",
        ["WS-WS-015", *ROUTING],
        [socket.transcript],
    )
    fail_on(websocket_checks.timestamps(messages), "push timestamps", exchanges=[socket.transcript])
    for message in messages:
        fail_on_schema(
            "ws-event",
            message,
            target.profile,
            ["WS-SCHEMA-014", "WS-WS-016"],
            [socket.transcript],
            what="push message",
        )
    by_key = {event_key(i.event.ts_ms, i.event.device_id): i for i in injected}
    for message in messages:
        expected = by_key[str(message_key(message))]
        fail_unless(
            _ids_conform(message, expected.event_id, target.profile),
            f"event_id {message.get('event_id')!r} / video_id {message.get('video_id')!r}: expected "
            f"the stored id {expected.event_id!r} and a video id (E14; lenient: both may be absent)",
            ["WS-WS-016"],
            [socket.transcript],
        )
        person = message.get("ext_data", {}).get("person_type")
        fail_unless(
            person == expected.event.person_type,
            f"person_type {person!r}, stored {expected.event.person_type}",
            ["WS-SCHEMA-012"],
            [socket.transcript],
        )


def _ids_conform(message: dict[str, Any], event_id: str, profile: str) -> bool:
    """event_id is the stored id and video_id non-empty; lenient (E14) also accepts a message without both."""
    if profile == "lenient" and "event_id" not in message and "video_id" not in message:
        return True
    return message.get("event_id") == event_id and message.get("video_id") not in (None, "")


@pytest.mark.req("WS-WS-016", "WS-WS-003", "WS-WS-014")
@pytest.mark.needs_control
def test_the_seeds_sample_client_works(
    live: LiveInjector, target: Target, http_client: RecordingHttpClient
) -> None:
    """Seed 004's own client: Devices ids, json.dumps config, recv_data, event['video_id'/'event_id']."""
    devices = http_client.get(DEVICES_PATH)
    body = devices.json()
    listed = [
        d.get("device_id")
        for d in (body or {}).get("data", {}).get("devices_list", [])
        if isinstance(d, dict)
    ]
    fail_unless(GATE in listed, f"GET {DEVICES_PATH} does not list {GATE}", ["WS-WS-014"], [devices.exchange])
    s = websocket.WebSocket()
    s.connect(target.ws_url, timeout=5)  # type: ignore[no-untyped-call]
    try:
        s.send(json.dumps({"need_face": True, "need_register": True, "event_list": listed}))
        time.sleep(0.5)
        injected = live.inject([(GATE, "id-live-emp")])
        s.settimeout(8)
        info = s.recv_data(4096)  # type: ignore[arg-type]  # the seed's own call
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
    if without_ids:
        key = event_key(injected[0].event.ts_ms, injected[0].event.device_id)
        fail_unless(
            message_key(event) == key,
            f"sample client received the event {message_key(event)!r}, expected {key}",
            ["WS-WS-003", "WS-WS-014"],
            [devices.exchange],
        )
        return
    fail_unless(
        injected[0].event_id in seen,
        f"sample client printed {seen!r}, expected event id {injected[0].event_id}",
        ["WS-WS-016"],
        [devices.exchange],
    )
