"""How the time and picture faults of `catalog_errors` bend picture search and push answers."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import JSONResponse, Response

from conformance.emulator.faults import FaultSwitchboard
from conformance.emulator.faults.catalog_errors import PS_OUT_TIMESTAMP_MS, PS_REQUEST_TIMES_MS


def times_read_as_ms(faults: FaultSwitchboard | None) -> bool:
    """True when the firmware takes starttime/endtime for ms (`ps-request-times-ms`)."""
    return faults is not None and faults.active(PS_REQUEST_TIMES_MS)


def bent_search_answer(response: Response, faults: FaultSwitchboard | None) -> Response:
    """The success answer with out_timestamp in integer ms when `ps-out-timestamp-ms` is on."""
    if faults is None or not faults.active(PS_OUT_TIMESTAMP_MS) or not isinstance(response, JSONResponse):
        return response
    body: dict[str, Any] = json.loads(bytes(response.body))
    for item in body.get("event_list") or []:
        if isinstance(item, dict) and isinstance(item.get("out_timestamp"), float):
            item["out_timestamp"] = round(item["out_timestamp"] * 1000)
    return JSONResponse(body, status_code=response.status_code)


def spot_pic_path(image_id: str) -> str:
    """Where a firmware keeps a scene picture, sent instead of its base64 JPEG (`ws-spot-pic-path`)."""
    return f"/data/sophon/spot/{image_id}.jpg"
