"""Faults of picture search (seed 002): the scan (window, order, caps, threshold, continuation), the
request times, the fields of each item and the shape of the answer. Each fault carries its behaviour at
the hook points."""

from __future__ import annotations

import dataclasses
from typing import Any, Final

from conformance.emulator.faces.quality import FiqaLevel
from conformance.emulator.faults import hooks
from conformance.emulator.faults.model import Family
from conformance.emulator.faults.v2_queries import generated_id
from conformance.emulator.picture_search import Deviations, Match

FAMILY: Final = Family("picture_search")

SEEDED: Final = "needs a registered person's photo and events seeded through the control plane"
STRANGER_CODE: Final = 4
ANSWER_TESTS: Final = "test_answer_fields_follow_the_table"
Window = tuple[int | None, int | None]
THREE_DAYS_MS: Final = 3 * 86_400_000
QUALITY_UNKNOWN: Final = (
    "whether a box's own quality check rejects a given face is unknown without photos of known quality "
    "(the control plane's): a box's search of its own small face under \"high\" may rightly succeed"
)


def _deviation(**flags: bool) -> Any:
    def bend(deviations: Deviations, **_: Any) -> Deviations:
        return dataclasses.replace(deviations, **flags)

    return bend


def _default_window_three_days(window: Window, *, now_ms: int, **_: Any) -> Window:
    start, end = window
    return ((now_ms if end is None else end) - THREE_DAYS_MS if start is None else start, end)


def _inverted_window_swapped(window: Window, **_: Any) -> Window:
    start, end = window
    return (end, start) if start is not None and end is not None and start > end else window


def _request_times_ms(window: Window, *, params: Any, **_: Any) -> Window:
    start, end = params.starttime, params.endtime
    return (None if start is None else int(start), None if end is None else int(end))


def _out_timestamp_ms(item: dict[str, Any], **_: Any) -> dict[str, Any]:
    if isinstance(item.get("out_timestamp"), float):
        item["out_timestamp"] = round(item["out_timestamp"] * 1000)
    return item


def _ep_info(item: dict[str, Any]) -> dict[str, Any]:
    ep_info = item.get("ep_info")
    return ep_info if isinstance(ep_info, dict) else {}


def _ep_name_empty(item: dict[str, Any], **_: Any) -> dict[str, Any]:
    if isinstance(item.get("ep_info"), dict):
        item["ep_info"]["ep_name"] = ""
    return item


def _device_id_is_ip(item: dict[str, Any], **_: Any) -> dict[str, Any]:
    if isinstance(item.get("ep_info"), dict):
        item["ep_info"]["device_id"] = item["ep_info"].get("ep_ip", "")
    return item


def _is_stranger(item: dict[str, Any]) -> bool:
    return item.get("identity_id") == "" or item.get("person_type") == STRANGER_CODE


def _stranger_generated_id(item: dict[str, Any], **_: Any) -> dict[str, Any]:
    if _is_stranger(item):
        item["identity_id"] = generated_id(float(item["timestamp"]) * 1000)
    return item


def _matched_info_empty(item: dict[str, Any], **_: Any) -> dict[str, Any]:
    if not _is_stranger(item):
        item["identity_info"] = {}
    return item


def _score_is_compare_score(item: dict[str, Any], **_: Any) -> dict[str, Any]:
    if isinstance(item.get("compare_score"), int | float):
        item["score"] = round(item["compare_score"] * 100, 2)
    return item


def _stranger_name_empty(item: dict[str, Any], *, match: Match, **_: Any) -> dict[str, Any]:
    if match.record.identity is None:
        item["identity_name"] = ""
    return item


def _ep_type_file(item: dict[str, Any], **_: Any) -> dict[str, Any]:
    if _ep_info(item).get("ep_type") == "rtsp":
        item["ep_info"]["ep_type"] = "file"
    return item


Answer = dict[str, Any] | None


def _failure_answered_200(answer: Answer, *, error: Any = None, **context: Any) -> Answer:
    if answer is not None or error is None:
        return answer
    return {
        "retcode": "0",
        "total_time": context["total_time"],
        "endtimestamp": context["now_ms"] / 1000.0,  # nothing was scanned: the box's now
        "event_list": [],
        "have_more": False,
    }


