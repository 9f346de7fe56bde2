"""Faults of the error paths, the small interfaces (getevent, login, getspotimage, devices, version,
HistoryEventUrl) and the time/picture fields of picture search and push: each one a deviation a firmware
could ship, and the requirements it breaks.

They are honoured under these names by `error_faults`, `getevents_faults`, `search_push_faults` and the
route handlers of `conformance.emulator`.
"""

from __future__ import annotations

from conformance.emulator.faults.catalog import _fault  # the catalog's one way to register a fault

# --- error envelopes and codes ------------------------------------------------------------------
V2_ERROR_MESSAGE_GENERIC = _fault(
    "v2-error-message-generic",
    "errors",
    'v2 INVALID_ARGUMENTS errors say "invalid arguments" instead of naming the offending key',
    "V2Q-ERR-002",
    "ERR-ERR-002",
)
V2_MISSING_ARGS_UNNAMED = _fault(
    "v2-missing-args-unnamed",
    "errors",
    "v2 MISSING_ARGUMENTS errors (getevent, login, getspotimage) carry an empty message, not the key",
    "V2G-ERR-002",
    "ERR-ERR-003",
    "LOGIN-ERR-002",
)
V1_ERROR_MESSAGE_EMPTY = _fault(
    "v1-error-message-empty",
    "errors",
    "v1 errors (events, devices, HistoryEventUrl) carry an empty error.message",
    "V1Q-ERR-004",
)
V1_ERRORS_HTTP_200 = _fault(
    "v1-errors-http-200",
    "errors",
    "v1 calls send their error envelope with HTTP 200 instead of the 4xx status",
    "V1Q-ERR-002",
    "UPC-ERR-001",
)
V2_BAD_JSON_READ_AS_EMPTY = _fault(
    "v2-bad-json-read-as-empty",
    "errors",
    "v2 calls read a body that is not valid JSON as {} (getevents answers the first page)",
    "ERR-ERR-004",
    "V2Q-ERR-001",
)
V2_CONTENT_TYPE_IGNORED = _fault(
    "v2-content-type-ignored",
    "errors",
    "v2 calls parse the body as JSON whatever its content type (no UNSUPPORT_CONTENT_TYPE)",
    "ERR-ERR-006",
    "V2Q-ERR-001",
)
V2_UNKNOWN_KEY_500 = _fault(
    "v2-unknown-key-500",
    "errors",
    "getevents crashes with HTTP 500 INTERNAL_ERROR on a body or filters key it does not know",
    "V2Q-ERR-006",
    "ERR-ERR-008",
)

# --- getevents arguments ------------------------------------------------------------------------
V2_PAGE_ARGS_CLAMPED = _fault(
    "v2-page-args-clamped",
    "pagination",
    "getevents clamps a negative page_index to 0 and a page_limit below 1 to 10 instead of refusing them",
    "V2Q-ERR-004",
)
V2_FILTER_TYPES_UNCHECKED = _fault(
    "v2-filter-types-unchecked",
    "filters",
    "getevents ignores a filters object it cannot read (wrong types) and answers unfiltered",
    "V2Q-ERR-005",
)
V2_PAGING_ARGS_REQUIRED = _fault(
    "v2-paging-args-required",
    "schema",
    "getevents answers MISSING_ARGUMENTS when page_limit or page_index is absent (so {} is refused)",
    "V2Q-SCHEMA-002",
)
V2_STRANGERS_HIDDEN_BY_DEFAULT = _fault(
    "v2-strangers-hidden-by-default",
    "filters",
    "getevents without a user_type filter leaves strangers out, so total_count is not every stored event",
    "V2Q-FILT-001",
)
V2_INVERTED_WINDOW_SWAPPED = _fault(
    "v2-inverted-window-swapped",
    "filters",
    "getevents swaps datetime_gte and datetime_lte when gte > lte and answers the events in between",
    "V2Q-FILT-012",
)
V1_PAGE_ZERO_REFUSED = _fault(
    "v1-page-zero-refused",
    "pagination",
    "v1 events counts pages from 1 and refuses page=0, so the documented example query fails",
    "V1Q-SCHEMA-002",
)

