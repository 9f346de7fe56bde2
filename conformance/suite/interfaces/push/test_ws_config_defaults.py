"""WebSocket configuration defaults (seed 004): a configuration that omits a key uses its default —
need_face false, need_register false, event_list [] (no device followed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conformance.checks import websocket_checks
from conformance.checks.websocket_checks import WsClientConfig, message_key
from conformance.clients.failures import fail_on
from conformance.clients.ws_client import RecordingWebSocket
from conformance.suite.support.ws_events import CAM, GATE, LiveInjector
from conformance.suite.support.ws_session import collect, configure
from conformance.target.target import Target

NOTHING_S = 1.5  # how long "nothing is pushed" is listened for
CASES: dict[str, dict[str, Any]] = {
    "without-flags": {"event_list": [GATE, CAM]},
    "without-event-list": {"need_face": True, "need_register": True},
}


@pytest.mark.req("WS-WS-012")
@pytest.mark.needs_control
@pytest.mark.parametrize("case", list(CASES))
def test_omitted_keys_take_their_defaults(
    live: LiveInjector, ws_connect: Callable[[], RecordingWebSocket], target: Target, case: str
) -> None:
    """No flags: no pictures (strict; lenient tolerates them, E28). No event_list: no events at all."""
    socket = ws_connect()
    sent = CASES[case]
    configure(socket, sent)
    injected = live.inject([(GATE, "id-live-emp"), (CAM, "id-live-vip")])
    config = WsClientConfig.from_message(sent)
    expected = sum(1 for i in injected if i.event.device_id in config.event_list)
    received = collect(socket, expected, deadline_s=8.0 if expected else NOTHING_S)
    keys = {f"{i.event.ts_ms}@{i.event.device_id}" for i in injected}
    ours = [m for m in received.events if message_key(m) in keys]
    ids = ("WS-WS-012",)
    findings = websocket_checks.routing(config, ours, [i.event for i in injected], requirements=ids)
    findings += websocket_checks.pictures(config, ours, target.profile, requirements=ids)
    fail_on(findings, f"configuration {sent} (omitted keys at their defaults)", exchanges=[socket.transcript])
