"""Bulk synthetic events for POST /_emulator/events/generate and benchmarks: deterministic per seed."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from conformance.emulator.control_values import bad, field, seed_value
from conformance.emulator.injection import VARIANTS_PER_FACE, make_event, stable_seed
from conformance.emulator.model import DeviceRecord, EventRecord, IdentityRecord
from conformance.emulator.request_values import BadValueError, json_int, json_number, json_string_list

MAX_GENERATE: Final = 2_000_000
BATCH: Final = 20_000
STRANGER_FACES: Final = 5_000  # strangers are drawn from a pool, so features stay bounded

DEFAULT_DEVICES: Final = tuple(
    DeviceRecord(
        device_id=f"emu-device-{n}",
        device_name=f"camera-{n}",
        device_ip=f"192.168.1.{100 + n}",
        device_type="rtsp",
        ws_device_type="3",
        device_key=f"rtsp://192.168.1.{100 + n}:554/ch1",
    )
    for n in range(1, 5)
)
SURNAMES: Final = ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu")
GIVEN: Final = ("Wei", "Fang", "Na", "Min", "Jing", "Lei", "Jun", "Yan", "Tao", "Ming", "Xin", "Hui")


def default_identities(count: int) -> list[IdentityRecord]:
    """Registered people for generated events when the store has none."""
    people = []
    for n in range(count):
        name = f"{SURNAMES[n % len(SURNAMES)]} {GIVEN[(n // len(SURNAMES)) % len(GIVEN)]} {n:04d}"
        people.append(
            IdentityRecord(
                identity_id=f"emu-id-{n:05d}",
                name=name,
                person_type=(1, 1, 1, 2, 3, 5)[n % 6],
                group_id=f"emu-group-{n % 5}",
                group_name=f"group {n % 5}",
                room=f"{1000 + n % 40}",
                face_seed=stable_seed("identity", n),
            )
        )
    return people


@dataclass(frozen=True)
class GenerateRequest:
    """Parameters of a bulk generation; times in ms."""

    count: int
    seed: int
    start_ms: int
    step_ms: int
    device_ids: tuple[str, ...] | None
    stranger_ratio: float


def _ratio(value: Any) -> float:
    ratio = json_number(value)
    if not 0 <= ratio <= 1:
        raise BadValueError("expected a number between 0 and 1")
    return ratio


def _count(value: Any) -> int:
    count = json_int(value)
    if not 1 <= count <= MAX_GENERATE:
        raise BadValueError(f"expected an integer between 1 and {MAX_GENERATE}")
    return count


def _non_negative(value: Any) -> int:
    number = json_int(value)
    if not 0 <= number < 10**14:
        raise BadValueError("expected an integer 0 <= n < 1e14")
    return number


def parse_generate(body: dict[str, Any], now_ms: int) -> GenerateRequest:
    """Read {"count", "seed"?, "start_ms"?, "step_ms"?, "device_ids"?, "stranger_ratio"?}."""
    if "count" not in body:
        raise bad("count", "is required")
    count = field(body, "count", "", _count, 1)
    step = field(body, "step_ms", "", _non_negative, 1000)
    devices: list[str] = field(body, "device_ids", "", json_string_list, [])
    return GenerateRequest(
        count=count,
        seed=field(body, "seed", "", seed_value, 0),
        start_ms=field(body, "start_ms", "", _non_negative, max(0, now_ms - count * step)),
        step_ms=step,
        device_ids=tuple(devices) or None,
        stranger_ratio=field(body, "stranger_ratio", "", _ratio, 0.25),
    )


def generate_batches(
    request: GenerateRequest,
    devices: list[DeviceRecord],
    identities: list[IdentityRecord],
    first_seq: int,
) -> Iterator[list[EventRecord]]:
    """Events in time order (oldest first), in batches of at most BATCH."""
    rng = random.Random(request.seed)
    batch: list[EventRecord] = []
    for n in range(request.count):
        seq = first_seq + n
        device = devices[rng.randrange(len(devices))]
        if identities and rng.random() >= request.stranger_ratio:
            identity: IdentityRecord | None = identities[rng.randrange(len(identities))]
            score = round(rng.uniform(82.0, 99.5), 2)
            face_seed = None
        else:
            identity = None
            score = round(rng.uniform(5.0, 60.0), 2)
            face_seed = stable_seed("stranger-pool", request.seed, rng.randrange(STRANGER_FACES))
        batch.append(
            make_event(
                seq=seq,
                ts_ms=request.start_ms + n * request.step_ms,
                device=device,
                identity=identity,
                score=score,
                face_seed=face_seed,
                face_variant=rng.randrange(VARIANTS_PER_FACE),
            )
        )
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch
