"""WebSocket push (seed 004): which client gets which events — event_list routing, a second configuration on
the same socket, several clients with different configurations.

With a control plane the events are injected and the oracle is what was injected. On any other box the
clients are judged from live recognitions: a witness client following every camera waits for pushes, and the
v2 history of its span says which events each client had to get and which it had to be spared (`ws_witness`);
a case with nothing to judge (one camera, a quiet box) is *not exercised*.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from conformance.checks import websocket_checks
from conformance.checks.correlation import event_key
from conformance.checks.websocket_checks import WsClientConfig, message_key
from conformance.clients.exchange import Exchange
from conformance.clients.failures import fail_on, fail_unless
from conformance.clients.ws_client import RecordingWebSocket
from conformance.suite.judgement import judged, not_exercised
from conformance.suite.support.ws_events import CAM, DOOR, GATE, STRANGER, Injected, LiveInjector
from conformance.suite.support.ws_live import LiveBox
from conformance.suite.support.ws_session import collect, configure, has_pushes_of, listen_quietly
from conformance.suite.support.ws_witness import Witnessed, drain, judge_client, witness
from conformance.target.target import Target

Connect = Callable[[], RecordingWebSocket]
ROUTING = ("WS-WS-006", "WS-WS-007", "WS-WS-008")
RESETTLE_S = 0.5  # after a second configuration: pushes of events recorded before it may still be on the way
PLACES = {"gate": [GATE], "cam-door": [CAM, DOOR], "empty": []}  # the cast's devices of each routing case


def _ours(messages: list[dict[str, Any]], injected: list[Injected]) -> list[dict[str, Any]]:
    keys = {event_key(i.event.ts_ms, i.event.device_id) for i in injected}
    return [m for m in messages if message_key(m) in keys]


def _site(target: Target, request: pytest.FixtureRequest) -> LiveBox | None:
    """The box's live side when there is no control plane (the test then judges live pushes)."""
    return request.getfixturevalue("live_box") if target.config.control_url is None else None


def _first_and_rest(live_box: LiveBox, what: str) -> tuple[list[str], list[str]]:
    """The box's first camera and the others; not exercised with a single camera."""
    ids = live_box.device_ids
    if len(ids) < 2:
        not_exercised(f"the box lists one device only ({ids[0]}): {what}")
    return ids[:1], ids[1:]


def _exchanges(sockets: Sequence[RecordingWebSocket], seen: Witnessed) -> list[Exchange]:
    return [*(s.transcript for s in sockets), *seen.window.exchanges]


@pytest.mark.req(*ROUTING, "WS-WS-014")
@pytest.mark.parametrize("case", list(PLACES))
def test_only_listed_devices_are_pushed(
    ws_connect: Connect, target: Target, request: pytest.FixtureRequest, case: str
) -> None:
    """Exactly the events of devices in event_list are pushed, once each; [] pushes nothing.

    Live: the box's first camera (gate), the others (cam-door) or none (empty), while the history shows
    the other devices recorded events that were not pushed.
    """
    live_box = _site(target, request)
    if live_box is not None:
        listed: list[str] = []
        if case != "empty":
            first, rest = _first_and_rest(live_box, "no unlisted device to stay silent")
            listed = first if case == "gate" else rest
        _live_routing(live_box, ws_connect, target, request, listed)
        return
    live: LiveInjector = request.getfixturevalue("live")
    event_list = PLACES[case]
    socket = ws_connect()
    config = {"need_face": False, "need_register": False, "event_list": event_list}
    configure(socket, config)
    injected = live.inject(
        [(GATE, "id-live-emp"), (CAM, STRANGER), (DOOR, "id-live-black"), (GATE, STRANGER)]
    )
    due = [i.event for i in injected if i.event.device_id in event_list]
    received = collect(socket, 0, deadline_s=8.0 if due else 1.5, until=has_pushes_of(due))
    client = WsClientConfig.from_message(config)
    # the injected events by their keys; live recognitions of the listed devices are pushed too (a busy box)
    findings = websocket_checks.routing(client, _ours(received.events, injected), [i.event for i in injected])
    findings += websocket_checks.live_routing(client, received.events, ())  # every push from a listed device
    fail_on(findings, f"push with event_list {event_list}", exchanges=[socket.transcript])


def _live_routing(
    live_box: LiveBox, ws_connect: Connect, target: Target, request: pytest.FixtureRequest, listed: list[str]
) -> None:
    socket, watcher = ws_connect(), ws_connect()
    config = {"need_face": False, "need_register": False, "event_list": listed}
    configure(socket, config, settle_s=0.0)
    spared_devices = [d for d in live_box.device_ids if d not in listed]
    groups = [g for g in (listed, spared_devices) if g]
    seen = witness(live_box, watcher, f"which events a client following {listed} was spared", covering=groups)
    (received,) = drain([socket])
    spared = seen.spared(listed)
    judged(request, "pushes", len(received.events) + len(seen.pushes.events))
    judged(request, "events", len(seen.recorded))
    findings = judge_client(config, received, seen, target.profile, (*ROUTING, "WS-WS-014"), socket=socket)
    fail_on(findings, f"live pushes with event_list {listed}", exchanges=_exchanges([socket, watcher], seen))
    if not spared:
        not_exercised(
            f"the devices outside {listed} recorded no recognition while the witness was pushed events, "
            "so the history cannot show them being left out"
        )


