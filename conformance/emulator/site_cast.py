"""Who and what a site's cameras see: its devices, its registered people, and how one recognition is drawn.

Site mode's history and its live recognitions both come from here, so the past and the present of the
emulated site look alike: several cameras of every device type, people of every user type with Chinese
and Latin names, strangers, recognitions at microsecond times and, now and then, two cameras
recognising at the very same instant (a tie).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Final

from conformance.emulator.injection import VARIANTS_PER_FACE, make_event, stable_seed
from conformance.emulator.model import DeviceRecord, EventRecord, IdentityRecord

SITE_DEVICES: Final = (
    DeviceRecord("site-gate-north", "北门闸机", "10.20.0.11", "rtsp", "3", "rtsp://10.20.0.11:554/ch1"),
    DeviceRecord("site-gate-south", "South Gate", "10.20.0.12", "rtsp", "3", "rtsp://10.20.0.12:554/ch1"),
    DeviceRecord("site-lobby", "大堂 Lobby", "10.20.0.13", "photo", "1"),
    DeviceRecord("site-front-desk", "Front Desk", "10.20.0.14", "card", "0"),
    DeviceRecord("site-car-park", "停车场入口", "10.20.0.15", "rtsp", "4", "rtsp://10.20.0.15:554/ch2"),
)

# (identity_id, name, person_type, group_id, group_name, room): every user type the box knows except
# strangers (who are never registered) and cars; names share characters and syllables ("王", "Wei")
# so fuzzy name filters match several people.
_PEOPLE: Final = (
    ("site-emp-001", "王伟", 1, "staff", "员工", "1001"),
    ("site-emp-002", "李娜", 1, "staff", "员工", "1002"),
    ("site-emp-003", "张伟", 1, "staff", "员工", "1003"),
    ("site-emp-004", "王芳", 1, "staff", "员工", "1004"),
    ("site-emp-005", "Wang Wei", 1, "staff", "员工", "1005"),
    ("site-emp-006", "Anna Schmidt", 1, "staff", "员工", "1006"),
    ("site-emp-007", "John Smith", 1, "engineering", "Engineering", "2001"),
    ("site-emp-008", "刘洋", 1, "engineering", "Engineering", "2002"),
    ("site-emp-009", "María García", 1, "engineering", "Engineering", "2003"),
    ("site-emp-010", "陈静 Chen Jing", 1, "engineering", "Engineering", "2004"),
    ("site-vis-001", "赵敏", 2, "guests", "访客", ""),
    ("site-vis-002", "Peter Müller", 2, "guests", "访客", ""),
    ("site-vis-003", "Li Na", 2, "guests", "访客", "1002"),
    ("site-blk-001", "黄磊", 3, "watchlist", "黑名单", ""),
    ("site-blk-002", "Mark Jones", 3, "watchlist", "黑名单", ""),
    ("site-vip-001", "周杰", 5, "vip", "VIP", "8001"),
    ("site-vip-002", "Sophie Martin", 5, "vip", "VIP", "8002"),
)
# How often each person type passes a camera (employees most, the watchlist rarely).
_WEIGHT_BY_TYPE: Final = {1: 10, 2: 4, 3: 1, 5: 3}
STRANGER_SHARE: Final = 0.3
TIE_SHARE: Final = 0.03  # share of recognitions seen by a second camera at the same microsecond
STRANGER_FACES: Final = 200  # strangers come back: a bounded pool of faces keeps the faces table small


def site_people(seed: int) -> list[IdentityRecord]:
    """The site's registered people; face seeds depend on `seed` like the control plane's do."""
    return [
        IdentityRecord(pid, name, ptype, group, group_name, room, stable_seed("site-identity", pid, seed))
        for pid, name, ptype, group, group_name, room in _PEOPLE
    ]


def site_event_id(ts_us: int, seq: int) -> str:
    """`<ts_ms><µs past it, 3 digits><seq, 3 digits>`: ordering ids orders equal milliseconds by true time.

    The store orders by (ts_ms, event_id); with the microseconds inside the id that order is the
    true-time order, and equal true times (ties) fall back to the sequence.
    """
    ts_ms, sub_us = divmod(ts_us, 1000)
    return f"{ts_ms}{sub_us:03d}{seq % 1000:03d}"


@dataclass
class SiteCast:
    """The devices and people recognitions are drawn from, with the site's random source."""

    devices: list[DeviceRecord]
    people: list[IdentityRecord]
    rng: random.Random
    seed: int = 0

    def __post_init__(self) -> None:
        if not self.devices:
            raise ValueError("a site needs at least one device")
        self._weights = [_WEIGHT_BY_TYPE.get(p.person_type, 1) for p in self.people]

    def recognitions(self, ts_us: int, first_seq: int) -> list[EventRecord]:
        """What the cameras record at `ts_us`: one event, or two on different devices (a tie)."""
        count = len(self.devices)
        first = self.rng.randrange(count)
        events = [self._one(ts_us, first_seq, first)]
        if count > 1 and self.rng.random() < TIE_SHARE:
            other = (first + 1 + self.rng.randrange(count - 1)) % count  # any other camera
            events.append(self._one(ts_us, first_seq + 1, other))
        return events

    def _one(self, ts_us: int, seq: int, device_index: int) -> EventRecord:
        rng = self.rng
        identity: IdentityRecord | None = None
        face_seed: int | None = None
        if self.people and rng.random() >= STRANGER_SHARE:
            identity = rng.choices(self.people, weights=self._weights)[0]
            score = round(rng.uniform(82.0, 99.5), 2)
        else:
            score = round(rng.uniform(5.0, 60.0), 2)
            face_seed = stable_seed("site-stranger", self.seed, rng.randrange(STRANGER_FACES))
        ts_ms, sub_us = divmod(ts_us, 1000)
        return make_event(
            seq=seq,
            ts_ms=ts_ms,
            sub_ms_us=sub_us,
            device=self.devices[device_index],
            identity=identity,
            score=score,
            event_id=site_event_id(ts_us, seq),
            face_seed=face_seed,
            face_variant=rng.randrange(VARIANTS_PER_FACE),
        )
