"""Picture-search checks: threshold scale, order, window, continuation coverage and caps."""

from __future__ import annotations

from typing import Any

from conformance.checks import search_checks as search
from conformance.checks.correlation import event_key
from conformance.checks.search_checks import SearchCall, SearchItem

NOW_S = 1_700_000_000.0
DEVICE = "dev-a"
# 10 matching events, one per minute over the last 10 minutes (seconds, like seed 002)
TIMES = [NOW_S - 60 * i for i in range(1, 11)]
EXPECTED = {event_key(t * 1000, DEVICE) for t in TIMES}


def _item(ts_s: float, score: float = 0.9) -> dict[str, Any]:
    return {"timestamp": ts_s, "compare_score": score, "ep_info": {"device_id": DEVICE}}


def _search(batch: int, *, bug: str = "") -> list[SearchCall]:
    """Continue a reverse search `batch` items at a time, like a box would answer."""
    calls: list[SearchCall] = []
    remaining = sorted(TIMES, reverse=True)
    last_end: float | None = None
    while True:
        chunk, remaining = remaining[:batch], remaining[batch:]
        if bug == "skip" and calls:
            remaining = remaining[1:]
        if bug == "repeat" and last_end is not None:
            chunk = [last_end, *chunk]  # the item at the previous stop point comes again
        end = chunk[-1] if chunk else NOW_S - 86400
        response = {
            "retcode": "1",
            "event_list": [_item(t) for t in chunk],
            "have_more": bool(remaining) or bug == "endless",
            "endtimestamp": end,
        }
        calls.append(SearchCall.from_exchange({"last_end_timestamp": last_end}, response))
        last_end = end
        if not response["have_more"] or len(calls) > 6:
            return calls


def test_threshold_compares_on_the_hundred_scale() -> None:
    items = [SearchItem.from_item(_item(TIMES[0], 0.82)), SearchItem.from_item(_item(TIMES[1], 0.95))]
    assert search.threshold(items) == []
    [found] = search.threshold(items, threshold=90)
    assert found.evidence["errata"] == ["E08"] and "82.00" in found.message
    [scale] = search.threshold([SearchItem.from_item(_item(TIMES[0], 91.67))])
    assert scale.category == "unit"


def test_order_follows_reverse() -> None:
    newest_first = [SearchItem.from_item(_item(t)) for t in TIMES]
    assert search.order(newest_first) == []
    assert search.order(list(reversed(newest_first)), reverse=False) == []
    [found] = search.order(list(reversed(newest_first)), reverse=True)
    assert "reverse ignored" in found.message


def test_window_defaults_to_last_24_hours() -> None:
    items = [SearchItem.from_item(_item(t)) for t in TIMES]
    assert search.window(items, now=NOW_S) == []
    old = SearchItem.from_item(_item(NOW_S - 86400 - 5))
    [found] = search.window([*items, old], now=NOW_S)
    assert found.evidence["outside"] == [old.key]
    assert search.window([old], now=NOW_S, starttime=NOW_S - 90000, endtime=NOW_S) == []
    assert search.window(items, now=NOW_S, starttime=TIMES[3], endtime=TIMES[0])


def test_continuation_passes_when_all_items_arrive_once() -> None:
    calls = _search(3)
    assert len(calls) == 4
    assert search.continuation(calls, EXPECTED) == []


def test_continuation_reports_skip_repeat_and_endless() -> None:
    [lost] = search.continuation(_search(3, bug="skip"), EXPECTED)
    assert lost.evidence["lost_count"] == 1
    assert any("more than once" in f.message for f in search.continuation(_search(3, bug="repeat"), EXPECTED))
    assert any(
        "did not finish" in f.message for f in search.continuation(_search(3, bug="endless"), EXPECTED)
    )


def test_continuation_reports_unchained_calls_and_stuck_endtimestamp() -> None:
    first = SearchCall.from_exchange({}, {"event_list": [], "have_more": True, "endtimestamp": NOW_S - 10})
    unchained = SearchCall.from_exchange(
        {"last_end_timestamp": NOW_S}, {"event_list": [], "have_more": False, "endtimestamp": NOW_S - 5}
    )
    found = search.continuation([first, unchained])
    assert {f.category for f in found} == {"harness", "semantic"}
    assert any("did not advance" in f.message for f in found)


def test_caps_on_results_and_scan() -> None:
    many = SearchCall.from_exchange(
        {}, {"event_list": [_item(NOW_S - i) for i in range(1001)], "have_more": True}
    )
    [found] = search.caps([many])
    assert found.evidence == {"call": 1, "results": 1001}
    finished = SearchCall.from_exchange({}, {"event_list": [], "have_more": False})
    assert search.caps([finished], events_in_window=[60_000])
    assert search.caps([finished], events_in_window=[50_000]) == []
    assert search.caps([many.__class__(many.request, (), True, None)], events_in_window=[60_000]) == []


def test_example_without_have_more_is_read_as_finished() -> None:
    call = SearchCall.from_exchange({}, {"ret_code": 1, "event_list": [_item(TIMES[0])], "total_count": 1})
    assert call.have_more is None
    assert search.continuation([call], {event_key(TIMES[0] * 1000, DEVICE)}) == []


def test_continuation_accepts_a_narrowed_window_e25() -> None:
    first = SearchCall.from_exchange({}, {"event_list": [], "have_more": True, "endtimestamp": NOW_S - 10})
    narrowed = SearchCall.from_exchange(
        {"endtime": NOW_S - 10}, {"event_list": [], "have_more": False, "endtimestamp": NOW_S - 20}
    )
    assert search.continuation([first, narrowed]) == []
    wrong_edge = SearchCall.from_exchange(
        {"starttime": NOW_S - 10}, {"event_list": [], "have_more": False, "endtimestamp": NOW_S - 20}
    )
    [found] = search.continuation([first, wrong_edge])
    assert found.category == "harness" and "E25" in found.message
