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


def _on(device: str, ts_s: float, score: float = 0.9) -> SearchItem:
    return SearchItem.from_item({"timestamp": ts_s, "compare_score": score, "ep_info": {"device_id": device}})


def test_finds_event_by_device_and_the_millisecond_of_its_other_reading() -> None:
    seen = NOW_S - 0.0004  # a µs time: v2 shows its ms floor, [floor, floor + 1)
    floor_ms = float(int(seen * 1000))
    items = [_on("dev-b", seen), _on(DEVICE, NOW_S - 60)]
    [missing] = search.finds_event(items, floor_ms, floor_ms + 1, DEVICE)
    assert missing.evidence["device_id"] == DEVICE and "own face picture" in missing.message
    assert search.finds_event([*items, _on(DEVICE, seen)], floor_ms, floor_ms + 1, DEVICE) == []
    assert search.finds_event([_on(DEVICE, seen)], floor_ms + 5, floor_ms + 6, DEVICE)


def test_threshold_relation_wants_exactly_the_base_items_reaching_it() -> None:
    base = [_on(DEVICE, NOW_S - i, score) for i, score in enumerate((0.99, 0.9, 0.5, 0.1))]
    assert search.threshold_relation(base, base[:2], 85) == []
    assert search.threshold_relation(base, base[:1], 90.0000001) == []  # at the bound either way
    [missing] = search.threshold_relation(base, base[:1], 85)
    assert missing.evidence["missing"] == [base[1].key]
    [unexpected] = search.threshold_relation(base, base[:3], 85)
    assert unexpected.evidence["unexpected"] == [base[2].key]
    assert search.threshold_relation(base, [], 99.5) == []


def test_devices_refuses_results_of_unlisted_devices() -> None:
    items = [_on(DEVICE, NOW_S), _on("dev-b", NOW_S - 1)]
    assert search.devices(items, [DEVICE, "dev-b"]) == []
    [found] = search.devices(items, ["dev-b"])
    assert found.evidence["outside"] == [items[0].key] and DEVICE in found.message


def test_agreement_judges_inside_the_narrow_window_only() -> None:
    wide = [_on(DEVICE, NOW_S - i) for i in range(10)]
    low_ms, high_ms = (NOW_S - 6) * 1000, (NOW_S - 2) * 1000
    narrow = [item for item in wide if item.ts_ms is not None and low_ms <= item.ts_ms <= high_ms]
    assert search.agreement(wide, narrow, low_ms, high_ms) == []
    assert search.agreement(wide, narrow[1:-1], low_ms, high_ms) == []  # items on the bounds: not judged
    [lost] = search.agreement(wide[:4], narrow, low_ms, high_ms)
    assert set(lost.evidence["lost"]) == {wide[4].key, wide[5].key}
    [extra] = search.agreement(wide, narrow[:2], low_ms, high_ms)
    assert set(extra.evidence["unexpected"]) == {wide[4].key, wide[5].key}


def test_endtimestamp_is_seconds_inside_the_window() -> None:
    start, end = NOW_S - 3600, NOW_S
    assert search.endtimestamp([{"endtimestamp": NOW_S - 60}, {"endtimestamp": start}, {}], start, end) == []
    [unit] = search.endtimestamp([{"endtimestamp": round((NOW_S - 60) * 1000)}], start, end)
    assert unit.category == "unit" and "E20" in unit.message
    [outside] = search.endtimestamp([{"endtimestamp": NOW_S + 5}], start, end)
    assert "outside the window" in outside.message


def test_out_timestamp_is_seconds_after_the_timestamp() -> None:
    item = {"timestamp": NOW_S - 60, "out_timestamp": NOW_S - 58.5}
    assert search.out_timestamp([{"event_list": [item, {"timestamp": NOW_S}]}, {}]) == []
    [unit] = search.out_timestamp([{"event_list": [{**item, "out_timestamp": round((NOW_S - 58) * 1000)}]}])
    assert unit.category == "unit"
    [before] = search.out_timestamp([{"event_list": [{**item, "out_timestamp": NOW_S - 61}]}])
    assert "before their timestamp" in before.message


def test_two_events_of_one_camera_in_one_millisecond_are_no_repeat() -> None:
    """µs times: two recognitions of one camera in one ms share a key but each comes once; a true repeat
    (the same µs time in two calls) is still reported."""
    base = NOW_S - 30
    first = SearchCall.from_exchange(
        {},
        {
            "event_list": [_item(base + 0.030900), _item(base + 0.030100)],
            "have_more": True,
            "endtimestamp": base + 0.030,
        },
    )
    rest = SearchCall.from_exchange(
        {"last_end_timestamp": base + 0.030}, {"event_list": [_item(base - 5)], "have_more": False}
    )
    assert search.continuation([first, rest]) == []
    again = SearchCall.from_exchange(
        {"last_end_timestamp": base + 0.030}, {"event_list": [_item(base + 0.030100)], "have_more": False}
    )
    [found] = search.continuation([first, again])
    assert "more than once" in found.message
