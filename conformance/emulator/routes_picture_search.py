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

from conformance.emulator.device_faults import bent_search_devices
from conformance.emulator.errors import ApiError, V1ApiError
from conformance.emulator.faces import (
    FiqaLevel,
    ImageDecodeError,
    NoFaceError,
    quality_failures,
    read_largest_face,
)
from conformance.emulator.faults import REGISTRY, Fault
from conformance.emulator.identity_faults import bend_search_identity
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
from conformance.emulator.render_search import AnswerShape, refusal_answer, success_answer
from conformance.emulator.request_values import ValueProblem, json_number, json_string, json_string_list
from conformance.emulator.search_push_faults import bent_search_answer, times_read_as_ms

PATH: Final = "/SophonMatch/api/picturesearch"
_SECONDS_RANGE: Final = (1e9, 1e10)  # 10 integer digits: anything else is not epoch seconds (E20)


def _register(name: str, description: str, requirements: tuple[str, ...]) -> str:
    REGISTRY.register(Fault(name, description, requirements, "picture-search"))
    return name


PS_THRESHOLD_WRONG_SCALE = _register(
    "ps-threshold-wrong-scale",
    "picture search matches when compare_score >= threshold/1000",
    ("PS-SEARCH-012",),
)
PS_WINDOW_LIMIT_NOT_ENFORCED = _register(
    "ps-window-limit-not-enforced", "picture search accepts windows of a month or longer", ("PS-SEARCH-007",)
)
PS_CONTINUATION_SKIPS = _register(
    "ps-continuation-skips",
    "picture search reports as endtimestamp the first millisecond it did not scan, so it is skipped",
    ("PS-SEARCH-011",),
)
PS_CONTINUATION_REPEATS = _register(
    "ps-continuation-repeats",
    "picture search treats last_end_timestamp as inclusive, so its millisecond is returned twice",
    ("PS-SEARCH-011",),
)
PS_CAP_NOT_APPLIED = _register(
    "ps-cap-not-applied",
    "picture search scans and returns everything (no 50,000 / 1,000 caps)",
    ("PS-SEARCH-016", "PS-SEARCH-017"),
)
PS_REVERSE_IGNORED = _register(
    "ps-reverse-ignored",
    "picture search always scans oldest first, whatever reverse says",
    ("PS-SEARCH-014",),
)


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


def shape_of(request: Request) -> AnswerShape:
    """How this emulator writes answers (the tables unless a variation or fault says otherwise)."""
    faults = getattr(request.app.state, "faults", None)
    return AnswerShape() if faults is None else AnswerShape.from_faults(faults.active)


def deviations_of(request: Request) -> Deviations:
    """The active picture-search faults of this emulator."""
    faults = getattr(request.app.state, "faults", None)
    if faults is None:
        return Deviations()
    return Deviations(
        threshold_wrong_scale=faults.active(PS_THRESHOLD_WRONG_SCALE),
        window_limit_not_enforced=faults.active(PS_WINDOW_LIMIT_NOT_ENFORCED),
        continuation_skips=faults.active(PS_CONTINUATION_SKIPS),
        continuation_repeats=faults.active(PS_CONTINUATION_REPEATS),
        cap_not_applied=faults.active(PS_CAP_NOT_APPLIED),
        reverse_ignored=faults.active(PS_REVERSE_IGNORED),
    )


def _search(request: Request, params: SearchParams, deviations: Deviations) -> SearchOutcome:
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
    if times_read_as_ms(getattr(state, "faults", None)):  # a firmware that reads seconds as ms: 1970
        start, end = (None if value is None else int(value) for value in (params.starttime, params.endtime))
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
    """Handle one picture search; every refusal is a 4xx in the v1 envelope."""
    started = time.perf_counter()
    shape = shape_of(request)
    try:
        try:
            body = await read_json_object(request)
        except ApiError as exc:
            raise V1ApiError(exc.status, exc.code, exc.message) from None
        params = parse_params(body)
        outcome = await run_in_threadpool(_search, request, params, deviations_of(request))
    except V1ApiError as exc:
        return refusal_answer(exc, time.perf_counter() - started, request.app.state.clock.now_ms(), shape)
    answer = success_answer(outcome, time.perf_counter() - started, shape)
    faults = getattr(request.app.state, "faults", None)
    active = None if faults is None else faults.active
    return bend_search_identity(bent_search_devices(bent_search_answer(answer, faults), faults), active)


ROUTES: list[Route] = [Route(PATH, picture_search, methods=["POST"])]