@pytest.mark.req("WS-WS-010", "WS-WS-004")
def test_a_second_configuration_replaces_the_first(
    ws_connect: Connect, target: Target, request: pytest.FixtureRequest
) -> None:
    """A later configuration governs every event after it: new devices, new picture flags."""
    live_box = _site(target, request)
    if live_box is not None:
        _live_second_configuration(live_box, ws_connect, target, request)
        return
    live: LiveInjector = request.getfixturevalue("live")
    socket = ws_connect()
    configure(socket, {"need_face": False, "need_register": False, "event_list": [GATE]})
    first = live.inject([(GATE, "id-live-emp"), (CAM, "id-live-emp")])
    collect(socket, 0, until=has_pushes_of([first[0].event]))
    second_config = {"need_face": True, "need_register": False, "event_list": [CAM]}
    configure(socket, second_config)
    second = live.inject([(GATE, "id-live-visitor"), (CAM, "id-live-visitor"), (CAM, STRANGER)])
    received = collect(socket, 0, until=has_pushes_of([i.event for i in second if i.event.device_id == CAM]))
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


def _live_second_configuration(
    live_box: LiveBox, ws_connect: Connect, target: Target, request: pytest.FixtureRequest
) -> None:
    """Half the cameras without pictures, then the other half with need_face: judged over a witness's span.

    Halves (not one camera against the rest) make each wait for a push of a given group as short as the
    box's traffic allows; one push shows the first configuration took effect, so no quiet time follows it.
    """
    first_list, second_list = live_box.halves()
    if not second_list:
        not_exercised(
            f"the box lists one device only ({first_list[0]}): a second configuration cannot "
            "change the devices"
        )
    socket = ws_connect()
    configure(socket, {"need_face": False, "need_register": False, "event_list": first_list})
    first = live_box.wait_for_pushes(socket, 1, devices=first_list, quiet_s=0.0)
    if not first.events:
        not_exercised(f"no live push from {first_list} came before the second configuration")
    second = {"need_face": True, "need_register": False, "event_list": second_list}
    configure(socket, second, settle_s=0.0)
    listen_quietly(socket, RESETTLE_S)  # events recorded before the second configuration
    watcher = ws_connect()
    seen = witness(
        live_box, watcher, "what the second configuration governs", covering=[second_list, first_list]
    )
    (received,) = drain([socket])
    judged(request, "pushes", len(first.events) + len(received.events))
    judged(request, "events", len(seen.recorded))
    findings = judge_client(second, received, seen, target.profile, ("WS-WS-010", "WS-WS-004"), socket=socket)
    fail_on(findings, f"after a second configuration {second}", exchanges=_exchanges([socket, watcher], seen))
    if not seen.spared(second_list):
        not_exercised(f"the first configuration's devices {first_list} recorded nothing after the second")


@pytest.mark.req("WS-WS-013", *ROUTING)
def test_each_client_gets_exactly_its_events(
    ws_connect: Connect, target: Target, request: pytest.FixtureRequest
) -> None:
    """Three clients with different configurations each receive their own stream, pictures per their flags."""
    live_box = _site(target, request)
    if live_box is not None:  # halves: the witness soon has a push of each (one camera alone is rarer)
        first, rest = live_box.halves()
        if not rest:
            not_exercised(
                f"the box lists one device only ({first[0]}): clients cannot follow different devices"
            )
        places = (first, rest, first + rest[-1:])
    else:
        places = ([GATE], [CAM, DOOR], [GATE, DOOR])
    configs: list[dict[str, Any]] = [
        {"need_face": False, "need_register": False, "event_list": places[0]},
        {"need_face": True, "need_register": False, "event_list": places[1]},
        {"need_face": False, "need_register": True, "event_list": places[2]},
    ]
    sockets = [ws_connect() for _ in configs]
    for socket, config in zip(sockets, configs, strict=True):
        configure(socket, config, settle_s=0.0)
    if live_box is not None:
        watcher = ws_connect()
        seen = witness(live_box, watcher, "which events each client was spared", covering=[first, rest])
        judged(request, "events", len(seen.recorded))
        for socket, config, received in zip(sockets, configs, drain(sockets), strict=True):
            judged(request, "pushes", len(received.events))
            findings = judge_client(
                config, received, seen, target.profile, ("WS-WS-013", *ROUTING), socket=socket
            )
            fail_on(findings, f"client configured {config}", exchanges=_exchanges([socket, watcher], seen))
        return
    live: LiveInjector = request.getfixturevalue("live")
    configure(sockets[-1], configs[-1])  # once more, then settle: every client is configured
    injected = live.inject(
        [(GATE, "id-live-emp"), (CAM, "id-live-vip"), (DOOR, STRANGER), (DOOR, "id-live-visitor")]
    )
    for socket, config in zip(sockets, configs, strict=True):
        due = [i.event for i in injected if i.event.device_id in config["event_list"]]
        received = collect(socket, 0, until=has_pushes_of(due))
        messages = _ours(received.events, injected)
        client = WsClientConfig.from_message(config)
        findings = websocket_checks.routing(
            client, messages, [i.event for i in injected], requirements=("WS-WS-013", *ROUTING)
        )
        findings += websocket_checks.live_routing(  # live pushes too: from its devices only
            client, received.events, (), requirements=("WS-WS-013", *ROUTING)
        )
        findings += websocket_checks.pictures(client, messages, target.profile)
        fail_on(findings, f"client configured {config}", exchanges=[socket.transcript])
