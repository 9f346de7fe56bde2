"""Live pushes from the box's own recognitions: wait for them within the run's budget, read them back from the
v2 history.

A real box pushes recognitions as they happen, at a rate nobody knows (REAL-BOX.md). A test configures a
client, waits up to `--live-wait` seconds (box-profile key `live_wait_s`) for the pushes it needs and, in
`--interactive` mode, asks the operator once to walk past a named camera and waits again. What came is judged
against the v2 history read over a window closed in the past: from the first push's time (minus a margin) to
the last push's time (+1 ms, a µs history time above a whole-ms push), so no live event can enter it while
it is paged. When nothing came the test is *not exercised*, never passed, never failed. On the emulator with a
control plane (no live traffic) the same tests cause the recognitions: the live cast is injected on its
cameras. A session waits for a quiet box once (`LiveTraffic`): after one full wait with every camera listed
and no recognition, every later wait ends *not exercised* at once with the same reason, unless some test has
seen a recognition.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from conformance.checks.consistency import EventView
from conformance.checks.correlation import event_key
from conformance.checks.findings import Finding
from conformance.checks.scenario import ScenarioEvent
from conformance.checks.websocket_checks import (
    WsClientConfig,
    live_routing,
    message_key,
    routing,
    unmatched_pushes,
)
from conformance.clients.exchange import Exchange
from conformance.clients.http_client import RecordingHttpClient
from conformance.clients.ws_client import RecordingWebSocket
from conformance.suite.fixtures import conformance_session
from conformance.suite.judgement import not_exercised
from conformance.suite.support.device_lookup import listed_devices
from conformance.suite.support.operator_prompt import OperatorPrompt
from conformance.suite.support.query_calls import V2
from conformance.suite.support.query_data import v2_time_as_box_reads
from conformance.suite.support.ws_events import DEVICES, STRANGER, Injected, LiveInjector
from conformance.suite.support.ws_session import Received, collect, has_pushes_of
from conformance.target.target import Target

MIN_PUSHES = 4  # pushes a test waits for before it judges (fewer when the budget runs out)
# after the pushes a test needs, how long later pushes (same-ms ties, extras) are taken; a push the history
# says is due but that is still on its way is waited for by its test (ws_witness.catch_up_on)
LIVE_QUIET_S = 0.2
HISTORY_LAG_S = 5.0  # a pushed recognition is in the v2 history within seconds
HISTORY_POLL_S = 0.5
HISTORY_MARGIN_MS = 2_000  # history read before the first push: a push may be a few ms off its event
PAGE_SIZE = 200
HISTORY_REQUIREMENTS = ("V2Q-SCHEMA-001",)
INJECTED_WAIT_S = 8.0  # with a control plane the recognitions are injected: their pushes come at once
INJECTED_PEOPLE = ("id-live-emp", STRANGER, "id-live-vip", "id-live-visitor")  # matched and strangers
HISTORY_PAGE_LIMIT_MS = (
    3_600_000  # pushes further apart are read as separate windows (injected vs live times)
)
Inject = Callable[[Sequence[tuple[str, str]]], Sequence[Injected]]


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
class LiveTraffic:
    """What this session (this xdist worker) learned of the box's live traffic, shared by every live test."""

    seen: bool = False  # a recognition came to some test: the box is not quiet
    quiet_reason: str = ""  # a full wait with every camera listed brought nothing: the reason, once

    def check(self) -> None:
        """Not exercised at once when the session already waited its budget on a quiet box."""
        if self.quiet_reason and not self.seen:
            not_exercised(self.quiet_reason)

    def note(self, pushes: int, *, every_camera: bool, waited_s: float, budget_s: float) -> None:
        """Remember a wait: any push proves traffic; a full, silent wait on every camera proves quiet."""
        if pushes:
            self.seen = True
        elif every_camera and waited_s >= budget_s and not self.seen:
            self.quiet_reason = (
                f"no live recognition came within {budget_s:g} s (--live-wait) on any of the box's cameras; "
                "the session waited once and judges no other live test on this quiet box"
            )
            not_exercised(self.quiet_reason)


LIVE_TRAFFIC = pytest.StashKey[LiveTraffic]()


