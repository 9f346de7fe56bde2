"""What the query tests query: the seeded core scenario (oracle tests) or a window of the box's own data.

* `core_data` — `scenarios/core.yaml` as seeded, as `checks.scenario.ScenarioEvent`s keyed by label, so
  oracle tests compute expected id sets from YAML data, never from the box.
* `box_window` — observational tests: the newest events the box holds (at most WINDOW_EVENTS) and the
  inclusive time window around them, in ms for v2 and seconds for v1. With a control plane the core
  scenario is seeded first so the embedded emulator has data; on a real box the box's own data is used.

Other tests may add events to the same box (injection, the state machine), so oracle tests compare
only the ids of seeded events (`CoreData.restrict`) and observational tests stay inside their window.
`interfaces/conftest.py` exposes `core_data_fixture` / `box_window_fixture` / `v2_reads_seconds_fixture` as
the fixtures `core_data` / `box_window` / `v2_reads_seconds`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from conformance.checks.scenario import ScenarioEvent
from conformance.checks.unit_inference import classify_timestamp, to_ms
from conformance.checks.vocabulary import STRANGER_PERSON_TYPE
from conformance.clients.http_client import RecordingHttpClient
from conformance.suite.support.query_calls import V2
from conformance.suite.support.query_units import ProbeTarget, run_filter_probe
from conformance.target.scenario_seeding import SeededScenario
from conformance.target.target import Target

WINDOW_EVENTS = 60  # observational tests look at the newest events only: a real box may hold millions
WINDOW_CAP = 1000  # a window query answering more than this did not narrow anything
PAST_MARGIN_MS = 10_000  # a recognition is stored within seconds: nothing new lands this far back
#: What one event's v2 and v1 views must agree on (`consistency.same_event`): ids, times, person types,
#: devices, scores of both event tables.
SAME_EVENT_IDS = (
    "V2EV-SCHEMA-001",
    "V1EV-SCHEMA-001",
    "V2EV-TIME-001",
    "V1EV-TIME-001",
    "V2EV-SCHEMA-008",
    "V1EV-SCHEMA-008",
    "V2EV-SCHEMA-009",
    "V1EV-SCHEMA-009",
)


@dataclass(frozen=True)
class CoreData:
    """The seeded core scenario as the oracle sees it."""

    seeded: SeededScenario
    events: tuple[ScenarioEvent, ...]

    def __repr__(self) -> str:
        return f"CoreData({self.seeded.scenario.name!r}, {len(self.events)} events)"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """Hypothesis prints test arguments with this: keep it one short line."""
        printer.text(repr(self))

    @property
    def ids(self) -> frozenset[str]:
        """Ids of every seeded event."""
        return frozenset(event.id for event in self.events)

    def by_label(self, label: str) -> ScenarioEvent:
        """The seeded event with that scenario label."""
        event_id = self.seeded.event_id(label)
        return next(event for event in self.events if event.id == event_id)

    def ts(self, label: str) -> int:
        """The time in ms of a labelled seeded event."""
        return self.by_label(label).ts_ms

    def restrict(self, ids: Iterable[str]) -> list[str]:
        """Only the seeded ids, in order: events other tests added are not the oracle's business."""
        known = self.ids
        return [item for item in ids if item in known]

    @property
    def device_ids(self) -> list[str]:
        """The scenario's devices."""
        return [device.device_id for device in self.seeded.scenario.devices]


def scenario_events(seeded: SeededScenario) -> tuple[ScenarioEvent, ...]:
    """Each seeded event with what the filters look at, taken from the scenario's identities."""
    scenario = seeded.scenario
    events: list[ScenarioEvent] = []
    for event, event_id in zip(scenario.all_events(), seeded.event_ids, strict=True):
        identity = scenario.identity(event.identity_id)
        person_type = event.person_type or (identity.person_type if identity else STRANGER_PERSON_TYPE)
        events.append(
            ScenarioEvent(
                id=event_id,
                ts_ms=seeded.timestamp_ms(event),
                device_id=event.device_id,
                identity_id=event.identity_id,
                name=identity.name if identity else "",
                person_type=person_type,
                score=event.score,
                group_id=identity.group_id if identity else "",
                room=identity.room if identity else "",
            )
        )
    return tuple(events)


@pytest.fixture(scope="session", name="core_data")
def core_data_fixture(core_scenario: SeededScenario) -> CoreData:
    """The core scenario, seeded once per process, as oracle data."""
    return CoreData(seeded=core_scenario, events=scenario_events(core_scenario))


@dataclass(frozen=True)
class BoxWindow:
    """The newest events of the box and the inclusive window that holds them."""

    events: tuple[Mapping[str, Any], ...]  # v2 events, newest first
    low_ms: int
    high_ms: int
    v2_seconds: bool = False  # lenient profile, E01: the box reads v2 time filters as seconds

    def __repr__(self) -> str:
        return f"BoxWindow({len(self.events)} events, {self.low_ms}..{self.high_ms} ms)"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """Hypothesis prints test arguments with this: keep it one short line."""
        printer.text(repr(self))

    @property
    def empty(self) -> bool:
        """True when the box holds no events at all."""
        return not self.events

    def v2_filters(self, low_ms: int | None = None, high_ms: int | None = None) -> dict[str, Any]:
        """The window (or a part of it) as v2 filters, in ms (the documented unit; E01 lenient: seconds)."""
        filters = {
            "datetime_gte": self.low_ms if low_ms is None else low_ms,
            "datetime_lte": self.high_ms if high_ms is None else high_ms,
        }
        return v2_time_as_box_reads(filters, seconds=self.v2_seconds)

    def v1_filters(self, low_ms: int | None = None, high_ms: int | None = None) -> dict[str, Any]:
        """The same window as v1 filters, in seconds (exact decimal text, fractions where needed)."""
        return {
            "datetime_gte": ms_to_seconds(self.low_ms if low_ms is None else low_ms),
            "datetime_lte": ms_to_seconds(self.high_ms if high_ms is None else high_ms),
        }

    def timestamps_ms(self) -> list[int]:
        """Event times of the window in ms."""
        return [event_ms(event) for event in self.events]

    def values(self, *path: str) -> list[Any]:
        """Distinct non-empty values at `path` in the window's events, in first-seen order."""
        found: dict[Any, None] = {}
        for event in self.events:
            value: Any = event
            for key in path:
                value = value.get(key) if isinstance(value, Mapping) else None
            if value not in (None, "") and not isinstance(value, Mapping | list):
                found[value] = None
        return list(found)


