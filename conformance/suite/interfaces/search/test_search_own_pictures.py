"""Picture search (seed 002) with the box's own pictures: on any box, no control plane needed.

Each stored event names its face picture (getspotimage); searched with it, the event must come back.
Every other check is a relation between searches of that picture over windows closed in the past
(threshold, device_id_list, window, reverse, continuation), so it holds whatever the box's history is.
With a control plane the picture-search history of `search_history.py` is stored first and sampled
exactly as a real box's history would be (the embedded emulator has no history of its own).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from conformance.checks import search_checks
from conformance.checks.findings import Finding
from conformance.checks.search_checks import SearchCall, SearchItem
from conformance.checks.vocabulary import SEARCH_DEFAULT_THRESHOLD, SEARCH_MAX_RESULTS, SEARCH_MAX_SCANNED
from conformance.clients.failures import fail_on
from conformance.clients.http_client import RecordingHttpClient
from conformance.suite.judgement import judged, not_exercised
from conformance.suite.support.search_calls import (
    SearchChain,
    expect_search_error,
    expect_success,
    post_search,
)
from conformance.suite.support.search_own_events import (
    AROUND_MS,
    DAY_MS,
    HOUR_MS,
    KINDS,
    OwnPictures,
    search_window,
)
from conformance.suite.support.search_own_searches import (
    chain_items,
    in_window,
    own_chain,
    own_event,
    own_exchanges,
    searched,
)
from conformance.target.target import Target

THRESHOLD_AROUND_MS = HOUR_MS  # wider: other sightings of the person give scores to split
RAISED_THRESHOLDS = (50.0, None)  # None: the default (82); then thresholds between the base's own scores
CHAIN_WIDTHS_MS = (HOUR_MS, 4 * HOUR_MS, 12 * HOUR_MS, 23 * HOUR_MS)
CHAIN_EVENTS = 2_500  # a continuation test window holds about this many events: 3 calls of 1,000
PROBE_ITEMS = 10  # a probe around a continuation point spans this many results either side of it
PROBE_CALLS = 3  # a probe holds about 20 (far edge: 50) results: one call, a continued one at most 3
FAR_EDGE_EVENTS = 50  # the probe at the far edge of the window is sized to hold about this many events
MONTH_DAYS = (31, 45)
SCAN_CAP_DAYS = 29


@pytest.mark.req(
    "PS-SEARCH-018", "PS-SEARCH-012", "PS-SCHEMA-008", "PS-SEARCH-009", "PS-SEARCH-014", "PS-TIME-004"
)
@pytest.mark.parametrize("kind", KINDS)
def test_own_face_finds_its_event(
    request: pytest.FixtureRequest, own_pictures: OwnPictures, http_client: RecordingHttpClient, kind: str
) -> None:
    """The event's own face picture finds the event, at a compare_score meeting the default threshold."""
    event = own_event(own_pictures, kind)
    window = own_pictures.around(event, AROUND_MS)
    chain = own_chain(http_client, event, window, ["PS-SEARCH-018"])
    items = chain_items(chain)
    findings = search_checks.finds_event(
        items, event.low_ms, event.high_ms, event.device_id, requirements=("PS-SEARCH-018",)
    )
    findings += search_checks.threshold(items, requirements=("PS-SEARCH-012", "PS-SCHEMA-008"))
    findings += in_window(items, window, ["PS-SEARCH-009"])
    findings += search_checks.order(items, True, requirements=("PS-SEARCH-014",))
    findings += search_checks.continuation(chain.calls, requirements=("PS-SEARCH-011",))
    findings += search_checks.out_timestamp(chain.answers)
    fail_on(findings, f"search with a {kind} event's own face picture", exchanges=own_exchanges(event, chain))
    searched(request, chain)


