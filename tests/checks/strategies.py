"""Hypothesis strategies for scenario events and filters shared by the oracle and relation tests."""

from __future__ import annotations

from hypothesis import strategies as st

from conformance.checks.filter_oracle import V1Filter, V2Filter
from conformance.checks.scenario import ScenarioEvent

BASE_MS = 1_700_000_000_000
DEVICES = ("dev-a", "dev-b", "dev-c")
NAMES = ("Tom", "tom", "Tommy", "Anna", "Ann", "小明", "")
GROUPS = ("g1", "g2")
ROOMS = ("1004", "1005")

event_times = st.integers(min_value=BASE_MS, max_value=BASE_MS + 5_000)


@st.composite
def scenario_events(draw: st.DrawFn, max_size: int = 25) -> list[ScenarioEvent]:
    """Events with colliding times, names and scores, so filter edges are hit often."""
    count = draw(st.integers(min_value=0, max_value=max_size))
    events = []
    for index in range(count):
        person_type = draw(st.integers(min_value=1, max_value=5))
        name = "" if person_type == 4 else draw(st.sampled_from(NAMES))
        events.append(
            ScenarioEvent(
                id=f"ev{index}",
                ts_ms=draw(event_times),
                device_id=draw(st.sampled_from(DEVICES)),
                identity_id="" if person_type == 4 else f"id-{name or 'x'}",
                name=name,
                person_type=person_type,
                score=draw(st.sampled_from([0.0, 50.0, 81.99, 82.0, 90.5, 100.0])),
                group_id=draw(st.sampled_from(GROUPS)),
                room=draw(st.sampled_from(ROOMS)),
            )
        )
    return events


def _maybe(strategy: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.none() | strategy


v2_filters = st.builds(
    V2Filter,
    datetime_gte=_maybe(event_times),
    datetime_lte=_maybe(event_times),
    identity_name=_maybe(st.sampled_from(["To", "Tom", "om", "Ann", "小", "x"])),
    identity_id=_maybe(st.sampled_from(["id-Tom", "id-Anna", ""])),
    score_min=_maybe(st.sampled_from([0.0, 82.0, 90.0])),
    score_max=_maybe(st.sampled_from([50.0, 82.0, 100.0])),
    user_type=_maybe(st.sampled_from(["employee", "VIP", "vip", "Stranger", "visitor"])),
    media_device_ids=_maybe(
        st.lists(st.sampled_from(DEVICES), min_size=1, max_size=3, unique=True).map(tuple)
    ),
)

v1_filters = st.builds(
    V1Filter,
    datetime_gte=_maybe(st.integers(min_value=BASE_MS // 1000, max_value=BASE_MS // 1000 + 5)),
    datetime_lte=_maybe(
        st.floats(min_value=BASE_MS / 1000, max_value=BASE_MS / 1000 + 5).map(lambda v: round(v, 3))
    ),
    name=_maybe(st.sampled_from(["To", "Tom", "Ann"])),
    user_types=_maybe(st.lists(st.integers(1, 5), min_size=1, max_size=3).map(tuple)),
    room=_maybe(st.sampled_from(ROOMS)),
    groups=_maybe(st.lists(st.sampled_from(GROUPS), min_size=1, max_size=2).map(tuple)),
    streams=_maybe(st.lists(st.sampled_from(DEVICES), min_size=1, max_size=2).map(tuple)),
)