def _example_answer_shape(answer: Answer, **_: Any) -> Answer:
    if answer is None:
        return None
    success = answer.get("retcode") == "1"
    shaped = {"ret_code": 1 if success else 0}
    shaped.update((k, v) for k, v in answer.items() if k not in ("retcode", "have_more"))
    if success:
        shaped["total_count"] = len(answer.get("event_list") or [])
    return shaped


FAMILY.fault(
    "ps-threshold-wrong-scale",
    "picture-search",
    "picture search matches when compare_score >= threshold/1000",
    ("PS-SEARCH-012",),
    {hooks.SEARCH_SCAN: _deviation(threshold_wrong_scale=True)},
    caught_by="test_threshold_is_on_the_0_to_100_scale or "
    "test_raising_the_threshold_keeps_the_items_reaching_it",
    quick=True,
)
FAMILY.fault(
    "ps-window-limit-not-enforced",
    "picture-search",
    "picture search accepts windows of a month or longer",
    ("PS-SEARCH-007",),
    {hooks.SEARCH_SCAN: _deviation(window_limit_not_enforced=True)},
    caught_by="test_window_of_a_month_or_more_is_refused or test_month_window_is_refused_with_own_picture",
)
FAMILY.fault(
    "ps-continuation-skips",
    "picture-search",
    "picture search reports as endtimestamp the first millisecond it did not scan, so it is skipped",
    ("PS-SEARCH-011",),
    {hooks.SEARCH_SCAN: _deviation(continuation_skips=True)},
    caught_by="(test_search_returns_exactly_the_persons_events and false) or "
    "test_continuation_partitions_the_results",
)
FAMILY.fault(
    "ps-continuation-repeats",
    "picture-search",
    "picture search treats last_end_timestamp as inclusive, so its millisecond is returned twice",
    ("PS-SEARCH-011",),
    {hooks.SEARCH_SCAN: _deviation(continuation_repeats=True)},
    caught_by="(test_search_returns_exactly_the_persons_events and false) or "
    "test_continuation_partitions_the_results",
)
FAMILY.fault(
    "ps-cap-not-applied",
    "picture-search",
    "picture search scans and returns everything (no 50,000 / 1,000 caps)",
    ("PS-SEARCH-017", "PS-SEARCH-016"),
    {hooks.SEARCH_SCAN: _deviation(cap_not_applied=True)},
    caught_by="test_continuation_partitions_the_results",
)
FAMILY.fault(
    "ps-reverse-ignored",
    "picture-search",
    "picture search always scans oldest first, whatever reverse says",
    ("PS-SEARCH-014",),
    {hooks.SEARCH_SCAN: _deviation(reverse_ignored=True)},
    caught_by="(test_search_returns_exactly_the_persons_events and default) or "
    "test_reverse_orders_the_results",
)
FAMILY.fault(
    "ps-request-times-ms",
    "timestamps",
    "picture search reads starttime/endtime as ms, so a window given in seconds lies in January 1970",
    ("PS-TIME-001",),
    {hooks.SEARCH_WINDOW: _request_times_ms},
    caught_by="test_search_window_is_read_in_float_seconds",
)
FAMILY.fault(
    "ps-out-timestamp-ms",
    "timestamps",
    "picture search items carry out_timestamp as integer ms while timestamp is in seconds",
    ("PS-TIME-004",),
    {hooks.SEARCH_ITEM: _out_timestamp_ms},
    caught_by="test_out_timestamp_is_seconds_after_timestamp or (test_own_face_finds_its_event and matched)",
)
FAMILY.fault(
    "ps-ep-name-empty",
    "picture-search",
    'picture search items carry ep_info.ep_name "" instead of the producing device\'s name',
    ("PS-SCHEMA-021",),
    {hooks.SEARCH_ITEM: _ep_name_empty},
    caught_by="test_search_items_name_their_device",
)
FAMILY.fault(
    "ps-device-id-is-ip",
    "picture-search",
    "picture search items carry the camera's IP as ep_info.device_id instead of its device_id",
    ("PS-SCHEMA-022",),
    {hooks.SEARCH_ITEM: _device_id_is_ip},
    caught_by="test_search_items_name_their_device",
)
FAMILY.fault(
    "ps-stranger-generated-id",
    "picture-search",
    'picture search items of strangers carry a generated identity_id instead of ""',
    ("PS-SCHEMA-010",),
    {hooks.SEARCH_ITEM: _stranger_generated_id},
    caught_by="test_search_items_carry_the_stored_match_and_score",
)
FAMILY.fault(
    "ps-matched-info-empty",
    "picture-search",
    "picture search items of matched persons carry identity_info {} (no face_ids, no image_id)",
    ("PS-SCHEMA-012", "PS-SCHEMA-013"),
    {hooks.SEARCH_ITEM: _matched_info_empty},
    caught_by="test_search_items_carry_the_stored_match_and_score",
)
FAMILY.fault(
    "ps-score-is-compare-score",
    "picture-search",
    "picture search items carry the query photo's compare_score × 100 as score, not the stored score",
    ("PS-SCHEMA-017",),
    {hooks.SEARCH_ITEM: _score_is_compare_score},
    caught_by="test_search_items_carry_the_stored_match_and_score",
)
FAMILY.fault(
    "ps-stranger-name-empty",
    "picture-search",
    'picture search items name a stranger "" instead of "stranger"',
    ("PS-SCHEMA-009",),
    {hooks.SEARCH_ITEM: _stranger_name_empty},
    caught_by=ANSWER_TESTS,
)
FAMILY.fault(
    "ps-ep-type-file",
    "picture-search",
    'picture search items give ep_type "file" (the v2 vocabulary) for stream devices instead of "rtsp"',
    ("PS-SCHEMA-020",),
    {hooks.SEARCH_ITEM: _ep_type_file},
    caught_by=ANSWER_TESTS,
)
FAMILY.fault(
    "ps-failure-answered-200",
    "picture-search",
    'a refused picture search is answered 200 with retcode "0" and no results instead of a 4xx envelope',
    ("PS-ERR-001", "PS-ERR-005"),
    {hooks.SEARCH_ANSWER: _failure_answered_200},
    caught_by="test_bad_images_are_refused",
)
FAMILY.fault(
    "ps-example-answer-shape",
    "picture-search",
    "picture search answers in seed 002's example shape: ret_code 1, total_count, no retcode or have_more",
    ("PS-SCHEMA-003", "PS-SCHEMA-004"),
    {hooks.SEARCH_ANSWER: _example_answer_shape},
    caught_by=ANSWER_TESTS,
)


