"""Sample the box's own history once per session: a window closed in the past, read through v2 and v1 paging.

The window ends `PAST_MARGIN_MS` before the newest event the box holds, so live recognitions cannot move
it, and it is widened (up to `SAMPLE_LIMIT` events) to reach the newest event of every user type and of
every listed device the box has. Its upper bound is moved off any event whose microseconds a millisecond
bound would cut (seed 000's example time is 1628066406.608026 s), so a box reading either its ms floor or
its true time holds the same events in it. Every history test queries inside this window only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from conformance.checks.history_events import HistoryEvent, TimeSpan, refine_times
from conformance.checks.vocabulary import PERSON_TYPE_TO_USER_TYPE
from conformance.clients.http_client import RecordingHttpClient
from conformance.suite.support.device_lookup import listed_devices
from conformance.suite.support.query_calls import MAX_PAGES, V1, V2, ListForm, QueryApi
from conformance.suite.support.query_data import PAST_MARGIN_MS, ms_to_seconds, v2_time_as_box_reads

SAMPLE_LIMIT = 1200  # events per interface; a busy box holds millions, the sample stays small
PAGE_SIZE = 200
USER_TYPES = (*PERSON_TYPE_TO_USER_TYPE.values(), "car")
MIN_IDENTITIES = 3
BISECT_STEPS = 24
COMMON_DEFAULT_PAGE_SIZE = 10  # seed 000's page_limit default; seed 001 names none


@dataclass(frozen=True)
class Answer:
    """The events of one query over the window, as the box returned them (at most a cap)."""

    items: tuple[Mapping[str, Any], ...]
    events: tuple[HistoryEvent, ...]
    complete: bool  # False when the answer held more than the cap (or more than total_count said)
    total_count: int | None
    exchanges: tuple[Any, ...]


@dataclass(frozen=True)
class HistorySample:
    """The window [low_ms, high_ms] (inclusive, ms) and its events as each interface showed them."""

    low_ms: int
    high_ms: int
    v2_seconds: bool  # E01 lenient: the box reads v2 time filters as seconds
    v2: tuple[HistoryEvent, ...] = ()
    v1: tuple[HistoryEvent, ...] = ()
    v2_ids: tuple[str, ...] = ()  # in the box's v2 order
    v1_ids: tuple[str, ...] = ()
    devices: tuple[str, ...] = ()  # from the device list
    notes: tuple[str, ...] = ()  # what the sample lacks, and why
    read_high_ms: int = 0  # the upper bound the window was read with (high_ms moved off any µs event)
    v2_read: tuple[HistoryEvent, ...] = ()  # what the window queries returned, before the sample kept
    v1_read: tuple[HistoryEvent, ...] = ()  # the events inside [low_ms, high_ms]
    complete: bool = True  # False when the window held more events than the sample read

    def __repr__(self) -> str:
        return f"HistorySample({self.low_ms}..{self.high_ms} ms, v2 {len(self.v2)}, v1 {len(self.v1)} events)"

    def events(self, interface: str) -> tuple[HistoryEvent, ...]:
        """The sampled events of one interface."""
        return self.v2 if interface == "v2" else self.v1

    def window_read(self, interface: str) -> tuple[dict[str, Any], tuple[HistoryEvent, ...]]:
        """The filters the window was read with (documented unit) and every event that query returned."""
        filters = self.span_filters(interface, self.low_ms, self.read_high_ms)
        return filters, (self.v2_read if interface == "v2" else self.v1_read)

    def window(self, interface: str) -> dict[str, Any]:
        """The window as filters in the interface's documented unit (v2 ms, v1 seconds)."""
        return self.span_filters(interface, self.low_ms, self.high_ms)

    @staticmethod
    def span_filters(interface: str, low_ms: int, high_ms: int) -> dict[str, Any]:
        """Inclusive [low_ms, high_ms] as time filters in the interface's documented unit."""
        if interface == "v2":
            return {"datetime_gte": low_ms, "datetime_lte": high_ms}
        return {"datetime_gte": ms_to_seconds(low_ms), "datetime_lte": ms_to_seconds(high_ms)}

    def wire(self, interface: str, filters: Mapping[str, Any]) -> dict[str, Any]:
        """Filters as sent: v2 times in seconds for a box that reads them so (E01, lenient)."""
        return v2_time_as_box_reads(filters, seconds=self.v2_seconds) if interface == "v2" else dict(filters)

    def refine(self, interface: str, returned: Sequence[HistoryEvent]) -> list[HistoryEvent]:
        """Returned events with the sample's finer time of the same id (a v1 twin's microseconds)."""
        spans = {event.id: event.span for event in self.events(interface)}
        return [
            replace(event, span=spans[event.id])
            if event.id in spans and event.span.contains(spans[event.id])
            else event
            for event in returned
        ]


