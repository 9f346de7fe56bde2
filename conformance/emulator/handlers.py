"""Wrap route handlers: pass the shared state, render ApiError in its envelope, never leak a traceback."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from conformance.emulator.app_state import AppState
from conformance.emulator.error_faults import bent_error_response
from conformance.emulator.errors import ApiError, envelope_for_path
from conformance.emulator.faults import (
    V1_V2_ERROR_ENVELOPE,
    V2_500_ON_BAD_INPUT,
    VAR_INTEGRAL_FLOATS,
    VAR_KEYS_REVERSED,
    FaultSwitchboard,
)

LOG = logging.getLogger("conformance.emulator")

Handler = Callable[[Request, AppState], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


def state_of(request: Request) -> AppState:
    """The emulator state attached to the app."""
    state: AppState = request.app.state.emulator
    return state


def _error_response(exc: ApiError, faults: FaultSwitchboard) -> Response:
    """The error in its envelope, unless a fault bends status or envelope."""
    bent = bent_error_response(exc, faults)
    if bent is not None:
        return bent
    if exc.envelope == "v2" and exc.status < 500 and faults.active(V2_500_ON_BAD_INPUT):
        return exc.response(HTTPStatus.INTERNAL_SERVER_ERROR)
    if exc.envelope == "v1" and faults.active(V1_V2_ERROR_ENVELOPE):
        return JSONResponse({"error": {"code": exc.code, "message": exc.message}}, status_code=exc.status)
    return exc.response()


def _reshaped(value: Any, *, reverse_keys: bool, integral_floats: bool) -> Any:
    """The same JSON value written differently: keys reversed, 1.0 as 1 (both conforming)."""
    if isinstance(value, dict):
        items = list(value.items())
        if reverse_keys:
            items.reverse()
        return {k: _reshaped(v, reverse_keys=reverse_keys, integral_floats=integral_floats) for k, v in items}
    if isinstance(value, list):
        return [_reshaped(v, reverse_keys=reverse_keys, integral_floats=integral_floats) for v in value]
    if integral_floats and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _apply_variations(response: Response, faults: FaultSwitchboard) -> Response:
    """Rewrite a JSON answer when a writing variation is on; other answers pass unchanged."""
    reverse_keys = faults.active(VAR_KEYS_REVERSED)
    integral_floats = faults.active(VAR_INTEGRAL_FLOATS)
    if not (reverse_keys or integral_floats) or not isinstance(response, JSONResponse):
        return response
    data = json.loads(bytes(response.body))
    return JSONResponse(
        _reshaped(data, reverse_keys=reverse_keys, integral_floats=integral_floats),
        status_code=response.status_code,
    )


def endpoint(handler: Handler) -> Endpoint:
    """A Starlette endpoint that renders ApiError (bent by the error faults) and hides crashes."""

    @functools.wraps(handler)
    async def run(request: Request) -> Response:
        state = state_of(request)
        try:
            response = await handler(request, state)
        except ApiError as exc:
            response = _error_response(exc, state.faults)
        except Exception:
            LOG.exception("internal error in %s %s", request.method, request.url.path)
            error = envelope_for_path(request.url.path)(
                HTTPStatus.INTERNAL_SERVER_ERROR, "INTERNAL_ERROR", "internal error (see the emulator log)"
            )
            return error.response()
        return _apply_variations(response, state.faults)

    return run
