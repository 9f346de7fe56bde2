"""WebSocket push (seed 004) judged from the box's own live recognitions, on any box (no control plane).

Every test configures clients with device ids from GET /SophonDevice/api/Devices, waits up to the run's
`--live-wait` for pushes and judges them against the v2 history read over a window closed in the past: the
same event, identity, device, score and person type, a millisecond timestamp, every listed device's event
pushed once and no other. A box that recorded nothing within the wait gives *not exercised*, never a pass.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest

from conformance.checks import websocket_checks
from conformance.checks.consistency import EventView
from conformance.checks.findings import Finding
from conformance.checks.websocket_checks import WsClientConfig, message_key
from conformance.clients.exchange import Exchange
from conformance.clients.failures import fail_on, fail_unless
from conformance.clients.ws_client import RecordingWebSocket
from conformance.suite.judgement import judged, not_exercised
from conformance.suite.support.ws_live import MIN_PUSHES, HistoryWindow, LiveBox
from conformance.suite.support.ws_session import (
    Received,
    collect,
    configure,
    has_pushes_of,
    listen_quietly,
)
from conformance.suite.support.ws_witness import DRAIN_S, catch_up_on, drain
from conformance.target.target import Target

Connect = Callable[[], RecordingWebSocket]
BYSTANDER_WAIT_S = 3.0  # a push to the fresh client reaches the bystander (same devices) within this
REACTION_S = 0.2  # how long the malformed configurations' replies or closes are waited for
RESETTLE_S = 0.5  # after a second configuration: pushes of events recorded before it may still be on the way
CLEAN_CLOSE_CODES = {1000, 1001, 1003, 1007, 1008, 1009}
MALFORMED_FRAMES: tuple[str | bytes, ...] = (
    "need_face=True",  # not JSON
    "[]",  # JSON, not an object
    '{"need_face": "yes", "need_register": 1, "event_list": "all"}',  # wrong types
    b'{"event_list": []}',  # a binary frame
)


def _config(devices: Sequence[str], *, pictures: bool = False) -> dict[str, Any]:
    return {"need_face": pictures, "need_register": pictures, "event_list": list(devices)}


def _need(received: Received, want: int, what: str, live_box: LiveBox) -> None:
    """Not exercised unless `want` pushes came (a quiet box proves nothing); a closed socket is judged."""
    if received.closed is None and len(received.events) < want:
        not_exercised(
            f"{len(received.events)} live push(es) of {want} needed {what} came within "
            f"{live_box.wait_s:g} s (--live-wait); the box recorded too little on these cameras"
        )


def _evidence(sockets: Sequence[RecordingWebSocket], window: HistoryWindow | None) -> list[Exchange]:
    exchanges: list[Exchange] = [s.transcript for s in sockets]
    return exchanges + (list(window.exchanges) if window else [])


def _judge_stream(
    config: Mapping[str, Any],
    received: Received,
    live_box: LiveBox,
    target: Target,
    requirements: Sequence[str],
    *,
    socket: RecordingWebSocket | None = None,
) -> tuple[list[Finding], HistoryWindow]:
    """One client's stream against the history: routing over the pushes' window, pictures per its flags.

    With its `socket`, the client first gets time to receive every event of its devices the history holds
    between its first and last push (a same-ms tie of its last push may still be on the way).
    """
    window = live_box.history_of(received.events)
    if socket is not None:
        window = _caught_up(socket, config, received, live_box, window)
    client = WsClientConfig.from_message(config)
    findings = live_box.routing_findings(config, received, window, requirements)
    findings += websocket_checks.pictures(client, received.events, target.profile, requirements=requirements)
    return findings, window


def _caught_up(
    socket: RecordingWebSocket,
    config: Mapping[str, Any],
    received: Received,
    live_box: LiveBox,
    window: HistoryWindow,
) -> HistoryWindow:
    """The window once the client received what the history says is due in it (read again if more came)."""
    count = len(received.events)
    catch_up_on(socket, config, received, live_box.routed(received, window))
    return live_box.history_of(received.events) if len(received.events) > count else window


@pytest.mark.req(
    "WS-WS-008",
    "WS-WS-014",
    "WS-WS-015",
    "WS-TIME-001",
    "WS-SCHEMA-001",
    "WS-SCHEMA-002",
    "WS-SCHEMA-007",
    "WS-SCHEMA-012",
)
def test_live_pushes_are_in_the_history(
    live_box: LiveBox, ws_connect: Connect, request: pytest.FixtureRequest
) -> None:
    """With every device listed, each push is its v2 event (id, identity, device, score, type, ms time)."""
    socket = ws_connect()
    config = _config(live_box.device_ids)
    configure(socket, config)
    received = live_box.wait_for_pushes(socket, MIN_PUSHES, devices=live_box.device_ids)
    _need(received, 1, "with every device listed", live_box)
    fail_unless(
        received.closed is None and not received.others,
        f"closed: {received.closed}; {len(received.others)} frame(s) that are not one JSON event object",
        ["WS-WS-015"],
        [socket.transcript],
    )
    window = _caught_up(socket, config, received, live_box, live_box.history_of(received.events))
    judged(request, "pushes", len(received.events))
    judged(request, "events", len(window.events))
    exchanges = _evidence([socket], window)
    fail_on(
        websocket_checks.timestamps(received.events, requirements=("WS-TIME-001",)),
        "live push timestamps",
        exchanges=exchanges,
    )
    fail_on(
        websocket_checks.in_history(
            received.events,
            window.events,
            requirements=("WS-SCHEMA-001", "WS-SCHEMA-007", "WS-SCHEMA-012", "WS-TIME-001"),
        ),
        "live pushes against the v2 history",
        exchanges=exchanges,
    )
    fail_on(
        live_box.routing_findings(config, received, window, ("WS-WS-008", "WS-WS-014")),
        "every recorded event pushed once",
        exchanges=exchanges,
    )


@pytest.mark.req("WS-WS-006", "WS-WS-007", "WS-WS-008")
def test_live_pushes_follow_event_list(
    live_box: LiveBox, ws_connect: Connect, target: Target, request: pytest.FixtureRequest
) -> None:
    """With half the devices listed only theirs are pushed, while the history shows the others' events."""
    listed, others = live_box.halves()
    if not others:
        not_exercised(f"the box lists one device only ({listed[0]}): no unlisted device to stay silent")
    socket = ws_connect()
    config = _config(listed)
    configure(socket, config)
    started = time.monotonic()
    received = live_box.wait_for_pushes(socket, MIN_PUSHES, devices=listed)
    _need(received, 2, f"from the listed devices {listed}", live_box)
    routing = ("WS-WS-006", "WS-WS-007")
    while True:  # until the span shows an unlisted device's event (decisive), or --live-wait ran out
        findings, window = _judge_stream(config, received, live_box, target, routing, socket=socket)
        between = live_box.routed(received, window)
        silent = [e for e in between if EventView.from_v2(e).device_id in others]
        left = started + live_box.wait_s - time.monotonic()
        if silent or findings or received.closed is not None or left <= 0:
            break
        collect(socket, len(received.events) + 1, deadline_s=left, quiet_s=0.0, into=received)
    judged(request, "pushes", len(received.events))
    judged(request, "events", len(between))
    fail_on(findings, f"live pushes with event_list {listed}", exchanges=_evidence([socket], window))
    if not silent:
        not_exercised(
            f"the unlisted devices {others} recorded no event between the first and the last push, "
            "so the history cannot show them being left out"
        )


