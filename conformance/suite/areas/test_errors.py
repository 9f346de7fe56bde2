"""Errors area: malformed, mistyped and out-of-range requests get the documented envelope, never a 5xx."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.clients.http_client import RecordingHttpClient
from conformance.suite.areas.envelopes import expect_v1_error, expect_v2_error
from conformance.target.target import V1_EVENTS_PATH, V2_EVENTS_PATH, Target

V2_BAD_ARGS = ("INVALID_ARGUMENTS",)
V2_CASES: dict[str, Any] = {
    "page_limit-string": {"page_limit": "ten"},
    "page_index-negative": {"page_index": -1},
    "page_limit-negative": {"page_limit": -5},
    "page_limit-huge": {"page_limit": 10**12},
    "page_limit-float": {"page_limit": 2.5},
    "filters-not-object": {"filters": "all"},
    "user_type-unknown": {"filters": {"user_type": "robot"}},
    "score_min-string": {"filters": {"score_min": "high"}},
    "datetime_gte-string": {"filters": {"datetime_gte": "yesterday"}},
    "media_device_ids-not-list": {"filters": {"media_device_ids": "dev-1"}},
}
V1_CASES: dict[str, dict[str, str]] = {
    "per_page-negative": {"per_page": "-1"},
    "page-not-int": {"page": "abc"},
    "per_page-huge": {"per_page": "1000000000000"},
    "userType-unknown": {"userType": "9"},
    "score_min-not-number": {"score_min": "high"},
    "datetime_lte-not-number": {"datetime_lte": "tomorrow"},
}


@pytest.fixture(scope="module")
def v2(target: Target) -> None:
    if not target.capabilities.v2_events:
        pytest.skip("the box has no v2 getevents interface")


@pytest.fixture(scope="module")
def v1(target: Target) -> None:
    if not target.capabilities.v1_events:
        pytest.skip("the box has no v1 events interface")


@pytest.mark.req("V2Q-ERR-001", "ERR-ERR-001")
@pytest.mark.parametrize(
    "body", ["{", '{"page_limit": 10,}', "[1, 2", "nul"], ids=["brace", "comma", "list", "nul"]
)
def test_v2_malformed_json(v2: None, http_client: RecordingHttpClient, body: str) -> None:
    answer = http_client.post_raw(V2_EVENTS_PATH, body.encode(), "application/json")
    expect_v2_error(answer, 400, ("INVALID_REQUEST_JSON",), ["V2Q-ERR-001", "ERR-ERR-001"])


@pytest.mark.req("V2Q-ERR-001", "ERR-ERR-001")
def test_v2_empty_body(v2: None, http_client: RecordingHttpClient) -> None:
    answer = http_client.post_raw(V2_EVENTS_PATH, b"", "application/json")
    expect_v2_error(
        answer, 400, ("EMPTY_REQUEST_JSON", "INVALID_REQUEST_JSON"), ["V2Q-ERR-001", "ERR-ERR-001"]
    )


@pytest.mark.req("V2Q-ERR-001", "ERR-ERR-001")
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_v2_wrong_content_type(v2: None, http_client: RecordingHttpClient, content_type: str | None) -> None:
    answer = http_client.post_raw(V2_EVENTS_PATH, b'{"page_limit": 1}', content_type)
    expect_v2_error(answer, 415, ("UNSUPPORT_CONTENT_TYPE",), ["V2Q-ERR-001", "ERR-ERR-001"])


@pytest.mark.req("V2Q-ERR-001", "V2Q-PAGE-001")
@pytest.mark.parametrize("body", list(V2_CASES.values()), ids=list(V2_CASES))
def test_v2_invalid_arguments(v2: None, http_client: RecordingHttpClient, body: dict[str, Any]) -> None:
    answer = http_client.post_json(V2_EVENTS_PATH, body)
    error = expect_v2_error(answer, 400, V2_BAD_ARGS, ["V2Q-ERR-001"])
    key = next(iter(body["filters"])) if isinstance(body.get("filters"), dict) else next(iter(body))
    assert key in str(error.get("message")), f"error.message {error.get('message')!r} does not name {key!r}"


@pytest.mark.req("V2Q-PAGE-001", "V2Q-ERR-001")
def test_v2_huge_page_index_is_an_empty_page(v2: None, http_client: RecordingHttpClient) -> None:
    answer = http_client.post_json(V2_EVENTS_PATH, {"page_index": 10**19, "page_limit": 10})
    body = answer.json()
    assert answer.status == 200, f"HTTP {answer.status}: a page past the end is valid and empty"
    assert isinstance(body, dict) and body.get("events") == [], "a page past the end must hold no events"


@pytest.mark.req("V2G-ERR-001", "ERR-ERR-001")
def test_v2_getevent_missing_event_id(v2: None, http_client: RecordingHttpClient) -> None:
    answer = http_client.post_json("/sophon/v2/face/getevent", {})
    expect_v2_error(answer, 400, ("MISSING_ARGUMENTS",), ["V2G-ERR-001", "ERR-ERR-001"])


@pytest.mark.req("V1Q-ERR-001", "V1Q-PAGE-001")
@pytest.mark.parametrize("params", list(V1_CASES.values()), ids=list(V1_CASES))
def test_v1_invalid_arguments(v1: None, http_client: RecordingHttpClient, params: dict[str, str]) -> None:
    answer = http_client.get(V1_EVENTS_PATH, params)
    expect_v1_error(answer, ("INVALID_ARGUMENTS",), ["V1Q-ERR-001"])
