"""Errors area: malformed, mistyped and out-of-range requests get the documented envelope, never a 5xx."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from conformance.clients.http_client import RecordedResponse, RecordingHttpClient
from conformance.suite.areas.envelopes import (
    expect_client_status,
    expect_v1_error,
    expect_v2_client_error,
    expect_v2_error,
)
from conformance.suite.areas.query_data import (  # noqa: F401 - fixtures
    BoxWindow,
    box_window_fixture,
    v2_reads_seconds_fixture,
)
from conformance.suite.areas.search_findings import fail_unless
from conformance.target.control_client import ControlClient
from conformance.target.target import V1_EVENTS_PATH, V2_EVENTS_PATH, Target

GETEVENT_PATH = "/sophon/v2/face/getevent"
V2_BAD_ARGS = ("INVALID_ARGUMENTS",)
PAGING = pytest.mark.req("V2Q-ERR-004")  # a non-integer or negative page_index, a page_limit below 1
FILTER_TYPES = pytest.mark.req("V2Q-ERR-005")  # a filter of the wrong type
V2_CASES: dict[str, tuple[dict[str, Any], tuple[pytest.MarkDecorator, ...]]] = {
    "page_limit-string": ({"page_limit": "ten"}, (PAGING,)),
    "page_index-negative": ({"page_index": -1}, (PAGING,)),
    "page_index-float": ({"page_index": 1.5}, (PAGING,)),
    "page_limit-negative": ({"page_limit": -5}, (PAGING,)),
    "page_limit-zero": ({"page_limit": 0}, (PAGING,)),
    "page_limit-huge": ({"page_limit": 10**12}, ()),
    "page_limit-float": ({"page_limit": 2.5}, (PAGING,)),
    "filters-not-object": ({"filters": "all"}, (FILTER_TYPES,)),
    "user_type-unknown": ({"filters": {"user_type": "robot"}}, ()),
    "score_min-string": ({"filters": {"score_min": "high"}}, (FILTER_TYPES,)),
    "datetime_gte-string": ({"filters": {"datetime_gte": "yesterday"}}, (FILTER_TYPES,)),
    "media_device_ids-not-list": ({"filters": {"media_device_ids": "dev-1"}}, (FILTER_TYPES,)),
}
V1_CASES: dict[str, dict[str, str]] = {
    "per_page-negative": {"per_page": "-1"},
    "page-not-int": {"page": "abc"},
    "per_page-huge": {"per_page": "1000000000000"},
    "userType-unknown": {"userType": "9"},
    "score_min-not-number": {"score_min": "high"},
    "datetime_lte-not-number": {"datetime_lte": "tomorrow"},
}
TABLE_EXAMPLE_EVENT_ID = 1628066406652506  # reference v2-getevent-single, 举例 column (a JSON number)


@pytest.fixture(scope="module")
def v2(target: Target) -> None:
    if not target.capabilities.v2_events:
        pytest.skip("the box has no v2 getevents interface")


@pytest.fixture(scope="module")
def v1(target: Target) -> None:
    if not target.capabilities.v1_events:
        pytest.skip("the box has no v1 events interface")


def _request_ids(request: pytest.FixtureRequest) -> list[str]:
    """The requirement ids of the running test (its req markers, parametrized ones included)."""
    return [str(arg) for marker in request.node.iter_markers("req") for arg in marker.args]


def _newest(window: BoxWindow) -> dict[str, Any]:
    if window.empty:
        pytest.skip("the box holds no events to ask about")
    return dict(window.events[0])


@pytest.mark.req("V2Q-ERR-001", "ERR-ERR-001", "ERR-ERR-004")
@pytest.mark.parametrize(
    "body", ["{", '{"page_limit": 10,}', "[1, 2", "nul"], ids=["brace", "comma", "list", "nul"]
)
def test_v2_malformed_json(v2: None, http_client: RecordingHttpClient, body: str) -> None:
    answer = http_client.post_raw(V2_EVENTS_PATH, body.encode(), "application/json")
    expect_v2_error(answer, 400, ("INVALID_REQUEST_JSON",), ["V2Q-ERR-001", "ERR-ERR-001", "ERR-ERR-004"])


@pytest.mark.req("V2Q-ERR-001", "ERR-ERR-001")
def test_v2_empty_body(v2: None, http_client: RecordingHttpClient) -> None:
    answer = http_client.post_raw(V2_EVENTS_PATH, b"", "application/json")
    expect_v2_error(
        answer, 400, ("EMPTY_REQUEST_JSON", "INVALID_REQUEST_JSON"), ["V2Q-ERR-001", "ERR-ERR-001"]
    )


@pytest.mark.req("V2Q-ERR-001", "ERR-ERR-001", "ERR-ERR-006")
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_v2_wrong_content_type(v2: None, http_client: RecordingHttpClient, content_type: str | None) -> None:
    answer = http_client.post_raw(V2_EVENTS_PATH, b'{"page_limit": 1}', content_type)
    expect_v2_error(answer, 415, ("UNSUPPORT_CONTENT_TYPE",), ["V2Q-ERR-001", "ERR-ERR-001", "ERR-ERR-006"])


def _offending(body: dict[str, Any]) -> tuple[str, Any]:
    """The key a bad-argument body is about, and its value."""
    inner = body.get("filters")
    key, value = next(iter((inner if isinstance(inner, dict) else body).items()))
    return str(key), value


def _expect_message_names(
    answer: RecordedResponse,
    error: dict[str, Any],
    body: dict[str, Any],
    *,
    lenient: bool,
    ids: Sequence[str],
) -> None:
    """error.message names the offending key (strict); under lenient its value will do too (E31)."""
    key, value = _offending(body)
    message = str(error.get("message"))
    named = key in message or (lenient and str(value) in message)
    reading = "the key or the offending value (E31)" if lenient else "the key"
    fail_unless(
        named, f"error.message {message!r} does not name {key!r}", ids, [answer.exchange], message=reading
    )


@pytest.mark.req("V2Q-ERR-001", "V2Q-PAGE-001", "V2Q-ERR-002", "ERR-ERR-002")
@pytest.mark.parametrize(
    "body", [pytest.param(body, marks=marks, id=name) for name, (body, marks) in V2_CASES.items()]
)
def test_v2_invalid_arguments(
    v2: None,
    request: pytest.FixtureRequest,
    target: Target,
    http_client: RecordingHttpClient,
    body: dict[str, Any],
) -> None:
    ids = _request_ids(request)
    answer = http_client.post_json(V2_EVENTS_PATH, body)
    error = expect_v2_error(answer, 400, V2_BAD_ARGS, ids)
    _expect_message_names(answer, error, body, lenient=target.profile == "lenient", ids=ids)


@pytest.mark.req("V2Q-PAGE-001", "V2Q-ERR-001")
def test_v2_huge_page_index_is_an_empty_page(v2: None, http_client: RecordingHttpClient) -> None:
    answer = http_client.post_json(V2_EVENTS_PATH, {"page_index": 10**19, "page_limit": 10})
    body = answer.json()
    assert answer.status == 200, f"HTTP {answer.status}: a page past the end is valid and empty"
    assert isinstance(body, dict) and body.get("events") == [], "a page past the end must hold no events"


def _expect_event_page(answer: RecordedResponse, ids: Sequence[str]) -> dict[str, Any]:
    """A 200 answer holding an events list and a pagination object."""
    body = answer.json()
    fail_unless(answer.status == 200, f"HTTP {answer.status}, expected 200", ids, [answer.exchange])
    page_ok = isinstance(body, dict) and isinstance(body.get("events"), list)
    fail_unless(
        page_ok and isinstance(body.get("pagination"), dict),
        "the answer is not a page of events (events list, pagination object)",
        ids,
        [answer.exchange],
    )
    return dict(body)


@pytest.mark.req("V2Q-SCHEMA-002")
@pytest.mark.parametrize(
    "body",
    [{}, {"page_limit": 10, "page_index": 0}, {"filters": {}}],
    ids=["empty", "example", "filters-empty"],
)
def test_v2_every_parameter_is_optional(
    v2: None, http_client: RecordingHttpClient, body: dict[str, Any]
) -> None:
    _expect_event_page(http_client.post_json(V2_EVENTS_PATH, body), ["V2Q-SCHEMA-002"])


@pytest.mark.req("V2Q-FILT-001")
@pytest.mark.needs_control
def test_v2_without_filters_total_count_is_every_stored_event(
    v2: None, core_scenario: object, control: ControlClient, http_client: RecordingHttpClient
) -> None:
    stored = int(control.stats()["events"])
    for body in ({"page_limit": 1}, {"page_limit": 1, "filters": {}}):
        answer = http_client.post_json(V2_EVENTS_PATH, body)
        total = _expect_event_page(answer, ["V2Q-FILT-001"])["pagination"].get("total_count")
        fail_unless(
            total == stored,
            f"total_count is {total!r} without filters, but the box stores {stored} events",
            ["V2Q-FILT-001"],
            [answer.exchange],
            message="without filters (or with filters {}) nothing is filtered",
        )


@pytest.mark.req("V2Q-ERR-006")
@pytest.mark.parametrize(
    "body",
    [{"page_limit": 1, "sort": "asc"}, {"page_limit": 1, "filters": {"camera_name": "x"}}],
    ids=["body-key", "filters-key"],
)
def test_v2_unknown_keys_are_ignored_or_refused(
    v2: None, http_client: RecordingHttpClient, body: dict[str, Any]
) -> None:
    answer = http_client.post_json(V2_EVENTS_PATH, body)
    if answer.status == 200:
        _expect_event_page(answer, ["V2Q-ERR-006"])
    else:
        expect_v2_error(answer, 400, V2_BAD_ARGS, ["V2Q-ERR-006"])


@pytest.mark.req("V2Q-FILT-012")
def test_v2_inverted_time_window_is_empty(box_window: BoxWindow, http_client: RecordingHttpClient) -> None:
    """datetime_gte after datetime_lte around stored events: no events (or INVALID_ARGUMENTS), never 5xx."""
    if box_window.empty or box_window.low_ms == box_window.high_ms:
        pytest.skip("needs stored events at two different times")
    filters = box_window.v2_filters(low_ms=box_window.high_ms, high_ms=box_window.low_ms)
    answer = http_client.post_json(V2_EVENTS_PATH, {"page_limit": 10, "filters": filters})
    if answer.status != 200:
        expect_v2_error(answer, 400, V2_BAD_ARGS, ["V2Q-FILT-012"])
        return
    events = _expect_event_page(answer, ["V2Q-FILT-012"])["events"]
    fail_unless(
        not events,
        f"datetime_gte > datetime_lte answered {len(events)} event(s); an inverted window holds none",
        ["V2Q-FILT-012"],
        [answer.exchange],
    )


@pytest.mark.req("V2G-ERR-001", "ERR-ERR-001", "V2G-ERR-002", "ERR-ERR-003")
def test_v2_getevent_missing_event_id(v2: None, http_client: RecordingHttpClient) -> None:
    ids = ["V2G-ERR-001", "ERR-ERR-001", "V2G-ERR-002", "ERR-ERR-003"]
    answer = http_client.post_json(GETEVENT_PATH, {})
    error = expect_v2_error(answer, 400, ("MISSING_ARGUMENTS",), ids)
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


BAD_V2_CALLS: dict[str, tuple[str, str, Any]] = {
    "getevents-types": ("POST", V2_EVENTS_PATH, {"page_limit": {"n": 1}}),
    "getevent-list-id": ("POST", GETEVENT_PATH, {"event_id": ["a", "b"]}),
    "login-number-user": ("POST", "/sophon/v2/face/login", {"username": 7}),
    "spotimage-bad-time": ("GET", "/sophon/v2/face/getspotimage/nope?timestamp=soon", None),
}


@pytest.mark.req("ERR-ERR-008")
@pytest.mark.parametrize("call", list(BAD_V2_CALLS.values()), ids=list(BAD_V2_CALLS))
def test_v2_bad_input_is_a_client_error(
    v2: None, http_client: RecordingHttpClient, call: tuple[str, str, Any]
) -> None:
    """Input the documents make invalid gets a 4xx on every v2 call, never INTERNAL_ERROR or another 5xx."""
    method, path, body = call
    answer = http_client.request(method, path, json_body=body)
    expect_client_status(answer, ["ERR-ERR-008"])


@pytest.mark.req("V1Q-ERR-001", "V1Q-PAGE-001", "V1Q-ERR-002", "V1Q-ERR-004")
@pytest.mark.parametrize("params", list(V1_CASES.values()), ids=list(V1_CASES))
def test_v1_invalid_arguments(v1: None, http_client: RecordingHttpClient, params: dict[str, str]) -> None:
    ids = ["V1Q-ERR-001", "V1Q-ERR-002", "V1Q-ERR-004"]
    answer = http_client.get(V1_EVENTS_PATH, params)
    error = expect_v1_error(answer, ("INVALID_ARGUMENTS",), ids)
    fail_unless(bool(str(error["message"]).strip()), "v1 error.message is empty", ids, [answer.exchange])


@pytest.mark.req("V1Q-SCHEMA-002")
@pytest.mark.parametrize("params", [{}, {"per_page": "10", "page": "0"}], ids=["none", "example"])
def test_v1_every_parameter_is_optional(
    v1: None, http_client: RecordingHttpClient, params: dict[str, str]
) -> None:
    answer = http_client.get(V1_EVENTS_PATH, params)
    body = answer.json()
    fail_unless(
        answer.status == 200, f"HTTP {answer.status}, expected 200", ["V1Q-SCHEMA-002"], [answer.exchange]
    )
    fail_unless(
        isinstance(body, dict)
        and isinstance(body.get("data"), list)
        and isinstance(body.get("pagination"), dict),
        "the answer is not a page of v1 events (data list, pagination object)",
        ["V1Q-SCHEMA-002"],
        [answer.exchange],
    )
