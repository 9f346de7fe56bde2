"""How the error-envelope faults of `catalog_errors` bend an error answer (message, status), in one place."""

from __future__ import annotations

import json
from http import HTTPStatus

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from conformance.emulator.errors import ApiError
from conformance.emulator.faults import FaultSwitchboard
from conformance.emulator.faults.catalog_errors import (
    V1_ERROR_MESSAGE_EMPTY,
    V1_ERRORS_HTTP_200,
    V2_ERROR_MESSAGE_GENERIC,
    V2_MISSING_ARGS_UNNAMED,
    VERSION_500_ON_BAD_BODY,
    VERSION_ANSWERS_XML,
)

MANIFEST_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<manifest>\n'
    '  <project name="sophon-conformance/emulator" path="conformance/emulator" revision="0"/>\n</manifest>\n'
)


def bent_error_response(exc: ApiError, faults: FaultSwitchboard) -> JSONResponse | None:
    """The error as a faulty firmware renders it, or None when no error-envelope fault applies."""
    if exc.envelope == "v2":
        if exc.code == "INVALID_ARGUMENTS" and faults.active(V2_ERROR_MESSAGE_GENERIC):
            return type(exc)(exc.status, exc.code, "invalid arguments").response()
        if exc.code == "MISSING_ARGUMENTS" and faults.active(V2_MISSING_ARGS_UNNAMED):
            return type(exc)(exc.status, exc.code, "").response()
        return None
    if exc.envelope != "v1":
        return None
    empty = faults.active(V1_ERROR_MESSAGE_EMPTY)
    ok_status = exc.status < HTTPStatus.INTERNAL_SERVER_ERROR and faults.active(V1_ERRORS_HTTP_200)
    if not (empty or ok_status):
        return None
    bent = type(exc)(exc.status, exc.code, "" if empty else exc.message)
    return bent.response(HTTPStatus.OK if ok_status else None)


async def bent_version_response(request: Request, faults: FaultSwitchboard) -> Response | None:
    """getsoftwareversion as a faulty firmware answers it (XML, or a crash on a non-JSON body), else None."""
    if faults.active(VERSION_500_ON_BAD_BODY):
        raw = await request.body()
        try:
            json.loads(raw or b"{}")
        except ValueError:
            error = ApiError(HTTPStatus.INTERNAL_SERVER_ERROR, "INTERNAL_ERROR", "internal error")
            return error.response()
    if faults.active(VERSION_ANSWERS_XML):
        return Response(MANIFEST_XML, media_type="application/xml")
    return None