def page_size_for(count: int) -> int:
    """A page size giving about three pages of `count` events, never the common default of 10
    (a box that ignores the size asked and serves its default would pass unseen)."""
    size = max(1, count // 3)
    return size - 1 if size == COMMON_DEFAULT_PAGE_SIZE else size


def api_of(interface: str) -> QueryApi:
    """The query client of an interface."""
    return V2 if interface == "v2" else V1


def parse(interface: str, items: Sequence[Mapping[str, Any]]) -> list[HistoryEvent]:
    """Items as history events (items without a readable time are left out)."""
    reader = HistoryEvent.from_v2 if interface == "v2" else HistoryEvent.from_v1
    return [event for event in map(reader, items) if event is not None]


def read(
    client: RecordingHttpClient,
    sample: HistorySample,
    interface: str,
    filters: Mapping[str, Any],
    *,
    cap: int = SAMPLE_LIMIT,
    size: int = PAGE_SIZE,
    list_form: ListForm = ListForm.REPEATED,
    requirements: Sequence[str] = (),
) -> Answer:
    """Every page of a query (filters in the documented unit), up to `cap`; a refusal names `requirements`."""
    api = api_of(interface)
    wire = sample.wire(interface, filters)
    items: list[Mapping[str, Any]] = []
    exchanges: list[Any] = []
    total: int | None = None
    complete = False
    for index in range(MAX_PAGES):  # a box may serve smaller pages than asked (a page cap): read on
        answer = api.fetch(
            client, wire, page=index, size=size, list_form=list_form, requirements=requirements
        )
        exchanges.append(answer.response.exchange)
        total = answer.page.pagination.total_count if total is None else total
        items += answer.items
        if not answer.items or (total is not None and len(items) >= total):
            complete = True
            break
        if len(items) >= cap:
            break
    events = sample.refine(interface, parse(interface, items))
    return Answer(tuple(items), tuple(events), complete, total, tuple(exchanges))


def _newest_ms(client: RecordingHttpClient, filters: Mapping[str, Any], v2_seconds: bool) -> int | None:
    """The latest time among the first and last event of a v2 query (the box's order is not documented)."""
    wire = v2_time_as_box_reads(filters, seconds=v2_seconds)
    first = V2.fetch(client, wire, page=0, size=1)
    total = first.page.pagination.total_count or 0
    items = list(first.items)
    if total > 1:
        items += V2.fetch(client, wire, page=total - 1, size=1).items
    times = [event.span.low for event in parse("v2", items)]
    return math.floor(max(times)) if times else None


def _count(client: RecordingHttpClient, low: int, high: int, v2_seconds: bool) -> int:
    wire = v2_time_as_box_reads({"datetime_gte": low, "datetime_lte": high}, seconds=v2_seconds)
    return V2.fetch(client, wire, page=0, size=1).page.pagination.total_count or 0


def _fit_low(client: RecordingHttpClient, low: int, high: int, v2_seconds: bool) -> int:
    """The earliest lower bound ≥ low whose window holds at most SAMPLE_LIMIT events (bisection)."""
    if _count(client, low, high, v2_seconds) <= SAMPLE_LIMIT:
        return low
    early, late = low, high
    for _ in range(BISECT_STEPS):
        if late - early <= 1:
            break
        middle = (early + late) // 2
        if _count(client, middle, high, v2_seconds) <= SAMPLE_LIMIT:
            late = middle
        else:
            early = middle
    return late


def _widen(
    client: RecordingHttpClient, low: int, high: int, devices: Sequence[str], v2_seconds: bool
) -> tuple[int, list[str]]:
    """Move low back to the newest event of each user type and device, while the window stays small."""
    targets: list[tuple[int, str]] = []
    for key, values in (("user_type", USER_TYPES), ("media_device_ids", devices)):
        for value in values:
            sent = [value] if key == "media_device_ids" else value
            newest = _newest_ms(client, {"datetime_lte": high, key: sent}, v2_seconds)
            if newest is not None and newest < low:
                targets.append((newest, f"{key}={value}"))
    notes = []
    for when, what in sorted(targets, reverse=True):
        if when >= low:
            continue
        if _count(client, when, high, v2_seconds) <= SAMPLE_LIMIT:
            low = when
        else:
            notes.append(f"the newest event with {what} is too far back for a sample of {SAMPLE_LIMIT}")
    return low, notes


def _clear_high(high: int, events: Sequence[HistoryEvent]) -> int:
    """The latest bound ≤ high inside no event's span (between its ms floor and its true time)."""
    while any(event.span.low <= high < event.span.high for event in events):
        high -= 1
    return high


def take_sample(client: RecordingHttpClient, *, v2_seconds: bool) -> HistorySample:
    """The session's sample; an empty one (with notes) when the box holds no past events."""
    devices = tuple(
        str(item.get("device_id")) for item in listed_devices(client)[0] if isinstance(item, Mapping)
    )
    newest = _newest_ms(client, {}, v2_seconds)
    if newest is None:
        return HistorySample(0, 0, v2_seconds, devices=devices, notes=("the box holds no events",))
    high = newest - PAST_MARGIN_MS
    before = v2_time_as_box_reads({"datetime_lte": high}, seconds=v2_seconds)
    first = V2.fetch(client, before, page=0, size=PAGE_SIZE)
    times = [math.floor(e.span.low) for e in parse("v2", first.items) if e.span.low <= high]
    if not times:
        return HistorySample(0, 0, v2_seconds, devices=devices, notes=(f"no event before {high} ms",))
    newest_first = times == sorted(times, reverse=True)  # then the page is the window: no count needed
    low = min(times) if newest_first else _fit_low(client, min(times), high, v2_seconds)
    low, notes = _widen(client, low, high, devices, v2_seconds)
    sample = _read_window(client, low, high, devices=devices, v2_seconds=v2_seconds, notes=notes)
    if len(_identities(sample)) < MIN_IDENTITIES and sample.complete:
        wider = _fit_low(client, 0, high, v2_seconds)  # the earliest bound the sample's size allows
        if wider < low:
            sample = _read_window(client, wider, high, devices=devices, v2_seconds=v2_seconds, notes=notes)
    if len(_identities(sample)) < MIN_IDENTITIES:
        shown = len(_identities(sample))
        sample = replace(
            sample,
            notes=(
                *sample.notes,
                f"the window holds {shown} identities, fewer than "
                f"{MIN_IDENTITIES}, in a window of at most {SAMPLE_LIMIT} events",
            ),
        )
    return sample


def _identities(sample: HistorySample) -> set[str]:
    return {e.identity_id for e in sample.v2 if e.identity_id}


def _read_window(
    client: RecordingHttpClient,
    low: int,
    high: int,
    *,
    devices: tuple[str, ...],
    v2_seconds: bool,
    notes: list[str],
) -> HistorySample:
    """[low, high] read whole through v2 and v1 paging, its upper bound moved off any µs event."""
    probe = HistorySample(low, high, v2_seconds, devices=devices)
    v2_answer = read(client, probe, "v2", probe.window("v2"))
    v1_answer = read(client, probe, "v1", probe.window("v1"))
    v1_events = list(v1_answer.events)
    v2_events = refine_times(list(v2_answer.events), v1_events)
    read_high = high
    high = _clear_high(high, [*v2_events, *v1_events])
    inside = TimeSpan(Decimal(low), Decimal(high))
    v2_kept = [e for e in v2_events if inside.contains(e.span)]
    v1_kept = [e for e in v1_events if inside.contains(e.span)]
    complete = v2_answer.complete and v1_answer.complete
    partial = (
        ()
        if complete
        else ("the window held more events than the sample reads: completeness is judged on a part",)
    )
    return HistorySample(
        low_ms=low,
        high_ms=high,
        v2_seconds=v2_seconds,
        v2=tuple(v2_kept),
        v1=tuple(v1_kept),
        v2_ids=tuple(e.id for e in v2_kept),
        v1_ids=tuple(e.id for e in v1_kept),
        devices=devices,
        notes=(*notes, *partial),
        read_high_ms=read_high,
        v2_read=tuple(v2_events),
        v1_read=tuple(v1_events),
        complete=complete,
    )


def still_holds(client: RecordingHttpClient, sample: HistorySample) -> bool:
    """True when the window still holds as many v2 events as sampled (a control plane may reset a box)."""
    if not sample.v2:
        return True
    return _count(client, sample.low_ms, sample.high_ms, sample.v2_seconds) == len(sample.v2)