# --- getevent -----------------------------------------------------------------------------------
V2_GETEVENT_UNKNOWN_EMPTY = _fault(
    "v2-getevent-unknown-empty",
    "errors",
    "getevent answers an event_id no event has with HTTP 200 and {} instead of ID_NOT_FOUND",
    "V2G-ERR-003",
    "ERR-ERR-007",
)
V2_GETEVENT_NUMBER_ID_500 = _fault(
    "v2-getevent-number-id-500",
    "errors",
    "getevent crashes with HTTP 500 when event_id is a JSON number (as in the table's example)",
    "V2G-ERR-004",
)

# --- login, version -----------------------------------------------------------------------------
LOGIN_WRONG_PASSWORD_500 = _fault(
    "login-wrong-password-500",
    "errors",
    "login answers a wrong password with HTTP 500 INTERNAL_ERROR instead of PASSWORD_ERROR or false",
    "LOGIN-ERR-001",
)
VERSION_ANSWERS_XML = _fault(
    "version-answers-xml",
    "schema",
    "getsoftwareversion answers the repo manifest as XML (the reference's 返回xml) instead of JSON",
    "VER-SCHEMA-001",
)
VERSION_GATE_MISSING = _fault(
    "version-gate-missing",
    "schema",
    "getsoftwareversion leaves out app_gate_version (the firmware version) and sends only the SDK fields",
    "VER-SCHEMA-002",
)
VERSION_500_ON_BAD_BODY = _fault(
    "version-500-on-bad-body",
    "errors",
    "getsoftwareversion crashes with HTTP 500 on a request body that is not valid JSON",
    "VER-ERR-001",
)

# --- devices ------------------------------------------------------------------------------------
DEVICES_QUERY_IGNORED = _fault(
    "devices-query-ignored",
    "filters",
    "the device list ignores device_id and need_preview_list: every device, always with preview_list",
    "DEV-FILT-001",
    "DEV-FILT-002",
)
DEVICES_LISTED_TWICE = _fault(
    "devices-listed-twice",
    "schema",
    "devices_list holds each device twice (one entry per stream of the device)",
    "DEV-SCHEMA-002",
)

# --- getspotimage -------------------------------------------------------------------------------
IMG_FACE_ID_NOT_SERVED = _fault(
    "img-face-id-not-served",
    "schema",
    "getspotimage serves scene pictures only; a recognize_face_image_id answers ID_NOT_FOUND",
    "IMG-SCHEMA-002",
    "V2EV-SCHEMA-005",
)
V2_SPOT_IMAGE_PATH = _fault(
    "v2-spot-image-path",
    "schema",
    "v2 events carry the scene picture's storage path (/data/spot/<id>.jpg) as spot_image_id, "
    "which getspotimage does not serve",
    "V2EV-SCHEMA-006",
)
IMG_TIMESTAMP_SECONDS_ONLY = _fault(
    "img-timestamp-seconds-only",
    "timestamps",
    "getspotimage reads timestamp as seconds only, so the event's own ms timestamp finds no picture",
    "IMG-TIME-001",
)
IMG_TIMESTAMP_UNCHECKED_500 = _fault(
    "img-timestamp-unchecked-500",
    "errors",
    "getspotimage crashes with HTTP 500 when timestamp is missing or not a number",
    "IMG-ERR-002",
)

# --- HistoryEventUrl ----------------------------------------------------------------------------
UPC_MISSING_KEY_500 = _fault(
    "upc-missing-key-500",
    "errors",
    "HistoryEventUrl crashes with HTTP 500 on a JSON body that lacks a required key",
    "UPC-ERR-002",
)
UPC_GET_RETURNS_DEFAULTS = _fault(
    "upc-get-returns-defaults",
    "uploads",
    "GET HistoryEventUrl answers the factory defaults instead of the configuration in force",
    "UPC-CONFIG-010",
)

# --- time and picture fields of picture search and push -----------------------------------------
PS_REQUEST_TIMES_MS = _fault(
    "ps-request-times-ms",
    "timestamps",
    "picture search reads starttime/endtime as ms, so a window given in seconds lies in January 1970",
    "PS-TIME-001",
)
PS_OUT_TIMESTAMP_MS = _fault(
    "ps-out-timestamp-ms",
    "timestamps",
    "picture search items carry out_timestamp as integer ms while timestamp is in seconds",
    "PS-TIME-004",
)
WS_SPOT_PIC_PATH = _fault(
    "ws-spot-pic-path",
    "websocket",
    "pushed ext_data.spot_pic holds the picture's file path on the box instead of a base64 JPEG",
    "WS-SCHEMA-011",
)
