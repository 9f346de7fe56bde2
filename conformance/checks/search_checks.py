"""Picture search (seed 002, POST /SophonMatch/api/picturesearch): results, order, window, continuation, caps.

Build `SearchCall.from_exchange(request_body, response_json)` for every call of one search (the
first, then each continuation that sends the previous ``endtimestamp`` as ``last_end_timestamp``).
Items carry no event id: each is keyed by `correlation.event_key` (ms, ``ep_info.device_id``), so
expected keys come from the scenario with the same function. Times are read by magnitude (E20: the
seed's are float seconds; unit conformance is judged by `unit.judge`, not here).

==================  ========================================================================
check               deviation
==================  ========================================================================
search.threshold    an item below the threshold: compare_score × 100 < threshold (E08);
                    a compare_score above 1 (0–100 scale) is a unit finding
search.order        items not newest first (reverse true, the default) or oldest first
search.window       an item outside [starttime, endtime]; defaults: the 24 h before `now`
search.continuation over all calls: expected items lost, items repeated, unexpected items,
                    a continuation not chained to the previous endtimestamp (harness),
                    endtimestamp not advancing, have_more still true at the end
search.caps         more than 1000 results in one call; have_more false on a call whose
                    window holds more than 50,000 events (the scan cap is observable only so)
search.finds_event  a stored event searched with its own face picture is not among the results
search.threshold_relation
                    a higher threshold's results are not exactly the items of a lower one's
                    (threshold 0) whose compare_score × 100 reaches it
search.devices      a result from a device device_id_list does not name
search.endtimestamp an endtimestamp that is not float epoch seconds (E20) or lies outside the window
search.out_timestamp
                    an item's out_timestamp that is not epoch seconds (E20) or lies before its timestamp
search.agreement    two searches disagree inside a window both cover (a narrower window, a
                    probe around a continuation point): the results there must be the same
==================  ========================================================================

Relations between searches (threshold_relation, agreement) judge a box without an oracle: they hold
for any history, provided every search looks at a window closed in the past.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from conformance.checks.check_registry import check, requires
from conformance.checks.correlation import key_from_timestamp
from conformance.checks.findings import Finding, FindingCategory, describe_ids, deviation, id_sample
from conformance.checks.unit_inference import classify_timestamp, to_ms
from conformance.checks.vocabulary import (
    MS_PER_SECOND,
    SEARCH_DEFAULT_THRESHOLD,
    SEARCH_MAX_RESULTS,
    SEARCH_MAX_SCANNED,
    SECONDS_PER_DAY,
)

SCORE_TOLERANCE = 1e-9
US_PER_MS = 1000
SCORE_RELATION_EPSILON = 1e-6  # the same score read back from two answers may differ in its last digits


def _ms_or_none(value: Any) -> float | None:
    return to_ms(value) if classify_timestamp(value) != "unknown" else None


@dataclass(frozen=True)
class SearchItem:
    """One search result: its correlation key, time in ms and compare_score as sent."""

    key: str
    ts_ms: float | None
    compare_score: float | None
    device_id: str = ""

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> SearchItem:
        """From one `event_list` entry; odd values become None rather than raising."""
        ep_info = item.get("ep_info")
        device = str(ep_info.get("device_id", "")) if isinstance(ep_info, Mapping) else ""
        score = item.get("compare_score")
        return cls(
            key=key_from_timestamp(item.get("timestamp"), device) or f"?{item.get('timestamp')!r}@{device}",
            ts_ms=_ms_or_none(item.get("timestamp")),
            compare_score=float(score)
            if isinstance(score, int | float) and not isinstance(score, bool)
            else None,
            device_id=device,
        )

    @property
    def identity(self) -> str:
        """The item told apart from others of its key: the key is the whole ms (`event_key`), but one camera
        may record two recognitions in one millisecond (µs apart); their µs times keep them apart."""
        if self.ts_ms is None:
            return self.key
        return f"{round(self.ts_ms * US_PER_MS)}us@{self.device_id}"


@dataclass(frozen=True)
class SearchCall:
    """One call of a (possibly continued) search: the request sent and what came back."""

    request: Mapping[str, Any]
    items: tuple[SearchItem, ...]
    have_more: bool | None  # None when absent (E07: the seed's example has no have_more)
    endtimestamp_ms: float | None

    @classmethod
    def from_exchange(cls, request: Mapping[str, Any], response: Mapping[str, Any]) -> SearchCall:
        """From the request body and the decoded JSON answer."""
        raw = response.get("event_list")
        items = (
            tuple(SearchItem.from_item(i) for i in raw if isinstance(i, Mapping))
            if isinstance(raw, list)
            else ()
        )
        have_more = response.get("have_more")
        return cls(
            request=dict(request),
            items=items,
            have_more=have_more if isinstance(have_more, bool) else None,
            endtimestamp_ms=_ms_or_none(response.get("endtimestamp")),
        )

    @property
    def reverse(self) -> bool:
        """Seed 002: reverse defaults to True (newest first, scanning back from endtime)."""
        return self.request.get("reverse") is not False


@check("search.threshold")
def threshold(
    items: Sequence[SearchItem], threshold: float | None = None, *, requirements: Sequence[str] = ()
) -> list[Finding]:
    """Every result reaches the threshold: compare_score (0–1) × 100 ≥ threshold (0–100, default 82; E08)."""
    limit = SEARCH_DEFAULT_THRESHOLD if threshold is None else threshold
    scores = [i.compare_score for i in items if i.compare_score is not None]
    if any(score > 1 for score in scores):
        return [
            deviation(
                "compare_score above 1: the box reports it on the 0–100 scale, the documents on 0–1 (E08)",
                FindingCategory.UNIT,
                scores=sorted(scores)[-5:],
                errata=["E08"],
            )
        ]
    below = [
        i for i in items if i.compare_score is not None and i.compare_score * 100 < limit - SCORE_TOLERANCE
    ]
    if not below:
        return []
    return [
        deviation(
            f"{len(below)} result(s) below threshold {limit}: compare_score × 100 = "
            f"{', '.join(f'{i.compare_score * 100:.2f}' for i in below[:5] if i.compare_score is not None)}",
            threshold=limit,
            items=[i.key for i in below[:10]],
            errata=["E08"],
        )
    ]


@check("search.order")
def order(
    items: Sequence[SearchItem], reverse: bool = True, *, requirements: Sequence[str] = ()
) -> list[Finding]:
    """Results come in time order: newest first when reverse is true (the default), oldest first otherwise."""
    times = [i.ts_ms for i in items if i.ts_ms is not None]
    wrong = [(a, b) for a, b in itertools.pairwise(times) if (a < b if reverse else a > b)]
    if not wrong:
        return []
    return [
        deviation(
            f"{len(wrong)} adjacent result(s) out of order for reverse={reverse}"
            + (" (reverse ignored?)" if len(wrong) == len(times) - 1 else ""),
            reverse=reverse,
            first_pair_ms=list(wrong[0]),
        )
    ]


@check("search.window")
def window(
    items: Sequence[SearchItem],
    now: float,
    starttime: float | None = None,
    endtime: float | None = None,
    *,
    tolerance_s: float = 1.0,
    requirements: Sequence[str] = (),
) -> list[Finding]:
    """Results lie in [starttime, endtime]; unset, the window is the 24 hours before `now` (times in s)."""
    end_ms = to_ms(endtime) if endtime is not None else to_ms(now)
    start_ms = to_ms(starttime) if starttime is not None else to_ms(now) - SECONDS_PER_DAY * MS_PER_SECOND
    slack = tolerance_s * MS_PER_SECOND
    outside = [i for i in items if i.ts_ms is not None and not start_ms - slack <= i.ts_ms <= end_ms + slack]
    if not outside:
        return []
    return [
        deviation(
            f"{len(outside)} result(s) outside the window [{start_ms / 1000:.3f}, {end_ms / 1000:.3f}] s: "
            f"{describe_ids(i.key for i in outside)}",
            window_ms=[start_ms, end_ms],
            outside=[i.key for i in outside[:10]],
        )
    ]


def _chaining(calls: Sequence[SearchCall]) -> list[Finding]:
    findings: list[Finding] = []
    for number, (before, after) in enumerate(itertools.pairwise(calls), start=2):
        # E25: resume via last_end_timestamp, or (lenient) by moving the window edge to endtimestamp
        edge = "endtime" if after.reverse else "starttime"
        sent = {_ms_or_none(after.request.get("last_end_timestamp")), _ms_or_none(after.request.get(edge))}
        if before.endtimestamp_ms is not None and before.endtimestamp_ms not in sent:
            findings.append(
                deviation(
                    f"call {number} sent the previous endtimestamp neither as last_end_timestamp "
                    f"nor as {edge} (E25)",
                    FindingCategory.HARNESS,
                    call=number,
                )
            )
        if before.endtimestamp_ms is not None and after.endtimestamp_ms is not None:
            stuck = (
                after.endtimestamp_ms >= before.endtimestamp_ms
                if after.reverse
                else (after.endtimestamp_ms <= before.endtimestamp_ms)
            )
            if stuck and before.have_more:
                findings.append(
                    deviation(
                        f"endtimestamp did not advance between calls {number - 1} and {number} "
                        "(a continuation would loop)",
                        call=number,
                        endtimestamps_ms=[before.endtimestamp_ms, after.endtimestamp_ms],
                    )
                )
    return findings


@check("search.continuation")
@requires("at least one call was made", lambda a: len(a["calls"]) > 0)
def continuation(
    calls: Sequence[SearchCall],
    expected_keys: Collection[str] | None = None,
    *,
    requirements: Sequence[str] = (),
) -> list[Finding]:
    """Continuing via endtimestamp finds each expected item exactly once and ends with have_more false."""
    findings = _chaining(calls)
    counts = Counter(item.key for call in calls for item in call.items)
    # Repeats are judged by each item's own time (µs when shown): two recognitions of one camera in one
    # millisecond share a key but are two events, each returned once.
    times = Counter(item.identity for call in calls for item in call.items)
    repeated = sorted({item.key for call in calls for item in call.items if times[item.identity] > 1})
    if repeated:
        findings.append(
            deviation(
                f"{len(repeated)} item(s) returned more than once: {describe_ids(repeated)}",
                repeated=id_sample(repeated),
            )
        )
    if expected_keys is not None:
        lost, unexpected = set(expected_keys) - set(counts), set(counts) - set(expected_keys)
        if lost:
            findings.append(
                deviation(
                    f"{len(lost)} expected item(s) never returned: {describe_ids(lost)}",
                    lost=id_sample(lost),
                    lost_count=len(lost),
                )
            )
        if unexpected:
            findings.append(
                deviation(
                    f"{len(unexpected)} unexpected item(s): {describe_ids(unexpected)}",
                    unexpected=id_sample(unexpected),
                )
            )
    if calls[-1].have_more:
        findings.append(
            deviation(
                f"have_more still true after {len(calls)} call(s): the search did not finish",
                calls=len(calls),
            )
        )
    return findings


@check("search.caps")
def caps(
    calls: Sequence[SearchCall],
    events_in_window: Sequence[int | None] | None = None,
    *,
    requirements: Sequence[str] = (),
) -> list[Finding]:
    """At most 1000 results per call; a call whose window holds > 50,000 events must report have_more."""
    findings = [
        deviation(
            f"call {n} returned {len(call.items)} results, at most {SEARCH_MAX_RESULTS} allowed",
            call=n,
            results=len(call.items),
        )
        for n, call in enumerate(calls, start=1)
        if len(call.items) > SEARCH_MAX_RESULTS
    ]
    for n, (call, in_window) in enumerate(zip(calls, events_in_window or (), strict=False), start=1):
        if in_window is not None and in_window > SEARCH_MAX_SCANNED and call.have_more is not True:
            findings.append(
                deviation(
                    f"call {n}: {in_window} events in the window but have_more is {call.have_more} "
                    f"(at most {SEARCH_MAX_SCANNED} may be scanned per call)",
                    call=n,
                    events_in_window=in_window,
                )
            )
    return findings


@check("search.finds_event")
def finds_event(
    items: Sequence[SearchItem],
    low_ms: float,
    high_ms: float,
    device_id: str,
    *,
    requirements: Sequence[str] = (),
) -> list[Finding]:
    """The event [low_ms, high_ms] (its time as another interface showed it) of `device_id` is a result."""
    if any(
        i.device_id == device_id and i.ts_ms is not None and low_ms - 1 < i.ts_ms < high_ms + 1 for i in items
    ):
        return []
    return [
        deviation(
            f"the event of {device_id} at {low_ms / 1000:.6f} s is not among the {len(items)} result(s) "
            "of a search with its own face picture",
            event_ms=[low_ms, high_ms],
            device_id=device_id,
            results=[i.key for i in items[:10]],
        )
    ]


@check("search.threshold_relation")
def threshold_relation(
    base: Sequence[SearchItem],
    items: Sequence[SearchItem],
    threshold: float,
    *,
    requirements: Sequence[str] = (),
) -> list[Finding]:
    """`items` (at `threshold`) are exactly the `base` items (threshold 0) with compare_score × 100 ≥ it."""
    scores = {i.key: i.compare_score for i in base}
    got = {i.key for i in items}
    must = {k for k, s in scores.items() if s is not None and s * 100 >= threshold + SCORE_RELATION_EPSILON}
    may = {k for k, s in scores.items() if s is not None and s * 100 >= threshold - SCORE_RELATION_EPSILON}
    findings = []
    if must - got:
        findings.append(
            deviation(
                f"threshold {threshold:g}: {len(must - got)} item(s) of threshold 0 with compare_score × 100 "
                f"≥ {threshold:g} are missing: {describe_ids(must - got)}",
                threshold=threshold,
                missing=id_sample(must - got),
                errata=["E08"],
            )
        )
    if got - may:
        findings.append(
            deviation(
                f"threshold {threshold:g}: {len(got - may)} item(s) are not items of threshold 0 reaching "
                f"{threshold:g}: {describe_ids(got - may)}",
                threshold=threshold,
                unexpected=id_sample(got - may),
                errata=["E08"],
            )
        )
    return findings


@check("search.devices")
def devices(
    items: Sequence[SearchItem], allowed: Collection[str], *, requirements: Sequence[str] = ()
) -> list[Finding]:
    """Every result comes from a device of `device_id_list` (ep_info.device_id)."""
    others = [i for i in items if i.device_id not in allowed]
    if not others:
        return []
    return [
        deviation(
            f"{len(others)} result(s) from devices device_id_list does not name "
            f"({', '.join(sorted({i.device_id for i in others})[:5])}); listed: {sorted(allowed)}",
            listed=sorted(allowed),
            outside=[i.key for i in others[:10]],
        )
    ]


@check("search.agreement")
def agreement(
    wide: Sequence[SearchItem],
    narrow: Sequence[SearchItem],
    low_ms: float,
    high_ms: float,
    *,
    margin_ms: float = 1.0,
    requirements: Sequence[str] = (),
) -> list[Finding]:
    """Inside [low_ms + margin, high_ms - margin] two searches of one photo return the same items.

    `narrow` searched the window [low_ms, high_ms] alone, `wide` a window (or a continued chain) that
    covers it; items within `margin_ms` of a bound are not judged (a bound inside an event's
    millisecond may be read either way).
    """
    lo, hi = low_ms + margin_ms, high_ms - margin_ms

    def inside(found: Sequence[SearchItem]) -> set[str]:
        return {i.key for i in found if i.ts_ms is not None and lo <= i.ts_ms <= hi}

    in_wide, in_narrow = inside(wide), inside(narrow)
    findings = []
    if in_narrow - in_wide:
        findings.append(
            deviation(
                f"{len(in_narrow - in_wide)} result(s) of [{low_ms / 1000:.3f}, {high_ms / 1000:.3f}] s "
                f"searched alone are missing from the wider search: {describe_ids(in_narrow - in_wide)}",
                window_ms=[low_ms, high_ms],
                lost=id_sample(in_narrow - in_wide),
            )
        )
    if in_wide - in_narrow:
        findings.append(
            deviation(
                f"{len(in_wide - in_narrow)} result(s) of the wider search in [{low_ms / 1000:.3f}, "
                f"{high_ms / 1000:.3f}] s are missing when that window is searched alone: "
                f"{describe_ids(in_wide - in_narrow)}",
                window_ms=[low_ms, high_ms],
                unexpected=id_sample(in_wide - in_narrow),
            )
        )
    return findings


@check("search.endtimestamp")
def endtimestamp(
    answers: Sequence[Mapping[str, Any]],
    starttime: float,
    endtime: float,
    *,
    tolerance_s: float = 0.001,
    requirements: Sequence[str] = (),
) -> list[Finding]:
    """Each answer's endtimestamp is epoch seconds (E20) inside [starttime, endtime] (seconds)."""
    findings = []
    for number, answer in enumerate(answers, start=1):
        value = answer.get("endtimestamp")
        if value is None:
            continue  # E07: the example answer may leave it out; continuation judges that
        if isinstance(value, bool) or classify_timestamp(value) != "s":
            findings.append(
                deviation(
                    f"call {number}: endtimestamp {value!r} is not epoch seconds (E20)",
                    FindingCategory.UNIT,
                    call=number,
                    endtimestamp=value,
                    errata=["E20"],
                )
            )
        elif not starttime - tolerance_s <= float(value) <= endtime + tolerance_s:
            findings.append(
                deviation(
                    f"call {number}: endtimestamp {value!r} lies outside the window [{starttime}, {endtime}]",
                    call=number,
                    endtimestamp=value,
                )
            )
    return findings


