"""The state machine's own model of the box: people, devices, the events it injected and the clock.

It knows nothing of the emulator: events are remembered as `checks.scenario.ScenarioEvent`s and the
answer to a query is computed with `checks.filter_oracle`. Every run of the machine works in its own
time range (``run_start_ms`` to ``run_end_ms``, far from the core scenario), and every query it sends
carries time bounds inside that range and a list of the model's devices, so events of other tests, of
earlier runs and live recognitions never reach its answers. Upper bounds never fall on the ms floor of
an event the box showed with microseconds past it (issue 14): a floor reading and a true-time reading
of such a bound would hold different events.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from conformance.checks.filter_oracle import Expectation, V1Filter, V2Filter, expected_ids
from conformance.checks.scenario import ScenarioEvent
from conformance.checks.vocabulary import STRANGER_PERSON_TYPE, user_type_of
from conformance.suite.support.query_data import ms_to_seconds

MODEL_BASE_MS = 1_400_000_000_000  # May 2014: years before the core scenario's origin (Nov 2023)
RUN_SPAN_MS = 2 * 86_400_000  # each run gets two days (12 steps of at most 1 h); deep: 250 runs → 2015


@dataclass(frozen=True)
class Person:
    """A registered identity the machine recognises."""

    identity_id: str
    name: str
    person_type: int
    group_id: str
    room: str

    def to_control(self) -> dict[str, Any]:
        """The control plane's body."""
        return {
            "identity_id": self.identity_id,
            "name": self.name,
            "person_type": self.person_type,
            "group_id": self.group_id,
            "group_name": self.group_id.title(),
            "room": self.room,
        }


PEOPLE = (
    Person("qm-p1", "Mei", 1, "qm-staff", "301"),
    Person("qm-p2", "Mei Lin", 2, "qm-guests", "302"),
    Person("qm-p3", "Lin Tao", 3, "qm-watch", "301"),
    Person("qm-p4", "陈美", 5, "qm-vip", "888"),
)
DEVICES = ("qm-dev-a", "qm-dev-b", "qm-dev-c")
NAME_QUERIES = ("Mei", "Mei L", "Lin", "Tao", "陈", "Nobody")
SCORES = (40.0, 81.5, 82.0, 90.25)  # events and bounds share values: every bound sits on an event


def device_bodies() -> list[dict[str, Any]]:
    """The model's devices for the control plane."""
    return [
        {
            "device_id": device,
            "device_name": f"Model {device[-1].upper()}",
            "device_ip": f"10.9.0.{n}",
            "device_type": "rtsp",
            "ws_device_type": "1",
        }
        for n, device in enumerate(DEVICES, start=11)
    ]


@dataclass
class BoxModel:
    """What the box must hold after the machine's steps."""

    run_start_ms: int
    now_ms: int
    events: list[ScenarioEvent] = field(default_factory=list)
    # ms floors of events whose true time lies past the floor (microseconds): no upper bound goes there
    cut_ms: set[int] = field(default_factory=set)

    @property
    def run_end_ms(self) -> int:
        """The last ms of this run's time range: an upper bound that keeps later events out."""
        return self.run_start_ms + RUN_SPAN_MS - 1

    def add(self, event_id: str, device_id: str, person: Person | None, score: float) -> None:
        """Remember an event injected at the current time."""
        self.events.append(
            ScenarioEvent(
                id=event_id,
                ts_ms=self.now_ms,
                device_id=device_id,
                identity_id=person.identity_id if person else "",
                name=person.name if person else "",
                person_type=person.person_type if person else STRANGER_PERSON_TYPE,
                score=score,
                group_id=person.group_id if person else "",
                room=person.room if person else "",
            )
        )

    def expect(self, filters: Mapping[str, Any], interface: str) -> Expectation:
        """The oracle's answer for a query of this run."""
        parsed = V2Filter.from_body(filters) if interface == "v2" else V1Filter.from_params(filters)
        return expected_ids(self.events, parsed)

    def times(self) -> list[int]:
        """Event times so far, and the run's start (bounds worth probing)."""
        return sorted({self.run_start_ms, self.now_ms, *(event.ts_ms for event in self.events)})

    def upper_bounds(self) -> list[int]:
        """Upper bounds worth probing that cut no event between its ms floor and its true time (issue 14)."""
        near = {bound for t in self.times() for bound in (t - 1, t, t + 1)}
        return sorted(near - self.cut_ms)  # never empty: 1 ms past the newest event holds no event


