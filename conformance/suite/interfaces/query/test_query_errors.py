"""Errors of v2 getevents and v1 events: malformed, mistyped and out-of-range requests get the documented
envelope, never a 5xx; bad input on every v2 call is a client error.

The documents name no HTTP status for an error (E39): any 4xx with the envelope and the code conforms.
Where they state no limit (page size, E38) or list an optional parameter's values (E40), a box may
serve or ignore instead of refusing: those cases accept either answer, each checked for what it is."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from conformance.checks.findings import FindingCategory
from conformance.clients.failures import fail, fail_unless
from conformance.clients.http_client import RecordedResponse, RecordingHttpClient
from conformance.suite.judgement import judged, not_exercised
from conformance.suite.support.envelopes import (
    expect_client_status,
    expect_v1_error,
    expect_v2_client_error,
)
from conformance.suite.support.query_data import BoxWindow, v2_reads_seconds
from conformance.suite.support.query_totals import bracket_unfiltered
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
    "page_limit-float": ({"page_limit": 2.5}, (PAGING,)),
    "filters-not-object": ({"filters": "all"}, (FILTER_TYPES,)),
    "score_min-string": ({"filters": {"score_min": "high"}}, (FILTER_TYPES,)),
    "datetime_gte-string": ({"filters": {"datetime_gte": "yesterday"}}, (FILTER_TYPES,)),
    "media_device_ids-not-list": ({"filters": {"media_device_ids": "dev-1"}}, (FILTER_TYPES,)),
}
V1_CASES: dict[str, dict[str, str]] = {
    "per_page-negative": {"per_page": "-1"},
    "page-not-int": {"page": "abc"},
    "score_min-not-number": {"score_min": "high"},
    "datetime_lte-not-number": {"datetime_lte": "tomorrow"},
}
HUGE_PAGE = 10**12  # no maximum page size is documented (E38): served whole or refused, never a 5xx


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
    expect_v2_client_error(answer, ("INVALID_REQUEST_JSON",), ["V2Q-ERR-001", "ERR-ERR-001", "ERR-ERR-004"])


@pytest.mark.req("V2Q-ERR-001", "ERR-ERR-001")
def test_v2_empty_body(v2: None, http_client: RecordingHttpClient) -> None:
    answer = http_client.post_raw(V2_EVENTS_PATH, b"", "application/json")
    expect_v2_client_error(
        answer, ("EMPTY_REQUEST_JSON", "INVALID_REQUEST_JSON"), ["V2Q-ERR-001", "ERR-ERR-001"]
    )


@pytest.mark.req("V2Q-ERR-001", "ERR-ERR-001", "ERR-ERR-006")
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_v2_wrong_content_type(v2: None, http_client: RecordingHttpClient, content_type: str | None) -> None:
    answer = http_client.post_raw(V2_EVENTS_PATH, b'{"page_limit": 1}', content_type)
    ids = ["V2Q-ERR-001", "ERR-ERR-001", "ERR-ERR-006"]
    expect_v2_client_error(answer, ("UNSUPPORT_CONTENT_TYPE",), ids)


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
        named, f"error.message {message!r} does not name {key!r}", ids, [answer.exchange], detail=reading
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
    error = expect_v2_client_error(answer, V2_BAD_ARGS, ids)
    _expect_message_names(answer, error, body, lenient=target.profile == "lenient", ids=ids)


def _expect_whole_result(answer: RecordedResponse, items_key: str, ids: Sequence[str]) -> None:
    """A page asked with a size above every match holds all of them: len(items) == total_count."""
    body = answer.json()
    items = body.get(items_key) if isinstance(body, dict) else None
    pagination = body.get("pagination") if isinstance(body, dict) else None
    total = pagination.get("total_count") if isinstance(pagination, dict) else None
    fail_unless(
        isinstance(items, list) and isinstance(total, int) and not isinstance(total, bool),
        f"HTTP {answer.status}: not a page ({items_key} list, pagination.total_count int)",
        ids,
        [answer.exchange],
    )
    assert isinstance(items, list) and isinstance(total, int)  # for the type checker: fail_unless raised
    fail_unless(
        len(items) == total,
        f"page size {HUGE_PAGE} answered {len(items)} of total_count {total} matching events",
        ids,
        [answer.exchange],
        detail="served, a page larger than the result holds the whole result (E38: or refuse the size)",
    )


@pytest.mark.req("V2Q-PAGE-001", "V2Q-ERR-001", "V2Q-ERR-002")
def test_v2_huge_page_limit_is_served_or_refused(
    v2: None, box_window: BoxWindow, target: Target, http_client: RecordingHttpClient
) -> None:
    """No maximum page size is documented (E38): the window's whole result, or INVALID_ARGUMENTS (4xx)."""
    ids = ["V2Q-PAGE-001", "V2Q-ERR-001", "V2Q-ERR-002"]
    body = {"page_limit": HUGE_PAGE, "filters": box_window.v2_filters()}
    answer = http_client.post_json(V2_EVENTS_PATH, body)
    if answer.status == 200:
        _expect_whole_result(answer, "events", ids)
        return
    error = expect_v2_client_error(answer, V2_BAD_ARGS, ids)
    lenient = target.profile == "lenient"
    _expect_message_names(answer, error, {"page_limit": HUGE_PAGE}, lenient=lenient, ids=ids)


