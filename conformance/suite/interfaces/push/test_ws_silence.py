"""WebSocket push (seed 004) where silence is the answer: nothing before the configuration, nothing to a
client whose configuration was malformed.

Silence proves something only while events happen. With a control plane the test injects them; on any other
box a witness client following every camera waits for live pushes meanwhile (`ws_witness`), and a quiet box
leaves the test *not exercised*, never passed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from hypothesis import Phase, given, settings

from conformance.checks import websocket_checks
from conformance.checks.correlation import event_key
from conformance.checks.websocket_checks import WsClientConfig, message_key
from conformance.clients.exchange import Exchange
from conformance.clients.failures import fail_on, fail_unless
from conformance.clients.ws_client import RecordingWebSocket
from conformance.suite.hypothesis_profiles import ws_malformed_examples
from conformance.suite.judgement import judged, not_exercised
from conformance.suite.support.ws_events import CAM, DOOR, GATE, STRANGER, Injected, LiveInjector
from conformance.suite.support.ws_live import LiveBox
from conformance.suite.support.ws_malformed import MALFORMED_SETS, MalformedFrame
from conformance.suite.support.ws_session import (
    Received,
    collect,
    configure,
    has_pushes_of,
    listen_quietly,
)
from conformance.suite.support.ws_witness import DRAIN_S, drain, every_camera, witness
from conformance.target.target import Target

Connect = Callable[[], RecordingWebSocket]
SILENCE_S = 1.0  # "nothing arrives before the configuration": the bounded wait (control plane)
REACTION_S = 0.3  # how long a malformed configuration's reaction is waited for
CLEAN_CLOSE_CODES = {1000, 1001, 1003, 1007, 1008, 1009}
# A failing set of frames is reported as generated: frames are few small kinds, while shrinking would replay
# dozens of sets, each waiting REACTION_S (and, on live traffic, a bystander's push) on the box.
NO_SHRINKING = (Phase.explicit, Phase.reuse, Phase.generate)


def _release(socket: RecordingWebSocket) -> None:
    """Close and free the OS socket even when the box closed first.

    RecordingWebSocket.close() skips websocket-client's shutdown() once the peer has closed, which
    leaks the socket (ResourceWarning); reported to the clients' owner.
    """
    raw = getattr(socket, "_ws", None)
    socket.close()
    if raw is not None:
        raw.shutdown()


def _ours(messages: list[dict[str, Any]], injected: list[Injected]) -> list[dict[str, Any]]:
    keys = {event_key(i.event.ts_ms, i.event.device_id) for i in injected}
    return [m for m in messages if message_key(m) in keys]


@pytest.mark.req("WS-WS-002", "WS-WS-001", "WS-WS-009")
def test_nothing_arrives_before_the_configuration(
    ws_connect: Connect, target: Target, request: pytest.FixtureRequest
) -> None:
    """After connecting the box sends nothing until configured, even while events occur; then no replay."""
    if target.config.control_url is None:
        _silent_while_the_box_pushes(request.getfixturevalue("live_box"), ws_connect, request)
        return
    socket = ws_connect()
    live_events: LiveInjector = request.getfixturevalue("live")
    injected = live_events.inject([(GATE, "id-live-emp"), (CAM, STRANGER), (DOOR, "id-live-vip")])
    before = listen_quietly(socket, SILENCE_S)
    fail_on(
        websocket_checks.before_config(before.events + before.others),
        "before configuration",
        exchanges=[socket.transcript],
    )
    configure(socket, {"need_face": False, "need_register": False, "event_list": [GATE, CAM, DOOR]})
    later = live_events.inject([(GATE, "id-live-visitor")])
    received = collect(socket, 0, until=has_pushes_of([i.event for i in later]))
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


def _silent_while_the_box_pushes(
    live_box: LiveBox, ws_connect: Connect, request: pytest.FixtureRequest
) -> None:
    """No control plane: an unconfigured client stays silent while a witness gets live pushes; no replay.

    The silence window is no fixed sleep: it lasts until the witness, following every camera, was pushed
    MIN_PUSHES recognitions the history holds (the time the box's own rate needs for them), so a box that
    pushed before the configuration would have pushed those same recognitions to the silent client. After
    its configuration the client reads until its first push: a replay comes before any new event.
    """
    silent, watcher = ws_connect(), ws_connect()
    seen = witness(live_box, watcher, "that the unconfigured client was spared pushes")
    (before,) = drain([silent])
    judged(request, "pushes", len(seen.pushes.events))
    judged(request, "events", len(seen.recorded))
    exchanges = [silent.transcript, watcher.transcript, *seen.window.exchanges]
    fail_on(
        websocket_checks.before_config(before.events + before.others, requirements=("WS-WS-002",)),
        f"before configuration, while the history shows {len(seen.recorded)} recognition(s) and a witness "
        f"got {len(seen.pushes.events)} push(es)",
        exchanges=exchanges,
    )
    earlier = {message_key(m) for m in seen.pushes.events + drain([watcher])[0].events}
    configure(silent, every_camera(live_box), settle_s=0.0)
    after = live_box.wait_for_pushes(silent, 1, devices=live_box.device_ids)
    replayed = sorted(str(k) for k in {message_key(m) for m in after.events} & earlier)
    fail_unless(
        not replayed,
        f"{len(replayed)} event(s) pushed before this client's configuration were replayed: {replayed[:5]}",
        ["WS-WS-009"],
        exchanges,
    )


@pytest.mark.req("WS-WS-011", "WS-WS-003")
@settings(phases=NO_SHRINKING, max_examples=ws_malformed_examples())
@given(cases=MALFORMED_SETS)
def test_malformed_configurations_disturb_no_one(
    cases: tuple[MalformedFrame, ...], ws_connect: Connect, target: Target, request: pytest.FixtureRequest
) -> None:
    """A malformed configuration gets an error reply, silence or a clean close; others keep receiving.

    One frame of every kind goes out at once, each on its own socket, and all are judged from one wait: the
    bystander (the cast's door with a control plane, every camera on live pushes) must be pushed an event
    recorded after the box had every frame for REACTION_S; a push reaches every client that wants it at
    once, so the malformed clients' silence over that same interval means something.
    """
    site = target.config.control_url is None
    live_box: LiveBox | None = request.getfixturevalue("live_box") if site else None
    bystander = ws_connect()
    configure(bystander, every_camera(live_box) if live_box else {"event_list": [DOOR]}, settle_s=0.05)
    sockets = [ws_connect() for _ in cases]
    for socket, case in zip(sockets, cases, strict=True):
        if isinstance(case.frame, bytes):
            socket.send_binary(case.frame)
        else:
            socket.send_text(case.frame)
    sent = time.monotonic()
    time.sleep(REACTION_S)
    reactions = drain(sockets, DRAIN_S)
    kinds = ", ".join(case.kind for case in cases)
    transcripts: list[Exchange] = [*(socket.transcript for socket in sockets), bystander.transcript]
    request.node.user_properties.append(
        (
            "ws_malformed_reaction",
            json.dumps(
                [
                    {"kind": c.kind, "closed": r.closed, "replies": [str(o)[:120] for o in r.others[:2]]}
                    for c, r in zip(cases, reactions, strict=True)
                ]
            ),
        )
    )
    _no_pushes_to_malformed(cases, reactions, transcripts)
    if live_box is not None:
        fresh = _bystander_after(live_box, bystander, sent)
    else:  # control plane: an event on the bystander's door, after the malformed frames
        live_events: LiveInjector = request.getfixturevalue("live")
        injected = live_events.inject([(DOOR, "id-live-emp")])  # its push is awaited, not any live one
        fresh = collect(bystander, 0, quiet_s=0.0, until=has_pushes_of([i.event for i in injected]))
        fresh.events[:] = _ours(fresh.events, injected)
    open_sockets = [(s, r) for s, r in zip(sockets, reactions, strict=True) if r.closed is None]
    for (_, reaction), (later,) in zip(
        open_sockets, (drain([s], DRAIN_S) for s, _ in open_sockets), strict=True
    ):  # what the malformed clients got while the bystander was pushed events
        reaction.events.extend(later.events)
    fail_unless(
        fresh.closed is None,
        f"another client was closed ({fresh.closed}) after malformed configurations ({kinds})",
        ["WS-WS-011"],
        transcripts,
    )
    _no_pushes_to_malformed(cases, reactions, transcripts)
    if live_box is not None and not fresh.events:
        not_exercised(
            f"no live push came to the bystander within {live_box.wait_s:g} s (--live-wait) after the "
            "malformed configurations: the malformed clients' silence shows nothing"
        )
    fail_unless(
        bool(fresh.events),
        f"another client stopped receiving after malformed configurations ({kinds})",
        ["WS-WS-011"],
        transcripts,
    )
    judged(request, "pushes", len(fresh.events))
    for case, reaction in zip(cases, reactions, strict=True):
        if reaction.closed is not None:
            closed = reaction.closed
            code = int(closed.split()[1]) if closed.startswith("status ") else None
            fail_unless(
                code in CLEAN_CLOSE_CODES,
                f"{case.kind}: connection closed with {closed}, not cleanly",
                ["WS-WS-011"],
                transcripts,
            )
    for socket in sockets:
        _release(socket)
    _release(ws_connect())  # new connections are still accepted
    _release(bystander)


def _no_pushes_to_malformed(
    cases: Sequence[MalformedFrame], reactions: Sequence[Received], transcripts: list[Exchange]
) -> None:
    """Fails when a client whose only configuration was malformed was pushed an event."""
    pushed = [c.kind for c, r in zip(cases, reactions, strict=True) if r.events]
    fail_unless(
        not pushed,
        f"events pushed to clients whose configuration was malformed: {', '.join(pushed)}",
        ["WS-WS-011"],
        transcripts,
    )


def _bystander_after(live_box: LiveBox, bystander: RecordingWebSocket, sent: float) -> Received:
    """The bystander's pushes of events recorded after the box had the malformed frames for REACTION_S."""
    time.sleep(max(0.0, sent + REACTION_S - time.monotonic()))
    (stale,) = drain([bystander], DRAIN_S)  # pushed before: may predate the malformed frame
    if stale.closed is not None:
        return stale
    return live_box.wait_for_pushes(bystander, 1, devices=live_box.device_ids, quiet_s=0.0)
