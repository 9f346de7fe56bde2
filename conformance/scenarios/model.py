"""Typed scenario data, so oracle tests compute expected answers from the scenario and never from the box."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PERSON_TYPES = {1: "employee", 2: "visitor", 3: "blacklist", 4: "stranger", 5: "vip"}
DEVICE_TYPES = ("photo", "rtsp", "card")
WS_DEVICE_TYPES = ("0", "1", "3", "4")
STRANGER = ""


@dataclass(frozen=True)
class Device:
    """A camera or gate that events come from."""

    device_id: str
    device_name: str
    device_ip: str
    device_type: str
    ws_device_type: str

    def to_control(self) -> dict[str, Any]:
        """The control plane's body for this device."""
        return {
            "device_id": self.device_id,
            "device_name": self.device_name,
            "device_ip": self.device_ip,
            "device_type": self.device_type,
            "ws_device_type": self.ws_device_type,
        }


@dataclass(frozen=True)
class Identity:
    """A registered person; `person_type` is the 1–5 code the v1 interface and uploads use."""

    identity_id: str
    name: str
    person_type: int = 1
    group_id: str = ""
    group_name: str = ""
    room: str = ""
    face_seed: int | None = None

    @property
    def user_type(self) -> str:
        """The v2 `user_type` string for this person type."""
        return PERSON_TYPES[self.person_type]

    def to_control(self) -> dict[str, Any]:
        """The control plane's body for this identity."""
        body: dict[str, Any] = {
            "identity_id": self.identity_id,
            "name": self.name,
            "person_type": self.person_type,
            "group_id": self.group_id,
            "group_name": self.group_name,
            "room": self.room,
        }
        if self.face_seed is not None:
            body["face_seed"] = self.face_seed
        return body


@dataclass(frozen=True)
class Event:
    """One recognition at `offset_ms` from the clock origin; `identity_id` "" is a stranger."""

    offset_ms: int
    device_id: str
    identity_id: str = STRANGER
    score: float = 0.0
    label: str = ""
    person_type: int | None = None
    face_seed: int | None = None
    face_variant: int | None = None
    attributes: tuple[tuple[str, str], ...] = ()

    def timestamp_ms(self, origin_ms: int) -> int:
        """Absolute event time in ms for a clock origin."""
        return origin_ms + self.offset_ms

    def to_control(self, origin_ms: int) -> dict[str, Any]:
        """The control plane's EventSpec for this event."""
        body: dict[str, Any] = {
            "timestamp_ms": self.timestamp_ms(origin_ms),
            "device_id": self.device_id,
            "identity_id": self.identity_id,
            "score": self.score,
        }
        for key in ("person_type", "face_seed", "face_variant"):
            value = getattr(self, key)
            if value is not None:
                body[key] = value
        if self.attributes:
            body["attributes"] = dict(self.attributes)
        return body


@dataclass(frozen=True)
class EventGenerator:
    """A bulk stream described by rules; expanded here so the oracle knows every event exactly."""

    count: int
    start_offset_ms: int
    step_ms: int
    device_ids: tuple[str, ...]
    identity_ids: tuple[str, ...] = (STRANGER,)
    score_min: float = 0.0
    score_max: float = 100.0
    seed: int = 0
    label: str = ""

    def expand(self) -> Iterator[Event]:
        """Yield the events in time order; the same spec always yields the same events."""
        rng = random.Random(self.seed)
        for index in range(self.count):
            score = round(rng.uniform(self.score_min, self.score_max), 2)
            yield Event(
                offset_ms=self.start_offset_ms + index * self.step_ms,
                device_id=self.device_ids[index % len(self.device_ids)],
                identity_id=self.identity_ids[index % len(self.identity_ids)],
                score=score,
                label=f"{self.label}#{index}" if self.label else "",
            )


@dataclass(frozen=True)
class Scenario:
    """A dataset to seed: devices, identities, events and generated streams around a clock origin."""

    name: str
    origin_ms: int
    devices: tuple[Device, ...] = ()
    identities: tuple[Identity, ...] = ()
    events: tuple[Event, ...] = ()
    generators: tuple[EventGenerator, ...] = ()
    description: str = ""
    source: Path | None = field(default=None, compare=False)

    def all_events(self) -> Iterator[Event]:
        """Listed events first, then every generated stream."""
        yield from self.events
        for generator in self.generators:
            yield from generator.expand()

    @property
    def event_count(self) -> int:
        """How many events seeding stores."""
        return len(self.events) + sum(generator.count for generator in self.generators)

    def identity(self, identity_id: str) -> Identity | None:
        """The identity with that id, or None for strangers and unknown ids."""
        return next((item for item in self.identities if item.identity_id == identity_id), None)

    def event(self, label: str) -> Event:
        """A listed event by its label, for tests that name the hard case they probe."""
        for item in self.events:
            if item.label == label:
                return item
        raise KeyError(f"scenario {self.name!r} has no event labelled {label!r}")
