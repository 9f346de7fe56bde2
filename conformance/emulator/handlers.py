"""Wrap route handlers: pass the shared state, render ApiError in its envelope, never leak a traceback."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from conformance.emulator.app_state import AppState
from conformance.emulator.errors import ApiError, ErrorAnswer, envelope_for_path
from conformance.emulator.faults.hooks import HTTP_ANSWER, HTTP_ERROR, FaultHooks

LOG = logging.getLogger("conformance.emulator")

Handler = Callable[[Request, AppState], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


def state_of(request: Request) -> AppState:
    """The emulator state attached to the app."""
    state: AppState = request.app.state.emulator
    return state


def _error_response(exc: ApiError, faults: FaultHooks, path: str) -> Response:
    """The error in its envelope, as the active faults write it (`http.error`)."""
    return faults.apply(HTTP_ERROR, ErrorAnswer.of(exc), error=exc, path=path).response()


def _as_written(response: Response, faults: FaultHooks) -> Response:
    """A JSON answer as the active faults write it (`http.answer`); other answers pass unchanged."""
    if not faults.hooked(HTTP_ANSWER) or not isinstance(response, JSONResponse):
        return response
    data = json.loads(bytes(response.body))
    return JSONResponse(faults.apply(HTTP_ANSWER, data), status_code=response.status_code)


def endpoint(handler: Handler) -> Endpoint:
    """A Starlette endpoint that renders ApiError (through the `http.error` hook) and hides crashes."""

    @functools.wraps(handler)
    async def run(request: Request) -> Response:
        state = state_of(request)
        try:
            response = await handler(request, state)
        except ApiError as exc:
            response = _error_response(exc, state.faults, request.url.path)
        except Exception:
            LOG.exception("internal error in %s %s", request.method, request.url.path)
            error = envelope_for_path(request.url.path)(
                HTTPStatus.INTERNAL_SERVER_ERROR, "INTERNAL_ERROR", "internal error (see the emulator log)"
            )
            return error.response()
        return _as_written(response, state.faults)

    return run
