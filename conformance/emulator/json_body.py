"""Read a v2 JSON request body, refusing wrong content types, empty bodies and non-objects with v2 codes."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from starlette.requests import Request

from conformance.emulator.errors import ApiError
from conformance.emulator.faults.hooks import BODY_REFUSED, FaultHooks

Refusal = ApiError | dict[str, Any] | None  # what `v2.body_refused` may turn a refusal into


def is_json_content_type(request: Request) -> bool:
    """True for application/json (any parameters, any case)."""
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return media_type == "application/json"


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


async def read_json_object(request: Request) -> dict[str, Any]:
    """The body as a JSON object, else UNSUPPORT_CONTENT_TYPE, EMPTY_REQUEST_JSON or INVALID_REQUEST_JSON.

    The wrong-type and not-JSON refusals pass the `v2.body_refused` hook first.
    """
    faults: FaultHooks = request.app.state.faults
    if not is_json_content_type(request):
        refused = ApiError(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORT_CONTENT_TYPE",
            "content-type must be application/json",
        )
        pending: Refusal = refused
        if faults.apply(BODY_REFUSED, pending, reason="content-type") is not None:
            raise refused
    raw = await request.body()
    if not raw.strip():
        raise ApiError(HTTPStatus.BAD_REQUEST, "EMPTY_REQUEST_JSON", "request body is empty")
    try:
        data = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        refused = ApiError(HTTPStatus.BAD_REQUEST, "INVALID_REQUEST_JSON", "request body is not valid JSON")
        pending = refused
        read_instead = faults.apply(BODY_REFUSED, pending, reason="json")
        if isinstance(read_instead, dict):
            return read_instead
        raise refused from None
    if not isinstance(data, dict):
        raise ApiError(HTTPStatus.BAD_REQUEST, "INVALID_REQUEST_JSON", "request body must be a JSON object")
    return data
