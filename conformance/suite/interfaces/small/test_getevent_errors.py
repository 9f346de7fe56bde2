"""Errors of v2 getevent (reference v2-getevent-single): a missing, unknown, numeric or empty event_id gets
the documented envelope and a 4xx, never a 5xx."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.clients.failures import fail_unless
from conformance.clients.http_client import RecordingHttpClient
from conformance.suite.judgement import not_exercised
from conformance.suite.support.envelopes import expect_v2_client_error
from conformance.suite.support.query_data import BoxWindow
from conformance.target.target import Target

GETEVENT_PATH = "/sophon/v2/face/getevent"
V2_BAD_ARGS = ("INVALID_ARGUMENTS",)
TABLE_EXAMPLE_EVENT_ID = 1628066406652506  # reference v2-getevent-single, 举例 column (a JSON number)


@pytest.fixture(scope="module")
def v2(target: Target) -> None:
    if not target.capabilities.v2_events:
        pytest.skip("the box has no v2 getevents interface")


def _newest(window: BoxWindow) -> dict[str, Any]:
    if window.empty:
        not_exercised("the box holds no events to ask about")
    return dict(window.events[0])


@pytest.mark.req("V2G-ERR-001", "ERR-ERR-001", "V2G-ERR-002", "ERR-ERR-003")
def test_v2_getevent_missing_event_id(v2: None, http_client: RecordingHttpClient) -> None:
    ids = ["V2G-ERR-001", "ERR-ERR-001", "V2G-ERR-002", "ERR-ERR-003"]
    answer = http_client.post_json(GETEVENT_PATH, {})
    error = expect_v2_client_error(answer, ("MISSING_ARGUMENTS",), ids)
    fail_unless(
        error.get("message") == "event_id",
        f'error.message is {error.get("message")!r}, expected the missing key "event_id"',
        ids,
        [answer.exchange],
    )


@pytest.mark.req("V2G-ERR-003", "ERR-ERR-007")
def test_v2_getevent_unknown_id(v2: None, http_client: RecordingHttpClient) -> None:
    ids = ["V2G-ERR-003", "ERR-ERR-007"]
    unknown = "sophon-conformance-no-such-event"
    answer = http_client.post_json(GETEVENT_PATH, {"event_id": unknown})
    error = expect_v2_client_error(answer, ("ID_NOT_FOUND",), ids)
    fail_unless(
        unknown in str(error.get("message")),
        f"error.message {error.get('message')!r} does not hold the id value {unknown!r}",
        ids,
        [answer.exchange],
    )


@pytest.mark.req("V2G-ERR-004")
def test_v2_getevent_number_id(box_window: BoxWindow, http_client: RecordingHttpClient) -> None:
    """An event_id sent as a JSON number is that id, or INVALID_ARGUMENTS; never a 5xx."""
    event_id = str(_newest(box_window).get("event_id"))
    known = event_id.isdigit() and int(event_id) < 2**63
    number = int(event_id) if known else TABLE_EXAMPLE_EVENT_ID
    answer = http_client.post_json(GETEVENT_PATH, {"event_id": number})
    if answer.status != 200:
        refusals = V2_BAD_ARGS if known else (*V2_BAD_ARGS, "ID_NOT_FOUND")  # the example id may not exist
        expect_v2_client_error(answer, refusals, ["V2G-ERR-004"])
        return
    body = answer.json()
    got = body.get("event_id") if isinstance(body, dict) else None
    fail_unless(
        str(got) == str(number),
        f"event_id {number} (a number) answered event {got!r}",
        ["V2G-ERR-004"],
        [answer.exchange],
    )


@pytest.mark.req("ERR-ERR-005")
def test_v2_getevent_empty_body(v2: None, http_client: RecordingHttpClient) -> None:
    """An empty body where event_id is required: a 4xx (EMPTY_REQUEST_JSON or its neighbours), never 5xx."""
    answer = http_client.post_raw(GETEVENT_PATH, b"", "application/json")
    codes = ("EMPTY_REQUEST_JSON", "INVALID_REQUEST_JSON", "MISSING_ARGUMENTS")
    expect_v2_client_error(answer, codes, ["ERR-ERR-005"])
