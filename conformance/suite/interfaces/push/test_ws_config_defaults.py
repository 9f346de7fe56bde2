"""WebSocket configuration defaults (seed 004): a configuration that omits a key uses its default —
need_face false, need_register false, event_list [] (no device followed).

With a control plane the events are injected; on any other box live pushes are judged, and the client
without event_list is judged against a witness following every camera (`ws_witness`): its silence counts only
while the witness is pushed events the history holds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conformance.checks import websocket_checks
from conformance.checks.websocket_checks import WsClientConfig, message_key
from conformance.clients.failures import fail_on
from conformance.clients.ws_client import RecordingWebSocket
from conformance.suite.judgement import judged, not_exercised
from conformance.suite.support.ws_events import CAM, GATE, LiveInjector
from conformance.suite.support.ws_live import MIN_PUSHES, LiveBox
from conformance.suite.support.ws_session import collect, configure
from conformance.suite.support.ws_witness import drain, judge_client, witness
from conformance.target.target import Target

NOTHING_S = 1.5  # how long "nothing is pushed" is listened for (control plane)
CASES: dict[str, dict[str, Any]] = {
    "without-flags": {"event_list": [GATE, CAM]},
    "without-event-list": {"need_face": True, "need_register": True},
}
IDS = ("WS-WS-012",)


@pytest.mark.req("WS-WS-012")
@pytest.mark.parametrize("case", list(CASES))
def test_omitted_keys_take_their_defaults(
    ws_connect: Callable[[], RecordingWebSocket], target: Target, request: pytest.FixtureRequest, case: str
) -> None:
    """No flags: no pictures (strict; lenient tolerates them, E28). No event_list: no events at all."""
    if target.config.control_url is None:
        _live_defaults(request.getfixturevalue("live_box"), ws_connect, target, request, case)
        return
    live: LiveInjector = request.getfixturevalue("live")
    socket = ws_connect()
    sent = CASES[case]
    configure(socket, sent)
    injected = live.inject([(GATE, "id-live-emp"), (CAM, "id-live-vip")])
    config = WsClientConfig.from_message(sent)
    expected = sum(1 for i in injected if i.event.device_id in config.event_list)
    received = collect(socket, expected, deadline_s=8.0 if expected else NOTHING_S)
    keys = {f"{i.event.ts_ms}@{i.event.device_id}" for i in injected}
    ours = [m for m in received.events if message_key(m) in keys]
    findings = websocket_checks.routing(config, ours, [i.event for i in injected], requirements=IDS)
    findings += websocket_checks.pictures(config, ours, target.profile, requirements=IDS)
    fail_on(findings, f"configuration {sent} (omitted keys at their defaults)", exchanges=[socket.transcript])


def _live_defaults(
    live_box: LiveBox,
    ws_connect: Callable[[], RecordingWebSocket],
    target: Target,
    request: pytest.FixtureRequest,
    case: str,
) -> None:
    """Live: every camera without flags gets pushes without pictures; flags without event_list get nothing."""
    socket = ws_connect()
    if case == "without-flags":
        sent: dict[str, Any] = {"event_list": live_box.device_ids}
        configure(socket, sent)
        received = live_box.wait_for_pushes(socket, MIN_PUSHES, devices=live_box.device_ids)
        if not received.events:
            not_exercised(f"no live push came within {live_box.wait_s:g} s (--live-wait) without flags")
        judged(request, "pushes", len(received.events))
        findings = websocket_checks.pictures(
            WsClientConfig.from_message(sent), received.events, target.profile, requirements=IDS
        )
        fail_on(findings, f"configuration {sent} (no flags: no pictures)", exchanges=[socket.transcript])
        return
    sent = CASES[case]
    configure(socket, sent, settle_s=0.0)
    watcher = ws_connect()
    seen = witness(live_box, watcher, "that a configuration without event_list follows no device")
    (received,) = drain([socket])
    judged(request, "pushes", len(seen.pushes.events))
    judged(request, "events", len(seen.recorded))
    fail_on(
        judge_client(sent, received, seen, target.profile, IDS),
        f"configuration {sent} (no event_list: no device) while a witness was pushed events",
        exchanges=[socket.transcript, watcher.transcript, *seen.window.exchanges],
    )
