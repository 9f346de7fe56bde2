"""One seed-004 client as a test drives it: send a configuration, collect pushes with bounded waits.

The box acknowledges nothing, so after a configuration the client waits SETTLE_S before events are
caused, and collecting ends when the expected number arrived plus a short QUIET_S for extras, or at
a deadline. Non-event frames (a JSON error reply, a close) are kept apart from events.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from conformance.checks.correlation import event_key
from conformance.checks.scenario import ScenarioEvent
from conformance.checks.websocket_checks import message_key
from conformance.clients.ws_client import RecordingWebSocket

SETTLE_S = 0.3  # time for the box to apply a configuration before events are caused
QUIET_S = 0.3  # after the expected messages, how long extras are waited for
DEADLINE_S = 8.0  # the longest wait for expected messages


@dataclass
class Received:
    """What a client received: event messages, other JSON (error replies), raw non-JSON or close frames.

    `caused` lists the events the harness injected (control plane) while this client was configured and
    waiting: each of them on its devices is due to it, whatever live traffic comes meanwhile.
    """

    events: list[dict[str, Any]] = field(default_factory=list)
    others: list[Any] = field(default_factory=list)
    closed: str | None = None
    caused: list[ScenarioEvent] = field(default_factory=list)

    def add(self, value: Any) -> None:
        """Sort one decoded frame into events or others."""
        if (
            isinstance(value, dict)
            and "error" not in value
            and ("timestamp" in value or "device_id" in value)
        ):
            self.events.append(value)
        else:
            self.others.append(value)


def configure(socket: RecordingWebSocket, config: Mapping[str, Any], settle_s: float = SETTLE_S) -> None:
    """Send a configuration as one JSON text frame (WS-WS-003) and give the box time to apply it."""
    socket.send_text(json.dumps(dict(config)))
    time.sleep(settle_s)


def collect(
    socket: RecordingWebSocket,
    expected: int,
    *,
    deadline_s: float = DEADLINE_S,
    quiet_s: float = QUIET_S,
    into: Received | None = None,
    until: Callable[[Received], bool] | None = None,
) -> Received:
    """Frames until `expected` events arrived and `until` holds (then quiet_s more) or the deadline passed."""
    received = into or Received()
    end = time.monotonic() + deadline_s
    quiet_end: float | None = None
    while True:
        now = time.monotonic()
        if quiet_end is None and len(received.events) >= expected and (until is None or until(received)):
            quiet_end = now + quiet_s
        stop = quiet_end if quiet_end is not None else end
        if now >= stop:
            return received
        message = socket.recv(timeout=max(0.01, stop - now))
        if message is None:
            continue
        if message.opcode == "close":
            received.closed = message.text or "close"
            return received
        text = message.payload_text  # a text frame, or a binary frame of UTF-8 (E37)
        if text is None:
            received.others.append(message.data)
            continue
        try:
            received.add(json.loads(text))
        except ValueError:
            received.others.append(text)


def has_pushes_of(events: Sequence[ScenarioEvent]) -> Callable[[Received], bool]:
    """True once a push of each of `events` (by its ms and device) arrived: live pushes do not count."""
    keys = {event_key(e.ts_ms, e.device_id) for e in events}

    def arrived(received: Received) -> bool:
        return keys <= {message_key(m) for m in received.events}

    return arrived


def listen_quietly(socket: RecordingWebSocket, seconds: float) -> Received:
    """Everything that arrives within `seconds` (for "nothing may arrive" checks)."""
    return collect(socket, expected=10**9, deadline_s=seconds)


def event_messages_of(received: Received, keep: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
    """The event messages a test caused (e.g. of the keys it injected)."""
    return [message for message in received.events if keep(message)]
