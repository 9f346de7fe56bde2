"""Live pushes from the box's own recognitions: wait for them within the run's budget, read them back from the
v2 history.

A real box pushes recognitions as they happen, at a rate nobody knows (REAL-BOX.md). A test configures a
client, waits up to `--live-wait` seconds (box-profile key `live_wait_s`) for the pushes it needs and, in
`--interactive` mode, asks the operator once to walk past a named camera and waits again. What came is judged
against the v2 history read over a window closed in the past: from the first push's time (minus a margin) to
the last push's time (+1 ms, a µs history time above a whole-ms push), so no live event can enter it while
it is paged. When nothing came the test is *not exercised*, never passed, never failed. On the emulator with a
control plane (no live traffic) the same tests cause the recognitions: the live cast is injected on its
cameras.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from conformance.checks.consistency import EventView
from conformance.checks.websocket_checks import unmatched_pushes
from conformance.clients.exchange import Exchange
from conformance.clients.http_client import RecordingHttpClient
from conformance.clients.ws_client import RecordingWebSocket
from conformance.suite.fixtures import conformance_session
from conformance.suite.judgement import not_exercised
from conformance.suite.support.device_lookup import listed_devices
from conformance.suite.support.operator_prompt import OperatorPrompt
from conformance.suite.support.query_calls import V2
from conformance.suite.support.query_data import v2_time_as_box_reads
from conformance.suite.support.ws_events import DEVICES, STRANGER, LiveInjector
from conformance.suite.support.ws_session import Received, collect
from conformance.target.target import Target

MIN_PUSHES = 4  # pushes a test waits for before it judges (fewer when the budget runs out)
LIVE_QUIET_S = 0.5  # after the pushes a test needs, how long later pushes (same-ms ties, extras) are taken
HISTORY_LAG_S = 5.0  # a pushed recognition is in the v2 history within seconds
HISTORY_POLL_S = 0.5
HISTORY_MARGIN_MS = 2_000  # history read before the first push: a push may be a few ms off its event
PAGE_SIZE = 200
HISTORY_REQUIREMENTS = ("V2Q-SCHEMA-001",)
INJECTED_WAIT_S = 8.0  # with a control plane the recognitions are injected: their pushes come at once
INJECTED_PEOPLE = ("id-live-emp", STRANGER, "id-live-vip", "id-live-visitor")  # matched and strangers
Inject = Callable[[Sequence[tuple[str, str]]], object]


@dataclass(frozen=True)
class Camera:
    """A device of the box as its device list names it (for event_list and for the operator's prompt)."""

    device_id: str
    name: str

    @property
    def label(self) -> str:
        """'Lobby (site-lobby)': what the operator is asked to walk past."""
        return f"{self.name} ({self.device_id})" if self.name else self.device_id


@dataclass(frozen=True)
class HistoryWindow:
    """The v2 events of a closed window [low_ms, high_ms] as the box returned them, with the exchanges."""

    low_ms: int
    high_ms: int
    events: tuple[Mapping[str, Any], ...]
    exchanges: tuple[Exchange, ...]

    def between(self, low_ms: float, high_ms: float) -> list[Mapping[str, Any]]:
        """The events whose time (any unit, by magnitude) lies in [low_ms, high_ms]."""
        kept = []
        for event in self.events:
            ts = EventView.from_v2(event).ts_ms
            if ts is not None and low_ms <= ts <= high_ms:
                kept.append(event)
        return kept


@dataclass
class LiveBox:
    """The box's live side as the push tests use it: its cameras, the wait budget, the history oracle."""

    http_client: RecordingHttpClient
    cameras: tuple[Camera, ...]
    wait_s: float
    v2_seconds: bool = False  # E01 lenient: the box reads v2 time filters as seconds
    prompt: OperatorPrompt | None = None
    devices_exchange: Exchange | None = None
    inject: Inject | None = None  # the emulator's control plane causes the recognitions (no live traffic)
    waited_s: float = field(default=0.0)

    @property
    def device_ids(self) -> list[str]:
        """Every camera's id, in the device list's order."""
        return [camera.device_id for camera in self.cameras]

    def halves(self) -> tuple[list[str], list[str]]:
        """Two disjoint non-empty device lists (every other camera); ([all], []) with a single camera."""
        ids = self.device_ids
        return ids[0::2], ids[1::2]

    def wait_for_pushes(
        self,
        socket: RecordingWebSocket,
        want: int = MIN_PUSHES,
        *,
        devices: Sequence[str] = (),
        into: Received | None = None,
    ) -> Received:
        """Pushes until `want` arrived or the budget ran out; `--interactive` asks once and waits again."""
        started = time.monotonic()
        budget = self.wait_s
        if self.inject is not None:
            self._provoke(want - len(into.events) if into else want, devices)
            budget = min(budget, INJECTED_WAIT_S)
        received = collect(socket, want, deadline_s=budget, quiet_s=LIVE_QUIET_S, into=into)
        asking = self.prompt is not None and self.inject is None
        if asking and len(received.events) < want and received.closed is None:
            named = [c.label for c in self.cameras if c.device_id in devices] or [
                c.label for c in self.cameras
            ]
            request = (
                f"{len(received.events)} of {want} live recognition(s) came within {self.wait_s:g} s: "
                f"please walk past camera {named[0]}"
                + (f" (or any of {', '.join(named[1:4])})" if len(named) > 1 else "")
            )
            if self.prompt is not None and self.prompt.ask(request):
                collect(socket, want, deadline_s=self.wait_s, quiet_s=LIVE_QUIET_S, into=received)
        self.waited_s += time.monotonic() - started
        return received

    def _provoke(self, want: int, devices: Sequence[str]) -> None:
        """Inject rounds over every camera until the listed ones have `want` events (control plane only)."""
        if self.inject is None or want <= 0:
            return
        listed = [d for d in self.device_ids if d in devices] or self.device_ids
        rounds = math.ceil(want / len(listed))
        cameras = self.device_ids * rounds
        self.inject([(d, INJECTED_PEOPLE[n % len(INJECTED_PEOPLE)]) for n, d in enumerate(cameras)])

    def history(self, low_ms: float, high_ms: float) -> HistoryWindow:
        """Every v2 event of [low_ms, high_ms] (whole ms, widened outwards), paged through."""
        low, high = math.floor(low_ms), math.ceil(high_ms)
        filters = v2_time_as_box_reads({"datetime_gte": low, "datetime_lte": high}, seconds=self.v2_seconds)
        result = V2.fetch_all(self.http_client, filters, size=PAGE_SIZE, requirements=HISTORY_REQUIREMENTS)
        return HistoryWindow(low, high, tuple(result.items), tuple(result.exchanges))

    def history_of(self, messages: Sequence[Mapping[str, Any]]) -> HistoryWindow:
        """The closed window around the pushes, read until it holds every push or HISTORY_LAG_S passed."""
        times = [t for t in (EventView.from_ws(m).ts_ms for m in messages) if t is not None]
        if not times:
            return HistoryWindow(0, 0, (), ())
        low, high = min(times) - HISTORY_MARGIN_MS, max(times) + 1
        deadline = time.monotonic() + HISTORY_LAG_S
        exchanges: list[Exchange] = []
        while True:
            window = self.history(low, high)
            exchanges += window.exchanges
            if not unmatched_pushes(messages, window.events) or time.monotonic() >= deadline:
                return HistoryWindow(window.low_ms, window.high_ms, window.events, tuple(exchanges[-6:]))
            time.sleep(HISTORY_POLL_S)


def cameras_of(
    http_client: RecordingHttpClient, only: Sequence[str] = ()
) -> tuple[tuple[Camera, ...], Exchange]:
    """The box's cameras from GET /SophonDevice/api/Devices (WS-WS-014), limited to `only` when given."""
    listed, answer = listed_devices(http_client)
    cameras = tuple(
        Camera(str(d["device_id"]), str(d.get("device_name") or ""))
        for d in listed
        if isinstance(d, dict) and isinstance(d.get("device_id"), str) and d["device_id"]
    )
    if only:
        cameras = tuple(c for c in cameras if c.device_id in only)
    return cameras, answer.exchange


def pushes_between(messages: Sequence[Mapping[str, Any]]) -> tuple[float, float] | None:
    """(first, last) push time in ms, None without a readable time."""
    times = [t for t in (EventView.from_ws(m).ts_ms for m in messages) if t is not None]
    return (min(times), max(times)) if times else None


@pytest.fixture(scope="module", name="live_box")
def live_box_fixture(
    request: pytest.FixtureRequest, target: Target, http_client: RecordingHttpClient
) -> LiveBox:
    """The box's cameras, the wait budget and the operator prompt; on the emulator, injected recognitions."""
    options = conformance_session(request.config).options
    inject: Inject | None = None
    only: Sequence[str] = target.config.devices
    if target.config.control_url is not None:  # no live traffic: the control plane records the cast's events
        live: LiveInjector = request.getfixturevalue("live")
        inject, only = live.inject, [d.device_id for d in DEVICES]
    cameras, exchange = cameras_of(http_client, only)
    if not cameras:
        not_exercised("GET /SophonDevice/api/Devices lists no device to put in event_list")
    return LiveBox(
        http_client=http_client,
        cameras=cameras,
        wait_s=options.live_wait_s,
        v2_seconds=bool(request.getfixturevalue("v2_reads_seconds")),
        prompt=OperatorPrompt.for_run(request.config, options.interactive),
        devices_exchange=exchange,
        inject=inject,
    )
