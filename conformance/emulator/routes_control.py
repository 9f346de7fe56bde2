"""The control plane (`/_emulator/…`, only with --control): seed data, clock, faults, stats."""

from __future__ import annotations

import hmac
import json
from http import HTTPStatus
from typing import Any, Final

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from conformance.emulator.app_state import AppState
from conformance.emulator.clock import ClockMode, ClockSetting
from conformance.emulator.control_values import (
    bad,
    field,
    object_list,
    parse_device,
    parse_identity,
)
from conformance.emulator.errors import ControlError
from conformance.emulator.faults.hooks import EVENT_RECORDED
from conformance.emulator.faults.model import UnknownFaultError
from conformance.emulator.generator import generate_batches, parse_generate
from conformance.emulator.handlers import Endpoint, Handler, endpoint
from conformance.emulator.injection import event_from_spec, stable_seed
from conformance.emulator.request_values import BadValueError, json_int, json_string_list
from conformance.emulator.store.database import DuplicateEventError

MAX_EVENTS_PER_CALL: Final = 100_000


def _authorised(request: Request, state: AppState) -> None:
    if state.control_token is None:
        return
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip(), state.control_token):
        raise ControlError(
            HTTPStatus.UNAUTHORIZED, "UNAUTHORIZED", "control plane needs 'Authorization: Bearer <token>'"
        )


def control(handler: Handler) -> Endpoint:
    """An endpoint behind the optional bearer token."""

    async def guarded(request: Request, state: AppState) -> Response:
        _authorised(request, state)
        return await handler(request, state)

    return endpoint(guarded)


async def _body(request: Request, *, allow_empty: bool = False) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        if allow_empty:
            return {}
        raise ControlError(HTTPStatus.BAD_REQUEST, "EMPTY_REQUEST_JSON", "request body is empty")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise ControlError(
            HTTPStatus.BAD_REQUEST, "INVALID_REQUEST_JSON", "request body is not valid JSON"
        ) from None
    if not isinstance(data, dict):
        raise ControlError(
            HTTPStatus.BAD_REQUEST, "INVALID_REQUEST_JSON", "request body must be a JSON object"
        )
    return data


async def reset(request: Request, state: AppState) -> Response:
    """POST /_emulator/reset: back to an empty box with the startup clock and faults."""
    await run_in_threadpool(state.reset)
    return JSONResponse({"reset": True})


async def add_devices(request: Request, state: AppState) -> Response:
    """POST /_emulator/devices: add or replace devices."""
    items = object_list(await _body(request), "devices")
    devices = [parse_device(item, f"devices[{n}]") for n, item in enumerate(items)]
    await run_in_threadpool(state.store.upsert_devices, devices)
    return JSONResponse({"devices": [d.device_id for d in devices]})


async def add_identities(request: Request, state: AppState) -> Response:
    """POST /_emulator/identities: add or replace registered people."""
    items = object_list(await _body(request), "identities")
    identities = []
    for n, item in enumerate(items):
        seed = stable_seed("identity", item.get("identity_id"), state.seed)
        identities.append(parse_identity(item, f"identities[{n}]", seed))
    await run_in_threadpool(state.store.upsert_identities, identities)
    return JSONResponse({"identities": [i.identity_id for i in identities]})


def _insert_specs(state: AppState, specs: list[dict[str, Any]]) -> list[str]:
    store = state.store
    devices = {d.device_id: d for d in store.devices()}
    identities = {i.identity_id: i for i in store.identities()}
    first = store.reserve_sequence(len(specs))
    now = state.clock.now_ms()
    records = [
        state.faults.apply(
            EVENT_RECORDED,
            event_from_spec(
                spec, f"events[{n}]", seq=first + n, now_ms=now, devices=devices, identities=identities
            ),
        )
        for n, spec in enumerate(specs)
    ]
    try:
        ids = store.insert_events(records)
    except DuplicateEventError as exc:
        raise ControlError(HTTPStatus.CONFLICT, "ID_REPEAT_ERROR", str(exc)) from None
    state.publish(records)
    return ids


async def add_events(request: Request, state: AppState) -> Response:
    """POST /_emulator/events: store events as recognitions; answers once they are durable."""
    specs = object_list(await _body(request), "events")
    if len(specs) > MAX_EVENTS_PER_CALL:
        raise bad("events", f"at most {MAX_EVENTS_PER_CALL} events per call")
    ids = await run_in_threadpool(_insert_specs, state, specs)
    return JSONResponse({"event_ids": ids})