@pytest.mark.req("V2Q-FILT-008")
def test_v2_unknown_user_type_is_refused_or_ignored(v2: None, http_client: RecordingHttpClient) -> None:
    """A user_type outside the documented list: INVALID_ARGUMENTS (any 4xx) or a page of events (E40)."""
    answer = http_client.post_json(V2_EVENTS_PATH, {"page_limit": 1, "filters": {"user_type": "robot"}})
    if answer.status == 200:
        _expect_event_page(answer, ["V2Q-FILT-008"])
    else:
        expect_v2_client_error(answer, V2_BAD_ARGS, ["V2Q-FILT-008"])


@pytest.mark.req("V2Q-PAGE-001", "V2Q-ERR-001")
def test_v2_huge_page_index_is_an_empty_page(v2: None, http_client: RecordingHttpClient) -> None:
    answer = http_client.post_json(V2_EVENTS_PATH, {"page_index": 10**19, "page_limit": 10})
    body = answer.json()
    exchanges = [answer.exchange]
    ids = ["V2Q-PAGE-001", "V2Q-ERR-001"]
    if answer.status is None:
        fail(f"no answer: {answer.error}", ids, exchanges, category=FindingCategory.TRANSPORT)
    title = f"HTTP {answer.status}: a page past the end is valid and empty"
    fail_unless(answer.status == 200, title, ids, exchanges)
    empty = isinstance(body, dict) and body.get("events") == []
    fail_unless(empty, "a page past the end must hold no events", ["V2Q-PAGE-001"], exchanges)


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
def test_v2_without_filters_total_count_is_every_stored_event(
    v2: None, target: Target, http_client: RecordingHttpClient, request: pytest.FixtureRequest
) -> None:
    """Without filters (or with {}) total_count counts every stored event: between what the control plane
    says the box stores just before and just after the call (equal on a quiet box; live recognitions may
    land in between); on a box without one, between filtered counts taken just before and just after."""
    bodies: list[dict[str, Any]] = [{"page_limit": 1}, {"page_limit": 1, "filters": {}}]
    if target.config.control_url is None:
        _judge_total_by_bracket(http_client, bodies, request)
        return
    request.getfixturevalue("core_scenario")
    control: ControlClient = request.getfixturevalue("control")
    for body in bodies:
        before = int(control.stats()["events"])
        answer = http_client.post_json(V2_EVENTS_PATH, body)
        after = int(control.stats()["events"])
        total = _expect_event_page(answer, ["V2Q-FILT-001"])["pagination"].get("total_count")
        stored = str(before) if before == after else f"between {before} and {after}"
        fail_unless(
            isinstance(total, int) and not isinstance(total, bool) and before <= total <= after,
            f"total_count is {total!r} without filters, but the box stores {stored} events",
            ["V2Q-FILT-001"],
            [answer.exchange],
            detail="without filters (or with filters {}) nothing is filtered",
        )


