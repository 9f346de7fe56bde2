"""The v1 HTTP calls: events (seed 001), the device list and the upload-URL configuration (references)."""

from __future__ import annotations

import json
import math
from http import HTTPStatus
from typing import Any, Final

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from conformance.emulator.app_state import AppState
from conformance.emulator.errors import V1ApiError, invalid
from conformance.emulator.faults.hooks import CALL_ANSWER, CALL_REQUEST, PAGE_REQUEST, QUERY_PAGE, FaultHooks
from conformance.emulator.handlers import endpoint
from conformance.emulator.history_config import (
    SETTINGS_KEY,
    HistoryUploadConfig,
    load_history_config,
    parse_form_config,
    parse_json_config,
)
from conformance.emulator.model import DeviceRecord
from conformance.emulator.params_v1 import parse_events_query
from conformance.emulator.render_v1 import render_event
from conformance.emulator.request_values import BadValueError, text_bool
from conformance.emulator.store.query import PageRequest

FORM_TYPES: Final = ("multipart/form-data", "application/x-www-form-urlencoded")


async def events(request: Request, state: AppState) -> Response:
    """GET /SophonFace/api/events: filtered page of v1 events, newest first; top_k caps total_count."""
    query = parse_events_query(request.query_params, state.faults)
    page = PageRequest(query.page * query.per_page, query.per_page)
    page = state.faults.apply(PAGE_REQUEST, page, api="v1", page_index=query.page, page_limit=query.per_page)
    records, total = await run_in_threadpool(state.store.query, query.filters, page)
    answer = {
        "data": [render_event(r, state.faults) for r in records],
        "pagination": {
            "num_pages": math.ceil(total / query.per_page),
            "page": query.page,
            "per_page": query.per_page,
            "total_count": total,
        },
    }
    return JSONResponse(state.faults.apply(QUERY_PAGE, answer, api="v1"))


def render_device(device: DeviceRecord) -> dict[str, Any]:
    """One entry of devices_list, shaped like the reference example."""
    return {
        "device_id": device.device_id,
        "device_attr": {
            "actions": {
                "do_attribute": True,
                "do_detect": True,
                "do_feature": True,
                "do_match": True,
                "do_track": device.device_type == "rtsp",
                "fast_mode": False,
                "paint_bbox": False,
                "paint_landmark": False,
            }
        },
        "device_ip": device.device_ip,
        "device_key": device.device_key,
        "device_name": device.device_name,
        "device_type": device.device_type,
        "group_id": device.group_id,
        "netRelay": {},
        "permission_id": device.permission_id,
    }


async def devices(request: Request, state: AppState) -> Response:
    """GET /SophonDevice/api/Devices: all devices, one by device_id, optionally the preview list."""
    params = state.faults.apply(CALL_REQUEST, request.query_params, call="devices")
    need_preview = False
    if params.get("need_preview_list"):
        try:
            need_preview = text_bool(params["need_preview_list"])
        except BadValueError as exc:
            raise invalid("need_preview_list", v1=True, detail=str(exc)) from None
    device_id = params.get("device_id") or None
    found = await run_in_threadpool(state.store.devices)
    if device_id is not None:
        found = [d for d in found if d.device_id == device_id]
        if not found:
            raise V1ApiError(
                HTTPStatus.NOT_FOUND, "DEVICE_ID_NOT_FOUND", f"device_id {device_id!r} not found"
            )
    data: dict[str, Any] = {"devices_list": [render_device(d) for d in found]}
    data = state.faults.apply(CALL_ANSWER, data, call="devices", found=found)
    if need_preview:
        ids = [d.device_id for d in found]
        data["preview_list"] = {
            "preview_list": ids,
            "current_preview_list": ids,
            "preview_mode": "1",
            "last_set_name": "WEBUI",
        }
    return JSONResponse({"data": data})


def _config_response(config: HistoryUploadConfig, faults: FaultHooks, posted: bool = False) -> JSONResponse:
    data = {"message": "success", **config.as_json()}
    return JSONResponse({"data": faults.apply(CALL_ANSWER, data, call="upload_setting", posted=posted)})


async def _read_config(request: Request, faults: FaultHooks) -> HistoryUploadConfig:
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type == "application/json":
        raw = await request.body()
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError):
            raise V1ApiError(
                HTTPStatus.BAD_REQUEST, "INVALID_REQUEST_JSON", "body is not valid JSON"
            ) from None
        if not isinstance(body, dict):
            raise V1ApiError(HTTPStatus.BAD_REQUEST, "INVALID_REQUEST_JSON", "body must be a JSON object")
        return parse_json_config(faults.apply(CALL_REQUEST, body, call="upload_setting"))
    if media_type in FORM_TYPES:
        try:
            form = await request.form(max_files=0, max_fields=100)
        except Exception as exc:  # malformed multipart: python-multipart raises several types
            raise V1ApiError(
                HTTPStatus.BAD_REQUEST, "INVALID_ARGUMENTS", f"malformed form data: {exc}"
            ) from None
        fields: dict[str, list[str]] = {}
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                raise invalid(key, v1=True, detail="files are not accepted")
            fields.setdefault(key, []).append(value)
        return parse_form_config(fields)
    raise V1ApiError(
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
        "UNSUPPORT_CONTENT_TYPE",
        "content-type must be application/json, multipart/form-data or application/x-www-form-urlencoded",
    )


async def history_event_url(request: Request, state: AppState) -> Response:
    """GET/POST /SophonFogSys/api/HistoryEventUrl: read or replace the upload configuration."""
    if request.method == "GET":
        return _config_response(await run_in_threadpool(load_history_config, state.store), state.faults)
    config = await _read_config(request, state.faults)
    await run_in_threadpool(state.store.settings_set, SETTINGS_KEY, config.as_json())
    return _config_response(config, state.faults, posted=True)


ROUTES: Final = [
    Route("/SophonFace/api/events", endpoint(events), methods=["GET"]),
    Route("/SophonDevice/api/Devices", endpoint(devices), methods=["GET"]),
    Route("/SophonFogSys/api/HistoryEventUrl", endpoint(history_event_url), methods=["GET", "POST"]),
]
