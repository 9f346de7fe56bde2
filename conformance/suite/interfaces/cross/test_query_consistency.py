"""Cross-interface consistency: one stored event seen through v1 events, v2 getevents and v2 getevent
tells one story (id, time after unit conversion, score, device, person type ↔ user type).

The observational test pairs the newest events of both interfaces (by id, else by time and device);
the oracle test also compares both with what the core scenario seeded, or, on a box without control plane,
holds every event of the history sample (a window closed in the past) to being in both, telling one story.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import pytest

from conformance.checks.consistency import EventView, same_event
from conformance.checks.documented_fields import differing_fields
from conformance.checks.findings import Finding
from conformance.checks.history_events import twins, unmatched
from conformance.clients.exchange import Exchange
from conformance.clients.failures import fail, fail_on
from conformance.clients.http_client import RecordingHttpClient
from conformance.spec.catalog import Profile, load_spec
from conformance.suite.judgement import judged, not_exercised
from conformance.suite.support.history_sample import SAMPLE_LIMIT
from conformance.suite.support.query_calls import V1, V2
from conformance.suite.support.query_data import (
    SAME_EVENT_IDS,
    WINDOW_CAP,
    WINDOW_EVENTS,
    BoxWindow,
    CoreData,
)
from conformance.suite.support.sample_search import SampleItems
from conformance.target.target import Target

GETEVENT_PATH = "/sophon/v2/face/getevent"
GETEVENT_SAMPLE = 5
SEEDED_MARGIN_MS = 1000  # whole seconds either side of the seeded span (E02 readings, µs times)


def _pairs(
    v2_items: Sequence[Mapping[str, Any]], v1_items: Sequence[Mapping[str, Any]]
) -> list[tuple[EventView, EventView]]:
    """Pair each v2 event with its v1 twin: by id, or (no shared ids) by time within 1 ms and device."""
    v2_views = [EventView.from_v2(item) for item in v2_items]
    v1_views = [EventView.from_v1(item) for item in v1_items]
    by_id = {view.event_id: view for view in v1_views}
    pairs = [(view, by_id[view.event_id]) for view in v2_views if view.event_id in by_id]
    if pairs or not v1_views:
        return pairs
    for view in v2_views:
        twin = next(
            (
                other
                for other in v1_views
                if view.ts_ms is not None
                and other.ts_ms is not None
                and abs(view.ts_ms - other.ts_ms) <= 1
                and view.device_id == other.device_id
            ),
            None,
        )
        if twin is not None:
            pairs.append((view, twin))
    return pairs


def _about(event_id: str | None, found: Finding) -> Finding:
    return replace(found, message=f"event {event_id}: {found.message}")


def _compare_pairs(pairs: Sequence[tuple[EventView, EventView]]) -> list[Finding]:
    return [
        _about(v2_view.event_id, found)
        for v2_view, v1_view in pairs
        for found in same_event([v2_view, v1_view], requirements=SAME_EVENT_IDS)
    ]


@pytest.mark.req(*SAME_EVENT_IDS)
def test_v1_and_v2_agree_on_the_newest_events(
    request: pytest.FixtureRequest, box_window: BoxWindow, http_client: RecordingHttpClient
) -> None:
    """The newest events of the box as v2 and v1 report them: same ids, times, scores, devices, types."""
    if box_window.empty:
        not_exercised("the box holds no events")
    # one window closed in the past for both: live recognitions cannot shift one page against the other
    v2_page = V2.fetch(http_client, box_window.v2_filters(), page=0, size=WINDOW_EVENTS)
    v1_page = V1.fetch(http_client, box_window.v1_filters(), page=0, size=WINDOW_EVENTS)
    pairs = _pairs(v2_page.items, v1_page.items)
    exchanges: list[Exchange] = [v2_page.response.exchange, v1_page.response.exchange]
    if not pairs:
        fail(
            "none of the newest v2 events is among the newest v1 events (by id, or by time and device)",
            SAME_EVENT_IDS,
            detail=f"v2 returned {len(v2_page.items)} events, v1 {len(v1_page.items)}",
            exchanges=exchanges,
        )
    judged(request, "events", len(pairs))
    fail_on(_compare_pairs(pairs), title="v1 and v2 disagree about an event", exchanges=exchanges)


@pytest.mark.req("V2G-SCHEMA-003")
def test_getevent_returns_the_getevents_event(
    request: pytest.FixtureRequest, box_window: BoxWindow, http_client: RecordingHttpClient
) -> None:
    """POST /sophon/v2/face/getevent with an id answers exactly that event as getevents lists it."""
    if box_window.empty:
        not_exercised("the box holds no events")
    judged(request, "events", len(box_window.events[:GETEVENT_SAMPLE]))
    for listed in box_window.events[:GETEVENT_SAMPLE]:
        answer = http_client.post_json(GETEVENT_PATH, {"event_id": listed.get("event_id")})
        single = answer.json()
        if answer.status != 200 or not isinstance(single, Mapping):
            fail(
                f"getevent for a listed id answered HTTP {answer.status}",
                ["V2G-SCHEMA-003"],
                exchanges=[answer.exchange],
            )
        differing = differing_fields(single, listed, load_spec(Profile.STRICT).schema("v2-event"))
        if differing:  # only the fields the table defines: undocumented extras may differ (E17)
            fail(
                f"getevent {listed.get('event_id')} differs from the getevents event in {differing[:8]}",
                ["V2G-SCHEMA-003"],
                exchanges=[answer.exchange],
            )


def _history_findings(items: SampleItems) -> tuple[list[Finding], int]:
    """Every sampled event in both interfaces, telling one story (a box without control plane)."""
    v2_events = [event for event, _ in items.v2]
    v1_events = [event for event, _ in items.v1]
    findings: list[Finding] = []
    if len(items.sample.v2_read) < SAMPLE_LIMIT and len(items.sample.v1_read) < SAMPLE_LIMIT:
        # the whole window was read through both: an event one of them lacks is missing
        for source, missing in (
            ("v1", unmatched(v2_events, v1_events)),
            ("v2", unmatched(v1_events, v2_events)),
        ):
            findings += [
                Finding(
                    "consistency.same_event",
                    f"stored event {event.id} ({event.span.low} ms, {event.device_id}) missing from {source}",
                    SAME_EVENT_IDS,
                )
                for event in missing
            ]
    found = twins(v2_events, v1_events)
    v1_items = {event.id: item for event, item in items.v1}
    pairs = [
        (EventView.from_v2(item), EventView.from_v1(v1_items[found[event.id].id]))
        for event, item in items.v2
        if event.id in found
    ]
    return findings + _compare_pairs(pairs), len(pairs)


@pytest.mark.req(*SAME_EVENT_IDS)
def test_both_interfaces_report_what_was_seeded(
    request: pytest.FixtureRequest, target: Target, http_client: RecordingHttpClient
) -> None:
    """Every stored event, read through v2 and v1, carries one time, device, score and person type: the
    seeded ones with a control plane, else every event of the history sample (a window closed in the past)."""
    if not target.has_control:
        items: SampleItems = request.getfixturevalue("sample_items")
        items.require("v2", "v1")
        differences, paired = _history_findings(items)
        judged(request, "events", paired)
        fail_on(differences, title="v1/v2 answers differ over the sampled window", context=repr(items))
        if not paired:
            not_exercised(f"no sampled v2 event has a v1 twin to compare ({items!r})")
        return
    core_data: CoreData = request.getfixturevalue("core_data")
    # The seeded span with a second either side, closed in the past: live recognitions arriving while
    # the pages are read cannot push a seeded event past the last page the first answer named.
    times = [event.ts_ms for event in core_data.events]
    low, high = min(times) - SEEDED_MARGIN_MS, max(times) + SEEDED_MARGIN_MS
    seeded_span = BoxWindow((), low, high, v2_seconds=request.getfixturevalue("v2_reads_seconds"))
    v2_result = V2.fetch_all(http_client, seeded_span.v2_filters(), size=WINDOW_CAP)
    v1_result = V1.fetch_all(http_client, seeded_span.v1_filters(), size=WINDOW_CAP)
    v2_by_id = {str(item.get("event_id")): item for item in v2_result.items}
    v1_by_id = {str(item.get("_id")): item for item in v1_result.items}
    findings: list[Finding] = []
    for seeded in core_data.events:
        views = [
            EventView(
                source="scenario",
                event_id=seeded.id,
                ts_ms=float(seeded.ts_ms),
                device_id=seeded.device_id,
                score=seeded.score,
                person_type=seeded.person_type,
                type_label=f"person_type={seeded.person_type}",
            )
        ]
        for source, found, adapter in (
            ("v2", v2_by_id, EventView.from_v2),
            ("v1", v1_by_id, EventView.from_v1),
        ):
            if seeded.id not in found:
                findings.append(
                    Finding(
                        "consistency.same_event",
                        f"seeded event {seeded.id} missing from {source}",
                        SAME_EVENT_IDS,
                    )
                )
                continue
            views.append(adapter(found[seeded.id]))
        findings += [_about(seeded.id, f) for f in same_event(views, requirements=SAME_EVENT_IDS)]
    judged(request, "events", len(core_data.events))
    fail_on(
        findings,
        title="v1/v2 answers differ from the seeded events",
        exchanges=[*v2_result.exchanges[:1], *v1_result.exchanges[:1]],
    )