def _time_bound(model: BoxModel) -> st.SearchStrategy[int]:
    return st.sampled_from(model.times()).flatmap(lambda t: st.sampled_from((t - 1, t, t + 1)))


def _upper_bound(model: BoxModel) -> st.SearchStrategy[int]:
    return st.sampled_from(model.upper_bounds())


def v2_filters(model: BoxModel) -> st.SearchStrategy[dict[str, Any]]:
    """v2 filters of this run: always a lower time bound at or after the run's start and a device list."""
    optional: dict[str, st.SearchStrategy[Any]] = {
        "datetime_gte": _time_bound(model).map(lambda t: max(t, model.run_start_ms)),
        "datetime_lte": _upper_bound(model),
        "identity_name": st.sampled_from(NAME_QUERIES),
        "identity_id": st.sampled_from([p.identity_id for p in PEOPLE]),
        "score_min": st.sampled_from(SCORES),
        "score_max": st.sampled_from(SCORES),
        "user_type": st.sampled_from(
            [user_type_of(p.person_type) or "" for p in PEOPLE] + ["stranger", "VIP"]
        ),
    }
    required = {
        "datetime_gte": st.just(model.run_start_ms),  # keeps earlier runs out; a drawn bound may replace it
        "datetime_lte": st.just(model.run_end_ms),  # keeps live recognitions (made now) out
        "media_device_ids": st.lists(st.sampled_from(DEVICES), min_size=1, max_size=3, unique=True),
    }
    return _some_of(required, optional)


def v1_filters(model: BoxModel) -> st.SearchStrategy[dict[str, Any]]:
    """v1 filters of this run (seconds, person_type codes, rooms, groups, streams, top_k)."""
    optional: dict[str, st.SearchStrategy[Any]] = {
        "datetime_gte": _time_bound(model).map(lambda t: ms_to_seconds(max(t, model.run_start_ms))),
        "datetime_lte": _upper_bound(model).map(ms_to_seconds),
        "name": st.sampled_from(NAME_QUERIES),
        "identity_id": st.sampled_from([p.identity_id for p in PEOPLE]),
        "score_min": st.sampled_from(SCORES),
        "score_max": st.sampled_from(SCORES),
        "userType": st.integers(1, 5),
        "room": st.sampled_from(sorted({p.room for p in PEOPLE})),
        "groups": st.lists(
            st.sampled_from([p.group_id for p in PEOPLE]), min_size=1, max_size=2, unique=True
        ),
        "top_k": st.integers(1, 6),
    }
    required = {
        "datetime_gte": st.just(ms_to_seconds(model.run_start_ms)),
        "datetime_lte": st.just(ms_to_seconds(model.run_end_ms)),
        "streams": st.lists(st.sampled_from(DEVICES), min_size=1, max_size=3, unique=True),
    }
    return _some_of(required, optional)


def _some_of(
    required: dict[str, st.SearchStrategy[Any]], optional: dict[str, st.SearchStrategy[Any]]
) -> st.SearchStrategy[dict[str, Any]]:
    """The required filters plus at most two optional ones (which may replace a required one)."""
    keys = st.lists(st.sampled_from(sorted(optional)), max_size=2, unique=True)
    return keys.flatmap(
        lambda chosen: st.fixed_dictionaries({**required, **{key: optional[key] for key in chosen}})
    )