def _judge_total_by_bracket(
    client: RecordingHttpClient, bodies: list[dict[str, Any]], request: pytest.FixtureRequest
) -> None:
    """The unfiltered totals lie between filtered counts taken before and after them (asked twice: a box
    that deletes old events in between may break one bracket, not two)."""
    seconds = v2_reads_seconds(request, request.getfixturevalue("target"), client)
    brackets = [bracket_unfiltered(client, bodies, v2_seconds=seconds) for _ in range(2)]
    if brackets[0].all_time_after == 0:
        not_exercised("the box holds no events: an unfiltered total_count of 0 proves nothing")
    judged(request, "events", brackets[0].all_time_after)
    if all(bracket.problems() for bracket in brackets):
        fail(
            "total_count without filters is not the number of stored events",
            ["V2Q-FILT-001"],
            detail="\n".join(brackets[0].problems()),
            exchanges=brackets[0].exchanges,
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
        expect_v2_client_error(answer, V2_BAD_ARGS, ["V2Q-ERR-006"])


@pytest.mark.req("V2Q-FILT-012")
def test_v2_inverted_time_window_is_empty(box_window: BoxWindow, http_client: RecordingHttpClient) -> None:
    """datetime_gte after datetime_lte around stored events: no events (or INVALID_ARGUMENTS), never 5xx."""
    if box_window.empty or box_window.low_ms == box_window.high_ms:
        pytest.skip("needs stored events at two different times")
    filters = box_window.v2_filters(low_ms=box_window.high_ms, high_ms=box_window.low_ms)
    answer = http_client.post_json(V2_EVENTS_PATH, {"page_limit": 10, "filters": filters})
    if answer.status != 200:
        expect_v2_client_error(answer, V2_BAD_ARGS, ["V2Q-FILT-012"])
        return
    events = _expect_event_page(answer, ["V2Q-FILT-012"])["events"]
    fail_unless(
        not events,
        f"datetime_gte > datetime_lte answered {len(events)} event(s); an inverted window holds none",
        ["V2Q-FILT-012"],
        [answer.exchange],
    )


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


@pytest.mark.req("V1Q-PAGE-001", "V1Q-ERR-001", "V1Q-ERR-002")
def test_v1_huge_per_page_is_served_or_refused(
    v1: None, box_window: BoxWindow, http_client: RecordingHttpClient
) -> None:
    """No maximum page size is documented (E38): the window's whole result, or INVALID_ARGUMENTS (4xx)."""
    ids = ["V1Q-PAGE-001", "V1Q-ERR-001", "V1Q-ERR-002"]
    window = {key: str(value) for key, value in box_window.v1_filters().items()}
    params = {"per_page": str(HUGE_PAGE), **window}
    answer = http_client.get(V1_EVENTS_PATH, params)
    if answer.status == 200:
        _expect_whole_result(answer, "data", ids)
        return
    error = expect_v1_error(answer, ("INVALID_ARGUMENTS",), ids)
    fail_unless(bool(str(error["message"]).strip()), "v1 error.message is empty", ids, [answer.exchange])


@pytest.mark.req("V1Q-FILT-007")
def test_v1_unknown_user_type_is_refused_or_ignored(v1: None, http_client: RecordingHttpClient) -> None:
    """A userType outside the person_type codes 1..5: INVALID_ARGUMENTS (4xx) or a page of events (E40)."""
    answer = http_client.get(V1_EVENTS_PATH, {"per_page": "1", "userType": "9"})
    if answer.status != 200:
        expect_v1_error(answer, ("INVALID_ARGUMENTS",), ["V1Q-FILT-007"])
        return
    body = answer.json()
    fail_unless(
        isinstance(body, dict)
        and isinstance(body.get("data"), list)
        and isinstance(body.get("pagination"), dict),
        "userType=9 answered 200 with something that is not a page of v1 events (data list, pagination)",
        ["V1Q-FILT-007"],
        [answer.exchange],
    )


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
