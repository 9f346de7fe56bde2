"""The fault catalog: each entry one realistic deviation a firmware could ship, and what it breaks.

Picture-search faults (`ps-*`) are registered by `routes_picture_search` itself; the WebSocket and upload
faults are honoured by `websocket_server` / `uploader` under the names registered here.
"""

from __future__ import annotations

from conformance.emulator.faults.registry import Fault, FaultRegistry

REGISTRY = FaultRegistry(providers=("conformance.emulator.routes_picture_search",))


def _fault(name: str, area: str, description: str, *requirements: str) -> str:
    REGISTRY.register(Fault(name, description, tuple(requirements), area))
    return name


# --- pagination -------------------------------------------------------------------------------
V2_PAGE_ONE_BASED = _fault(
    "v2-page-one-based",
    "pagination",
    "getevents treats page_index 1 as the first page (0 and 1 both answer the first page)",
    "V2Q-PAGE-003",
    "V2Q-PAGE-004",
)
V2_TOTAL_COUNT_OF_PAGE = _fault(
    "v2-total-count-of-page",
    "pagination",
    "getevents reports the number of events on the page as total_count",
    "V2Q-PAGE-005",
)
V1_NUM_PAGES_FLOORED = _fault(
    "v1-num-pages-floored",
    "pagination",
    "v1 events computes num_pages with floor instead of ceil",
    "V1Q-PAGE-004",
)
V2_UNSTABLE_ORDER = _fault(
    "v2-unstable-order",
    "pagination",
    "getevents orders events with equal timestamps differently on every call",
    "V2Q-PAGE-007",
    "V2Q-PAGE-004",
)

# --- filters ----------------------------------------------------------------------------------
V2_TIME_BOUND_EXCLUSIVE = _fault(
    "v2-time-bound-exclusive",
    "filters",
    "getevents treats datetime_gte/lte as exclusive bounds",
    "V2Q-FILT-002",
    "V2Q-FILT-003",
)
V2_MS_FILTER_READ_AS_SECONDS = _fault(
    "v2-ms-filter-read-as-seconds",
    "filters",
    "getevents reads datetime_gte/lte as seconds instead of milliseconds",
    "V2Q-TIME-001",
)
V2_NAME_EXACT_MATCH = _fault(
    "v2-name-exact-match",
    "filters",
    "getevents matches identity_name exactly instead of as a substring",
    "V2Q-FILT-004",
)
V1_NAME_EXACT_MATCH = _fault(
    "v1-name-exact-match",
    "filters",
    "v1 events matches `name` exactly instead of as a substring",
    "V1Q-FILT-003",
)
V2_IGNORE_SCORE_FILTER = _fault(
    "v2-ignore-score-filter",
    "filters",
    "getevents silently ignores score_min and score_max",
    "V2Q-FILT-006",
    "V2Q-FILT-007",
)
V2_DEVICES_FIRST_ONLY = _fault(
    "v2-devices-first-only",
    "filters",
    "getevents filters by the first id of media_device_ids only",
    "V2Q-FILT-009",
)
V1_STREAMS_FIRST_ONLY = _fault(
    "v1-streams-first-only",
    "filters",
    "v1 events filters by the first id of streams only",
    "V1Q-FILT-010",
)

# --- timestamps -------------------------------------------------------------------------------
V2_TIMESTAMP_SECONDS = _fault(
    "v2-timestamp-seconds",
    "timestamps",
    "v2 events carry timestamp and ext_data.*_timestamp as float seconds where integer ms is due",
    "V2EV-TIME-001",
    "V2EV-TIME-002",
)
V2_TIMESTAMP_STRING = _fault(
    "v2-timestamp-string",
    "timestamps",
    "v2 events carry timestamp as a string of digits instead of an integer",
    "V2EV-TIME-001",
)

# --- errors -----------------------------------------------------------------------------------
V2_500_ON_BAD_INPUT = _fault(
    "v2-500-on-bad-input",
    "errors",
    "v2 calls answer bad input with HTTP 500 instead of a 4xx",
    "V2Q-ERR-003",
    "ERR-ERR-008",
)
V1_V2_ERROR_ENVELOPE = _fault(
    "v1-v2-error-envelope",
    "errors",
    "v1 calls (events, devices, HistoryEventUrl) answer errors in the v2 envelope (string code, no status)",
    "V1Q-ERR-001",
    "DEV-ERR-001",
    "UPC-ERR-001",
)