V2_TIME_KEYS = ("datetime_gte", "datetime_lte")


def v2_time_as_box_reads(filters: Mapping[str, Any], *, seconds: bool) -> dict[str, Any]:
    """v2 filters with ms time bounds, converted to seconds for a box that reads them so (E01, lenient)."""
    converted = dict(filters)
    if seconds:
        for key in V2_TIME_KEYS:
            if isinstance(converted.get(key), int):
                converted[key] = ms_to_seconds(converted[key])
    return converted


def ms_to_seconds(ms: int) -> int | float:
    """ms → seconds for a v1 filter: an int when whole, else the exact decimal as a float."""
    if ms % 1000 == 0:
        return ms // 1000
    return float(Decimal(ms) / 1000)


def event_ms(event: Mapping[str, Any]) -> int:
    """A v2 event's time in whole ms, whatever unit it was sent in (E02); -1 when unreadable."""
    value: Any = event.get("timestamp")
    if classify_timestamp(value) == "unknown":
        return -1
    return round(to_ms(value))


def read_window(
    client: RecordingHttpClient, count: int = WINDOW_EVENTS, *, v2_seconds: bool = False
) -> BoxWindow:
    """The newest `count` events stored PAST_MARGIN_MS before the box's newest one, and their span.

    The window is closed in the past: recognitions arriving while the tests run cannot enter it.
    """
    latest = [event_ms(event) for event in V2.fetch(client, {}, page=0, size=1).items]
    closed: dict[str, Any] = {}
    if latest and latest[0] > 0:
        closed = v2_time_as_box_reads({"datetime_lte": latest[0] - PAST_MARGIN_MS}, seconds=v2_seconds)
    answer = V2.fetch(client, closed, page=0, size=count)
    times = [event_ms(event) for event in answer.items if event_ms(event) > 0]
    if not times:
        return BoxWindow(events=(), low_ms=0, high_ms=0, v2_seconds=v2_seconds)
    return BoxWindow(answer.items, math.floor(min(times)), math.ceil(max(times)), v2_seconds)


V2_SECONDS_KEY = pytest.StashKey[bool]()


def v2_reads_seconds(request: pytest.FixtureRequest, target: Target, client: RecordingHttpClient) -> bool:
    """E01 under the lenient profile: whether the box reads v2 time filters as seconds (probed once a run).

    Strict runs always send milliseconds (the table's unit); a seconds box then fails there.
    """
    stash = request.config.stash
    if V2_SECONDS_KEY not in stash:
        stash[V2_SECONDS_KEY] = target.profile == "lenient" and _probe_v2_seconds(request, target, client)
    return stash[V2_SECONDS_KEY]


def _probe_v2_seconds(request: pytest.FixtureRequest, target: Target, client: RecordingHttpClient) -> bool:
    if not target.capabilities.v2_events:
        return False
    if target.config.control_url is not None:
        request.getfixturevalue("core_scenario")  # the embedded box is empty until seeded
    probe_target = v2_probe_target(V2.fetch(client, {}, page=0, size=WINDOW_EVENTS).items)
    if probe_target is None:
        return False
    inference, _ = run_filter_probe(V2, client, probe_target)
    return inference.unit == "s"


@pytest.fixture(scope="session", name="v2_reads_seconds")
def v2_reads_seconds_fixture(
    request: pytest.FixtureRequest, target: Target, http_client: RecordingHttpClient
) -> bool:
    """Whether v2 time filters go out in seconds (lenient profile, a box that reads them so; E01)."""
    return v2_reads_seconds(request, target, http_client)


def v2_probe_target(items: Iterable[Mapping[str, Any]]) -> ProbeTarget | None:
    """The newest v2 event with a readable time, to probe the time filter with (narrowed to its device)."""
    for item in items:
        value: Any = item.get("timestamp")
        if isinstance(value, bool) or classify_timestamp(value) == "unknown":
            continue
        info = item.get("media_device_info")
        device = info.get("media_device_id") if isinstance(info, Mapping) else None
        return ProbeTarget(str(item.get("event_id")), value, {"media_device_ids": [device]} if device else {})
    return None


@pytest.fixture(scope="module", name="box_window")
def box_window_fixture(
    request: pytest.FixtureRequest, target: Target, http_client: RecordingHttpClient
) -> BoxWindow:
    """The newest events of the box; seeds the core scenario first when a control plane is there."""
    if target.config.control_url is not None:
        request.getfixturevalue("core_scenario")
    if not target.capabilities.v2_events:
        pytest.skip("the box has no v2 getevents interface")
    return read_window(http_client, v2_seconds=v2_reads_seconds(request, target, http_client))