@pytest.mark.req("WS-WS-004", "WS-WS-005", "WS-SCHEMA-006", "WS-SCHEMA-010")
def test_live_pictures_follow_the_flags(
    live_box: LiveBox, ws_connect: Connect, target: Target, request: pytest.FixtureRequest
) -> None:
    """need_face/need_register true give decodable JPEGs, false give none: two clients, same devices."""
    with_pictures, without = ws_connect(), ws_connect()
    configs = (_config(live_box.device_ids, pictures=True), _config(live_box.device_ids, pictures=False))
    configure(with_pictures, configs[0], settle_s=0.0)
    configure(without, configs[1])
    received = live_box.wait_for_pushes(with_pictures, MIN_PUSHES, devices=live_box.device_ids)
    _need(received, 1, "for the picture flags", live_box)
    plain = collect(without, len(received.events), deadline_s=3.0, quiet_s=0.3)
    findings: list[Finding] = []
    for config, got in ((configs[0], received), (configs[1], plain)):
        client = WsClientConfig.from_message(config)
        findings += websocket_checks.pictures(client, got.events, target.profile)
    judged(request, "pushes", len(received.events) + len(plain.events))
    fail_on(findings, "live pushes' pictures", exchanges=_evidence([with_pictures, without], None))
    fail_unless(
        bool(plain.events) or plain.closed is not None,
        f"the client with need_face/need_register false got none of {len(received.events)} pushes",
        ["WS-WS-004", "WS-WS-005"],
        _evidence([with_pictures, without], None),
    )
    if all(m.get("ext_data", {}).get("person_type") == 4 for m in received.events):
        not_exercised(
            "need_register: every live push was a stranger (reg_pic is sent for matched persons only)"
        )


