"""Expectations on error answers: status, the interface's envelope (E19) and its code, as one failure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from conformance.checks.findings import FindingCategory
from conformance.clients.failures import fail
from conformance.clients.http_client import RecordedResponse


def _fail(response: RecordedResponse, title: str, requirement_ids: Sequence[str]) -> None:
    """A schema failure about the answer; over no answer at all the bridge makes it a transport failure."""
    fail(title, requirement_ids, exchanges=[response.exchange], category=FindingCategory.SCHEMA)


def expect_v2_error(
    response: RecordedResponse, status: int, codes: Sequence[str], requirement_ids: Sequence[str]
) -> dict[str, Any]:
    """A v2 error: the given HTTP status and `{"error": {"code": <one of codes>, "message": str}}`."""
    _expect_status(response, status, requirement_ids)
    error = _error_object(response, requirement_ids)
    if not isinstance(error.get("code"), str) or error["code"] not in codes:
        _fail(
            response,
            f"v2 error.code is {error.get('code')!r}, expected one of {list(codes)}",
            requirement_ids,
        )
    if not isinstance(error.get("message"), str):
        _fail(response, "v2 error.message is missing or not a string", requirement_ids)
    return error


def expect_v2_client_error(
    response: RecordedResponse, codes: Sequence[str], requirement_ids: Sequence[str]
) -> dict[str, Any]:
    """A v2 error with any 4xx status (the documents name no status) and one of the given codes."""
    expect_client_status(response, requirement_ids)
    return expect_v2_error(response, response.status or 0, codes, requirement_ids)


def expect_client_status(response: RecordedResponse, requirement_ids: Sequence[str]) -> None:
    """A 4xx status: the request was refused as the client's fault (2xx, 3xx or 5xx fail; no answer at all
    is a transport failure, as the bridge files every failure over an unanswered exchange)."""
    if not 400 <= (response.status or 0) < 500:
        _fail(response, f"HTTP {response.status}, expected a 4xx status", requirement_ids)


def expect_v1_error(
    response: RecordedResponse,
    statuses: Sequence[str] | None,
    requirement_ids: Sequence[str],
    status: int | None = None,
) -> dict[str, Any]:
    """A v1 error: that HTTP status and `{"error": {"code": <that status>, "message", "status"}}` (E19).

    `status` None accepts any 4xx, as the documents name no status (E39); error.code must repeat it.
    `statuses` lists the accepted error.status values; None accepts any non-empty string.
    """
    if status is None:
        expect_client_status(response, requirement_ids)
        status = response.status or 0
    _expect_status(response, status, requirement_ids)
    error = _error_object(response, requirement_ids)
    if error.get("code") != status or isinstance(error.get("code"), bool):
        _fail(
            response,
            f"v1 error.code is {error.get('code')!r}, expected the integer {status} (E19)",
            requirement_ids,
        )
    if statuses is None and not (isinstance(error.get("status"), str) and error["status"]):
        _fail(
            response,
            f"v1 error.status is {error.get('status')!r}, expected an error-type string",
            requirement_ids,
        )
    if statuses is not None and error.get("status") not in statuses:
        _fail(
            response,
            f"v1 error.status is {error.get('status')!r}, expected one of {list(statuses)}",
            requirement_ids,
        )
    if not isinstance(error.get("message"), str):
        _fail(response, "v1 error.message is missing or not a string", requirement_ids)
    return error


def _expect_status(response: RecordedResponse, status: int, requirement_ids: Sequence[str]) -> None:
    if response.status != status:  # no answer at all: the bridge files it as a transport failure
        _fail(response, f"HTTP {response.status}, expected {status}", requirement_ids)


def _error_object(response: RecordedResponse, requirement_ids: Sequence[str]) -> dict[str, Any]:
    body = response.json()
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        _fail(response, 'the answer has no error envelope {"error": {...}}', requirement_ids)
        raise AssertionError  # unreachable: _fail raised
    return error
