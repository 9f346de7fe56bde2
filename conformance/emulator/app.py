"""Assemble the emulator's Starlette apps: the box on :5555 and the version service on :8888."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any, Final

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from conformance.emulator import routes_control, routes_picture_search, routes_v1, routes_v2
from conformance.emulator.app_state import AppState
from conformance.emulator.errors import error_for_request
from conformance.emulator.faults.hooks import CALL_ANSWER
from conformance.emulator.middleware import AccessLogMiddleware, BodyLimitMiddleware, GzipAnswerMiddleware

LOG = logging.getLogger("conformance.emulator")

SOFTWARE_VERSION: Final = {
    "nnsdk_version": "2.4.0_20210604_042200",
    "app_gate_version": "V5R3C01_emulator",
    "app_version_details": "name:sophon-conformance/emulator path:conformance/emulator revision:0",
}

_STATUS_CODES: Final = {
    HTTPStatus.NOT_FOUND: "NOT_FOUND",
    HTTPStatus.METHOD_NOT_ALLOWED: "METHOD_NOT_ALLOWED",
}


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else HTTPStatus.BAD_REQUEST
    code = _STATUS_CODES.get(HTTPStatus(status), "INVALID_ARGUMENTS")
    response = error_for_request(
        request, status, code, f"{request.method} {request.url.path}: {HTTPStatus(status).phrase}"
    )
    if isinstance(exc, HTTPException) and exc.headers:
        response.headers.update(exc.headers)  # e.g. Allow on a 405 (RFC 9110 section 15.5.6)
    return response


def build_app(state: AppState) -> Starlette:
    """The box's HTTP app; the control plane is mounted only when `state.control` is set."""
    routes: list[BaseRoute] = [*routes_v2.ROUTES, *routes_v1.ROUTES, *routes_picture_search.ROUTES]
    if state.control:
        routes += routes_control.ROUTES
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(AccessLogMiddleware),
            Middleware(BodyLimitMiddleware),
            Middleware(GzipAnswerMiddleware, hooks=state.faults),
        ],
        exception_handlers={HTTPException: _http_error},
    )
    app.state.emulator = state
    # Flat aliases for modules that read the state directly (picture search).
    app.state.store = state.store
    app.state.clock = state.clock
    app.state.faults = state.faults
    return app


async def _software_version(request: Request) -> Response:
    """POST :8888/sophon/v2/system/getsoftwareversion; the body has no parameters (only faults read it)."""
    faults = request.app.state.emulator.faults
    body = await request.body() if faults.hooked(CALL_ANSWER) else b""
    answer: dict[str, Any] | Response = dict(SOFTWARE_VERSION)
    answer = faults.apply(CALL_ANSWER, answer, call="version", body=body)
    return answer if isinstance(answer, Response) else JSONResponse(answer)


def build_version_app(state: AppState) -> Starlette:
    """The version service the reference puts on port 8888."""
    app = Starlette(
        routes=[Route("/sophon/v2/system/getsoftwareversion", _software_version, methods=["POST"])],
        middleware=[
            Middleware(AccessLogMiddleware),
            Middleware(BodyLimitMiddleware),
            Middleware(GzipAnswerMiddleware, hooks=state.faults),
        ],
        exception_handlers={HTTPException: _http_error},
    )
    app.state.emulator = state
    return app


def describe_routes(app: Starlette) -> list[dict[str, Any]]:
    """Path and methods of every route (for logs and docs)."""
    return [{"path": r.path, "methods": sorted(r.methods or [])} for r in app.routes if isinstance(r, Route)]