@check("search.out_timestamp")
def out_timestamp(answers: Sequence[Mapping[str, Any]], *, requirements: Sequence[str] = ()) -> list[Finding]:
    """Where an item carries out_timestamp (optional), it is epoch seconds (E20), not before its timestamp."""
    items = [
        item
        for answer in answers
        if isinstance(answer.get("event_list"), list)
        for item in answer["event_list"]
        if isinstance(item, Mapping) and item.get("out_timestamp") is not None
    ]
    not_seconds = [i["out_timestamp"] for i in items if classify_timestamp(i["out_timestamp"]) != "s"]
    if not_seconds:
        return [
            deviation(
                f"{len(not_seconds)} item(s) carry out_timestamp not in epoch seconds: "
                f"{not_seconds[:3]!r} (E20)",
                FindingCategory.UNIT,
                values=not_seconds[:5],
                errata=["E20"],
            )
        ]
    before = [
        (i["out_timestamp"], i.get("timestamp"))
        for i in items
        if isinstance(i.get("timestamp"), int | float) and float(i["out_timestamp"]) < float(i["timestamp"])
    ]
    if not before:
        return []
    return [
        deviation(
            f"{len(before)} item(s) carry an out_timestamp before their timestamp: {before[:3]!r}",
            pairs=[list(pair) for pair in before[:5]],
        )
    ]
