"""The real-box paths of picture search's oracle tests (`test_picture_search.py`): each judges its
requirements with the box's own pictures when there is no control plane to store a search history.

The box's clock is unknown but not (much) before the closed bound of the sample (`OwnPictures.closed_ms`):
its default window (the 24 hours before its now) therefore starts after `closed_ms - 24 h` (less a clock
skew), and an event older than that must not come back from a search without starttime. Every other window
is closed in the past.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from conformance.checks import search_checks
from conformance.checks.findings import Finding
from conformance.checks.search_checks import SearchItem
from conformance.checks.vocabulary import SEARCH_DEFAULT_THRESHOLD, SEARCH_MAX_RESULTS
from conformance.clients.failures import fail_on, fail_unless
from conformance.clients.http_client import RecordingHttpClient
from conformance.suite.judgement import judged, not_exercised
from conformance.suite.support import search_own_searches as own
from conformance.suite.support.search_calls import (
    expect_search_error,
    expect_success,
    photo_b64,
    post_search,
)
from conformance.suite.support.search_own_events import (
    AROUND_MS,
    DAY_MS,
    HOUR_MS,
    MINUTE_MS,
    OwnEvent,
    OwnPictures,
    search_window,
)
from conformance.suite.support.search_photos import downscaled

CLOCK_SKEW_MS = 10 * MINUTE_MS  # how far the box's clock may lag the newest event time it stored
FAR_FUTURE_MS = 365 * DAY_MS  # no upper bound is known for a window that ends at the box's now
OLDER_THAN_MS = 25 * HOUR_MS  # an event this far before the closed bound is outside the default window
ENDTIME_ONLY_MS = 23 * HOUR_MS  # endtime alone this far back: the default starttime leaves about an hour
MONTH_LESS_A_DAY_DAYS = 29
SMALL_FACE_WIDTH = 120  # the face picture scaled down: detectable, but small


def _finds(items: Sequence[SearchItem], event: OwnEvent, ids: Sequence[str]) -> list[Finding]:
    return search_checks.finds_event(items, event.low_ms, event.high_ms, event.device_id, requirements=ids)


def _after_default_start(
    items: Sequence[SearchItem], pictures: OwnPictures, ids: Sequence[str]
) -> list[Finding]:
    """Items older than the earliest start the box's default window can have (closed bound - 24 h, less
    CLOCK_SKEW_MS: event times may come from a camera's clock, a little ahead of the box's)."""
    start = pictures.closed_ms - DAY_MS - CLOCK_SKEW_MS
    return own.in_window(items, (start, pictures.closed_ms + FAR_FUTURE_MS), ids)


def default_window(
    request: pytest.FixtureRequest,
    pictures: OwnPictures,
    client: RecordingHttpClient,
    reverse: bool | None,
) -> None:
    """Without starttime/endtime the event's own face finds it, and nothing older than 24 h, in order.

    One call: the default window moves with the box's clock, so a continuation of it is no partition of
    one window (continuation is judged over closed windows, test_continuation_partitions_the_results).
    """
    event = own.own_event(pictures)
    if event.low_ms < pictures.closed_ms - DAY_MS + HOUR_MS:
        not_exercised(
            "the newest matched event with a face picture is more than 23 h old: outside the default window"
        )
    extra: dict[str, Any] = {} if reverse is None else {"reverse": reverse}
    chain = own.own_chain(client, event, None, ["PS-SEARCH-005"], max_calls=1, **extra)
    items = own.chain_items(chain)
    said = chain.answers[0].get("have_more") if chain.answers else None
    complete = said is False or (said is None and len(items) < SEARCH_MAX_RESULTS)
    findings = search_checks.threshold(items, requirements=("PS-SEARCH-012",))
    findings += _after_default_start(items, pictures, ("PS-SEARCH-005", "PS-SEARCH-006"))
    order_ids = ("PS-SEARCH-014",) if reverse is not False else ("PS-SEARCH-015",)
    findings += search_checks.order(items, reverse is not False, requirements=order_ids)
    findings += search_checks.caps(chain.calls, requirements=("PS-SEARCH-017",))
    if complete:  # the whole default window answered: the event is in it
        findings += _finds(items, event, ("PS-SEARCH-018", "PS-SEARCH-005"))
    fail_on(
        findings,
        "a search without starttime/endtime with an event's own face",
        exchanges=own.own_exchanges(event, chain),
    )
    own.searched(request, chain)
    if not complete:
        not_exercised(
            f"the default window holds more than the {len(items)} matches of one call: whether it holds the "
            "event was not judged (its bounds and order were)"
        )


def thresholds(
    request: pytest.FixtureRequest,
    pictures: OwnPictures,
    client: RecordingHttpClient,
    raised: Sequence[float | None],
) -> None:
    """Each threshold returns exactly the threshold-0 items whose compare_score × 100 reaches it (E08)."""
    event = own.own_event(pictures)
    window = pictures.around(event, HOUR_MS)
    ids = ("PS-SEARCH-012", "PS-SCHEMA-008")
    base = own.own_chain(client, event, window, ids, threshold=0)
    base_items = own.chain_items(base)
    findings = search_checks.threshold(base_items, 0, requirements=ids)
    findings += _finds(base_items, event, ("PS-SEARCH-018",))
    chains = [base]
    for threshold in raised:
        extra: dict[str, Any] = {} if threshold is None else {"threshold": threshold}
        chain = own.own_chain(client, event, window, ids, **extra)
        chains.append(chain)
        limit = SEARCH_DEFAULT_THRESHOLD if threshold is None else threshold
        findings += search_checks.threshold(own.chain_items(chain), limit, requirements=ids)
        findings += search_checks.threshold_relation(
            base_items, own.chain_items(chain), limit, requirements=ids
        )
    fail_on(
        findings,
        f"one picture searched at thresholds 0, {list(raised)}",
        exchanges=own.own_exchanges(event, *chains),
    )
    own.searched(request, *chains)


def older_window(
    request: pytest.FixtureRequest, pictures: OwnPictures, client: RecordingHttpClient, lenient: bool
) -> None:
    """An event over 25 h old is found when the window names it, not by a default window nor endtime alone."""
    event = pictures.older(client, OLDER_THAN_MS, lenient=lenient)
    if event is None:
        not_exercised(
            f"no matched event with a face picture {OLDER_THAN_MS / HOUR_MS:.0f} h or more before the newest "
            "past events: the box's history is shorter"
        )
    window = (event.low_ms - AROUND_MS, event.high_ms + AROUND_MS)
    explicit = own.own_chain(client, event, window, ["PS-SEARCH-009"])
    findings = _finds(own.chain_items(explicit), event, ("PS-SEARCH-009",))
    findings += own.in_window(own.chain_items(explicit), window, ["PS-SEARCH-009"])
    findings += search_checks.continuation(explicit.calls, requirements=("PS-SEARCH-019",))
    default = own.own_chain(client, event, None, ["PS-SEARCH-006"], max_calls=1)  # the window moves: one call
    findings += _after_default_start(own.chain_items(default), pictures, ("PS-SEARCH-006",))
    end_ms = pictures.closed_ms - ENDTIME_ONLY_MS
    end_only = own.own_chain(client, event, None, ["PS-SEARCH-005"], max_calls=1, endtime=end_ms / 1000)
    items = own.chain_items(end_only)
    findings += _after_default_start(items, pictures, ("PS-SEARCH-005",))
    findings += own.in_window(items, (pictures.closed_ms - FAR_FUTURE_MS, end_ms), ["PS-SEARCH-005"])
    fail_on(
        findings,
        "an older event: explicit window, default window, endtime alone",
        exchanges=own.own_exchanges(event, explicit, default, end_only),
    )
    own.searched(request, explicit, default, end_only)


def month_refused(pictures: OwnPictures, client: RecordingHttpClient, profile: str, days: int) -> None:
    """A window of `days` (31 or more) ending at the closed bound is refused with INVALID_ARGUMENTS."""
    event = own.own_event(pictures)
    body = {"face_image_base64": event.photo, **search_window(*pictures.ending(days * DAY_MS))}
    expect_search_error(post_search(client, body), ("INVALID_ARGUMENTS",), ["PS-SEARCH-007"], profile)


def month_less_a_day(
    request: pytest.FixtureRequest, pictures: OwnPictures, client: RecordingHttpClient
) -> None:
    """A 29-day window ending at the closed bound is searched and finds the event in it."""
    event = own.own_event(pictures)
    window = pictures.ending(MONTH_LESS_A_DAY_DAYS * DAY_MS)
    chain = own.own_chain(client, event, window, ["PS-SEARCH-007"])
    items = own.chain_items(chain)
    findings = _finds(items, event, ("PS-SEARCH-007", "PS-SEARCH-009"))
    findings += own.in_window(items, window, ["PS-SEARCH-009"])
    findings += search_checks.continuation(chain.calls, requirements=("PS-SEARCH-011", "PS-SEARCH-019"))
    fail_on(findings, "a search over 29 days", exchanges=own.own_exchanges(event, chain))
    own.searched(request, chain)


def inverted(pictures: OwnPictures, client: RecordingHttpClient, profile: str) -> None:
    """starttime after endtime (the event's window, ends swapped): a 4xx or an empty answer, never a 5xx."""
    event = own.own_event(pictures)
    low, high = pictures.around(event, AROUND_MS)
    body = {"face_image_base64": event.photo, **search_window(high, low)}
    response = post_search(client, body)
    if response.status == 200:
        answer = expect_success(response, ["PS-SEARCH-008"])
        fail_unless(
            not answer.get("event_list"),
            "an inverted window returned results",
            ["PS-SEARCH-008"],
            [response.exchange],
        )
        return
    expect_search_error(response, ("INVALID_ARGUMENTS",), ["PS-SEARCH-008"], profile)


def device_list(
    request: pytest.FixtureRequest, pictures: OwnPictures, client: RecordingHttpClient, count: int
) -> None:
    """device_id_list of `count` devices (the event's own first) returns exactly their threshold-0 results."""
    event = own.own_event(pictures)
    window = pictures.around(event, AROUND_MS)
    ids = ("PS-SEARCH-013",)
    base = own.own_chain(client, event, window, ids, threshold=0)
    base_items = own.chain_items(base)
    others = sorted({item.device_id for item in base_items} - {event.device_id})
    listed = [event.device_id, *others][:count]
    if len(listed) < count:
        not_exercised(f"the results around the event came from {len(listed)} device(s): {count} needed")
    chain = own.own_chain(client, event, window, ids, threshold=0, device_id_list=listed)
    items = own.chain_items(chain)
    expected = {item.key for item in base_items if item.device_id in listed}
    findings = search_checks.devices(items, listed, requirements=ids)
    findings += search_checks.continuation(chain.calls, expected, requirements=ids)
    findings += _finds(items, event, ids)
    fail_on(findings, f"a search restricted to {listed}", exchanges=own.own_exchanges(event, base, chain))
    own.searched(request, base, chain)


def fiqa(
    request: pytest.FixtureRequest, pictures: OwnPictures, client: RecordingHttpClient, profile: str
) -> None:
    """The event's face scaled down is searched without fiqa_level and with "no"; "high" may refuse it."""
    event = own.own_event(pictures)
    small = photo_b64(downscaled(event.face_jpeg, SMALL_FACE_WIDTH))
    window = search_window(*pictures.around(event, AROUND_MS))
    exchanges = list(event.picture_exchanges)
    for level in (None, "no"):
        body = {"face_image_base64": small, **window, **({} if level is None else {"fiqa_level": level})}
        response = post_search(client, body)
        exchanges.append(response.exchange)
        if level is None and profile == "lenient" and response.status != 200:
            expect_search_error(response, ("LOW_QUALITY_ERROR",), ["PS-SEARCH-002"], profile)  # E34
            continue
        answer = expect_success(response, ["PS-SEARCH-002"])
        items = [SearchItem.from_item(i) for i in answer.get("event_list") or [] if isinstance(i, dict)]
        fail_on(
            _finds(items, event, ("PS-SEARCH-002",)),
            f"a small face with fiqa_level {level}",
            exchanges=exchanges,
        )
    high = post_search(client, {"face_image_base64": small, **window, "fiqa_level": "high"})
    if high.status != 200:  # whether this face fails a box's "high" check is not known: 200 is no finding
        expect_search_error(high, ("LOW_QUALITY_ERROR",), ["PS-SEARCH-003"], profile)
    bogus = post_search(client, {"face_image_base64": small, **window, "fiqa_level": "ultra"})
    if bogus.status == 200:  # E40: a level outside the documented four may be ignored
        expect_success(bogus, ["PS-ERR-005"])
    else:
        expect_search_error(bogus, ("INVALID_ARGUMENTS",), ["PS-ERR-005"], profile)
    judged(request, "searches", 4)
