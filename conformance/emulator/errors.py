"""The two error envelopes of the box (E19) as exceptions that routes raise and the app renders."""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse


class ApiError(Exception):
    """A refused request: HTTP status, a v2 error code string and a message (the offending key)."""

    envelope = "v2"

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> dict[str, Any]:
        """The v2 envelope: {"error": {"code": "<CODE>", "message": "<key or text>"}}."""
        return {"error": {"code": self.code, "message": self.message}}

    def response(self, status_override: int | None = None) -> JSONResponse:
        """The HTTP response carrying this error."""
        return JSONResponse(self.body(), status_code=status_override or self.status)


class V1ApiError(ApiError):
    """A refused v1 request: {"error": {"code": <HTTP status int>, "message": "...", "status": "<CODE>"}}."""

    envelope = "v1"

    def body(self) -> dict[str, Any]:
        """The v1 envelope."""
        return {"error": {"code": self.status, "message": self.message, "status": self.code}}


@dataclass(frozen=True, eq=True)
class ErrorAnswer:
    """What a refused call sends: the envelope body and the HTTP status (the `http.error` hook bends it)."""

    body: dict[str, Any]
    status: int

    @classmethod
    def of(cls, error: ApiError) -> ErrorAnswer:
        """The answer the documents ask for: the error's envelope with its own status."""
        return cls(error.body(), error.status)

    def response(self) -> JSONResponse:
        """The HTTP response."""
        return JSONResponse(self.body, status_code=self.status)


class ControlError(ApiError):
    """A refused control-plane request: {"error": {"code": "<CODE>", "message": "..."}}."""

    envelope = "control"


def invalid(key: str, *, v1: bool = False, detail: str = "") -> ApiError:
    """INVALID_ARGUMENTS naming the key (v2 message is the key itself, per seed 000)."""
    if v1:
        return V1ApiError(HTTPStatus.BAD_REQUEST, "INVALID_ARGUMENTS", f"{key}: {detail}" if detail else key)
    return ApiError(HTTPStatus.BAD_REQUEST, "INVALID_ARGUMENTS", key)


def missing(key: str, *, v1: bool = False) -> ApiError:
    """MISSING_ARGUMENTS naming the key."""
    cls = V1ApiError if v1 else ApiError
    return cls(HTTPStatus.BAD_REQUEST, "MISSING_ARGUMENTS", key)


def envelope_for_path(path: str) -> type[ApiError]:
    """Which envelope a path's interface uses, for errors raised before a route runs (413, 404, 405)."""
    if path.startswith("/sophon/v2/"):
        return ApiError
    if path.startswith("/_emulator"):
        return ControlError
    return V1ApiError


def error_for_request(request: Request, status: int, code: str, message: str) -> JSONResponse:
    """An error response in the envelope of the request's interface."""
    return envelope_for_path(request.url.path)(status, code, message).response()
