"""How many events a box stores, bracketed by filtered counts taken just before and just after a call.

Without a control plane nobody can say how many events a box holds, and live recognitions change the
number between two calls. A store only grows while a test runs, so counts asked before a call are lower
bounds of what it may answer and counts asked after are upper bounds: an unfiltered total_count (which
V2Q-FILT-001 makes "every stored event") must lie between the count of an all-time window asked before
it and the same count asked after it, and must not be below the sum of the per-user_type counts asked
before it (each event has one user_type, so those answers are disjoint).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from conformance.clients.exchange import Exchange
from conformance.clients.http_client import RecordingHttpClient
from conformance.suite.support.query_calls import V2
from conformance.suite.support.query_data import v2_time_as_box_reads
from conformance.target.target import V2_EVENTS_PATH

FAR_FUTURE_MS = 4_102_444_800_000  # 2100-01-01: an upper bound no recorded event reaches
USER_TYPES = ("employee", "visitor", "blacklist", "stranger", "vip", "car")
PEEK = 20  # events looked at to tell a user_type filter that works from one that is ignored


@dataclass
class Bracket:
    """Counts taken around the unfiltered calls: lower bounds before, upper bound after."""

    all_time_before: int = 0
    by_type_before: dict[str, int] = field(default_factory=dict)
    unfiltered: dict[str, int | None] = field(default_factory=dict)  # body as text -> total_count
    all_time_after: int = 0
    exchanges: list[Exchange] = field(default_factory=list)

    @property
    def lower(self) -> int:
        """The most a conforming box can have held before the unfiltered calls, as far as we know."""
        return max(self.all_time_before, sum(self.by_type_before.values()))

    def problems(self) -> list[str]:
        """Each unfiltered total outside [lower, all_time_after], in words."""
        wrong = []
        for body, total in self.unfiltered.items():
            if total is None or not self.lower <= total <= self.all_time_after:
                wrong.append(
                    f"{body} answered total_count {total!r}, outside [{self.lower}, {self.all_time_after}]: "
                    f"before it an all-time window counted {self.all_time_before} and the user types "
                    f"{self.by_type_before} (sum {sum(self.by_type_before.values())}); after it the "
                    f"all-time window counted {self.all_time_after}"
                )
        return wrong


def _all_time(client: RecordingHttpClient, v2_seconds: bool) -> int:
    wire = v2_time_as_box_reads({"datetime_lte": FAR_FUTURE_MS}, seconds=v2_seconds)
    return V2.fetch(client, wire, page=0, size=1).page.pagination.total_count or 0


def _type_count(client: RecordingHttpClient, user_type: str) -> int | None:
    """The count of one user_type, or None when its filter is refused or visibly not applied."""
    page = V2.send(client, {"user_type": user_type}, page=0, size=PEEK)[2]
    body = page.json() if page.status == 200 else None
    if not isinstance(body, Mapping) or not isinstance(body.get("events"), list):
        return None
    shown = {str(e.get("user_type", "")).lower() for e in body["events"] if isinstance(e, Mapping)}
    if shown - {user_type}:
        return None  # ignored (or wrong): the filter's own tests judge it; it bounds nothing here
    return _total(body)


def _total(body: Any) -> int | None:
    """pagination.total_count of an answer body, when it is an integer."""
    pagination = body.get("pagination") if isinstance(body, Mapping) else None
    total = pagination.get("total_count") if isinstance(pagination, Mapping) else None
    return total if isinstance(total, int) and not isinstance(total, bool) else None


def bracket_unfiltered(
    client: RecordingHttpClient, bodies: list[dict[str, Any]], *, v2_seconds: bool
) -> Bracket:
    """Counts before, the unfiltered total_count of each body, and the count after."""
    bracket = Bracket(all_time_before=_all_time(client, v2_seconds))
    for user_type in USER_TYPES:
        count = _type_count(client, user_type)
        if count is not None:
            bracket.by_type_before[user_type] = count
    for body in bodies:
        answer = client.post_json(V2_EVENTS_PATH, body)
        bracket.exchanges.append(answer.exchange)
        bracket.unfiltered[str(body)] = _total(answer.json()) if answer.status == 200 else None
    bracket.all_time_after = _all_time(client, v2_seconds)
    return bracket
