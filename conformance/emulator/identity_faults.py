"""How the faults of `catalog_identity` bend rendered v2 and v1 events, picture search answers and uploads.

Each function takes what a renderer produced and the switchboard's `active(name)`, and changes only what
an active fault names; with none active it leaves its input as it was.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from starlette.responses import JSONResponse, Response

from conformance.emulator.faults.catalog_identity import (
    PS_MATCHED_INFO_EMPTY,
    PS_SCORE_IS_COMPARE_SCORE,
    PS_STRANGER_GENERATED_ID,
    UPLOAD_MATCHED_INFO_EMPTY,
    UPLOAD_OUT_BEFORE_TIMESTAMP,
    UPLOAD_STRANGER_INFO_FILLED,
    V1_STRANGER_GENERATED_ID,
    V2_STRANGER_GENERATED_ID,
    V2_STRANGER_REGISTER_IMAGE_KEPT,
)

Active = Callable[[str], bool]
OUT_BEFORE_MS = 1_500  # the track entered this long before the recognition
STRANGER_CODE = 4


def generated_id(timestamp_ms: float) -> str:
    """A stranger id made from the event time, as seed 003's example "1602612036.3828533"."""
    return f"{timestamp_ms / 1000:.7f}"


def bend_v2_identity(event: dict[str, Any], active: Active) -> None:
    """v2 strangers with a generated identity_id or the nearest registered face's register_image_id."""
    if event.get("identity_id") != "":
        return
    if active(V2_STRANGER_REGISTER_IMAGE_KEPT):
        event["register_image_id"] = f"{event.get('event_id')}_nearest_reg"
    if active(V2_STRANGER_GENERATED_ID) and isinstance(event.get("timestamp"), int | float):
        event["identity_id"] = generated_id(event["timestamp"])


def bend_v1_identity(event: dict[str, Any], active: Active) -> None:
    """v1 strangers with a generated common.identity_id."""
    common = event.get("common")
    if active(V1_STRANGER_GENERATED_ID) and isinstance(common, dict) and common.get("identity_id") == "":
        common["identity_id"] = generated_id(float(event["timestamp"]) * 1000)


def _bend_item(item: dict[str, Any], active: Active) -> None:
    stranger = item.get("identity_id") == "" or item.get("person_type") == STRANGER_CODE
    if stranger and active(PS_STRANGER_GENERATED_ID):
        item["identity_id"] = generated_id(float(item["timestamp"]) * 1000)
    if not stranger and active(PS_MATCHED_INFO_EMPTY):
        item["identity_info"] = {}
    if active(PS_SCORE_IS_COMPARE_SCORE) and isinstance(item.get("compare_score"), int | float):
        item["score"] = round(item["compare_score"] * 100, 2)


def bend_search_identity(response: Response, active: Active | None) -> Response:
    """The success answer with its items bent by the active identity faults of picture search."""
    names = (PS_STRANGER_GENERATED_ID, PS_MATCHED_INFO_EMPTY, PS_SCORE_IS_COMPARE_SCORE)
    if active is None or not any(active(n) for n in names) or not isinstance(response, JSONResponse):
        return response
    body: dict[str, Any] = json.loads(bytes(response.body))
    for item in body.get("event_list") or []:
        if isinstance(item, dict):
            _bend_item(item, active)
    return JSONResponse(body, status_code=response.status_code)


def bend_upload_identity(payload: dict[str, Any], active: Active) -> dict[str, Any]:
    """The upload payload with identity_info and out_timestamp bent by the active upload faults."""
    info = payload.get("identity_info")
    matched = isinstance(info, Mapping) and bool(info)
    if matched and active(UPLOAD_MATCHED_INFO_EMPTY):
        payload["identity_info"] = {}
    if not matched and active(UPLOAD_STRANGER_INFO_FILLED):
        payload["identity_info"] = {"face_ids": [], "image_id": ""}
    if active(UPLOAD_OUT_BEFORE_TIMESTAMP) and isinstance(payload.get("timestamp"), int | float):
        payload["out_timestamp"] = payload["timestamp"] - OUT_BEFORE_MS
    return payload
