"""Render picture search answers (seed 002): items, the success body, and the answer to a refused search.

The tables' shape is the default (retcode "1", have_more; E07), strangers are named "stranger" (E10),
refusals are 4xx in the v1 envelope (E32) and ep_type is photo/rtsp/card (E33). `AnswerShape` carries
the emulator's switches for the other readings those errata allow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from starlette.responses import JSONResponse, Response

from conformance.emulator.errors import V1ApiError
from conformance.emulator.faults.variations_push import (
    PS_EP_TYPE_FILE,
    PS_EXAMPLE_ANSWER_SHAPE,
    PS_FAILURE_ANSWERED_200,
    PS_STRANGER_NAME_EMPTY,
)
from conformance.emulator.model import EventRecord
from conformance.emulator.picture_search import Match, SearchOutcome
from conformance.emulator.render_upload import MASK_CODES
from conformance.emulator.render_v1 import ep_info, identity_info

STRANGER_NAME: Final = "stranger"  # E10: seed 002 names strangers "stranger"
STREAM_TYPE: Final = "rtsp"
FILE_TYPE: Final = "file"  # E33: the v2 vocabulary's name for a video source


@dataclass(frozen=True)
class AnswerShape:
    """How answers are written: the tables (all False) or the examples' readings of E07, E10, E32, E33."""

    example_shape: bool = False  # E07: ret_code 1, total_count, no retcode / have_more
    stranger_name_empty: bool = False  # E10: "" instead of "stranger"
    failure_answered_200: bool = False  # E32: 200 with retcode "0" instead of a 4xx envelope
    ep_type_file: bool = False  # E33: "file" for stream devices

    @classmethod
    def from_faults(cls, active: Callable[[str], bool]) -> AnswerShape:
        """The shape the active faults and variations ask for."""
        return cls(
            example_shape=active(PS_EXAMPLE_ANSWER_SHAPE),
            stranger_name_empty=active(PS_STRANGER_NAME_EMPTY),
            failure_answered_200=active(PS_FAILURE_ANSWERED_200),
            ep_type_file=active(PS_EP_TYPE_FILE),
        )


def render_item(match: Match, shape: AnswerShape = AnswerShape()) -> dict[str, Any]:
    """One event_list item per the seed 002 item table (no feature: "删除，太大")."""
    record: EventRecord = match.record
    attrs = record.attributes
    stranger_name = "" if shape.stranger_name_empty else STRANGER_NAME
    device = ep_info(record.device)
    if shape.ep_type_file and device.get("ep_type") == STREAM_TYPE:
        device["ep_type"] = FILE_TYPE
    item: dict[str, Any] = {
        "compare_score": match.compare_score,
        "timestamp": record.ts_ms / 1000.0,
        "identity_name": record.identity_name if record.identity is not None else stranger_name,
        "identity_id": record.identity_id,
        "identity_info": identity_info(record),
        "recognize_face_pic_id": record.face_image_id,
        "spot_pic_id": record.spot_image_id,
        "person_type": record.person_type,
        "score": record.score,
        "ep_info": device,
        "recognize_face_attr": {
            "point": [float(p) for p in record.point],
            "box": [float(b) for b in record.box],
            "mask": MASK_CODES.get(attrs.mask, "2"),
            "gender": attrs.gender,
            "hat": "",
            "age": attrs.age,
            "glasses": attrs.glasses,
        },
    }
    if record.out_ts_ms:
        item["out_timestamp"] = record.out_ts_ms / 1000.0
    return item


def _status(body: dict[str, Any], success: bool, shape: AnswerShape) -> dict[str, Any]:
    """The body with its success marker: retcode "1"/"0" (table) or ret_code 1/0 (example)."""
    if shape.example_shape:
        return {"ret_code": 1 if success else 0, **body}
    return {"retcode": "1" if success else "0", **body}


def success_answer(outcome: SearchOutcome, total_time: float, shape: AnswerShape) -> Response:
    """The 200 answer of a search that ran."""
    event_list = [render_item(m, shape) for m in outcome.matches]
    body: dict[str, Any] = {
        "total_time": total_time,
        "endtimestamp": outcome.end_ms / 1000.0,
        "event_list": event_list,
    }
    if shape.example_shape:
        body["total_count"] = len(event_list)
    else:
        body["have_more"] = outcome.have_more
    return JSONResponse(_status(body, True, shape))


def refusal_answer(error: V1ApiError, total_time: float, now_ms: int, shape: AnswerShape) -> Response:
    """A refused search: the 4xx v1 envelope, or (E32 lenient) a 200 with retcode "0" and no results.

    The 200 form keeps the answer's required keys; nothing was scanned, so endtimestamp is the box's now.
    """
    if not shape.failure_answered_200:
        return error.response()
    body: dict[str, Any] = {"total_time": total_time, "endtimestamp": now_ms / 1000.0, "event_list": []}
    if not shape.example_shape:
        body["have_more"] = False
    return JSONResponse(_status(body, False, shape))