def _between_scores(items: Sequence[SearchItem]) -> list[float]:
    """Thresholds that split the base's own scores: between its two best, and at its median."""
    found = {round(i.compare_score * 100, 3) for i in items if i.compare_score is not None}
    scores = sorted(found, reverse=True)
    if len(scores) < 2:
        return []
    split = [round((scores[0] + scores[1]) / 2, 3)]
    median = scores[len(scores) // 2]
    return split + ([median] if 0 < median < split[0] else [])


@pytest.mark.req("PS-SEARCH-012", "PS-SCHEMA-008")
def test_raising_the_threshold_keeps_the_items_reaching_it(
    request: pytest.FixtureRequest, own_pictures: OwnPictures, http_client: RecordingHttpClient
) -> None:
    """Threshold t returns exactly the items of threshold 0 whose compare_score × 100 ≥ t (E08)."""
    event = own_event(own_pictures)
    window = own_pictures.around(event, THRESHOLD_AROUND_MS)
    base = own_chain(http_client, event, window, ["PS-SEARCH-012"], threshold=0)
    base_items = chain_items(base)
    findings = search_checks.threshold(base_items, 0, requirements=("PS-SEARCH-012", "PS-SCHEMA-008"))
    findings += search_checks.finds_event(base_items, event.low_ms, event.high_ms, event.device_id)
    chains = [base]
    for threshold in (*RAISED_THRESHOLDS, *_between_scores(base_items)):
        extra: dict[str, Any] = {} if threshold is None else {"threshold": threshold}
        chain = own_chain(http_client, event, window, ["PS-SEARCH-012"], **extra)
        chains.append(chain)
        limit = SEARCH_DEFAULT_THRESHOLD if threshold is None else threshold
        items = chain_items(chain)
        findings += search_checks.threshold(items, limit, requirements=("PS-SEARCH-012",))
        findings += search_checks.threshold_relation(base_items, items, limit)
    fail_on(findings, "searches of one picture at rising thresholds", exchanges=own_exchanges(event, *chains))
    searched(request, *chains)


@pytest.mark.req("PS-SEARCH-013")
def test_device_id_list_restricts_the_results(
    request: pytest.FixtureRequest, own_pictures: OwnPictures, http_client: RecordingHttpClient
) -> None:
    """Only the listed devices' events come back, all of them, the event's own when its device is listed."""
    event = own_event(own_pictures)
    window = own_pictures.around(event, AROUND_MS)
    ids = ["PS-SEARCH-013"]
    base = own_chain(http_client, event, window, ids, threshold=0)
    base_items = chain_items(base)
    others = sorted({item.device_id for item in base_items} - {event.device_id})
    lists = [[event.device_id]] + ([[others[0], event.device_id], others] if others else [])
    findings: list[Finding] = []
    chains = [base]
    for listed in lists:
        chain = own_chain(http_client, event, window, ids, threshold=0, device_id_list=listed)
        chains.append(chain)
        items = chain_items(chain)
        expected = {item.key for item in base_items if item.device_id in listed}
        findings += search_checks.devices(items, listed)
        findings += search_checks.continuation(chain.calls, expected, requirements=ids)
        if event.device_id in listed:
            findings += search_checks.finds_event(
                items, event.low_ms, event.high_ms, event.device_id, requirements=ids
            )
    fail_on(
        findings, f"searches restricted by device_id_list {lists}", exchanges=own_exchanges(event, *chains)
    )
    searched(request, *chains)
    if not others:
        not_exercised("every result of the window came from the event's own device: none to leave out")


@pytest.mark.req("PS-SEARCH-009", "PS-TIME-001")
def test_narrower_window_restricts_the_results(
    request: pytest.FixtureRequest, own_pictures: OwnPictures, http_client: RecordingHttpClient
) -> None:
    """A window inside another returns exactly the wider search's results that lie in it."""
    event = own_event(own_pictures)
    wide_window = own_pictures.around(event, AROUND_MS)
    narrow_window = own_pictures.around(event, AROUND_MS / 4)
    ids = ["PS-SEARCH-009"]
    wide = own_chain(http_client, event, wide_window, ids, threshold=0)
    narrow = own_chain(http_client, event, narrow_window, ids, threshold=0)
    findings = in_window(chain_items(wide), wide_window, ids) + in_window(
        chain_items(narrow), narrow_window, ids
    )
    findings += search_checks.agreement(
        chain_items(wide), chain_items(narrow), *narrow_window, requirements=ids
    )
    findings += search_checks.finds_event(
        chain_items(narrow), event.low_ms, event.high_ms, event.device_id, requirements=ids
    )
    fail_on(findings, "a window inside another", exchanges=own_exchanges(event, wide, narrow))
    searched(request, wide, narrow)


@pytest.mark.req("PS-SEARCH-014", "PS-SEARCH-015")
def test_reverse_orders_the_results(
    request: pytest.FixtureRequest, own_pictures: OwnPictures, http_client: RecordingHttpClient
) -> None:
    """By default results come newest first; reverse false gives the same results oldest first."""
    event = own_event(own_pictures)
    window = own_pictures.around(event, AROUND_MS)
    newest = own_chain(http_client, event, window, ["PS-SEARCH-014"], threshold=0)
    oldest = own_chain(http_client, event, window, ["PS-SEARCH-015"], threshold=0, reverse=False)
    findings = search_checks.order(chain_items(newest), True, requirements=("PS-SEARCH-014",))
    findings += search_checks.order(chain_items(oldest), False, requirements=("PS-SEARCH-015",))
    same = {item.key for item in chain_items(newest)}
    findings += search_checks.continuation(oldest.calls, same, requirements=("PS-SEARCH-015",))
    fail_on(findings, "one search in both orders", exchanges=own_exchanges(event, newest, oldest))
    searched(request, newest, oldest)
    if len(same) < 2:
        not_exercised(f"the window returned {len(same)} result(s): no order to judge")


def _chain_window(client: RecordingHttpClient, own_pictures: OwnPictures) -> tuple[tuple[float, float], int]:
    """The shortest window ending at the closed bound that holds CHAIN_EVENTS events (or 23 h), its count."""
    count = 0
    window = own_pictures.ending(CHAIN_WIDTHS_MS[-1])
    for width in CHAIN_WIDTHS_MS:
        window = own_pictures.ending(width)
        count = own_pictures.events_between(client, *window) or 0
        if count >= CHAIN_EVENTS:
            break
    return window, count


def _probes(
    chain: SearchChain, window: tuple[float, float], count: int, oldest_ms: float | None
) -> list[tuple[float, float]]:
    """Windows around the first, middle and last continuation point (PROBE_ITEMS results either side)
    and at the far edge of the window."""
    if chain.calls and chain.calls[-1].have_more:
        return []  # the chain never finished (judged so): probing it adds nothing
    times = sorted(item.ts_ms for item in chain_items(chain) if item.ts_ms is not None)
    probes = []
    cuts = chain.calls[:-1]
    for index in sorted({0, len(cuts) // 2, len(cuts) - 1} if cuts else set()):
        cut = cuts[index].endtimestamp_ms
        if cut is None:
            continue
        below = [t for t in times if t < cut][-PROBE_ITEMS:]
        above = [t for t in times if t >= cut][:PROBE_ITEMS]
        probes.append((below[0] if below else window[0], above[-1] if above else window[1]))
    far = (window[1] - window[0]) * FAR_EDGE_EVENTS / max(count, FAR_EDGE_EVENTS)
    start = window[0] if oldest_ms is None else max(window[0], oldest_ms - 1)
    probes.append((start, min(start + far, window[1])))  # reverse: the scan ends at the oldest event
    return probes


@pytest.mark.req("PS-SEARCH-011", "PS-SEARCH-010", "PS-SEARCH-017", "PS-SEARCH-019", "PS-TIME-002")
def test_continuation_partitions_the_results(
    request: pytest.FixtureRequest, own_pictures: OwnPictures, http_client: RecordingHttpClient
) -> None:
    """Continued from each endtimestamp, a search of more than 1,000 results repeats and loses nothing.

    Threshold 0 matches every event, so a window of a few thousand events needs several calls; probes
    around each continuation point and at the window's far edge, each searched alone, must agree with it.
    """
    event = own_event(own_pictures)
    window, count = _chain_window(http_client, own_pictures)
    ids = ["PS-SEARCH-011"]
    first = own_chain(http_client, event, window, ids, threshold=0, max_calls=1)
    fail_on(  # judged before continuing: an endtimestamp in another unit makes the continuation fail
        search_checks.endtimestamp(first.answers, window[0] / 1000, window[1] / 1000),
        "the endtimestamp a search continues from",
        exchanges=own_exchanges(event, first),
    )
    chain = own_chain(http_client, event, window, ids, threshold=0)
    items = chain_items(chain)
    last = chain.calls[-1] if chain.calls else None
    capped = last is not None and last.have_more is False and len(last.items) >= SEARCH_MAX_RESULTS
    probe_ids = [*ids, "PS-SEARCH-017"] if capped else ids  # a full last page said no more was left
    findings = search_checks.continuation(chain.calls, requirements=("PS-SEARCH-011", "PS-SEARCH-019"))
    findings += search_checks.caps(chain.calls, requirements=("PS-SEARCH-017",))
    findings += search_checks.order(items, True, requirements=("PS-SEARCH-014",))
    findings += in_window(items, window, ["PS-SEARCH-009"])
    findings += search_checks.endtimestamp(chain.answers, window[0] / 1000, window[1] / 1000)
    probes = []
    oldest = own_pictures.oldest_between(http_client, *window)
    for low, high in _probes(chain, window, count, oldest):
        probe = own_chain(http_client, event, (low, high), ids, threshold=0, max_calls=PROBE_CALLS)
        probes.append(probe)
        findings += search_checks.agreement(items, chain_items(probe), low, high, requirements=probe_ids)
    fail_on(
        findings, f"a search continued over {count} events", exchanges=own_exchanges(event, chain, *probes)
    )
    searched(request, chain, *probes)
    if len(items) <= SEARCH_MAX_RESULTS and len(chain.calls) == 1:
        not_exercised(
            f"the {window[1] - window[0]:.0f} ms before the closed bound hold {count} events and threshold "
            f"0 returned {len(items)}: at most the {SEARCH_MAX_RESULTS} results that make a search go on"
        )


@pytest.mark.req("PS-SEARCH-016")
def test_scan_cap_holds_on_a_month_of_history(
    request: pytest.FixtureRequest, own_pictures: OwnPictures, http_client: RecordingHttpClient
) -> None:
    """A window of more than 50,000 events is not scanned in one call: have_more is true."""
    event = own_event(own_pictures)
    window = own_pictures.ending(SCAN_CAP_DAYS * DAY_MS)
    count = own_pictures.events_between(http_client, *window)
    if count is None or count <= SEARCH_MAX_SCANNED:
        not_exercised(
            f"the box holds {count} events in the {SCAN_CAP_DAYS} days before the closed bound: "
            f"not more than the {SEARCH_MAX_SCANNED} a call may scan"
        )
    body = {"face_image_base64": event.photo, **search_window(*window), "threshold": 99}
    response = post_search(http_client, body)
    call = SearchCall.from_exchange(body, expect_success(response, ["PS-SEARCH-016"]))
    fail_on(
        search_checks.caps([call], [count], requirements=("PS-SEARCH-016",)),
        f"one search over {count} events",
        exchanges=[*event.picture_exchanges, response.exchange],
    )
    judged(request, "searches", 1)


@pytest.mark.req("PS-SEARCH-007", "PS-ERR-005")
@pytest.mark.parametrize("days", MONTH_DAYS)
def test_month_window_is_refused_with_own_picture(
    own_pictures: OwnPictures, http_client: RecordingHttpClient, target: Target, days: int
) -> None:
    """endtime - starttime must be shorter than one month: 31 days or more are refused (a 4xx)."""
    event = own_event(own_pictures)
    body = {"face_image_base64": event.photo, **search_window(*own_pictures.ending(days * DAY_MS))}
    answer = post_search(http_client, body)
    expect_search_error(answer, ("INVALID_ARGUMENTS",), ["PS-SEARCH-007"], target.profile)