# -- faults a box without control plane shows: searches with its own pictures (test_search_own_pictures.py)


def _request(**changes: Any) -> Any:
    def bend(params: Any, **_: Any) -> Any:
        return dataclasses.replace(params, **{key: change(params) for key, change in changes.items()})

    return bend


def _strangers_not_found(answer: Answer, **_: Any) -> Answer:
    if answer is not None and isinstance(answer.get("event_list"), list):
        answer["event_list"] = [item for item in answer["event_list"] if not _is_stranger(item)]
    return answer


def _compare_score_percent(item: dict[str, Any], **_: Any) -> dict[str, Any]:
    if isinstance(item.get("compare_score"), int | float):
        item["compare_score"] = item["compare_score"] * 100
    return item


def _have_more_false(answer: Answer, **_: Any) -> Answer:
    if answer is not None and "have_more" in answer:
        answer["have_more"] = False
    return answer


def _endtimestamp_ms(answer: Answer, **_: Any) -> Answer:
    if answer is not None and isinstance(answer.get("endtimestamp"), float):
        answer["endtimestamp"] = round(answer["endtimestamp"] * 1000)
    return answer


FAMILY.fault(
    "ps-strangers-not-searched",
    "picture-search",
    "picture search looks only at events of registered persons: a stranger's own face finds nothing",
    ("PS-SEARCH-018",),
    {hooks.SEARCH_ANSWER: _strangers_not_found},
    caught_by="test_own_face_finds_its_event and stranger",
)
FAMILY.fault(
    "ps-compare-score-percent",
    "picture-search",
    "picture search items carry compare_score on the 0-100 scale (91.67) instead of 0-1 (E08)",
    ("PS-SEARCH-012", "PS-SCHEMA-008"),
    {hooks.SEARCH_ITEM: _compare_score_percent},
    caught_by="test_own_face_finds_its_event and matched",
)
FAMILY.fault(
    "ps-threshold-ignored",
    "picture-search",
    "picture search ignores threshold and always matches at the default 82",
    ("PS-SEARCH-012",),
    {hooks.SEARCH_REQUEST: _request(threshold=lambda _: 82.0)},
    caught_by="test_raising_the_threshold_keeps_the_items_reaching_it",
)
FAMILY.fault(
    "ps-device-list-ignored",
    "picture-search",
    "picture search ignores device_id_list and searches every device",
    ("PS-SEARCH-013",),
    {hooks.SEARCH_REQUEST: _request(device_ids=lambda _: None)},
    caught_by="test_device_id_list_restricts_the_results",
)
FAMILY.fault(
    "ps-device-list-first-only",
    "picture-search",
    "picture search honours only the first id of device_id_list",
    ("PS-SEARCH-013",),
    {hooks.SEARCH_REQUEST: _request(device_ids=lambda p: p.device_ids[:1] if p.device_ids else None)},
    caught_by="test_device_id_list_restricts_the_results",
)
FAMILY.fault(
    "ps-starttime-ignored",
    "picture-search",
    "picture search ignores starttime: the window always starts 24 hours before now",
    ("PS-SEARCH-009",),
    {hooks.SEARCH_REQUEST: _request(starttime=lambda _: None)},
    caught_by="test_narrower_window_restricts_the_results",
)
FAMILY.fault(
    "ps-endtime-ignored",
    "picture-search",
    "picture search ignores endtime: the window always ends now",
    ("PS-SEARCH-009",),
    {hooks.SEARCH_REQUEST: _request(endtime=lambda _: None)},
    caught_by="test_narrower_window_restricts_the_results",
)
FAMILY.fault(
    "ps-reverse-false-ignored",
    "picture-search",
    "picture search ignores reverse false: results always come newest first",
    ("PS-SEARCH-015",),
    {hooks.SEARCH_REQUEST: _request(reverse=lambda _: True)},
    caught_by="test_reverse_orders_the_results",
)
FAMILY.fault(
    "ps-last-end-ignored",
    "picture-search",
    "picture search ignores last_end_timestamp: every continuation starts the scan again",
    ("PS-SEARCH-011", "PS-SEARCH-010"),
    {hooks.SEARCH_REQUEST: _request(last_end_timestamp=lambda _: None)},
    caught_by="test_continuation_partitions_the_results",
)
FAMILY.fault(
    "ps-have-more-always-false",
    "picture-search",
    "picture search answers have_more false even when a cap stopped the scan, so the rest is never searched",
    ("PS-SEARCH-017", "PS-SEARCH-011"),
    {hooks.SEARCH_ANSWER: _have_more_false},
    caught_by="test_continuation_partitions_the_results",
)
FAMILY.fault(
    "ps-endtimestamp-ms",
    "timestamps",
    "picture search answers endtimestamp in integer ms while it reads last_end_timestamp in seconds",
    ("PS-TIME-002", "PS-SEARCH-011"),
    {hooks.SEARCH_ANSWER: _endtimestamp_ms},
    caught_by="test_continuation_partitions_the_results",
)
FAMILY.fault(
    "ps-default-window-three-days",
    "picture-search",
    "without starttime picture search starts the window 3 days before endtime (or now), not 24 h before now",
    ("PS-SEARCH-005", "PS-SEARCH-006"),
    {hooks.SEARCH_WINDOW: _default_window_three_days},
    caught_by="test_older_events_only_with_an_explicit_window or "
    "test_search_returns_exactly_the_persons_events",
)
FAMILY.fault(
    "ps-inverted-window-swapped",
    "picture-search",
    "picture search with starttime after endtime searches the swapped window and returns its results",
    ("PS-SEARCH-008",),
    {hooks.SEARCH_WINDOW: _inverted_window_swapped},
    caught_by="test_starttime_after_endtime",
)
FAMILY.fault(
    "ps-fiqa-level-ignored",
    "picture-search",
    'picture search ignores fiqa_level: a face that fails the "high" quality check is searched anyway',
    ("PS-SEARCH-003",),
    {hooks.SEARCH_REQUEST: _request(fiqa_level=lambda _: FiqaLevel.NO)},
    caught_by="test_fiqa_level",
    blind_reason=QUALITY_UNKNOWN,
)
FAMILY.fault(
    "ps-fiqa-default-high",
    "picture-search",
    'picture search applies the "high" quality check when fiqa_level is absent or "no" (default: no check)',
    ("PS-SEARCH-002",),
    {
        hooks.SEARCH_REQUEST: _request(
            fiqa_level=lambda p: FiqaLevel.HIGH if p.fiqa_level == FiqaLevel.NO else p.fiqa_level
        )
    },
    caught_by="test_fiqa_level",
)
