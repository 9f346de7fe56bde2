"""The v2 HTTP calls: getevents (seed 000), getevent, getspotimage and login (references)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Final

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from conformance.emulator.app_state import AppState
from conformance.emulator.device_faults import login_result
from conformance.emulator.errors import ApiError, invalid, missing
from conformance.emulator.faults import V2_TOTAL_COUNT_OF_PAGE
from conformance.emulator.faults.catalog_errors import (
    IMG_FACE_ID_NOT_SERVED,
    IMG_TIMESTAMP_SECONDS_ONLY,
    IMG_TIMESTAMP_UNCHECKED_500,
    LOGIN_WRONG_PASSWORD_500,
    V2_GETEVENT_NUMBER_ID_500,
    V2_GETEVENT_UNKNOWN_EMPTY,
)
from conformance.emulator.handlers import endpoint
from conformance.emulator.json_body import read_json_object
from conformance.emulator.model import image_event_id
from conformance.emulator.params_v2 import parse_getevents
from conformance.emulator.render_v2 import render_event
from conformance.emulator.request_values import BadValueError, json_string, text_number

IMAGE_TIME_TOLERANCE_MS: Final = 24 * 3600 * 1000  # the box files pictures by day
LOGIN_USER: Final = ("admin", "admin")


async def getevents(request: Request, state: AppState) -> Response:
    """POST /sophon/v2/face/getevents: filtered page of events, newest first."""
    query = parse_getevents(await read_json_object(request), state.faults)
    records, total = await run_in_threadpool(state.store.query, query.filters, query.page)
    if state.faults.active(V2_TOTAL_COUNT_OF_PAGE):
        total = len(records)
    return JSONResponse(
        {
            "events": [render_event(r, state.faults) for r in records],
            "pagination": {
                "page_index": query.page_index,
                "page_limit": query.page_limit,
                "total_count": total,
            },
        }
    )


async def getevent(request: Request, state: AppState) -> Response:
    """POST /sophon/v2/face/getevent: one event by id."""
    body = await read_json_object(request)
    if "event_id" not in body:
        raise missing("event_id")
    if not isinstance(body["event_id"], str) and state.faults.active(V2_GETEVENT_NUMBER_ID_500):
        raise TypeError("event_id is not a str")  # the endpoint answers HTTP 500 INTERNAL_ERROR
    try:
        event_id = json_string(body["event_id"])
    except BadValueError:
        raise invalid("event_id") from None
    record = await run_in_threadpool(state.store.get_event, event_id)
    if record is None and state.faults.active(V2_GETEVENT_UNKNOWN_EMPTY):
        return JSONResponse({})
    if record is None:
        raise ApiError(HTTPStatus.NOT_FOUND, "ID_NOT_FOUND", event_id)
    return JSONResponse(render_event(record, state.faults))


def _timestamp_ms(text: str, seconds_only: bool = False) -> float:
    value = text_number(text)
    if seconds_only:
        return value * 1000.0
    return value if value >= 1e11 else value * 1000.0  # seconds (the example) or ms (our events, E02)


async def getspotimage(request: Request, state: AppState) -> Response:
    """GET /sophon/v2/face/getspotimage/{image_id}?timestamp=: the JPEG of a scene or face picture."""
    image_id = request.path_params["image_id"]
    text = request.query_params.get("timestamp")
    if state.faults.active(IMG_TIMESTAMP_UNCHECKED_500):
        ts_ms = float(text or "")  # a missing or non-numeric timestamp raises: HTTP 500 INTERNAL_ERROR
    if text is None or text == "":
        raise missing("timestamp")
    try:
        ts_ms = _timestamp_ms(text, seconds_only=state.faults.active(IMG_TIMESTAMP_SECONDS_ONLY))
    except BadValueError:
        raise invalid("timestamp") from None
    parts = image_event_id(image_id)
    if parts is not None and parts[1] == "face" and state.faults.active(IMG_FACE_ID_NOT_SERVED):
        parts = None
    record = None if parts is None else await run_in_threadpool(state.store.get_event, parts[0])
    if parts is None or record is None or abs(record.ts_ms - ts_ms) > IMAGE_TIME_TOLERANCE_MS:
        raise ApiError(HTTPStatus.NOT_FOUND, "ID_NOT_FOUND", image_id)
    from conformance.emulator.faces import (  # lazy: loads Pillow on first use
        render_face_jpeg,
        render_spot_jpeg,
    )

    render = render_spot_jpeg if parts[1] == "spot" else render_face_jpeg
    jpeg = await run_in_threadpool(render, record.face_seed, record.face_variant)
    return Response(jpeg, media_type="image/jpeg")


async def login(request: Request, state: AppState) -> Response:
    """POST /sophon/v2/face/login: admin/admin logs in."""
    body = await read_json_object(request)
    values = []
    for key in ("username", "password"):
        if key not in body:
            raise missing(key)
        try:
            values.append(json_string(body[key]))
        except BadValueError:
            raise invalid(key) from None
    if tuple(values) != LOGIN_USER and state.faults.active(LOGIN_WRONG_PASSWORD_500):
        raise RuntimeError("login failed")  # the endpoint answers HTTP 500 INTERNAL_ERROR
    if tuple(values) != LOGIN_USER:
        raise ApiError(HTTPStatus.UNAUTHORIZED, "PASSWORD_ERROR", "wrong username or password")
    return JSONResponse({"result": login_result(state.faults.active)})


ROUTES: Final = [
    Route("/sophon/v2/face/getevents", endpoint(getevents), methods=["POST"]),
    Route("/sophon/v2/face/getevent", endpoint(getevent), methods=["POST"]),
    Route("/sophon/v2/face/getspotimage/{image_id}", endpoint(getspotimage), methods=["GET"]),
    Route("/sophon/v2/face/login", endpoint(login), methods=["POST"]),
]
