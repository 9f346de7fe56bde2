"""Metamorphic relations: properties any box must satisfy on its own data, no control plane needed.

Each relation takes the id sets of queries the caller ran (same page-through-everything collection
for each) and returns findings. Build the queries from one base filter:

=============================  ====================================================================
relation                       queries the caller runs
=============================  ====================================================================
meta.narrower_subset           base filter, and base plus one more restriction → narrow ⊆ wide
meta.conjunction               each single filter alone, and all of them together → together = ∩
meta.time_split                [a, b], [a, m], [m+step, b] (`split_time_range`) → union, disjoint
meta.name_substring            name query "ab" and a longer "abc" → results("abc") ⊆ results("ab")
meta.score_monotonic           score_min (or score_max) at increasing values → nested sets
meta.device_union              media_device_ids [d1..dn] and each [di] alone → the list = ∪
=============================  ====================================================================

Time split and units: bounds are inclusive, so the right half starts one *step* after m. For v2 (ms)
the step is 1. For v1 (seconds, float timestamps) no integer step is safe — an event at m + 0.4 s
falls between [a, m] and [m+1, b]; use `gap_split_point` to choose an m with no event in
(m, m + step), or a float step as fine as the timestamps.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet

from conformance.checks.check_registry import check
from conformance.checks.findings import Finding, describe_ids, deviation, id_sample

Ids = AbstractSet[str]


def _not_subset(small: Ids, big: Ids, message: str) -> list[Finding]:
    extra = set(small) - set(big)
    if not extra:
        return []
    return [deviation(f"{message}: {describe_ids(extra)}", extra=id_sample(extra), extra_count=len(extra))]


@check("meta.narrower_subset")
def narrower_subset(narrow: Ids, wide: Ids, *, requirements: Sequence[str] = ()) -> list[Finding]:
    """Adding a restriction never adds results: results(base ∧ f) ⊆ results(base)."""
    return _not_subset(narrow, wide, f"{len(set(narrow) - set(wide))} id(s) only in the narrower query")


@check("meta.conjunction")
def conjunction(
    combined: Ids, singles: Mapping[str, Ids], *, requirements: Sequence[str] = ()
) -> list[Finding]:
    """Filters combine with AND: results(f1 ∧ f2 …) equals the intersection of results(fi)."""
    if not singles:
        return []
    expected = set.intersection(*(set(ids) for ids in singles.values()))
    missing, extra = expected - set(combined), set(combined) - expected
    if not missing and not extra:
        return []
    ignored = [
        name
        for name in singles
        if len(singles) > 1
        and set(combined) == set.intersection(*(set(ids) for other, ids in singles.items() if other != name))
    ]
    return [
        deviation(
            f"combined filters ({', '.join(singles)}) ≠ intersection of single filters: "
            f"{len(missing)} missing ({describe_ids(missing)}), {len(extra)} extra ({describe_ids(extra)})"
            + (f"; {ignored} look(s) ignored when combined" if ignored else ""),
            missing=id_sample(missing),
            extra=id_sample(extra),
            filters=list(singles),
            looks_ignored=ignored,
        )
    ]


def split_time_range(
    low: int | float, high: int | float, step: int | float = 1
) -> tuple[tuple[int | float, int | float], tuple[int | float, int | float]]:
    """Split inclusive [low, high] into [low, m] and [m + step, high]; `step` is the filter's resolution."""
    if high < low + step:
        raise ValueError(f"cannot split [{low}, {high}] with step {step}: the range is too short")
    if isinstance(low, int) and isinstance(high, int) and isinstance(step, int):
        middle: int | float = low + (high - low - step) // 2
    else:
        middle = (low + high - step) / 2
    return (low, middle), (middle + step, high)


