"""Answers of a stub box's two event queries with a chosen page-size policy and error status.

`serve` has no page cap and ignores unknown user types; `refuse` refuses a size above REFUSE_ABOVE and
unknown user types with INVALID_ARGUMENTS and status 422 (the documents name neither a cap nor a status,
E38/E39/E40); `clamp` serves a size above REFUSE_ABOVE with only CLAMP_TO events while
reporting the full total_count, a real defect: a client asking for everything gets a part.
"""

from __future__ import annotations

from typing import Any

from tests.target.stub_box import Answer

BASE_MS = 1_700_000_000_000
EVENTS = 20
REFUSE_ABOVE = 100
CLAMP_TO = 5
V2_USER_TYPES = ("", "employee", "visitor", "blacklist", "stranger", "vip", "car")
POLICIES = ("serve", "refuse", "clamp")


def _v2_event(n: int) -> dict[str, Any]:
    return {"event_id": f"e{n:03d}", "timestamp": BASE_MS + n * 1000, "user_type": "stranger"}


def _window(events: list[dict[str, Any]], low: Any, high: Any) -> list[dict[str, Any]]:
    """The events inside the inclusive bounds, in the unit of the events' timestamps."""

    def inside(event: dict[str, Any]) -> bool:
        above = not isinstance(low, int | float) or event["timestamp"] >= low
        return above and (not isinstance(high, int | float) or event["timestamp"] <= high)

    return [event for event in events if inside(event)]


def v2_getevents(policy: str, status: int = 422) -> Answer:
    """POST /sophon/v2/face/getevents: newest first, time filters in ms, page_limit per `policy`."""

    def answer(body: Any, _query: dict[str, list[str]]) -> tuple[int, Any]:
        body = body if isinstance(body, dict) else {}
        limit, index = body.get("page_limit", 10), body.get("page_index", 0)
        filters = body.get("filters") if isinstance(body.get("filters"), dict) else {}
        if not isinstance(limit, int) or limit < 1 or (policy == "refuse" and limit > REFUSE_ABOVE):
            return status, {"error": {"code": "INVALID_ARGUMENTS", "message": "page_limit"}}
        user_type = filters.get("user_type", "")
        if not isinstance(user_type, str) or (policy == "refuse" and user_type.lower() not in V2_USER_TYPES):
            return status, {"error": {"code": "INVALID_ARGUMENTS", "message": "user_type"}}
        matches = _window(
            [_v2_event(n) for n in reversed(range(EVENTS))],
            filters.get("datetime_gte"),
            filters.get("datetime_lte"),
        )
        served = CLAMP_TO if policy == "clamp" and limit > REFUSE_ABOVE else limit
        page = matches[index * served : (index + 1) * served]
        pagination = {"page_index": index, "page_limit": limit, "total_count": len(matches)}
        return 200, {"events": page, "pagination": pagination}

    return answer


def v1_events(policy: str, status: int = 422) -> Answer:
    """GET /SophonFace/api/events: time filters in seconds, per_page per `policy`."""

    def answer(_body: Any, query: dict[str, list[str]]) -> tuple[int, Any]:
        def refuse(key: str) -> tuple[int, Any]:
            return status, {"error": {"code": status, "message": key, "status": "INVALID_ARGUMENTS"}}

        try:
            per_page = int(query.get("per_page", ["10"])[0])
            page = int(query.get("page", ["0"])[0])
            low = float(query["datetime_gte"][0]) if "datetime_gte" in query else None
            high = float(query["datetime_lte"][0]) if "datetime_lte" in query else None
        except ValueError:
            return refuse("per_page")
        if per_page < 1 or (policy == "refuse" and per_page > REFUSE_ABOVE):
            return refuse("per_page")
        if policy == "refuse" and query.get("userType", ["1"])[0] not in ("1", "2", "3", "4", "5"):
            return refuse("userType")
        events = [{"_id": f"e{n:03d}", "timestamp": BASE_MS / 1000 + n} for n in reversed(range(EVENTS))]
        matches = _window(events, low, high)
        served = CLAMP_TO if policy == "clamp" and per_page > REFUSE_ABOVE else per_page
        data = matches[page * served : (page + 1) * served]
        pages = -(-len(matches) // per_page)
        pagination = {"num_pages": pages, "page": page, "per_page": per_page, "total_count": len(matches)}
        return 200, {"data": data, "pagination": pagination}

    return answer
