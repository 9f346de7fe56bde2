"""Faults of the small calls: getevent, getspotimage, the device list, login and getsoftwareversion.
Each fault carries its behaviour at the hook points (mostly `call.request` / `call.answer`, which name
the call in their context)."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any, Final

from starlette.datastructures import QueryParams
from starlette.responses import Response

from conformance.emulator.errors import ApiError, ErrorAnswer
from conformance.emulator.faults import hooks
from conformance.emulator.faults.model import Family
from conformance.emulator.model import DeviceRecord
from conformance.emulator.request_values import text_number

FAMILY: Final = Family("v2_small_calls")

GETEVENT_PATH: Final = "/sophon/v2/face/getevent"
MANIFEST_XML: Final = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<manifest>\n'
    '  <project name="sophon-conformance/emulator" path="conformance/emulator" revision="0"/>\n</manifest>\n'
)
SpotLookup = tuple[tuple[str, str] | None, float]  # (event id and picture kind, or None; timestamp in ms)


# --- getevent -----------------------------------------------------------------------------------------
def _unknown_id_empty(answer: ErrorAnswer, *, error: ApiError, path: str, **_: Any) -> ErrorAnswer:
    if path == GETEVENT_PATH and error.code == "ID_NOT_FOUND":
        return ErrorAnswer({}, HTTPStatus.OK)
    return answer


def _number_id_500(body: Any, *, call: str, **_: Any) -> Any:
    if call == "getevent" and not isinstance(body["event_id"], str):
        raise TypeError("event_id is not a str")  # the endpoint answers HTTP 500 INTERNAL_ERROR
    return body


# --- getspotimage -------------------------------------------------------------------------------------
def _timestamp_unchecked_500(params: Any, *, call: str, **_: Any) -> Any:
    if call == "getspotimage":
        float(params.get("timestamp") or "")  # a missing or non-numeric timestamp raises: HTTP 500
    return params


def _timestamp_seconds_only(lookup: SpotLookup, *, text: str, **_: Any) -> SpotLookup:
    return lookup[0], text_number(text) * 1000.0


def _face_id_not_served(lookup: SpotLookup, **_: Any) -> SpotLookup:
    parts, ts_ms = lookup
    return (None, ts_ms) if parts is not None and parts[1] == "face" else lookup


# --- devices ------------------------------------------------------------------------------------------
def _devices_query_ignored(params: Any, *, call: str, **_: Any) -> Any:
    return QueryParams({"need_preview_list": "true"}) if call == "devices" else params


def _devices_without_type(answer: Any, *, call: str, **_: Any) -> Any:
    if call == "devices":
        for device in answer["devices_list"]:
            device.pop("device_type", None)
    return answer


def _devices_listed_twice(answer: Any, *, call: str, **context: Any) -> Any:
    if call == "devices":
        from conformance.emulator.routes_v1 import render_device  # the route's own rendering, unbent

        found: list[DeviceRecord] = context["found"]
        answer["devices_list"] += [render_device(d) for d in found]
    return answer


# --- login --------------------------------------------------------------------------------------------
def _wrong_password_500(body: Any, *, call: str, **context: Any) -> Any:
    if call == "login" and not context["accepted"]:
        raise RuntimeError("login failed")  # the endpoint answers HTTP 500 INTERNAL_ERROR
    return body


def _result_ok_string(answer: Any, *, call: str, **_: Any) -> Any:
    if call == "login":
        answer["result"] = "ok"
    return answer


# --- getsoftwareversion -------------------------------------------------------------------------------
def _version_500_on_bad_body(answer: Any, *, call: str, **context: Any) -> Any:
    if call != "version" or not isinstance(answer, dict):
        return answer
    try:
        json.loads(context["body"] or b"{}")
    except ValueError:
        return ApiError(HTTPStatus.INTERNAL_SERVER_ERROR, "INTERNAL_ERROR", "internal error").response()
    return answer


def _version_answers_xml(answer: Any, *, call: str, **_: Any) -> Any:
    if call == "version" and isinstance(answer, dict):
        return Response(MANIFEST_XML, media_type="application/xml")
    return answer


def _version_gate_missing(answer: Any, *, call: str, **_: Any) -> Any:
    if call == "version" and isinstance(answer, dict):
        answer.pop("app_gate_version", None)
    return answer


FAMILY.fault(
    "v2-getevent-unknown-empty",
    "errors",
    "getevent answers an event_id no event has with HTTP 200 and {} instead of ID_NOT_FOUND",
    ("V2G-ERR-003", "ERR-ERR-007"),
    {hooks.HTTP_ERROR: _unknown_id_empty},
    caught_by="test_v2_getevent_unknown_id",
)
FAMILY.fault(
    "v2-getevent-number-id-500",
    "errors",
    "getevent crashes with HTTP 500 when event_id is a JSON number (as in the table's example)",
    ("V2G-ERR-004",),
    {hooks.CALL_REQUEST: _number_id_500},
    caught_by="test_v2_getevent_number_id",
)
FAMILY.fault(
    "img-timestamp-unchecked-500",
    "errors",
    "getspotimage crashes with HTTP 500 when timestamp is missing or not a number",
    ("IMG-ERR-002",),
    {hooks.CALL_REQUEST: _timestamp_unchecked_500},
    caught_by="test_spot_image_bad_timestamp_is_refused",
)
FAMILY.fault(
    "img-timestamp-seconds-only",
    "timestamps",
    "getspotimage reads timestamp as seconds only, so the event's own ms timestamp finds no picture",
    ("IMG-TIME-001",),
    {hooks.SPOT_IMAGE: _timestamp_seconds_only},
    caught_by="test_spot_image_found_by_the_event_timestamp",
)
FAMILY.fault(
    "img-face-id-not-served",
    "schema",
    "getspotimage serves scene pictures only; a recognize_face_image_id answers ID_NOT_FOUND",
    ("IMG-SCHEMA-002", "V2EV-SCHEMA-005"),
    {hooks.SPOT_IMAGE: _face_id_not_served},
    caught_by="test_face_picture_id_is_served_too",
)
FAMILY.fault(
    "devices-query-ignored",
    "filters",
    "the device list ignores device_id and need_preview_list: every device, always with preview_list",
    ("DEV-FILT-001", "DEV-FILT-002"),
    {hooks.CALL_REQUEST: _devices_query_ignored},
    caught_by="test_device_id_selects_one_device",
)
FAMILY.fault(
    "devices-without-type",
    "schema",
    "the device list leaves device_type out of every entry (the web UI derives it from device_key)",
    ("DEV-SCHEMA-003",),
    {hooks.CALL_ANSWER: _devices_without_type},
    caught_by="test_devices_carry_ip_name_and_type",
)
FAMILY.fault(
    "devices-listed-twice",
    "schema",
    "devices_list holds each device twice (one entry per stream of the device)",
    ("DEV-SCHEMA-002",),
    {hooks.CALL_ANSWER: _devices_listed_twice},
    caught_by="test_device_ids_are_unique_non_empty_strings",
)
FAMILY.fault(
    "login-wrong-password-500",
    "errors",
    "login answers a wrong password with HTTP 500 INTERNAL_ERROR instead of PASSWORD_ERROR or false",
    ("LOGIN-ERR-001",),
    {hooks.CALL_REQUEST: _wrong_password_500},
    caught_by="test_login_wrong_password_is_refused",
)
FAMILY.fault(
    "login-result-ok-string",
    "schema",
    'a successful login answers {"result": "ok"} instead of {"result": true}',
    ("LOGIN-SCHEMA-002",),
    {hooks.CALL_ANSWER: _result_ok_string},
    caught_by="test_successful_login_answers_result_true",
    blind_reason="the check logs in with the user's credentials (--username/--password) on a box without "
    "control plane, and preflight's own login with them stops the run first (exit 2, a usage error, no "
    'finding) when the answer is not {"result": true}; only the embedded emulator\'s admin/admin reaches it',
)
FAMILY.fault(
    "version-500-on-bad-body",
    "errors",
    "getsoftwareversion crashes with HTTP 500 on a request body that is not valid JSON",
    ("VER-ERR-001",),
    {hooks.CALL_ANSWER: _version_500_on_bad_body},
    caught_by="test_software_version_bad_requests_are_client_errors",
)
FAMILY.fault(
    "version-answers-xml",
    "schema",
    "getsoftwareversion answers the repo manifest as XML (the reference's 返回xml) instead of JSON",
    ("VER-SCHEMA-001",),
    {hooks.CALL_ANSWER: _version_answers_xml},
    caught_by="test_software_version_is_a_json_object",
)
FAMILY.fault(
    "version-gate-missing",
    "schema",
    "getsoftwareversion leaves out app_gate_version (the firmware version) and sends only the SDK fields",
    ("VER-SCHEMA-002",),
    {hooks.CALL_ANSWER: _version_gate_missing},
    caught_by="test_software_version_is_a_json_object",
)
