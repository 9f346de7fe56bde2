"""A witness client following every camera: proof that the box was pushing while another client stayed silent
or got only some devices, and the closed interval over which such clients are judged against the v2 history.

On a real box silence proves nothing unless recognitions happened meanwhile (REAL-BOX.md). A test configures
the clients it judges first, then the witness; the witness waits (up to `--live-wait`) for live pushes, and
the other clients are read afterwards: the box pushes an event to every client at once, so what they were due
for the witness's events is already on their sockets. The v2 history of the witness's span (from its first
to its last push) then says which events each client had to get and which it had to be spared.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from conformance.checks import websocket_checks
from conformance.checks.consistency import TIME_TOLERANCE_MS, EventView
from conformance.checks.findings import Finding
from conformance.checks.websocket_checks import WsClientConfig
from conformance.clients.ws_client import RecordingWebSocket
from conformance.suite.judgement import not_exercised
from conformance.suite.support.ws_live import (
    LIVE_QUIET_S,
    MIN_PUSHES,
    HistoryWindow,
    LiveBox,
    pushes_between,
)
from conformance.suite.support.ws_session import Received, collect, configure

DRAIN_S = 0.05  # a client read after the witness: its pushes are buffered (the first gets LIVE_QUIET_S)
CATCH_UP_S = 3.0  # the longest wait for a push the history says is due (sent late by a loaded box)


@dataclass(frozen=True)
class Witnessed:
    """What the witness saw: its pushes, the v2 history around them, and the span [low_ms, high_ms] judged."""

    pushes: Received
    window: HistoryWindow
    low_ms: float
    high_ms: float

    @property
    def recorded(self) -> list[Mapping[str, Any]]:
        """The person recognitions the history holds in the span (a car or unknown type is never due)."""
        events = self.window.between(self.low_ms - TIME_TOLERANCE_MS, self.high_ms + TIME_TOLERANCE_MS)
        return [e for e in events if EventView.from_v2(e).person_type is not None]

    def spared(self, devices: Sequence[str]) -> list[Mapping[str, Any]]:
        """Recognitions of the span on other devices than `devices`: spared to a client following those."""
        listed = set(devices)
        return [e for e in self.recorded if EventView.from_v2(e).device_id not in listed]


def every_camera(
    live_box: LiveBox, *, need_face: bool = False, need_register: bool = False
) -> dict[str, Any]:
    """A configuration following every camera of the box."""
    return {"need_face": need_face, "need_register": need_register, "event_list": live_box.device_ids}


def wait_until(
    live_box: LiveBox,
    socket: RecordingWebSocket,
    received: Received,
    enough: Callable[[Received], bool],
    started: float,
) -> Received:
    """More pushes, one at a time, until `enough` holds or `--live-wait` since `started` ran out."""
    while not enough(received) and received.closed is None:
        left = started + live_box.wait_s - time.monotonic()
        if left <= 0:
            break
        collect(socket, len(received.events) + 1, deadline_s=left, quiet_s=0.0, into=received)
    return received


def covers(groups: Sequence[Sequence[str]]) -> Callable[[Received], bool]:
    """True once the pushes include a device of every group."""

    def covered(received: Received) -> bool:
        devices = {str(m.get("device_id")) for m in received.events}
        return all(devices & set(group) for group in groups)

    return covered


def witness(
    live_box: LiveBox,
    socket: RecordingWebSocket,
    what: str,
    want: int = MIN_PUSHES,
    covering: Sequence[Sequence[str]] = (),
) -> Witnessed:
    """Configure `socket` for every camera, wait for its pushes and read the history of their span.

    With `covering`, waits on (within `--live-wait`) until a push of every group of devices came. Not
    exercised when no push came (`what` says what the silence of the others would have shown) or when the
    history holds no recognition in the span.
    """
    configure(socket, every_camera(live_box))
    started = time.monotonic()
    pushes = live_box.wait_for_pushes(socket, want, devices=live_box.device_ids)
    if covering and pushes.events:
        wait_until(live_box, socket, pushes, covers(covering), started)
    span = pushes_between(pushes.events)
    if span is None:
        not_exercised(
            f"no live push came to a witness following every camera within {live_box.wait_s:g} s "
            f"(--live-wait), so nothing shows {what}"
        )
    seen = Witnessed(pushes, live_box.history_of(pushes.events), *span)
    if not seen.recorded:
        not_exercised(
            f"the v2 history holds no recognition between the witness's first and last push "
            f"({span[0]:.0f}..{span[1]:.0f} ms), so nothing shows {what}"
        )
    return seen


def drain(sockets: Sequence[RecordingWebSocket], first_s: float = LIVE_QUIET_S) -> list[Received]:
    """What each client received up to now (read after the witness: pushes to them are already sent).

    Each socket is read until nothing more comes for DRAIN_S (the first for `first_s`), however long
    its buffered pushes (with pictures, tens of kB each) take to read.
    """
    drained = []
    for n, socket in enumerate(sockets):
        received = collect(socket, 10**9, deadline_s=first_s if n == 0 else DRAIN_S)
        while received.closed is None:
            count = len(received.events) + len(received.others)
            collect(socket, 10**9, deadline_s=DRAIN_S, into=received)
            if len(received.events) + len(received.others) == count:
                break
        drained.append(received)
    return drained


def catch_up(
    socket: RecordingWebSocket, config: Mapping[str, Any], received: Received, seen: Witnessed
) -> None:
    """Read on until the client has a push of every recognition of its devices in the span, or CATCH_UP_S.

    A push with pictures is built per client and may reach a client after the witness and the drain (a
    loaded box): what is due is known once the history is read, so the client is given time for exactly that.
    """
    catch_up_on(socket, config, received, seen.recorded)


def catch_up_on(
    socket: RecordingWebSocket,
    config: Mapping[str, Any],
    received: Received,
    recorded: Sequence[Mapping[str, Any]],
) -> None:
    """Read on until the client has a push of every person recognition of its devices in `recorded`.

    What is due is known from the history, so a test stops reading at once when it all came (no fixed quiet
    time after its last push) and waits at most CATCH_UP_S for a push a loaded box sends late.
    """
    listed = set(WsClientConfig.from_message(config).event_list)
    due = [
        e
        for e in (EventView.from_v2(v) for v in recorded)
        if e.device_id in listed and e.person_type is not None
    ]
    if received.closed is None and not _has_pushes_of(due)(received):
        collect(socket, 0, deadline_s=CATCH_UP_S, quiet_s=0.0, into=received, until=_has_pushes_of(due))


def _has_pushes_of(due: Sequence[EventView]) -> Callable[[Received], bool]:
    """True once each of `due` has a push (same device, time within TIME_TOLERANCE_MS)."""

    def pushed(received: Received) -> bool:
        pushes = [EventView.from_ws(m) for m in received.events]
        return all(
            any(
                p.device_id == e.device_id
                and p.ts_ms is not None
                and e.ts_ms is not None
                and abs(p.ts_ms - e.ts_ms) <= TIME_TOLERANCE_MS
                for p in pushes
            )
            for e in due
        )

    return pushed


def judge_client(
    config: Mapping[str, Any],
    received: Received,
    seen: Witnessed,
    profile: str,
    requirements: Sequence[str],
    *,
    socket: RecordingWebSocket | None = None,
) -> list[Finding]:
    """One client against the witnessed span: its devices' events once each, no other device, its pictures.

    With its `socket`, the client first gets time to receive what the history says is due (`catch_up`).
    """
    if socket is not None:
        catch_up(socket, config, received, seen)
    client = WsClientConfig.from_message(config)
    findings = websocket_checks.live_routing(
        client, received.events, seen.recorded, requirements=requirements
    )
    findings += websocket_checks.pictures(client, received.events, profile, requirements=requirements)
    return findings