# --- schema -----------------------------------------------------------------------------------
V2_DROP_REQUIRED_FIELD = _fault(
    "v2-drop-required-field",
    "schema",
    "v2 events are rendered without user_type",
    "V2Q-SCHEMA-003",
    "V2EV-SCHEMA-008",
    "V2EV-SCHEMA-025",
)
V1_PERSON_TYPE_STRING = _fault(
    "v1-person-type-string",
    "schema",
    'v1 events carry common.person_type as a string ("1") instead of an integer',
    "V1EV-SCHEMA-008",
)
V1_FEATURE_LIST = _fault(
    "v1-feature-list",
    "schema",
    "v1 events carry recognize_face_attr.feature, a float list, instead of feature_binary (seed 001)",
    "V1EV-SCHEMA-013",
)
V1_IDENTITY_INFO_BARE = _fault(
    "v1-identity-info-bare",
    "schema",
    "v1 events of matched persons carry identity_info {} (no face_ids, no image_id)",
    "V1EV-SCHEMA-004",
)
V1_IS_SEND_INTEGER = _fault(
    "v1-is-send-integer",
    "schema",
    "v1 events carry common.is_send as the integer 0/1 instead of a boolean (seed 001's example)",
    "V1EV-SCHEMA-014",
)
V2_DEVICE_TYPE_CARD = _fault(
    "v2-device-type-card",
    "schema",
    'v2 events of card readers carry media_device_type "card", outside v2\'s photo/rtsp/file',
    "V2EV-SCHEMA-014",
)
V2_FEATURE_WRONG_LENGTH = _fault(
    "v2-feature-wrong-length",
    "schema",
    "v2 feature_binary decodes to 511 float32 values instead of 512",
    "V2EV-SCHEMA-020",
)

# --- WebSocket (honoured by websocket_server.py) -----------------------------------------------
WS_PUSH_BEFORE_CONFIG = _fault(
    "ws-push-before-config",
    "websocket",
    "the push starts right after connecting, before the client sent its configuration",
    "WS-WS-002",
)
WS_IGNORE_EVENT_LIST = _fault(
    "ws-ignore-event-list",
    "websocket",
    "events of every device are pushed, whatever event_list says",
    "WS-WS-006",
    "WS-WS-007",
)
WS_PICTURES_UNREQUESTED = _fault(
    "ws-pictures-unrequested",
    "websocket",
    "recognize_face and reg_pic are sent although need_face / need_register are false",
    "WS-WS-004",
    "WS-WS-005",
)
WS_RECONFIG_IGNORED = _fault(
    "ws-reconfig-ignored",
    "websocket",
    "a second configuration message is ignored; the first one stays in force",
    "WS-WS-010",
)
WS_DIES_ON_BAD_CONFIG = _fault(
    "ws-dies-on-bad-config",
    "websocket",
    "a malformed configuration message takes the push server down for every client",
    "WS-WS-011",
)

# --- uploads (honoured by uploader.py and render_upload.py) ----------------------------------
UPLOAD_SECONDS_TIMESTAMPS = _fault(
    "upload-seconds-timestamps",
    "uploads",
    "uploads carry timestamp and out_timestamp as float seconds where integer ms is due",
    "UP-TIME-001",
    "UP-TIME-002",
)
UPLOAD_MISSING_API_VERSION = _fault(
    "upload-missing-api-version",
    "uploads",
    "uploads are sent without the required api_version",
    "UP-SCHEMA-023",
)
UPLOAD_PICTURES_IGNORE_FLAGS = _fault(
    "upload-pictures-ignore-flags",
    "uploads",
    "uploads carry every picture whatever the history_need_* flags say",
    "UP-UPLOAD-007",
    "UP-UPLOAD-008",
    "UP-UPLOAD-009",
)
UPLOAD_LOST_WHEN_DOWN = _fault(
    "upload-lost-when-down",
    "uploads",
    "an event whose delivery fails (receiver down, 5xx) is dropped instead of retried",
    "UP-UPLOAD-002",
    "UP-UPLOAD-003",
)
UPLOAD_DUPLICATE_STORM = _fault(
    "upload-duplicate-storm",
    "uploads",
    "every acknowledged event is sent again several times",
    "UP-UPLOAD-004",
)
UPLOAD_FORM_SENDS_JSON = _fault(
    "upload-form-sends-json",
    "uploads",
    'with content-type "form-data" the uploads are still sent as JSON',
    "UPC-UPLOAD-001",
)
