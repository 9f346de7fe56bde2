"""Render picture search answers (seed 002): items, the success body, and the answer to a refused search.

The tables' shape (retcode "1", have_more; E07), strangers named "stranger" (E10), refusals as 4xx in the
v1 envelope (E32) and ep_type photo/rtsp/card (E33). Each item passes the `search.item` hook point and each
answer the `search.answer` one, where the other readings those errata allow are switched on.
"""

from __future__ import annotations

from typing import Any, Final

from starlette.responses import JSONResponse, Response

from conformance.emulator.errors import V1ApiError
from conformance.emulator.faults.hooks import SEARCH_ANSWER, SEARCH_ITEM, FaultHooks
from conformance.emulator.model import EventRecord
from conformance.emulator.picture_search import Match, SearchOutcome
from conformance.emulator.render_upload import MASK_CODES
from conformance.emulator.render_v1 import ep_info, identity_info

STRANGER_NAME: Final = "stranger"  # E10: seed 002 names strangers "stranger"


def render_item(match: Match) -> dict[str, Any]:
    """One event_list item per the seed 002 item table (no feature: "删除，太大")."""
    record: EventRecord = match.record
    attrs = record.attributes
    item: dict[str, Any] = {
        "compare_score": match.compare_score,
        "timestamp": record.true_seconds,
        "identity_name": record.identity_name if record.identity is not None else STRANGER_NAME,
        "identity_id": record.identity_id,
        "identity_info": identity_info(record),
        "recognize_face_pic_id": record.face_image_id,
        "spot_pic_id": record.spot_image_id,
        "person_type": record.person_type,
        "score": record.score,
        "ep_info": ep_info(record.device),
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


def success_answer(outcome: SearchOutcome, total_time: float, faults: FaultHooks) -> Response:
    """The 200 answer of a search that ran: retcode "1" and have_more (the table)."""
    event_list = [faults.apply(SEARCH_ITEM, render_item(m), match=m) for m in outcome.matches]
    body: dict[str, Any] = {
        "retcode": "1",
        "total_time": total_time,
        "endtimestamp": outcome.end_ms / 1000.0,
        "event_list": event_list,
        "have_more": outcome.have_more,
    }
    return JSONResponse(faults.apply(SEARCH_ANSWER, body))


def refusal_answer(error: V1ApiError, total_time: float, now_ms: int, faults: FaultHooks) -> Response:
    """A refused search: the 4xx v1 envelope, unless the `search.answer` hook answers it with a body."""
    answer: dict[str, Any] | None = faults.apply(
        SEARCH_ANSWER, None, error=error, total_time=total_time, now_ms=now_ms
    )
    return error.response() if answer is None else JSONResponse(answer)
