"""How the faults of `catalog_devices` bend answers, payloads and configurations, in one place, so each
route or renderer needs one call and stays as it was."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.responses import JSONResponse, Response

from conformance.emulator.faults.catalog_devices import (
    DEVICES_WITHOUT_TYPE,
    LOGIN_RESULT_OK_STRING,
    PS_DEVICE_ID_IS_IP,
    PS_EP_NAME_EMPTY,
    UPC_PERIOD_STRING,
    UPC_POST_MESSAGE_ONLY,
    UPC_URLS_JOINED,
    UPLOAD_DEVICE_ID_IS_IP,
    UPLOAD_EP_NAME_EMPTY,
    UPLOAD_FIRST_URL_ONLY,
    V2_MEDIA_DEVICE_UNLISTED,
    WS_NO_EVENT_LIST_ALL,
)

Active = Callable[[str], bool]
UNLISTED_STREAM_ID = "stream-0"


def _bend_ep_info(ep_info: Any, *, name_empty: bool, id_is_ip: bool) -> None:
    if not isinstance(ep_info, dict):
        return
    if name_empty:
        ep_info["ep_name"] = ""
    if id_is_ip:
        ep_info["device_id"] = ep_info.get("ep_ip", "")


def bend_upload_payload(payload: dict[str, Any], active: Active) -> None:
    """The upload's ep_info as `upload-ep-name-empty` / `upload-device-id-is-ip` write it."""
    _bend_ep_info(
        payload.get("ep_info"),
        name_empty=active(UPLOAD_EP_NAME_EMPTY),
        id_is_ip=active(UPLOAD_DEVICE_ID_IS_IP),
    )


def bent_search_devices(response: Response, faults: Any) -> Response:
    """A search success answer with its items' ep_info bent by `ps-ep-name-empty` / `ps-device-id-is-ip`."""
    if faults is None or not isinstance(response, JSONResponse):
        return response
    name_empty, id_is_ip = faults.active(PS_EP_NAME_EMPTY), faults.active(PS_DEVICE_ID_IS_IP)
    if not (name_empty or id_is_ip):
        return response
    body: dict[str, Any] = json.loads(bytes(response.body))
    for item in body.get("event_list") or []:
        if isinstance(item, dict):
            _bend_ep_info(item.get("ep_info"), name_empty=name_empty, id_is_ip=id_is_ip)
    return JSONResponse(body, status_code=response.status_code)


def bend_v2_event(event: dict[str, Any], active: Active) -> None:
    """`v2-media-device-unlisted`: media_device_id is an internal stream index, not a listed device."""
    info = event.get("media_device_info")
    if active(V2_MEDIA_DEVICE_UNLISTED) and isinstance(info, dict):
        info["media_device_id"] = UNLISTED_STREAM_ID


def bend_devices(devices_list: list[dict[str, Any]], active: Active) -> None:
    """`devices-without-type`: no device_type in any entry of the device list."""
    if active(DEVICES_WITHOUT_TYPE):
        for device in devices_list:
            device.pop("device_type", None)


def bend_upload_setting(data: dict[str, Any], active: Active, *, posted: bool) -> dict[str, Any]:
    """The HistoryEventUrl answer's data as the `upc-*` faults write it."""
    if posted and active(UPC_POST_MESSAGE_ONLY):
        return {"message": data.get("message", "success")}
    if active(UPC_URLS_JOINED):
        data["history_upload_event_url"] = ",".join(data.get("history_upload_event_url") or [])
    if active(UPC_PERIOD_STRING):
        data["reported_peroid"] = str(data.get("reported_peroid"))
    return data


def upload_urls(urls: tuple[str, ...], active: Active) -> tuple[str, ...]:
    """The URLs the uploader serves: all of them, or only the first under `upload-first-url-only`."""
    return urls[:1] if active(UPLOAD_FIRST_URL_ONLY) else urls


def follows_every_device(frame: str | bytes, active: Active) -> bool:
    """`ws-no-event-list-all`: a configuration without event_list follows every device."""
    if not active(WS_NO_EVENT_LIST_ALL) or isinstance(frame, bytes):
        return False
    data = json.loads(frame)
    return isinstance(data, dict) and "event_list" not in data


def login_result(active: Active) -> Any:
    """The `result` of a successful login: true, or "ok" under `login-result-ok-string`."""
    return "ok" if active(LOGIN_RESULT_OK_STRING) else True
