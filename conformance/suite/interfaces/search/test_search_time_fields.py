"""Time fields of picture search (seed 002) that its area leaves open: request windows in float seconds and
out_timestamp in seconds after timestamp."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.checks.unit_inference import classify_timestamp
from conformance.clients.failures import fail_unless
from conformance.clients.http_client import RecordedResponse, RecordingHttpClient
from conformance.suite.support.search_calls import expect_success, photo_b64, post_search
from conformance.target.control_client import ControlClient
from conformance.target.scenario_seeding import SeededScenario
from conformance.target.target import Target

SEARCHED_LABEL = "tie-1"  # core scenario: the only event of identity id-li
SEARCHED_IDENTITY = "id-li"
NEW_PHOTO_VARIANT = 7  # a photo of the person that is not stored
WINDOW_MARGIN_MS = 1_250  # the window's bounds carry a fraction of a second


@pytest.fixture(scope="module")
def float_window_search(
    target: Target, control: ControlClient, core_scenario: SeededScenario, http_client: RecordingHttpClient
) -> tuple[RecordedResponse, int]:
    """One search for a stored person over a window given in float seconds around their event."""
    if not target.capabilities.picture_search:
        pytest.skip("the box has no picture search interface")
    ts_ms = core_scenario.timestamp_ms(core_scenario.scenario.event(SEARCHED_LABEL))
    body = {
        "face_image_base64": photo_b64(control.face_jpeg(SEARCHED_IDENTITY, variant=NEW_PHOTO_VARIANT)),
        "starttime": (ts_ms - WINDOW_MARGIN_MS) / 1000.0,
        "endtime": (ts_ms + WINDOW_MARGIN_MS) / 1000.0,
    }
    return post_search(http_client, body), ts_ms


def _items(answer: RecordedResponse) -> list[dict[str, Any]]:
    raw = expect_success(answer, ["PS-TIME-001"]).get("event_list")
    return [item for item in raw if isinstance(item, dict)] if isinstance(raw, list) else []


@pytest.mark.req("PS-TIME-001")
@pytest.mark.needs_control
def test_search_window_is_read_in_float_seconds(float_window_search: tuple[RecordedResponse, int]) -> None:
    """starttime/endtime in float seconds around a stored event find that event."""
    answer, ts_ms = float_window_search
    times = [item.get("timestamp") for item in _items(answer)]
    found = any(isinstance(t, int | float) and abs(t * 1000 - ts_ms) < 1 for t in times)
    fail_unless(
        found,
        f"the event at {ts_ms / 1000:.3f} s is not among the {len(times)} item(s) of a window "
        f"{WINDOW_MARGIN_MS} ms either side of it, given in float seconds",
        ["PS-TIME-001"],
        [answer.exchange],
    )


@pytest.mark.req("PS-TIME-004")
@pytest.mark.needs_control
def test_out_timestamp_is_seconds_after_timestamp(float_window_search: tuple[RecordedResponse, int]) -> None:
    """Where an item has out_timestamp it is epoch seconds and not before the item's timestamp."""
    answer, _ = float_window_search
    items = [item for item in _items(answer) if "out_timestamp" in item]
    if not items:
        pytest.skip("no item carries out_timestamp (it is optional)")
    for item in items:
        out: Any = item.get("out_timestamp")
        seen: Any = item.get("timestamp")
        fail_unless(
            classify_timestamp(out) == "s",
            f"out_timestamp {out!r} is not epoch seconds",
            ["PS-TIME-004"],
            [answer.exchange],
        )
        fail_unless(
            not isinstance(seen, int | float) or out >= seen,
            f"out_timestamp {out!r} is before timestamp {seen!r}",
            ["PS-TIME-004"],
            [answer.exchange],
        )
