"""ASGI middleware: refuse bodies over 20 MB with 413 before buffering them; log one line per request;
gzip the answers when the box is set to (the `http.gzip` hook point) and the request accepts gzip."""

from __future__ import annotations

import logging
import time
from http import HTTPStatus
from typing import Final

from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from conformance.emulator.errors import envelope_for_path
from conformance.emulator.faults.hooks import HTTP_GZIP, FaultHooks

MAX_BODY_BYTES: Final = 20 * 1024 * 1024
ACCESS_LOG = logging.getLogger("conformance.emulator.http")


CONTROL_PREFIX: Final = "/_emulator"  # the control plane is the harness's, not the box's: never compressed
GZIP_LEVEL: Final = 1  # the fastest: no document fixes a level, and base64 pictures barely compress


class _BodyTooLargeError(Exception):
    pass


class BodyLimitMiddleware:
    """413 in the interface's envelope for any body larger than `limit` bytes (declared or streamed)."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = envelope_for_path(scope["path"])(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            "INVALID_ARGUMENTS",
            f"request body larger than {self.limit} bytes",
        )
        await error.response()(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                await self._refuse(scope, receive, send)
                return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise _BodyTooLargeError
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLargeError:
            if not started:
                await self._refuse(scope, receive, send)


class AccessLogMiddleware:
    """One INFO line per request: method, path, status, duration."""

    def __init__(self, app: ASGIApp, logger: logging.Logger = ACCESS_LOG) -> None:
        self.app = app
        self.logger = logger

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 0

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            client = scope.get("client") or ("-", 0)
            self.logger.info(
                "%s %s %s %d %.1fms",
                client[0],
                scope["method"],
                scope["path"],
                status,
                (time.perf_counter() - start) * 1000,
            )


class GzipAnswerMiddleware:
    """Content-Encoding: gzip on every box answer, however small, while `http.gzip` says so and the request's
    Accept-Encoding names gzip (answers to other requests, and the control plane's, stay as they are)."""

    def __init__(self, app: ASGIApp, hooks: FaultHooks) -> None:
        self.app = app
        self.hooks = hooks
        self.gzip = GZipMiddleware(app, minimum_size=0, compresslevel=GZIP_LEVEL, exclude_content_types=())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        compress = (
            scope["type"] == "http"
            and not scope["path"].startswith(CONTROL_PREFIX)
            and self.hooks.apply(HTTP_GZIP, False)
        )
        await (self.gzip if compress else self.app)(scope, receive, send)
