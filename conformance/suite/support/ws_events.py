"""Live events for the push and upload areas: a small cast of devices and people, injected one by one.

Each injected event gets its own millisecond (the clock origin + a counter) so the (ms, device) key
that matches pushed messages and uploads to events (`checks.correlation`) is unique.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from conformance.checks.scenario import ScenarioEvent
from conformance.scenarios.model import Device, Event, Identity, Scenario
from conformance.target.control_client import ControlClient

ORIGIN_MS = 1_700_000_000_000
LIVE_STEP_MS = 1_001  # not a whole second: seconds-vs-ms mix-ups show up in the keys
DEVICES = (
    Device("dev-live-gate", "Live gate", "10.0.3.1", "photo", "0"),
    Device("dev-live-cam", "Live camera", "10.0.3.2", "rtsp", "1"),
    Device("dev-live-door", "Live door", "10.0.3.3", "card", "4"),
)
PEOPLE = (
    Identity("id-live-emp", "Live Employee", 1, "grp-live", "Live", face_seed=80_001),
    Identity("id-live-visitor", "Live Visitor", 2, "grp-live", "Live", face_seed=80_002),
    Identity("id-live-black", "Live Blacklist", 3, "grp-watch", "", face_seed=80_003),
    Identity("id-live-vip", "直播 VIP", 5, "grp-vip", "VIP", face_seed=80_005),
)
STRANGER = ""
GATE, CAM, DOOR = (device.device_id for device in DEVICES)


def live_scenario(history: int = 0) -> Scenario:
    """The cast, with `history` events stored before any test starts (for uploads of stored events)."""
    cycle = itertools.cycle([p.identity_id for p in PEOPLE] + [STRANGER])
    events = tuple(
        Event(
            -(n + 1) * 60_000 - 3, DEVICES[n % 3].device_id, next(cycle), score=50.0 + n, label=f"stored#{n}"
        )
        for n in range(history)
    )
    return Scenario("live", ORIGIN_MS, DEVICES, PEOPLE, events, description="live events for push/upload")


@dataclass(frozen=True)
class Injected:
    """One injected event: the box's id and the oracle's view of it."""

    event_id: str
    event: ScenarioEvent


class LiveInjector:
    """Stores events through the control plane, each at a fresh millisecond after the origin."""

    def __init__(self, control: ControlClient, origin_ms: int = ORIGIN_MS) -> None:
        self._control = control
        self._next = itertools.count(1)
        self._origin = origin_ms

    def inject(self, plan: Sequence[tuple[str, str]], score: float = 88.5) -> list[Injected]:
        """Store one event per (device_id, identity_id) pair ("" = stranger); returns them in order."""
        people = {p.identity_id: p for p in PEOPLE}
        bodies, events = [], []
        for device_id, identity_id in plan:
            ts_ms = self._origin + next(self._next) * LIVE_STEP_MS
            person = people.get(identity_id)
            code = person.person_type if person else 4
            bodies.append(
                {"timestamp_ms": ts_ms, "device_id": device_id, "identity_id": identity_id, "score": score}
            )
            events.append((ts_ms, device_id, identity_id, code, person.name if person else ""))
        ids = self._control.add_events(bodies)
        return [
            Injected(event_id, ScenarioEvent(event_id, ts, device, identity, name, code, score=score))
            for event_id, (ts, device, identity, code, name) in zip(ids, events, strict=True)
        ]
