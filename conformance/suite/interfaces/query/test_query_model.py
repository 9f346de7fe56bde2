"""Stateful model test: inject events, move the clock, query v1 and v2 with random filters and pages, and
check every answer against the machine's own model (`query_model.BoxModel`) — needs the control plane.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)

from conformance.checks import paging
from conformance.checks.filter_oracle import Expectation, compare_result
from conformance.checks.findings import Finding
from conformance.checks.history_events import span_of
from conformance.checks.history_filters import Interface
from conformance.checks.requirement_ids import requirements_for
from conformance.clients.failures import fail_on
from conformance.clients.http_client import RecordingHttpClient
from conformance.suite.hypothesis_profiles import DEEP, QUERY_MODEL_STEPS
from conformance.suite.judgement import judged
from conformance.suite.support.history_draws import draws, model_findings, within_window
from conformance.suite.support.history_queries import require_sample
from conformance.suite.support.history_sample import HistorySample
from conformance.suite.support.query_calls import APIS, PageAnswer, PagedResult, QueryApi
from conformance.suite.support.query_data import CoreData, ms_to_seconds, v2_time_as_box_reads
from conformance.suite.support.query_model import (
    DEVICES,
    MODEL_BASE_MS,
    PEOPLE,
    RUN_SPAN_MS,
    SCORES,
    BoxModel,
    device_bodies,
    v1_filters,
    v2_filters,
)
from conformance.suite.support.query_paging import slice_findings
from conformance.target.control_client import ControlClient

LISTING_SIZE = 1000
CLOCK_STEPS_MS = (0, 1, 999, 1000, 60_000, 3_600_000)


@dataclass
class MachineContext:
    """What every run of the machine shares: the clients and a counter that gives each run its time range."""

    control: ControlClient
    client: RecordingHttpClient
    runs: Iterator[int]
    v2_seconds: bool  # lenient profile, E01: the box reads v2 time filters as seconds


@pytest.fixture(scope="module")
def machine_context(
    control: ControlClient, http_client: RecordingHttpClient, v2_reads_seconds: bool
) -> Iterator[MachineContext]:
    """Register the model's people and devices once; put the box clock back as it was afterwards."""
    before = control.clock()
    control.add_devices(device_bodies())
    control.add_identities([person.to_control() for person in PEOPLE])
    yield MachineContext(control, http_client, itertools.count(), v2_reads_seconds)
    mode = str(before.get("mode", "frozen"))
    if mode == "frozen":
        control.set_clock("frozen", now_ms=int(before["now_ms"]))
    elif mode == "offset":
        control.set_clock("offset", offset_ms=int(before.get("offset_ms", 0)))
    else:
        control.set_clock("real")


