"""The v2 HTTP calls: getevents (seed 000), getevent, getspotimage and login (references)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Final

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from conformance.emulator.app_state import AppState
from conformance.emulator.errors import ApiError, invalid, missing
from conformance.emulator.faults.hooks import CALL_ANSWER, CALL_REQUEST, QUERY_PAGE, SPOT_IMAGE
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
    answer = {
        "events": [render_event(r, state.faults) for r in records],
        "pagination": {
            "page_index": query.page_index,
            "page_limit": query.page_limit,
            "total_count": total,
        },
    }
    return JSONResponse(state.faults.apply(QUERY_PAGE, answer, api="v2"))


async def getevent(request: Request, state: AppState) -> Response:
    """POST /sophon/v2/face/getevent: one event by id."""
    body = await read_json_object(request)
    if "event_id" not in body:
        raise missing("event_id")
    body = state.faults.apply(CALL_REQUEST, body, call="getevent")
    try:
        event_id = json_string(body["event_id"])
    except BadValueError:
        raise invalid("event_id") from None
    record = await run_in_threadpool(state.store.get_event, event_id)
    if record is None:
        raise ApiError(HTTPStatus.NOT_FOUND, "ID_NOT_FOUND", event_id)
    return JSONResponse(render_event(record, state.faults))


def _timestamp_ms(text: str) -> float:
    value = text_number(text)
    return value if value >= 1e11 else value * 1000.0  # seconds (the example) or ms (our events, E02)


async def getspotimage(request: Request, state: AppState) -> Response:
    """GET /sophon/v2/face/getspotimage/{image_id}?timestamp=: the JPEG of a scene or face picture."""
    image_id = request.path_params["image_id"]
    params = state.faults.apply(CALL_REQUEST, request.query_params, call="getspotimage")
    text = params.get("timestamp")
    if text is None or text == "":
        raise missing("timestamp")
    try:
        ts_ms = _timestamp_ms(text)
    except BadValueError:
        raise invalid("timestamp") from None
    parts, ts_ms = state.faults.apply(SPOT_IMAGE, (image_event_id(image_id), ts_ms), text=text)
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
    accepted = tuple(values) == LOGIN_USER
    state.faults.apply(CALL_REQUEST, body, call="login", accepted=accepted)
    if not accepted:
        raise ApiError(HTTPStatus.UNAUTHORIZED, "PASSWORD_ERROR", "wrong username or password")
    return JSONResponse(state.faults.apply(CALL_ANSWER, {"result": True}, call="login"))


ROUTES: Final = [
    Route("/sophon/v2/face/getevents", endpoint(getevents), methods=["POST"]),
    Route("/sophon/v2/face/getevent", endpoint(getevent), methods=["POST"]),
    Route("/sophon/v2/face/getspotimage/{image_id}", endpoint(getspotimage), methods=["GET"]),
    Route("/sophon/v2/face/login", endpoint(login), methods=["POST"]),
]