def live_traffic(config: pytest.Config) -> LiveTraffic:
    """The session's (this worker's) knowledge of live traffic, created on first use."""
    return config.stash.setdefault(LIVE_TRAFFIC, LiveTraffic())


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
    traffic: LiveTraffic = field(default_factory=LiveTraffic)
    waited_s: float = field(default=0.0)
    injected_keys: set[str] = field(default_factory=set)  # every event this module injected, by (ms, device)

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
        quiet_s: float = LIVE_QUIET_S,
    ) -> Received:
        """Pushes until `want` arrived or the budget ran out; `--interactive` asks once and waits again.

        On live traffic a quiet session ends the test as not exercised (`LiveTraffic`), before or after
        the wait; `devices` are the ids the socket follows (every camera when empty).
        """
        started = time.monotonic()
        budget = self.wait_s
        before = len(into.events) if into else 0
        due: Callable[[Received], bool] | None = None
        caused: list[ScenarioEvent] = []
        if self.inject is not None:
            caused = self._provoke(want - before, devices)
            listed = set(devices or self.device_ids)
            due = has_pushes_of([e for e in caused if e.device_id in listed])
            budget = min(budget, INJECTED_WAIT_S)
        else:
            self.traffic.check()
        received = into or Received()
        received.caused.extend(caused)
        collect(socket, want, deadline_s=budget, quiet_s=quiet_s, into=received, until=due)
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
                collect(socket, want, deadline_s=self.wait_s, quiet_s=quiet_s, into=received)
        waited = time.monotonic() - started
        self.waited_s += waited
        if self.inject is None and received.closed is None:
            self.traffic.note(
                len(received.events),
                every_camera=not devices or set(self.device_ids) <= set(devices),
                waited_s=waited,
                budget_s=budget,
            )
        return received

    def note_wait(self, pushes: int, waited_s: float) -> None:
        """Record a wait made outside `wait_for_pushes` (every camera listed), e.g. the seed's own client."""
        if self.inject is None:
            self.traffic.note(pushes, every_camera=True, waited_s=waited_s, budget_s=self.wait_s)

    def _provoke(self, want: int, devices: Sequence[str]) -> list[ScenarioEvent]:
        """Inject rounds over every camera until the listed ones have `want` events (control plane only)."""
        if self.inject is None or want <= 0:
            return []
        listed = [d for d in self.device_ids if d in devices] or self.device_ids
        rounds = math.ceil(want / len(listed))
        cameras = self.device_ids * rounds
        injected = self.inject(
            [(d, INJECTED_PEOPLE[n % len(INJECTED_PEOPLE)]) for n, d in enumerate(cameras)]
        )
        events = [i.event for i in injected]
        self.injected_keys.update(event_key(e.ts_ms, e.device_id) for e in events)
        return events

    def history(self, low_ms: float, high_ms: float) -> HistoryWindow:
        """Every v2 event of [low_ms, high_ms] (whole ms, widened outwards), paged through."""
        low, high = math.floor(low_ms), math.ceil(high_ms)
        filters = v2_time_as_box_reads({"datetime_gte": low, "datetime_lte": high}, seconds=self.v2_seconds)
        result = V2.fetch_all(self.http_client, filters, size=PAGE_SIZE, requirements=HISTORY_REQUIREMENTS)
        return HistoryWindow(low, high, tuple(result.items), tuple(result.exchanges))

    def history_of(self, messages: Sequence[Mapping[str, Any]]) -> HistoryWindow:
        """The closed window around the pushes, read until it holds every push or HISTORY_LAG_S passed.

        With a control plane, the pushes of injected events (the frozen clock's times) and of live ones
        (the machine's) are read as two windows: one window would span the years between the two clocks.
        """
        injected = [m for m in messages if message_key(m) in self.injected_keys]
        live = [m for m in messages if message_key(m) not in self.injected_keys]
        windows = [self._history_around(group) for group in (injected, live) if group]
        if not windows:
            return HistoryWindow(0, 0, (), ())
        return HistoryWindow(
            min(w.low_ms for w in windows),
            max(w.high_ms for w in windows),
            tuple(e for w in windows for e in w.events),
            tuple(x for w in windows for x in w.exchanges),
        )

    def _history_around(self, messages: Sequence[Mapping[str, Any]]) -> HistoryWindow:
        """One closed window from the first push (minus a margin) to the last, read until it holds all."""
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

    def routed(self, received: Received, window: HistoryWindow) -> list[Mapping[str, Any]]:
        """The history events a client's routing is judged over: recorded while it surely was configured.

        Live events between its first and last live push (both pushed, so its configuration was in effect;
        pushes of injected events, stamped by the frozen clock, do not count) and, with a control plane, the
        events injected while it waited (found by their ids).
        """
        caused_ids = {e.id for e in received.caused}
        live = [m for m in received.events if message_key(m) not in self.injected_keys]
        span = pushes_between(live)
        between = [] if span is None else window.between(*span)
        ids = {EventView.from_v2(e).event_id for e in between}
        injected = [e for e in window.events if EventView.from_v2(e).event_id in caused_ids - ids]
        return between + injected

    def routing_findings(
        self,
        config: Mapping[str, Any],
        received: Received,
        window: HistoryWindow,
        requirements: Sequence[str],
    ) -> list[Finding]:
        """A client's routing: its live span against the history, the events injected for it by their keys."""
        client = WsClientConfig.from_message(config)
        caused_keys = {event_key(e.ts_ms, e.device_id) for e in received.caused}
        findings = live_routing(
            client, received.events, self.routed(received, window), requirements=requirements
        )
        if received.caused:
            ours = [m for m in received.events if message_key(m) in caused_keys]
            findings += routing(client, ours, received.caused, requirements=requirements)
        return findings


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


@pytest.fixture(autouse=True, name="quiet_box_known")
def quiet_box_known_fixture(request: pytest.FixtureRequest, target: Target) -> None:
    """On a box this session already found quiet, a push test ends *not exercised* before it configures."""
    if target.config.control_url is None:
        live_traffic(request.config).check()


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
        traffic=live_traffic(request.config),
    )
