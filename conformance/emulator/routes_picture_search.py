"""POST /SophonMatch/api/picturesearch (seed 002): parse, read the photo's largest face, search, render.

Errors use the v1 envelope `{"error": {"code": <HTTP status>, "message": "...", "status": "<v2 code>"}}`
(seed 002 请求失败, E19). Times in and out are float epoch seconds (E20).
"""

from __future__ import annotations

import base64
import binascii
import math
import time
from dataclasses import dataclass
from decimal import Decimal
from http import HTTPStatus
from typing import Any, Final

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from conformance.emulator.errors import ApiError, V1ApiError
from conformance.emulator.faces import (
    FiqaLevel,
    ImageDecodeError,
    NoFaceError,
    quality_failures,
    read_largest_face,
)
from conformance.emulator.faults.hooks import (
    NO_FAULTS,
    SEARCH_REQUEST,
    SEARCH_SCAN,
    SEARCH_WINDOW,
    FaultHooks,
)
from conformance.emulator.json_body import read_json_object
from conformance.emulator.picture_search import (
    DEFAULT_THRESHOLD,
    Deviations,
    SearchOutcome,
    StoreCandidates,
    WindowError,
    plan_scan,
    resolve_window,
    run_search,
)
from conformance.emulator.render_search import refusal_answer, success_answer
from conformance.emulator.request_values import ValueProblem, json_number, json_string, json_string_list

PATH: Final = "/SophonMatch/api/picturesearch"
_SECONDS_RANGE: Final = (1e9, 1e10)  # 10 integer digits: anything else is not epoch seconds (E20)


@dataclass(frozen=True)
class SearchParams:
    """A validated request (times still in float seconds, as sent)."""

    image: bytes
    fiqa_level: FiqaLevel
    with_debug_info: bool
    starttime: float | None
    endtime: float | None
    last_end_timestamp: float | None
    threshold: float
    device_ids: list[str] | None
    reverse: bool


def _bad(key: str, detail: str) -> V1ApiError:
    return V1ApiError(HTTPStatus.BAD_REQUEST, "INVALID_ARGUMENTS", f"{key}: {detail}")


def _seconds(body: dict[str, Any], key: str) -> float | None:
    value = body.get(key)
    if value is None:
        return None
    number = json_number(value)
    low, high = _SECONDS_RANGE
    if not low <= number < high:
        raise ValueProblem(f"expected epoch seconds (10 integer digits), got {number!r}")
    return number


def _flag(body: dict[str, Any], key: str, default: bool) -> bool:
    value = body.get(key)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ValueProblem("expected true or false")
    return value


def _image(body: dict[str, Any]) -> bytes:
    value = body.get("face_image_base64")
    if value is None:
        raise V1ApiError(HTTPStatus.BAD_REQUEST, "MISSING_ARGUMENTS", "face_image_base64")
    if not isinstance(value, str):
        raise _bad("face_image_base64", "expected a base64 string")
    try:
        return base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        raise V1ApiError(
            HTTPStatus.BAD_REQUEST, "IMAGE_DECODE_ERROR", "face_image_base64 is not valid base64"
        ) from None


def parse_params(body: dict[str, Any]) -> SearchParams:
    """Validate the body per seed 002; a V1ApiError names the first offending key."""
    image = _image(body)
    key = ""
    try:
        key = "fiqa_level"
        level = body.get(key)
        fiqa = FiqaLevel.NO if level is None else FiqaLevel(json_string(level))
        key = "with_debug_info"
        debug = _flag(body, key, False)
        key = "reverse"
        reverse = _flag(body, key, True)
        key = "threshold"
        raw = body.get(key)
        threshold = DEFAULT_THRESHOLD if raw is None else json_number(raw)
        if not 0.0 <= threshold <= 100.0:
            raise ValueProblem("expected a number from 0 to 100")
        key = "device_id_list"
        devices = body.get(key)
        device_ids = None if devices is None else json_string_list(devices) or None
        times = {}
        for key in ("starttime", "endtime", "last_end_timestamp"):
            times[key] = _seconds(body, key)
    except ValueProblem as problem:
        raise _bad(key, str(problem)) from None
    except ValueError:
        raise _bad(key, "expected one of no, low, middle, high") from None
    return SearchParams(
        image=image,
        fiqa_level=fiqa,
        with_debug_info=debug,
        starttime=times["starttime"],
        endtime=times["endtime"],
        last_end_timestamp=times["last_end_timestamp"],
        threshold=threshold,
        device_ids=device_ids,
        reverse=reverse,
    )


def seconds_to_ms(value: float, *, round_up: bool) -> int:
    """Float seconds → integer ms, exactly: via the shortest decimal form (1598218558.752 → …752)."""
    ms = Decimal(repr(value)) * 1000
    return int(math.ceil(ms) if round_up else math.floor(ms))


def faults_of(request: Request) -> FaultHooks:
    """The active faults of this emulator (none for an app built without them, e.g. benchmarks)."""
    faults: FaultHooks = getattr(request.app.state, "faults", NO_FAULTS)
    return faults


def _search(request: Request, params: SearchParams, faults: FaultHooks) -> SearchOutcome:
    """The blocking part (image decoding, the scan), run in a worker thread."""
    try:
        reading = read_largest_face(params.image)
    except ImageDecodeError as exc:
        raise V1ApiError(HTTPStatus.BAD_REQUEST, "IMAGE_DECODE_ERROR", str(exc)) from None
    except NoFaceError as exc:
        raise V1ApiError(HTTPStatus.BAD_REQUEST, "NO_FACE_ERROR", str(exc)) from None
    failed = quality_failures(reading, params.fiqa_level)
    if failed:
        raise V1ApiError(HTTPStatus.BAD_REQUEST, "LOW_QUALITY_ERROR", ",".join(failed))
    state = request.app.state
    start = None if params.starttime is None else seconds_to_ms(params.starttime, round_up=True)
    end = None if params.endtime is None else seconds_to_ms(params.endtime, round_up=False)
    start, end = faults.apply(SEARCH_WINDOW, (start, end), params=params, now_ms=state.clock.now_ms())
    deviations = faults.apply(SEARCH_SCAN, Deviations())
    try:
        window = resolve_window(start, end, state.clock.now_ms(), deviations)
    except WindowError as exc:
        raise _bad(exc.key, exc.reason) from None
    last_end = None
    if params.last_end_timestamp is not None:
        last_end = seconds_to_ms(params.last_end_timestamp, round_up=params.reverse)
    plan = plan_scan(window, params.reverse, last_end, deviations)
    return run_search(
        StoreCandidates.for_store(state.store),
        reading.feature,
        plan,
        threshold=params.threshold,
        device_ids=params.device_ids,
        deviations=deviations,
    )


async def picture_search(request: Request) -> Response:
    """Handle one picture search; every refusal is a 4xx in the v1 envelope (the `search.*` hooks bend it)."""
    started = time.perf_counter()
    faults = faults_of(request)
    try:
        try:
            body = await read_json_object(request)
        except ApiError as exc:
            raise V1ApiError(exc.status, exc.code, exc.message) from None
        params = faults.apply(SEARCH_REQUEST, parse_params(body))
        outcome = await run_in_threadpool(_search, request, params, faults)
    except V1ApiError as exc:
        now_ms = request.app.state.clock.now_ms()
        return refusal_answer(exc, time.perf_counter() - started, now_ms, faults)
    return success_answer(outcome, time.perf_counter() - started, faults)


ROUTES: list[Route] = [Route(PATH, picture_search, methods=["POST"])]