@pytest.mark.req("WS-WS-010")
def test_live_second_configuration_takes_effect(
    live_box: LiveBox, ws_connect: Connect, target: Target, request: pytest.FixtureRequest
) -> None:
    """A second configuration on the same socket governs what follows: its devices, its picture flags."""
    socket = ws_connect()
    configure(socket, _config(live_box.device_ids))
    first = live_box.wait_for_pushes(socket, 1, devices=live_box.device_ids)
    _need(first, 1, "before the second configuration", live_box)
    listed, _ = live_box.halves()
    second = {"need_face": True, "need_register": False, "event_list": listed}
    configure(socket, second, settle_s=0.0)
    listen_quietly(socket, RESETTLE_S)  # events recorded before the second configuration
    received = live_box.wait_for_pushes(socket, MIN_PUSHES, devices=listed)
    _need(received, 2, f"after the second configuration (devices {listed})", live_box)
    findings, window = _judge_stream(second, received, live_box, target, ("WS-WS-010",), socket=socket)
    judged(request, "pushes", len(first.events) + len(received.events))
    fail_on(findings, f"after a second configuration {second}", exchanges=_evidence([socket], window))


@pytest.mark.req("WS-WS-002", "WS-WS-009")
def test_live_nothing_before_the_configuration(
    live_box: LiveBox, ws_connect: Connect, request: pytest.FixtureRequest
) -> None:
    """An unconfigured client gets nothing while another is pushed events; configured, it gets no replay.

    The silence window lasts until the configured witness was pushed MIN_PUSHES recognitions (as long as the
    box's own rate needs, no fixed sleep): those pushes prove recognitions the silent client would have got.
    """
    silent = ws_connect()
    witness = ws_connect()
    configure(witness, _config(live_box.device_ids))
    seen = live_box.wait_for_pushes(witness, MIN_PUSHES, devices=live_box.device_ids)
    _need(seen, 1, "to a configured witness while the other client stays unconfigured", live_box)
    window = live_box.history_of(seen.events)
    proven = [m for m in seen.events if not websocket_checks.unmatched_pushes([m], window.events)]
    before = listen_quietly(silent, 0.3)
    judged(request, "pushes", len(seen.events))
    judged(request, "events", len(proven))
    exchanges = _evidence([silent, witness], window)
    fail_on(
        websocket_checks.before_config(before.events + before.others, requirements=("WS-WS-002",)),
        f"before configuration, while the box recorded {len(proven)} event(s) pushed to another client",
        exchanges=exchanges,
    )
    if not proven:
        not_exercised("no push to the witness was found in the v2 history: nothing proves events happened")
    earlier = {message_key(m) for m in seen.events + listen_quietly(witness, 0.2).events}
    configure(silent, _config(live_box.device_ids), settle_s=0.0)
    after = live_box.wait_for_pushes(silent, 1, devices=live_box.device_ids)
    replayed = sorted(str(k) for k in {message_key(m) for m in after.events} & earlier)
    fail_unless(
        not replayed,
        f"{len(replayed)} event(s) pushed before this client's configuration were replayed: {replayed[:5]}",
        ["WS-WS-009"],
        exchanges,
    )


