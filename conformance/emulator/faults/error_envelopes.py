"""Faults of the error envelopes of v2 and v1 calls and of reading a v2 JSON body: messages, status codes
and envelopes as a faulty firmware writes them. Each fault carries its behaviour at the hook points.

At `http.error` they act in declaration order; the status and envelope faults act only on an answer no
earlier fault has bent (as a firmware that bends its message first and its status otherwise)."""

from __future__ import annotations

import dataclasses
from http import HTTPStatus
from typing import Any, Final

from conformance.emulator.errors import ApiError, ErrorAnswer
from conformance.emulator.faults import hooks
from conformance.emulator.faults.model import Family

FAMILY: Final = Family("error_envelopes")


def _v2_message(answer: ErrorAnswer, error: ApiError, code: str, message: str) -> ErrorAnswer:
    if error.envelope != "v2" or error.code != code:
        return answer
    return ErrorAnswer(type(error)(error.status, error.code, message).body(), answer.status)


def _message_generic(answer: ErrorAnswer, *, error: ApiError, **_: Any) -> ErrorAnswer:
    return _v2_message(answer, error, "INVALID_ARGUMENTS", "invalid arguments")


def _missing_unnamed(answer: ErrorAnswer, *, error: ApiError, **_: Any) -> ErrorAnswer:
    return _v2_message(answer, error, "MISSING_ARGUMENTS", "")


def _v1_message_empty(answer: ErrorAnswer, *, error: ApiError, **_: Any) -> ErrorAnswer:
    if error.envelope != "v1":
        return answer
    return ErrorAnswer(type(error)(error.status, error.code, "").body(), answer.status)


def _v1_http_200(answer: ErrorAnswer, *, error: ApiError, **_: Any) -> ErrorAnswer:
    if error.envelope != "v1" or error.status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        return answer
    return dataclasses.replace(answer, status=HTTPStatus.OK)


def _v2_500(answer: ErrorAnswer, *, error: ApiError, **_: Any) -> ErrorAnswer:
    if error.envelope != "v2" or error.status >= 500 or answer != ErrorAnswer.of(error):
        return answer
    return dataclasses.replace(answer, status=HTTPStatus.INTERNAL_SERVER_ERROR)


def _v1_in_v2_envelope(answer: ErrorAnswer, *, error: ApiError, **_: Any) -> ErrorAnswer:
    if error.envelope != "v1" or answer != ErrorAnswer.of(error):
        return answer
    return ErrorAnswer({"error": {"code": error.code, "message": error.message}}, error.status)


Refusal = ApiError | dict[str, Any] | None


def _content_type_ignored(refusal: Refusal, *, reason: str, **_: Any) -> Refusal:
    return None if reason == "content-type" else refusal


def _bad_json_read_as_empty(refusal: Refusal, *, reason: str, **_: Any) -> Refusal:
    return {} if reason == "json" else refusal


FAMILY.fault(
    "v2-error-message-generic",
    "errors",
    'v2 INVALID_ARGUMENTS errors say "invalid arguments" instead of naming the offending key',
    ("V2Q-ERR-002", "ERR-ERR-002"),
    {hooks.HTTP_ERROR: _message_generic},
    caught_by="test_v2_invalid_arguments and page_limit-string",
)
FAMILY.fault(
    "v2-missing-args-unnamed",
    "errors",
    "v2 MISSING_ARGUMENTS errors (getevent, login, getspotimage) carry an empty message, not the key",
    ("V2G-ERR-002", "ERR-ERR-003", "LOGIN-ERR-002"),
    {hooks.HTTP_ERROR: _missing_unnamed},
    caught_by="test_v2_getevent_missing_event_id or test_login_missing_argument_is_named",
)
FAMILY.fault(
    "v1-error-message-empty",
    "errors",
    "v1 errors (events, devices, HistoryEventUrl) carry an empty error.message",
    ("V1Q-ERR-004",),
    {hooks.HTTP_ERROR: _v1_message_empty},
    caught_by="test_v1_invalid_arguments and page-not-int",
)
FAMILY.fault(
    "v1-errors-http-200",
    "errors",
    "v1 calls send their error envelope with HTTP 200 instead of the 4xx status",
    ("V1Q-ERR-002", "UPC-ERR-001"),
    {hooks.HTTP_ERROR: _v1_http_200},
    caught_by="(test_v1_invalid_arguments and page-not-int) "
    "or (test_upload_setting_bad_body_is_refused and xml)",
)
FAMILY.fault(
    "v2-500-on-bad-input",
    "errors",
    "v2 calls answer bad input with HTTP 500 instead of a 4xx",
    ("ERR-ERR-008", "V2Q-ERR-003"),
    {hooks.HTTP_ERROR: _v2_500},
    caught_by="test_v2_bad_input_is_a_client_error or test_v2_getevent_empty_body",
    quick=True,
)
FAMILY.fault(
    "v1-v2-error-envelope",
    "errors",
    "v1 calls (events, devices, HistoryEventUrl) answer errors in the v2 envelope (string code, no status)",
    ("V1Q-ERR-001", "DEV-ERR-001", "UPC-ERR-001"),
    {hooks.HTTP_ERROR: _v1_in_v2_envelope},
    caught_by="test_v1_invalid_arguments and page-not-int",
    quick=True,
)
FAMILY.fault(
    "v2-content-type-ignored",
    "errors",
    "v2 calls parse the body as JSON whatever its content type (no UNSUPPORT_CONTENT_TYPE)",
    ("ERR-ERR-006", "V2Q-ERR-001"),
    {hooks.BODY_REFUSED: _content_type_ignored},
    caught_by="test_v2_wrong_content_type and text",
)
FAMILY.fault(
    "v2-bad-json-read-as-empty",
    "errors",
    "v2 calls read a body that is not valid JSON as {} (getevents answers the first page)",
    ("ERR-ERR-004", "V2Q-ERR-001"),
    {hooks.BODY_REFUSED: _bad_json_read_as_empty},
    caught_by="test_v2_malformed_json and brace",
)
