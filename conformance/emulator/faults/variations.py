"""Conforming variations: behaviours a box may show without breaking the documents (false-alarm probes).

Each names the errata or statements it exercises; under the `lenient` profile the suite must pass on
every one. They switch on like faults (`/_emulator/faults`, `--fault NAME`); a variation that is the
lenient reading of an erratum `implies` the fault it is under `strict`, and its `caught_by` is the
selection that catches that fault under strict. Variations act after the faults at a shared hook point.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import time
from http import HTTPStatus
from typing import Any, Final

from conformance.emulator.errors import ApiError, ErrorAnswer
from conformance.emulator.faults import hooks
from conformance.emulator.faults.model import Family
from conformance.emulator.injection import stable_seed
from conformance.emulator.model import EventRecord
from conformance.emulator.store.query import PageRequest

FAMILY: Final = Family("variations")

ATTRIBUTE_KEYS: Final = ("mask", "gender", "hat", "age", "glasses")
# Undocumented keys a firmware may add (E17); the lenient profile tolerates them.
EXTRA_TOP_LEVEL: Final = {"dev_sno": "", "algorithm_version": "2.4.0"}
EXTRA_EXT_DATA: Final = {"quality_score": 0.93}
EVENT_FIELDS: Final = "test_query_event_fields"
SEARCH_ANSWER: Final = "test_answer_fields_follow_the_table"
UPLOAD_JSON: Final = "(test_upload_payloads and json)"


def _keys_reversed(value: Any, **_: Any) -> Any:
    if isinstance(value, dict):
        return {k: _keys_reversed(v) for k, v in reversed(list(value.items()))}
    if isinstance(value, list):
        return [_keys_reversed(v) for v in value]
    return value


def _integral_floats(value: Any, **_: Any) -> Any:
    if isinstance(value, dict):
        return {k: _integral_floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_integral_floats(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _extra_fields(event: dict[str, Any], **_: Any) -> dict[str, Any]:
    event.update(EXTRA_TOP_LEVEL)
    event["ext_data"].update(EXTRA_EXT_DATA)
    return event


def _null_attributes(event: dict[str, Any], **_: Any) -> dict[str, Any]:
    attrs = event["recognize_face_attr"]
    for key in ATTRIBUTE_KEYS:
        if attrs[key] == "":
            attrs[key] = None
    attrs["expression"] = None
    return event


def _ties_reversed(page: PageRequest, **_: Any) -> PageRequest:
    return dataclasses.replace(page, ties_ascending=True)


def _binary_frames(text: str | bytes, **_: Any) -> str | bytes:
    return text.encode("utf-8") if isinstance(text, str) else text


FAMILY.variation(
    "var-keys-reversed",
    "variation",
    "every JSON object of the v2/v1 HTTP answers lists its keys in reverse order (objects are unordered)",
    ("RFC 8259 §4",),
    {hooks.HTTP_ANSWER: _keys_reversed},
    must_pass=("*",),
)
FAMILY.variation(
    "var-integral-floats",
    "variation",
    "floats with an integral value are written without a fraction (1 instead of 1.0) in v2/v1 HTTP answers",
    ("RFC 8259 §6",),
    {hooks.HTTP_ANSWER: _integral_floats},
)
FAMILY.variation(
    "var-extra-fields",
    "variation",
    "v2 events carry undocumented extra keys (top level and in ext_data)",
    ("E17",),
    {hooks.V2_EVENT: _extra_fields},
)
FAMILY.variation(
    "var-e02-seconds-timestamps",
    "variation",
    "v2 event timestamps as float seconds, as in seed 000's example (lenient reading of E02)",
    ("E02",),
    implies=("v2-timestamp-seconds",),
)
FAMILY.variation(
    "var-e01-filters-in-seconds",
    "variation",
    "getevents reads datetime_gte/lte as seconds, as seed 000's example value does (lenient reading of E01)",
    ("E01",),
    implies=("v2-ms-filter-read-as-seconds",),
)
FAMILY.variation(
    "var-e04-null-attributes",
    "variation",
    'unknown face attributes are null instead of "" and an `expression` key is sent, as in the examples '
    "(lenient reading of E04)",
    ("E04",),
    {hooks.V2_EVENT: _null_attributes},
)
FAMILY.variation(
    "var-ties-reversed",
    "variation",
    "getevents and v1 events break ties among equal timestamps by event_id ascending instead of descending, "
    "the same on every call and page (seeds 000 and 001 fix no order: V2Q-PAGE-007 and V1Q-PAGE-008 ask "
    "only for a stable one)",
    ("V2Q-PAGE-007", "V1Q-PAGE-008"),
    {hooks.PAGE_REQUEST: _ties_reversed},
)
FAMILY.variation(
    "var-e21-feature-list",
    "variation",
    "v1 events carry recognize_face_attr.feature as a float list instead of feature_binary, as seed 001's "
    "example does (lenient reading of E21)",
    ("E21",),
    implies=("v1-feature-list",),
    caught_by=EVENT_FIELDS,
)
FAMILY.variation(
    "var-e23-bare-identity-info",
    "variation",
    "v1 events of matched persons carry identity_info without face_ids and image_id (lenient reading of E23; "
    "v2 events have no identity_info)",
    ("E23",),
    implies=("v1-identity-info-bare",),
    caught_by=EVENT_FIELDS,
)
FAMILY.variation(
    "var-e24-is-send-integer",
    "variation",
    "v1 events carry is_send as the integer 0/1, as seed 001's example and the v2 table do "
    "(lenient reading of E24)",
    ("E24",),
    implies=("v1-is-send-integer",),
    caught_by=EVENT_FIELDS,
)
FAMILY.variation(
    "var-e33-v2-card",
    "variation",
    'v2 events of card readers carry media_device_type "card", the v1 vocabulary (lenient reading of E33)',
    ("E33",),
    implies=("v2-device-type-card",),
    caught_by=EVENT_FIELDS,
)
FAMILY.variation(
    "var-ws-binary-frames",
    "websocket",
    "each WebSocket push (UTF-8 JSON) is sent as a binary frame instead of a text frame (E37)",
    ("E37",),
    {hooks.WS_FRAME: _binary_frames},
)
FAMILY.variation(
    "var-e07-search-example-answer",
    "picture-search",
    "picture search answers as seed 002's example: ret_code 1, total_count, no have_more (lenient E07)",
    ("E07",),
    implies=("ps-example-answer-shape",),
    caught_by=SEARCH_ANSWER,
)
FAMILY.variation(
    "var-e10-search-stranger-name-empty",
    "picture-search",
    'picture search items name a stranger "", as v2 and v1 events do (lenient reading of E10)',
    ("E10",),
    implies=("ps-stranger-name-empty",),
    caught_by=SEARCH_ANSWER,
)
FAMILY.variation(
    "var-e12-stranger-upload-id",
    "uploads",
    "a stranger's upload carries a generated identity_id, as seed 003's example (lenient reading of E12)",
    ("E12",),
    implies=("upload-stranger-generated-id",),
    caught_by=UPLOAD_JSON,
    blind_reason="caught only by tests that store events through the control plane and watch the receiver",
)
FAMILY.variation(
    "var-e14-ws-without-ids",
    "websocket",
    "WebSocket pushes carry only the table's fields, no event_id or video_id (lenient reading of E14)",
    ("E14",),
    implies=("ws-without-event-ids",),
    caught_by="test_every_message_validates or test_the_seeds_sample_client_works",
    blind_reason="caught only by tests that inject events through the control plane while a client listens",
)
FAMILY.variation(
    "var-e32-search-failure-retcode-0",
    "picture-search",
    'a refused picture search is answered 200 with retcode "0" and no results (lenient reading of E32)',
    ("E32",),
    implies=("ps-failure-answered-200",),
    caught_by="test_bad_images_are_refused",
)
FAMILY.variation(
    "var-e33-ep-type-file",
    "picture-search",
    'picture search items and uploads say ep_type "file" for stream devices (lenient reading of E33)',
    ("E33",),
    implies=("ps-ep-type-file", "upload-ep-type-file"),
    caught_by=f"{SEARCH_ANSWER} or {UPLOAD_JSON}",
)


# --- real-box variations (site mode's false-alarm probes, issue 14) ---------------------------------
_SERVED: Final = itertools.count(1)  # next() on a count is atomic under the GIL: one number per render


def _changing_extras(event: dict[str, Any], **_: Any) -> dict[str, Any]:
    event["serve_seq"] = next(_SERVED)  # undocumented, and different on every call (E17)
    event["served_at"] = time.time()
    return event


def _no_page_cap(cap: float, **_: Any) -> float:
    return math.inf


def _invalid_arguments_422(answer: ErrorAnswer, *, error: ApiError, **_: Any) -> ErrorAnswer:
    if error.code != "INVALID_ARGUMENTS" or answer.status != HTTPStatus.BAD_REQUEST:
        return answer
    body = answer.body
    if isinstance(body.get("error", {}).get("code"), int):  # the v1 envelope's code is the HTTP status
        body = {**body, "error": {**body["error"], "code": int(HTTPStatus.UNPROCESSABLE_ENTITY)}}
    return ErrorAnswer(body, HTTPStatus.UNPROCESSABLE_ENTITY)


FAMILY.variation(
    "var-undocumented-extras-change",
    "variation",
    "v2 and v1 events carry undocumented extra keys (serve_seq, served_at) whose values change on every call "
    "(E17 allows extra fields; nothing promises they are stable)",
    ("E17",),
    {hooks.V2_EVENT: _changing_extras, hooks.V1_EVENT: _changing_extras},
    must_pass=("V2EV-*", "V1EV-*", "V2Q-*", "V1Q-*"),
)
FAMILY.variation(
    "var-no-page-cap",
    "variation",
    "getevents page_limit and v1 per_page have no maximum: a huge value answers a correct page "
    "(seeds 000 and 001 state no maximum page size)",
    ("E38",),
    {hooks.PAGE_CAP: _no_page_cap},
)
FAMILY.variation(
    "var-invalid-arguments-422",
    "variation",
    "invalid arguments of v2/v1 calls are answered HTTP 422 instead of 400, in the same envelope with the "
    "same code INVALID_ARGUMENTS (v1's integer code is the HTTP status: 422); the documents name codes only",
    ("E39", "E19"),
    {hooks.HTTP_ERROR: _invalid_arguments_422},
    must_pass=("*-ERR-*",),
)


# --- real-box variations that set the box rather than bend one answer (issue 16) ------------------------
BUSY_GATE_RATE: Final = 5.0  # recognitions a second at a busy gate


def _busy_gate(rate: float, **_: Any) -> float:
    return BUSY_GATE_RATE


def _quiet(rate: float, **_: Any) -> float:
    return 0.0


def _gzip_answers(compress: bool, **_: Any) -> bool:
    return True


def microseconds_of(ts_ms: int) -> int:
    """The microseconds (1-999) past `ts_ms` of every event the control plane records in that millisecond.

    One value per millisecond keeps the store's order (time, then event_id among equal times) the order of
    the true times: events of one millisecond stay tied at the microsecond too.
    """
    return 1 + stable_seed("microseconds", ts_ms) % 999


def _with_microseconds(record: EventRecord, **_: Any) -> EventRecord:
    if record.sub_ms_us:
        return record
    return dataclasses.replace(record, sub_ms_us=microseconds_of(record.ts_ms))


FAMILY.variation(
    "var-live-5-per-second",
    "variation",
    "cameras keep recognising, 5 a second (a busy gate), while the harness runs: new events reach the "
    "history, the WebSocket clients and the upload URL between any two calls (also with a control plane)",
    ("REAL-BOX: no quiet moment",),
    {hooks.LIVE_RATE: _busy_gate},
    must_pass=("*",),
    conflicts=("var-quiet-box",),
)
FAMILY.variation(
    "var-quiet-box",
    "variation",
    "no camera recognises anyone while the harness runs (a box at night): the history is all there is, "
    "no live push and no live upload comes",
    ("REAL-BOX: live recognitions at a rate you do not know",),
    {hooks.LIVE_RATE: _quiet},
    must_pass=("*",),
    conflicts=("var-live-5-per-second",),
)
FAMILY.variation(
    "var-microsecond-times",
    "variation",
    "events the control plane records get microseconds past their millisecond, as camera recognitions do "
    "(seed 000's example 1628066406.608026): v1 events and picture search show them; filters compare the "
    "true time (a site-mode box's recognitions carry them already)",
    ("E02",),
    {hooks.EVENT_RECORDED: _with_microseconds},
    must_pass=("V2Q-*", "V1Q-*", "*-TIME-*", "PS-*", "WS-*", "UP-*"),
)
FAMILY.variation(
    "var-gzip-answers",
    "variation",
    "HTTP answers are gzip-compressed (Content-Encoding: gzip) whenever the request accepts gzip "
    "(Accept-Encoding), as a web server in front of the firmware does",
    ("RFC 9110 §8.4",),
    {hooks.HTTP_GZIP: _gzip_answers},
    must_pass=("*",),
)