@pytest.mark.req("WS-WS-013", "WS-WS-006", "WS-WS-007")
def test_live_clients_get_their_own_streams(
    live_box: LiveBox, ws_connect: Connect, target: Target, request: pytest.FixtureRequest
) -> None:
    """Two clients with different devices and flags each get exactly their devices' events, their pictures."""
    listed, others = live_box.halves()
    if not others:
        not_exercised(
            f"the box lists one device only ({listed[0]}): two clients cannot follow different ones"
        )
    sockets = (ws_connect(), ws_connect())
    configs = (_config(listed, pictures=True), _config(others, pictures=False))
    configure(sockets[0], configs[0], settle_s=0.0)
    configure(sockets[1], configs[1])
    streams = [live_box.wait_for_pushes(sockets[0], 2, devices=listed)]
    streams.append(live_box.wait_for_pushes(sockets[1], 2, devices=others))
    for devices, stream in zip((listed, others), streams, strict=True):
        _need(stream, 2, f"on each client (devices {devices})", live_box)
    for socket, config, stream in zip(sockets, configs, streams, strict=True):
        findings, window = _judge_stream(config, stream, live_box, target, ("WS-WS-013",), socket=socket)
        judged(request, "pushes", len(stream.events))
        fail_on(findings, f"client configured {config['event_list']}", exchanges=_evidence(sockets, window))


@pytest.mark.req("WS-WS-011")
def test_live_malformed_configuration_disturbs_no_one(
    live_box: LiveBox, ws_connect: Connect, target: Target, request: pytest.FixtureRequest
) -> None:
    """Malformed configurations on other sockets: a configured client keeps every push; new ones connect."""
    bystander = ws_connect()
    config = _config(live_box.device_ids)
    configure(bystander, config)
    received = live_box.wait_for_pushes(bystander, 1, devices=live_box.device_ids)
    _need(received, 1, "to the configured client before the malformed configurations", live_box)
    malformed = [ws_connect() for _ in MALFORMED_FRAMES]  # all at once: one reaction time for every frame
    for socket, frame in zip(malformed, MALFORMED_FRAMES, strict=True):
        if isinstance(frame, bytes):
            socket.send_binary(frame)
        else:
            socket.send_text(frame)
    time.sleep(REACTION_S)
    reactions = drain(malformed, DRAIN_S)
    for socket in malformed:
        socket.close()
    request.node.user_properties.append(
        ("ws_malformed_reactions", json.dumps([r.closed or f"{len(r.others)} reply" for r in reactions]))
    )
    before = len(received.events)
    live_box.wait_for_pushes(bystander, before + MIN_PUSHES, into=received)
    exchanges = _evidence([bystander], None)
    fail_unless(
        received.closed is None,
        f"the configured client was closed ({received.closed}) after malformed configurations elsewhere",
        ["WS-WS-011"],
        exchanges,
    )
    fail_unless(
        not any(r.events for r in reactions),
        "events pushed to a client whose only configuration was malformed",
        ["WS-WS-011"],
        exchanges,
    )
    if len(received.events) == before and received.closed is None:
        not_exercised("no live push came after the malformed configurations: nothing shows pushing went on")
    fresh = ws_connect()
    configure(fresh, config)
    fresh_got = live_box.wait_for_pushes(fresh, 1, devices=live_box.device_ids)
    # the bystander follows the same devices: the events injected for the fresh client are due to it too
    meanwhile = collect(bystander, 0, deadline_s=BYSTANDER_WAIT_S, until=has_pushes_of(fresh_got.caused))
    received.events.extend(meanwhile.events)
    received.caused.extend(fresh_got.caused)
    fail_unless(
        bool(fresh_got.events) or not meanwhile.events,
        f"a client connected after the malformed configurations got no push; the bystander got "
        f"{len(meanwhile.events)} meanwhile",
        ["WS-WS-011"],
        [*exchanges, fresh.transcript],
    )
    findings, window = _judge_stream(config, received, live_box, target, ("WS-WS-011",), socket=bystander)
    judged(request, "pushes", len(received.events))
    fail_on(
        findings,
        "the bystander's stream across malformed configurations",
        exchanges=_evidence([bystander], window),
    )