class QueryMachine(RuleBasedStateMachine):
    """Inject, tick, query; each answer must equal what the model computes."""

    context: MachineContext  # set by the test on a subclass: Hypothesis builds machines without arguments

    def __init__(self) -> None:
        super().__init__()
        start = MODEL_BASE_MS + next(self.context.runs) * RUN_SPAN_MS
        self.model = BoxModel(run_start_ms=start, now_ms=start)

    @initialize()
    def start_clock(self) -> None:
        """Freeze the box clock at the start of this run's time range."""
        self.context.control.set_clock("frozen", now_ms=self.model.now_ms)

    @rule(
        batch=st.lists(
            st.tuples(
                st.sampled_from(DEVICES),
                st.one_of(st.none(), st.sampled_from(PEOPLE)),
                st.sampled_from(SCORES),
            ),
            min_size=1,
            max_size=4,
        )
    )
    def inject(self, batch: list[tuple[str, Any, float]]) -> None:
        """Recognitions happen now (the box stamps them with its clock)."""
        specs = [
            {"device_id": device, "identity_id": person.identity_id if person else "", "score": score}
            for device, person, score in batch
        ]
        event_ids = self.context.control.add_events(specs)
        for event_id, (device, person, score) in zip(event_ids, batch, strict=True):
            self.model.add(event_id, device, person, score)
        if not self._shown_at_their_ms(event_ids):
            self.model.cut_ms.add(self.model.now_ms)

    def _shown_at_their_ms(self, event_ids: list[str]) -> bool:
        """True when v1 shows every new event exactly at the ms it was made (no microseconds past it)."""
        window = {
            "datetime_gte": ms_to_seconds(self.model.now_ms),
            "datetime_lte": ms_to_seconds(self.model.run_end_ms),
            "streams": list(DEVICES),
        }
        v1 = APIS["v1"]
        answer = v1.fetch(self.context.client, window, page=0, size=LISTING_SIZE)
        floor = Decimal(self.model.now_ms)
        spans = {str(item.get(v1.id_key)): span_of(item.get("timestamp")) for item in answer.items}
        return all(
            (span := spans.get(event_id)) is not None and span.exact and span.low == floor
            for event_id in event_ids
        )

    @rule(step_ms=st.sampled_from(CLOCK_STEPS_MS))
    def advance_clock(self, step_ms: int) -> None:
        """Time passes on the box."""
        self.model.now_ms += step_ms
        self.context.control.set_clock("frozen", now_ms=self.model.now_ms)

    @precondition(lambda self: bool(self.model.events))
    @rule(data=st.data())
    def query_v2(self, data: st.DataObject) -> None:
        """A random v2 query and one of its pages."""
        self._query(APIS["v2"], data.draw(v2_filters(self.model), label="v2 filters"), data)

    @precondition(lambda self: bool(self.model.events))
    @rule(data=st.data())
    def query_v1(self, data: st.DataObject) -> None:
        """A random v1 query and one of its pages."""
        self._query(APIS["v1"], data.draw(v1_filters(self.model), label="v1 filters"), data)

    def _query(self, api: QueryApi, filters: dict[str, Any], data: st.DataObject) -> None:
        client = self.context.client
        sent = v2_time_as_box_reads(filters, seconds=self.context.v2_seconds) if api.is_v2 else filters
        listing = api.fetch(client, sent, page=0, size=LISTING_SIZE)
        expected = self.model.expect(filters, api.name)
        findings = compare_result(
            expected, listing.ids, requirements=requirements_for("filter.result", api.name)
        )
        findings += _total_findings(api, listing, expected)
        size = data.draw(st.integers(1, 5), label="page size")
        index = data.draw(st.integers(0, max(0, (len(listing.ids) - 1) // size) + 1), label="page")
        page = api.fetch(client, sent, page=index, size=size)
        pages = [page.page]
        findings += paging.echo(pages, requirements=requirements_for("paging.echo", api.name))
        findings += paging.total_count(pages, requirements=requirements_for("paging.total_count", api.name))
        if api.name == "v1":
            findings += paging.num_pages(pages, requirements=requirements_for("paging.num_pages", api.name))
        findings += slice_findings(api, listing.ids, PagedResult(api=api, answers=[page]))
        fail_on(
            findings,
            title=f"{api.name} answer differs from the model",
            exchanges=[listing.response.exchange, page.response.exchange],
            context=f"filters {sent}; page {index} of size {size}; model: {len(self.model.events)} events",
        )


def _total_findings(api: QueryApi, listing: PageAnswer, expected: Expectation) -> list[Finding]:
    """total_count is the size of the model's answer (with top_k ties: any size the ties allow)."""
    total = listing.page.pagination.total_count
    low, high = len(expected.required), len(expected.required) + len(expected.optional)
    if expected.max_count is not None:
        low, high = min(low, expected.max_count), min(high, expected.max_count)
    if total is not None and low <= total <= high:
        return []
    return [
        Finding(
            check="paging.total_count",
            message=f"total_count {total}, the model expects {low if low == high else (low, high)}",
            requirement_ids=requirements_for("paging.total_count", api.name),
        )
    ]


def _phases() -> tuple[Phase, ...]:
    """The profile's phases; shrinking replays HTTP steps for minutes, so only the deep profile shrinks."""
    phases = tuple(settings().phases)
    if settings.get_current_profile_name() != DEEP:
        phases = tuple(phase for phase in phases if phase is not Phase.shrink)
    return phases


@pytest.mark.req(
    "V2Q-FILT-010", "V1Q-FILT-013", "V2Q-PAGE-005", "V1Q-PAGE-005", "V2Q-PAGE-007", "V1Q-PAGE-008"
)
def test_box_behaves_like_its_model(
    query_oracle: CoreData | HistorySample,
    http_client: RecordingHttpClient,
    request: pytest.FixtureRequest,
) -> None:
    """Random interleavings of injections, clock steps and v1/v2 queries agree with the model; a box without
    control plane keeps its own record, and random v1/v2 queries and pages of its past agree with it."""
    if isinstance(query_oracle, HistorySample):
        _history_is_the_model(http_client, query_oracle, request)
        return
    machine_context: MachineContext = request.getfixturevalue("machine_context")
    profile = settings()
    phases = _phases()

    class BoundMachine(QueryMachine):
        context = machine_context

    run_state_machine_as_test(
        BoundMachine,
        settings=settings(
            profile, max_examples=profile.max_examples, stateful_step_count=QUERY_MODEL_STEPS, phases=phases
        ),
    )


def _history_is_the_model(
    client: RecordingHttpClient, sample: HistorySample, request: pytest.FixtureRequest
) -> None:
    """Random v1/v2 filter combinations and pages over the sampled window, each judged by the sample."""
    require_sample(sample, "v2")
    require_sample(sample, "v1")
    profile = settings()

    @settings(profile, max_examples=min(profile.max_examples, QUERY_MODEL_STEPS * 2), phases=_phases())
    @given(data=st.data())
    def one_query(data: st.DataObject) -> None:
        interface: Interface = "v2" if data.draw(st.booleans(), label="v2") else "v1"
        query = within_window(sample, interface, data.draw(draws(sample, interface), label="filters"))
        size = data.draw(st.integers(1, 5), label="page size")
        position = data.draw(st.floats(0, 1), label="page position")
        findings, exchanges = model_findings(client, sample, query, size=size, position=position)
        fail_on(
            findings,
            title=f"{interface} answer differs from the box's own history",
            exchanges=exchanges[:2],
            context=f"{query.describe()}; page of size {size}; sample {sample!r}",
        )

    one_query()
    judged(request, "events", len(sample.v2) + len(sample.v1))
