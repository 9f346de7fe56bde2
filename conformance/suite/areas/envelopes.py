"""Expectations on error answers: status, the interface's envelope (E19) and its code, as one failure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from conformance.clients.failures import ConformanceFailure, FailureCategory
from conformance.clients.http_client import RecordedResponse


def _fail(response: RecordedResponse, title: str, requirement_ids: Sequence[str], message: str = "") -> None:
    raise ConformanceFailure(
        title,
        message,
        category=FailureCategory.SCHEMA,
        requirement_ids=requirement_ids,
        exchanges=[response.exchange],
    )


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


def expect_v1_error(
    response: RecordedResponse, statuses: Sequence[str], requirement_ids: Sequence[str]
) -> None:
    """A v1 error: HTTP 400 and `{"error": {"code": 400, "message": str, "status": <one of statuses>}}`."""
    _expect_status(response, 400, requirement_ids)
    error = _error_object(response, requirement_ids)
    if error.get("code") != 400 or isinstance(error.get("code"), bool):
        _fail(
            response,
            f"v1 error.code is {error.get('code')!r}, expected the integer 400 (E19)",
            requirement_ids,
        )
    if error.get("status") not in statuses:
        _fail(
            response,
            f"v1 error.status is {error.get('status')!r}, expected one of {list(statuses)}",
            requirement_ids,
        )
    if not isinstance(error.get("message"), str):
        _fail(response, "v1 error.message is missing or not a string", requirement_ids)


def _expect_status(response: RecordedResponse, status: int, requirement_ids: Sequence[str]) -> None:
    if response.status is None:
        _fail(response, f"no answer: {response.error}", requirement_ids)
    if response.status != status:
        _fail(response, f"HTTP {response.status}, expected {status}", requirement_ids)


def _error_object(response: RecordedResponse, requirement_ids: Sequence[str]) -> dict[str, Any]:
    body = response.json()
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        _fail(response, 'the answer has no error envelope {"error": {...}}', requirement_ids)
        raise AssertionError  # unreachable: _fail raised
    return error
