"""Wrap route handlers: pass the shared state, render ApiError in its envelope, never leak a traceback."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus

from starlette.requests import Request
from starlette.responses import Response

from conformance.emulator.app_state import AppState
from conformance.emulator.errors import ApiError, envelope_for_path
from conformance.emulator.faults import V2_500_ON_BAD_INPUT

LOG = logging.getLogger("conformance.emulator")

Handler = Callable[[Request, AppState], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


def state_of(request: Request) -> AppState:
    """The emulator state attached to the app."""
    state: AppState = request.app.state.emulator
    return state


def endpoint(handler: Handler) -> Endpoint:
    """A Starlette endpoint that renders ApiError (and the `v2-500-on-bad-input` fault) and hides crashes."""

    @functools.wraps(handler)
    async def run(request: Request) -> Response:
        state = state_of(request)
        try:
            return await handler(request, state)
        except ApiError as exc:
            override = None
            if exc.envelope == "v2" and exc.status < 500 and state.faults.active(V2_500_ON_BAD_INPUT):
                override = HTTPStatus.INTERNAL_SERVER_ERROR
            return exc.response(override)
        except Exception:
            LOG.exception("internal error in %s %s", request.method, request.url.path)
            error = envelope_for_path(request.url.path)(
                HTTPStatus.INTERNAL_SERVER_ERROR, "INTERNAL_ERROR", "internal error (see the emulator log)"
            )
            return error.response()

    return run
