"""Turn control-plane event specs into stored events, filling in what a camera recognition would produce."""

from __future__ import annotations

import random
import zlib
from functools import lru_cache
from typing import Any

import numpy as np

from conformance.emulator.control_values import bad, field, identifier, person_type, seed_value
from conformance.emulator.model import (
    AGES,
    STRANGER,
    Attributes,
    DeviceRecord,
    EventRecord,
    Feature,
    IdentityRecord,
)
from conformance.emulator.request_values import BadValueError, json_int, json_number, json_string

VARIANTS_PER_FACE = 16  # a face is captured in at most this many distinct ways (bounds the faces table)
MAX_SCORE = 100.0


@lru_cache(maxsize=65536)
def feature_of(face_seed: int, face_variant: int) -> Feature:
    """The face feature of a capture, from the faces module (engineer D); cached per (seed, variant)."""
    from conformance.emulator.faces import feature_for  # lazy: the faces package is optional at import

    vector = np.asarray(feature_for(face_seed, face_variant), dtype=np.float32)
    vector.setflags(write=False)
    return vector


def stable_seed(*parts: object) -> int:
    """A deterministic 31-bit seed from any values (ids, sequence numbers)."""
    return zlib.crc32("\x1f".join(str(p) for p in parts).encode("utf-8")) & 0x7FFF_FFFF


def default_attributes(face_seed: int) -> Attributes:
    """Attributes a camera would report for this face: stable per person."""
    rng = random.Random(face_seed)
    return Attributes(
        gender=rng.choice(("male", "female")),
        age=rng.choice(AGES[1:]),
        mask=rng.choice(("no", "no", "no", "yes")),
        glasses=rng.choice(("no", "no", "yes")),
    )


def make_event(
    *,
    seq: int,
    ts_ms: int,
    device: DeviceRecord,
    identity: IdentityRecord | None,
    score: float,
    event_id: str | None = None,
    person_type_code: int | None = None,
    face_seed: int | None = None,
    face_variant: int | None = None,
    attributes: Attributes | None = None,
    sub_ms_us: int = 0,
) -> EventRecord:
    """One complete event; every omitted detail is derived deterministically from `seq` and the face.

    `sub_ms_us` (0-999) are the microseconds past `ts_ms` of the event's true time.
    """
    if face_seed is None:
        face_seed = identity.face_seed if identity is not None else stable_seed("stranger", seq)
    if face_variant is None:
        face_variant = seq % VARIANTS_PER_FACE
    if person_type_code is None:
        person_type_code = identity.person_type if identity is not None else STRANGER
    rng = random.Random(seq * 7919 + face_seed)
    x, y, size = rng.uniform(100, 1400), rng.uniform(60, 600), rng.uniform(90, 300)
    box = (round(x, 3), round(y, 3), round(x + size, 3), round(y + size * 1.2, 3))
    point = tuple(round(v, 3) for v in (x + size * 0.3, y + size * 0.4, x + size * 0.7, y + size * 0.4,
                                          x + size * 0.5, y + size * 0.6, x + size * 0.35, y + size * 0.85,
                                          x + size * 0.65, y + size * 0.85))  # fmt: skip
    return EventRecord(
        event_id=event_id or f"{ts_ms}{seq % 1_000_000:06d}",
        ts_ms=ts_ms,
        device=device,
        identity=identity,
        person_type=person_type_code,
        score=score,
        face_seed=face_seed,
        face_variant=face_variant,
        attributes=attributes or default_attributes(face_seed),
        box=box,
        point=point,
        feature=feature_of(face_seed, face_variant),
        frame_id=seq % 100_000 + 1,
        track_id=seq % 100_000,
        unknown_id=seq % 10_000 if identity is None else 0,
        in_ts_ms=max(0, ts_ms - rng.randint(200, 900)),
        out_ts_ms=ts_ms + rng.randint(500, 3000),
        pose_score=round(rng.uniform(0.75, 0.99), 3),
        sub_ms_us=sub_ms_us,
    )


def _attributes(obj: dict[str, Any], path: str, face_seed: int) -> Attributes:
    raw = obj.get("attributes")
    base = default_attributes(face_seed)
    if raw is None:
        return base
    if not isinstance(raw, dict):
        raise bad(f"{path}.attributes", "expected an object")
    vocab = {
        "gender": ("", "male", "female"),
        "age": AGES,
        "mask": ("", "yes", "no"),
        "glasses": ("", "yes", "no"),
    }
    values = {}
    for key, allowed in vocab.items():
        value = field(raw, key, f"{path}.attributes", json_string, getattr(base, key))
        if value not in allowed:
            raise bad(f"{path}.attributes.{key}", f"expected one of {', '.join(repr(a) for a in allowed)}")
        values[key] = value
    return Attributes(**values)


def _timestamp(value: Any) -> int:
    ts = json_int(value)
    if not 0 <= ts < 10**14:
        raise BadValueError("expected epoch milliseconds (0 <= value < 1e14)")
    return ts


def _score(value: Any) -> float:
    score = json_number(value)
    if not 0 <= score <= MAX_SCORE:
        raise BadValueError("expected a score between 0 and 100")
    return score


def event_from_spec(
    obj: dict[str, Any],
    path: str,
    *,
    seq: int,
    now_ms: int,
    devices: dict[str, DeviceRecord],
    identities: dict[str, IdentityRecord],
) -> EventRecord:
    """One EventSpec (ARCHITECTURE.md) to an EventRecord; unknown devices and identities are refused."""
    device_id = field(obj, "device_id", path, identifier, "")
    if not device_id:
        raise bad(f"{path}.device_id", "is required")
    device = devices.get(device_id)
    if device is None:
        raise bad(
            f"{path}.device_id", f"unknown device {device_id!r}; add it with POST /_emulator/devices first"
        )
    identity_id = field(obj, "identity_id", path, json_string, "")
    identity = None
    if identity_id:
        identity = identities.get(identity_id)
        if identity is None:
            raise bad(
                f"{path}.identity_id",
                f"unknown identity {identity_id!r}; add it with POST /_emulator/identities",
            )
    code = field(obj, "person_type", path, person_type, identity.person_type if identity else STRANGER)
    if identity is None and code not in (STRANGER, 6):
        raise bad(f"{path}.person_type", "an event without identity_id is a stranger (4) or a car (6)")
    if identity is not None and code == STRANGER:
        raise bad(f"{path}.person_type", "4 (stranger) needs an empty identity_id")
    if "score" not in obj:
        raise bad(f"{path}.score", "is required")
    seed_default = identity.face_seed if identity else stable_seed("stranger", seq)
    face_seed = field(obj, "face_seed", path, seed_value, seed_default)
    return make_event(
        seq=seq,
        ts_ms=field(obj, "timestamp_ms", path, _timestamp, now_ms),
        device=device,
        identity=identity,
        score=field(obj, "score", path, _score, 0.0),
        event_id=field(obj, "event_id", path, identifier, "") or None,
        person_type_code=code,
        face_seed=face_seed,
        face_variant=field(obj, "face_variant", path, seed_value, seq % VARIANTS_PER_FACE),
        attributes=_attributes(obj, path, face_seed),
    )