def gap_split_point(timestamps: Iterable[float], low: float, high: float, step: float = 1) -> int | None:
    """An integer m in [low, high - step] with no timestamp strictly inside (m, m + step); None if none."""
    blocked: set[int] = set()
    for t in timestamps:
        if low <= t <= high:  # integers m with m < t < m + step cannot split here
            blocked.update(range(math.floor(t - step) + 1, math.ceil(t)))
    first, last = math.ceil(low), math.floor(high - step)
    centre = math.floor((low + high - step) / 2)
    for distance in range(max(centre - first, last - centre) + 1):
        for middle in (centre - distance, centre + distance):
            if first <= middle <= last and middle not in blocked:
                return middle
    return None


@check("meta.time_split")
def time_split(whole: Ids, left: Ids, right: Ids, *, requirements: Sequence[str] = ()) -> list[Finding]:
    """Inclusive halves partition the range: results[a,b] = results[a,m] ∪ results[m+step,b], disjoint."""
    findings: list[Finding] = []
    overlap = set(left) & set(right)
    if overlap:
        findings.append(
            deviation(
                f"{len(overlap)} id(s) in both halves (a bound is not inclusive, or units differ): "
                f"{describe_ids(overlap)}",
                overlap=id_sample(overlap),
            )
        )
    union = set(left) | set(right)
    lost, extra = set(whole) - union, union - set(whole)
    if lost:
        findings.append(
            deviation(
                f"{len(lost)} id(s) of the whole range in neither half (exclusive bound?): "
                f"{describe_ids(lost)}",
                lost=id_sample(lost),
            )
        )
    if extra:
        findings.append(
            deviation(
                f"{len(extra)} id(s) in a half but not in the whole range: {describe_ids(extra)}",
                extra=id_sample(extra),
            )
        )
    return findings


@check("meta.name_substring")
def name_substring(
    shorter_query_ids: Ids, longer_query_ids: Ids, *, requirements: Sequence[str] = ()
) -> list[Finding]:
    """Substring matching: a name that contains "abc" contains "ab", so results("abc") ⊆ results("ab")."""
    return _not_subset(
        longer_query_ids, shorter_query_ids, "id(s) match the longer name but not its substring"
    )


@check("meta.score_monotonic")
def score_monotonic(
    results: Sequence[tuple[float, Ids]], bound: str = "min", *, requirements: Sequence[str] = ()
) -> list[Finding]:
    """Raising score_min never adds results; raising score_max never removes any."""
    if bound not in ("min", "max"):
        raise ValueError(f"bound must be 'min' or 'max', got {bound!r}")
    ordered = sorted(results, key=lambda pair: pair[0])
    findings: list[Finding] = []
    for (low_value, low_ids), (high_value, high_ids) in itertools.pairwise(ordered):
        if bound == "min":  # the higher minimum is the narrower query
            narrow_value, small, wide_value, big = high_value, high_ids, low_value, low_ids
        else:  # the lower maximum is the narrower query
            narrow_value, small, wide_value, big = low_value, low_ids, high_value, high_ids
        extra = set(small) - set(big)
        if extra:
            findings.append(
                deviation(
                    f"score_{bound}={narrow_value} returns id(s) that the wider score_{bound}={wide_value} "
                    f"does not: {describe_ids(extra)}",
                    bound=bound,
                    values=[low_value, high_value],
                    extra=id_sample(extra),
                )
            )
    return findings


@check("meta.device_union")
def device_union(
    combined: Ids, per_device: Mapping[str, Ids], *, requirements: Sequence[str] = ()
) -> list[Finding]:
    """A device list selects any of its devices: results([d1..dn]) = ∪ results([di]) (not only d1)."""
    expected = set().union(*(set(ids) for ids in per_device.values())) if per_device else set()
    missing, extra = expected - set(combined), set(combined) - expected
    if not missing and not extra:
        return []
    covered = [d for d, ids in per_device.items() if set(ids) and set(ids) <= set(combined)]
    return [
        deviation(
            f"device list {list(per_device)}: {len(missing)} missing ({describe_ids(missing)}), "
            f"{len(extra)} extra ({describe_ids(extra)}); devices fully covered: {covered}",
            missing=id_sample(missing),
            extra=id_sample(extra),
            devices_covered=covered,
        )
    ]
