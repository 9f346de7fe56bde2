"""Time fields of picture search (seed 002) that its area leaves open: request windows in float seconds and
out_timestamp in seconds after timestamp. With a control plane a stored person is searched with a new photo;
on a box without one, an event of its own with its face picture."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from conformance.checks.unit_inference import classify_timestamp
from conformance.clients.exchange import HttpExchange
from conformance.clients.failures import fail_unless
from conformance.clients.http_client import RecordedResponse, RecordingHttpClient
from conformance.suite.judgement import judged, not_exercised
from conformance.suite.support.search_calls import expect_success, photo_b64, post_search
from conformance.suite.support.search_own_searches import own_event
from conformance.target.control_client import ControlClient
from conformance.target.scenario_seeding import SeededScenario
from conformance.target.target import Target

SEARCHED_LABEL = "tie-1"  # core scenario: the only event of identity id-li
SEARCHED_IDENTITY = "id-li"
NEW_PHOTO_VARIANT = 7  # a photo of the person that is not stored
WINDOW_MARGIN_MS = 1_250  # the window's bounds carry a fraction of a second


@dataclass(frozen=True)
class FloatWindowSearch:
    """One search over a window in float seconds around an event: the answer, the event's time as stored
    ([low_ms, high_ms]: an integer ms may floor a µs time) and its face picture's fetch (a box's own)."""

    answer: RecordedResponse
    low_ms: float
    high_ms: float
    exchanges: tuple[HttpExchange, ...] = ()

    def shown(self) -> list[HttpExchange]:
        """What a finding shows: the picture's fetch, then the search."""
        return [*self.exchanges, self.answer.exchange]


@pytest.fixture(scope="module")
def float_window_search(
    request: pytest.FixtureRequest, target: Target, http_client: RecordingHttpClient
) -> FloatWindowSearch:
    """One search for a stored person over a window given in float seconds around their event: with a
    control plane a core event searched with a new photo, else a box's own event with its face picture."""
    if not target.capabilities.picture_search:
        pytest.skip("the box has no picture search interface")
    if target.config.control_url is None:
        event = own_event(request.getfixturevalue("own_pictures"))
        body = {
            "face_image_base64": event.photo,
            "starttime": (event.low_ms - WINDOW_MARGIN_MS) / 1000.0,
            "endtime": (event.high_ms + WINDOW_MARGIN_MS) / 1000.0,
        }
        answer = post_search(http_client, body)
        return FloatWindowSearch(answer, event.low_ms, event.high_ms, event.picture_exchanges)
    control: ControlClient = request.getfixturevalue("control")
    core_scenario: SeededScenario = request.getfixturevalue("core_scenario")
    ts_ms = core_scenario.timestamp_ms(core_scenario.scenario.event(SEARCHED_LABEL))
    body = {
        "face_image_base64": photo_b64(control.face_jpeg(SEARCHED_IDENTITY, variant=NEW_PHOTO_VARIANT)),
        "starttime": (ts_ms - WINDOW_MARGIN_MS) / 1000.0,
        "endtime": (ts_ms + WINDOW_MARGIN_MS) / 1000.0,
    }
    return FloatWindowSearch(post_search(http_client, body), ts_ms, ts_ms)


def _items(answer: RecordedResponse) -> list[dict[str, Any]]:
    raw = expect_success(answer, ["PS-TIME-001"]).get("event_list")
    return [item for item in raw if isinstance(item, dict)] if isinstance(raw, list) else []


@pytest.mark.req("PS-TIME-001")
def test_search_window_is_read_in_float_seconds(float_window_search: FloatWindowSearch) -> None:
    """starttime/endtime in float seconds around a stored event find that event."""
    search = float_window_search
    times = [item.get("timestamp") for item in _items(search.answer)]
    found = any(
        isinstance(t, int | float) and search.low_ms - 1 < t * 1000 < search.high_ms + 1 for t in times
    )
    fail_unless(
        found,
        f"the event at {search.low_ms / 1000:.3f} s is not among the {len(times)} item(s) of a window "
        f"{WINDOW_MARGIN_MS} ms either side of it, given in float seconds",
        ["PS-TIME-001"],
        search.shown(),
    )


@pytest.mark.req("PS-TIME-004")
def test_out_timestamp_is_seconds_after_timestamp(
    request: pytest.FixtureRequest, float_window_search: FloatWindowSearch
) -> None:
    """Where an item has out_timestamp it is epoch seconds and not before the item's timestamp."""
    search = float_window_search
    items = [item for item in _items(search.answer) if "out_timestamp" in item]
    if not items:
        not_exercised("no item of the search carries out_timestamp (it is optional)")
    judged(request, "searches", 1)
    for item in items:
        out: Any = item.get("out_timestamp")
        seen: Any = item.get("timestamp")
        fail_unless(
            classify_timestamp(out) == "s",
            f"out_timestamp {out!r} is not epoch seconds",
            ["PS-TIME-004"],
            search.shown(),
        )
        fail_unless(
            not isinstance(seen, int | float) or out >= seen,
            f"out_timestamp {out!r} is before timestamp {seen!r}",
            ["PS-TIME-004"],
            search.shown(),
        )
