"""Faults of device identity (device list, v2 media_device_info, search and upload ep_info), of the
HistoryEventUrl answer and fan-out, of WebSocket configuration defaults and of the login answer: each one a
deviation a firmware could ship, and the requirements it breaks.

They are honoured under these names by `conformance.emulator.device_faults` and the few hooks that call it.
"""

from __future__ import annotations

from conformance.emulator.faults.catalog import _fault  # the catalog's one way to register a fault

# --- device identity ---------------------------------------------------------------------------
DEVICES_WITHOUT_TYPE = _fault(
    "devices-without-type",
    "schema",
    "the device list leaves device_type out of every entry (the web UI derives it from device_key)",
    "DEV-SCHEMA-003",
)
V2_MEDIA_DEVICE_UNLISTED = _fault(
    "v2-media-device-unlisted",
    "schema",
    "v2 media_device_info.media_device_id is an internal stream index (stream-0), not a listed device_id",
    "V2EV-SCHEMA-015",
)
PS_EP_NAME_EMPTY = _fault(
    "ps-ep-name-empty",
    "picture-search",
    'picture search items carry ep_info.ep_name "" instead of the producing device\'s name',
    "PS-SCHEMA-021",
)
PS_DEVICE_ID_IS_IP = _fault(
    "ps-device-id-is-ip",
    "picture-search",
    "picture search items carry the camera's IP as ep_info.device_id instead of its device_id",
    "PS-SCHEMA-022",
)
UPLOAD_EP_NAME_EMPTY = _fault(
    "upload-ep-name-empty",
    "uploads",
    'uploads carry ep_info.ep_name "" instead of the producing device\'s name',
    "UP-SCHEMA-013",
)
UPLOAD_DEVICE_ID_IS_IP = _fault(
    "upload-device-id-is-ip",
    "uploads",
    "uploads carry the camera's IP as ep_info.device_id instead of its device_id",
    "UP-SCHEMA-014",
)

# --- upload setting (HistoryEventUrl) ------------------------------------------------------------
UPC_URLS_JOINED = _fault(
    "upc-urls-joined",
    "uploads",
    "HistoryEventUrl answers history_upload_event_url as one comma-joined string instead of a list",
    "UPC-CONFIG-003",
)
UPC_PERIOD_STRING = _fault(
    "upc-period-string",
    "uploads",
    'HistoryEventUrl answers reported_peroid as a string ("60") instead of an integer',
    "UPC-CONFIG-008",
)
UPC_POST_MESSAGE_ONLY = _fault(
    "upc-post-message-only",
    "uploads",
    'a successful HistoryEventUrl POST answers data {"message": "success"} without the stored configuration',
    "UPC-CONFIG-009",
)
UPLOAD_FIRST_URL_ONLY = _fault(
    "upload-first-url-only",
    "uploads",
    "uploads go to the first URL of history_upload_event_url only; the others receive nothing",
    "UPC-UPLOAD-002",
)

# --- WebSocket defaults, login -------------------------------------------------------------------
WS_NO_EVENT_LIST_ALL = _fault(
    "ws-no-event-list-all",
    "websocket",
    "a WebSocket configuration without event_list follows every device instead of none (default [])",
    "WS-WS-012",
)
LOGIN_RESULT_OK_STRING = _fault(
    "login-result-ok-string",
    "schema",
    'a successful login answers {"result": "ok"} instead of {"result": true}',
    "LOGIN-SCHEMA-002",
)
