"""Conforming variations of picture search, WebSocket push and uploads, and the strict faults they imply.

A lenient reading of a relaxing erratum is conforming under `lenient` and a defect under the tables
(`strict`): each such reading is registered twice, as a fault naming the requirements it breaks under
strict, and as a variation that implies that fault. Binary WebSocket frames break nothing under either
profile (E37: the documents name no opcode), so that variation implies no fault.
"""

from __future__ import annotations

from conformance.emulator.faults.catalog import REGISTRY
from conformance.emulator.faults.registry import VARIATION, Fault

PICTURE_SEARCH = "picture-search"
WEBSOCKET = "websocket"
UPLOADS = "uploads"


def _fault(name: str, area: str, description: str, *requirements: str) -> str:
    REGISTRY.register(Fault(name, description, tuple(requirements), area))
    return name


def _variation(name: str, area: str, description: str, errata: tuple[str, ...], *implies: str) -> str:
    REGISTRY.register(Fault(name, description, (), area, VARIATION, errata, tuple(implies)))
    return name


# --- faults: the lenient readings seen through the tables ---------------------------------------
PS_EXAMPLE_ANSWER_SHAPE = _fault(
    "ps-example-answer-shape",
    PICTURE_SEARCH,
    "picture search answers in seed 002's example shape: ret_code 1, total_count, no retcode or have_more",
    "PS-SCHEMA-003",
    "PS-SCHEMA-004",
)
PS_STRANGER_NAME_EMPTY = _fault(
    "ps-stranger-name-empty",
    PICTURE_SEARCH,
    'picture search items name a stranger "" instead of "stranger"',
    "PS-SCHEMA-009",
)
PS_FAILURE_ANSWERED_200 = _fault(
    "ps-failure-answered-200",
    PICTURE_SEARCH,
    'a refused picture search is answered 200 with retcode "0" and no results instead of a 4xx envelope',
    "PS-ERR-001",
    "PS-ERR-005",
)
PS_EP_TYPE_FILE = _fault(
    "ps-ep-type-file",
    PICTURE_SEARCH,
    'picture search items give ep_type "file" (the v2 vocabulary) for stream devices instead of "rtsp"',
    "PS-SCHEMA-020",
)
UPLOAD_EP_TYPE_FILE = _fault(
    "upload-ep-type-file",
    UPLOADS,
    'uploads give ep_info.ep_type "file" (the v2 vocabulary) for stream devices instead of "rtsp"',
    "UP-SCHEMA-012",
)
UPLOAD_STRANGER_GENERATED_ID = _fault(
    "upload-stranger-generated-id",
    UPLOADS,
    'uploads of a stranger carry a generated identity_id (like "1602612036.3828533") instead of ""',
    "UP-SCHEMA-001",
)
WS_WITHOUT_EVENT_IDS = _fault(
    "ws-without-event-ids",
    WEBSOCKET,
    "WebSocket pushes carry neither event_id nor video_id (only the table's fields)",
    "WS-WS-016",
)

# --- variations ---------------------------------------------------------------------------------
VAR_WS_BINARY_FRAMES = _variation(
    "var-ws-binary-frames",
    WEBSOCKET,
    "each WebSocket push (UTF-8 JSON) is sent as a binary frame instead of a text frame (E37)",
    ("E37",),
)
VAR_E07_SEARCH_EXAMPLE_ANSWER = _variation(
    "var-e07-search-example-answer",
    PICTURE_SEARCH,
    "picture search answers as seed 002's example: ret_code 1, total_count, no have_more (lenient E07)",
    ("E07",),
    PS_EXAMPLE_ANSWER_SHAPE,
)
VAR_E10_SEARCH_STRANGER_NAME_EMPTY = _variation(
    "var-e10-search-stranger-name-empty",
    PICTURE_SEARCH,
    'picture search items name a stranger "", as v2 and v1 events do (lenient reading of E10)',
    ("E10",),
    PS_STRANGER_NAME_EMPTY,
)
VAR_E12_STRANGER_UPLOAD_ID = _variation(
    "var-e12-stranger-upload-id",
    UPLOADS,
    "a stranger's upload carries a generated identity_id, as seed 003's example (lenient reading of E12)",
    ("E12",),
    UPLOAD_STRANGER_GENERATED_ID,
)
VAR_E14_WS_WITHOUT_IDS = _variation(
    "var-e14-ws-without-ids",
    WEBSOCKET,
    "WebSocket pushes carry only the table's fields, no event_id or video_id (lenient reading of E14)",
    ("E14",),
    WS_WITHOUT_EVENT_IDS,
)
VAR_E32_SEARCH_FAILURE_RETCODE_0 = _variation(
    "var-e32-search-failure-retcode-0",
    PICTURE_SEARCH,
    'a refused picture search is answered 200 with retcode "0" and no results (lenient reading of E32)',
    ("E32",),
    PS_FAILURE_ANSWERED_200,
)
VAR_E33_EP_TYPE_FILE = _variation(
    "var-e33-ep-type-file",
    PICTURE_SEARCH,
    'picture search items and uploads say ep_type "file" for stream devices (lenient reading of E33)',
    ("E33",),
    PS_EP_TYPE_FILE,
    UPLOAD_EP_TYPE_FILE,
)
