"""The picture-search history: one person seen 2,400+ times in 20 hours among others, plus older sightings.

Built in code (not YAML) so the oracle knows every event: the expected answer of a search is the
target's events inside the window, keyed by (ms, device) as `checks.correlation` keys search items.
Sizes are chosen so one default search needs three calls (1,000 results per call, seed 002), ties
sit on millisecond boundaries (same ms, other device), and every key is unique.
"""

from __future__ import annotations

from collections.abc import Iterable

from conformance.checks.correlation import event_key
from conformance.scenarios.model import Device, Event, Identity, Scenario

ORIGIN_MS = 1_700_000_000_000  # the frozen "now" of the box while this history is stored
HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
TARGET = "id-ps-target"
OTHER = "id-ps-other"
VIP = "id-ps-vip"
DEVICES = ("dev-ps-a", "dev-ps-b", "dev-ps-c")
TARGET_SIGHTINGS = 2_400  # one every 30 s over the last 20 hours
TARGET_STEP_MS = 30_000
TIE_EVERY = 100  # every 100th sighting has a twin on another device in the same millisecond
OTHER_SIGHTINGS = 600
OTHER_STEP_MS = 120_000
OLD_OFFSETS_MS = (-25 * HOUR_MS, -25 * HOUR_MS - 1, -26 * HOUR_MS + 5)  # just outside the default window
MONTH_OLD_OFFSET_MS = -20 * DAY_MS  # inside a 29-day window, outside 24 h


def _devices() -> tuple[Device, ...]:
    kinds = (("rtsp", "1"), ("photo", "0"), ("card", "4"))
    return tuple(
        Device(device_id, f"PS {device_id[-1].upper()}", f"10.0.2.{n}", kind, ws_kind)
        for n, (device_id, (kind, ws_kind)) in enumerate(zip(DEVICES, kinds, strict=True), start=1)
    )


def _identities() -> tuple[Identity, ...]:
    return (
        Identity(TARGET, "Search Target", 1, "grp-ps", "PS", face_seed=70_001),
        Identity(OTHER, "Search Other", 2, "grp-ps", "PS", face_seed=70_002),
        Identity(VIP, "搜索 VIP", 5, "grp-ps-vip", "", face_seed=70_003),
    )


def _target_events() -> Iterable[Event]:
    for index in range(TARGET_SIGHTINGS):
        offset = -index * TARGET_STEP_MS
        device = DEVICES[index % 2]
        yield Event(offset, device, TARGET, score=60.0 + index % 40, label=f"target#{index}")
        if index % TIE_EVERY == 0:
            yield Event(offset, DEVICES[2], TARGET, score=75.0, label=f"target-tie#{index}")
    for number, offset in enumerate(OLD_OFFSETS_MS):
        yield Event(offset, DEVICES[number % 3], TARGET, score=90.0, label=f"target-old#{number}")
    yield Event(MONTH_OLD_OFFSET_MS, DEVICES[0], TARGET, score=88.0, label="target-20-days")


def _other_events() -> Iterable[Event]:
    people = (OTHER, "", VIP, "")
    for index in range(OTHER_SIGHTINGS):
        offset = -index * OTHER_STEP_MS - 7_000
        attributes = (("gender", "female"), ("age", "youth"), ("mask", "yes"), ("glasses", "no"))
        yield Event(
            offset,
            DEVICES[index % 3],
            people[index % len(people)],
            score=round(10.0 + index % 80, 2),
            label=f"other#{index}",
            attributes=attributes if index % 5 == 0 else (),
        )


def search_scenario() -> Scenario:
    """The whole history, ready for `seed_scenario`."""
    events = tuple(_target_events()) + tuple(_other_events())
    return Scenario(
        name="picture-search",
        origin_ms=ORIGIN_MS,
        devices=_devices(),
        identities=_identities(),
        events=events,
        description="one target person 2,400+ times in 20 h, others and strangers, older sightings",
    )


def target_keys(
    scenario: Scenario, start_ms: float, end_ms: float, devices: Iterable[str] | None = None
) -> set[str]:
    """Keys of the target's events with start_ms <= t <= end_ms (absolute ms), on the given devices."""
    wanted = None if devices is None else set(devices)
    return {
        event_key(event.timestamp_ms(scenario.origin_ms), event.device_id)
        for event in scenario.events
        if event.identity_id == TARGET
        and start_ms <= event.timestamp_ms(scenario.origin_ms) <= end_ms
        and (wanted is None or event.device_id in wanted)
    }


def events_in_window(scenario: Scenario, start_ms: float, end_ms: float) -> int:
    """How many events of any person lie in the window (what a box scans)."""
    return sum(1 for e in scenario.events if start_ms <= e.timestamp_ms(scenario.origin_ms) <= end_ms)