def _generate(state: AppState, body: dict[str, Any]) -> dict[str, Any]:
    store = state.store
    request = parse_generate(body, state.clock.now_ms())
    devices = store.devices()
    if request.device_ids is not None:
        known = {d.device_id: d for d in devices}
        unknown = [d for d in request.device_ids if d not in known]
        if unknown:
            raise bad("device_ids", f"unknown devices {unknown[:5]}; add them with POST /_emulator/devices")
        devices = [known[d] for d in request.device_ids]
    if not devices:
        raise bad("device_ids", "no devices registered; add some with POST /_emulator/devices")
    first = store.reserve_sequence(request.count)
    event_ids: list[str] = []
    for made in generate_batches(request, devices, store.identities(), first):
        batch = [state.faults.apply(EVENT_RECORDED, record) for record in made]
        store.insert_events(batch)
        state.publish(batch)
        event_ids.extend((batch[0].event_id, batch[-1].event_id))
    return {"count": request.count, "first_event_id": event_ids[0], "last_event_id": event_ids[-1]}


async def generate(request: Request, state: AppState) -> Response:
    """POST /_emulator/events/generate: bulk synthetic events in time order."""
    body = await _body(request)
    try:
        answer = await run_in_threadpool(_generate, state, body)
    except DuplicateEventError as exc:
        raise ControlError(HTTPStatus.CONFLICT, "ID_REPEAT_ERROR", str(exc)) from None
    return JSONResponse(answer)


def _clock_setting(body: dict[str, Any]) -> ClockSetting:
    mode_text = body.get("mode")
    modes = {m.value: m for m in ClockMode}
    if mode_text not in modes:
        raise bad("mode", "expected 'frozen', 'offset' or 'real'")
    mode = modes[mode_text]
    if mode is ClockMode.FROZEN:
        if "now_ms" not in body:
            raise bad("now_ms", "is required for mode 'frozen'")
        return ClockSetting(mode, now_ms=field(body, "now_ms", "", json_int, 0))
    if mode is ClockMode.OFFSET:
        if "offset_ms" not in body:
            raise bad("offset_ms", "is required for mode 'offset'")
        return ClockSetting(mode, offset_ms=field(body, "offset_ms", "", json_int, 0))
    return ClockSetting(mode)


async def clock(request: Request, state: AppState) -> Response:
    """GET/POST /_emulator/clock: read or set the emulator's time."""
    if request.method == "POST":
        setting = _clock_setting(await _body(request))
        if abs(setting.now_ms) >= 10**14 or abs(setting.offset_ms) >= 10**14:
            raise bad("now_ms/offset_ms", "out of range (|value| < 1e14)")
        state.clock.set(setting)
    return JSONResponse(state.clock.status())


async def faults(request: Request, state: AppState) -> Response:
    """GET/POST /_emulator/faults: list, enable and disable named faults."""
    if request.method == "POST":
        body = await _body(request)
        enable: list[str] = field(body, "enable", "", json_string_list, [])
        disable: list[str] = field(body, "disable", "", json_string_list, [])
        try:
            for name in (*enable, *disable):
                state.faults.catalog.get(name)
        except UnknownFaultError as exc:
            raise bad("faults", str(exc)) from None
        state.faults.enable(enable)
        state.faults.disable(disable)
    return JSONResponse(state.faults.catalog.listing(state.faults.active_names()))


async def face_photo(request: Request, state: AppState) -> Response:
    """GET /_emulator/faces/{identity_id}?variant=N: a photo of a registered person (for picture search)."""
    identity_id = request.path_params["identity_id"]
    text = request.query_params.get("variant", "0")
    try:
        variant = json_int(json.loads(text))
    except (ValueError, BadValueError):
        raise bad("variant", "expected an integer") from None
    if not 0 <= variant < 2**31:
        raise bad("variant", "expected 0 <= variant < 2**31")
    identity = await run_in_threadpool(state.store.identity, identity_id)
    if identity is None:
        raise ControlError(HTTPStatus.NOT_FOUND, "ID_NOT_FOUND", identity_id)
    from conformance.emulator.faces import render_face_jpeg  # lazy: loads Pillow on first use

    jpeg = await run_in_threadpool(render_face_jpeg, identity.face_seed, variant)
    return Response(jpeg, media_type="image/jpeg")


async def stats(request: Request, state: AppState) -> Response:
    """GET /_emulator/stats: counts of stored rows, deliveries and live connections."""
    counts: dict[str, Any] = await run_in_threadpool(state.store.stats)
    for name, provider in state.stats_providers.items():
        counts[name] = provider()
    counts["faults_active"] = state.faults.active_names()
    counts["clock"] = state.clock.status()
    return JSONResponse(counts)


ROUTES: Final = [
    Route("/_emulator/reset", control(reset), methods=["POST"]),
    Route("/_emulator/devices", control(add_devices), methods=["POST"]),
    Route("/_emulator/identities", control(add_identities), methods=["POST"]),
    Route("/_emulator/events", control(add_events), methods=["POST"]),
    Route("/_emulator/events/generate", control(generate), methods=["POST"]),
    Route("/_emulator/clock", control(clock), methods=["GET", "POST"]),
    Route("/_emulator/faults", control(faults), methods=["GET", "POST"]),
    Route("/_emulator/faces/{identity_id}", control(face_photo), methods=["GET"]),
    Route("/_emulator/stats", control(stats), methods=["GET"]),
]
