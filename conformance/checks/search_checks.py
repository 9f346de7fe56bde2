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
==================  ========================================================================
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from conformance.checks.correlation import key_from_timestamp
from conformance.checks.findings import Finding, describe_ids, deviation, id_sample
from conformance.checks.registry import check, requires
from conformance.checks.unit_inference import classify_timestamp, to_ms
from conformance.checks.vocabulary import (
    MS_PER_SECOND,
    SEARCH_DEFAULT_THRESHOLD,
    SEARCH_MAX_RESULTS,
    SEARCH_MAX_SCANNED,
    SECONDS_PER_DAY,
)

SCORE_TOLERANCE = 1e-9


def _ms_or_none(value: Any) -> float | None:
    return to_ms(value) if classify_timestamp(value) != "unknown" else None


@dataclass(frozen=True)
class SearchItem:
    """One search result: its correlation key, time in ms and compare_score as sent."""

    key: str
    ts_ms: float | None
    compare_score: float | None

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
        )


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
                "unit",
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
                    "harness",
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
    repeated = sorted(key for key, count in counts.items() if count > 1)
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
