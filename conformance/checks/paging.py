"""Paging invariants of one query (seed 000 v2 getevents, seed 001 v1 events), checked over fetched pages.

Every check takes ``pages: Sequence[FetchedPage]`` (see `conformance.checks.fetched_pages`) — all pages
fetched for ONE query with ONE page size, in any order, repeats allowed — plus ``requirements=`` (the
requirement ids to stamp on findings). They return ``[]`` when the data conforms or the check does
not apply (its ``@requires`` guard names when it applies).

=====================  ==========================================================================
check                  deviation it reports
=====================  ==========================================================================
paging.duplicates      an id on two different pages (or twice on one page)
paging.total_count     total_count differs between pages, or contradicts the items seen
paging.coverage        all pages fetched but the union of ids ≠ total_count (gaps), or ≠ expected
paging.page_sizes      a page other than the last is not full, or the last has the wrong size
paging.num_pages       v1 num_pages ≠ ceil(total_count / per_page) (105085 / 5 → 21017)
paging.past_end        the page after the last is not empty
paging.echo            pagination.page/size do not echo what was asked (or the default)
paging.first_page      page 0 is not the first page (1-based paging), or not the globally first items
paging.stability       the same page fetched twice returned other ids or another order
paging.order           the items are not newest first (ties allowed) by the caller's key
paging.top_k           v1 top_k does not cap the reachable items
=====================  ==========================================================================
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from conformance.checks.check_registry import check, requires
from conformance.checks.fetched_pages import (
    FetchedPage,
    all_pages_fetched,
    common_size,
    first_fetch_per_index,
    last_page_index,
    reachable_count,
    reported_total,
)
from conformance.checks.findings import Finding, describe_ids, deviation, id_sample

Pages = Sequence[FetchedPage]


def _complete(args: Any) -> bool:
    return all_pages_fetched(args["pages"])


def _reports_num_pages(args: Any) -> bool:
    return any(p.pagination.num_pages is not None for p in args["pages"])


def _arithmetic_known(args: Any) -> bool:
    return last_page_index(args["pages"]) is not None


@check("paging.duplicates")
def duplicates(pages: Pages, *, requirements: Sequence[str] = ()) -> list[Finding]:
    """Every item appears on exactly one page of a query (duplicates mean overlapping pages)."""
    where: defaultdict[str, list[int]] = defaultdict(list)
    for page in first_fetch_per_index(pages):
        for item_id in page.ids:
            where[item_id].append(page.index)
    repeated = {item_id: indexes for item_id, indexes in where.items() if len(indexes) > 1}
    if not repeated:
        return []
    sample = {item_id: repeated[item_id] for item_id in id_sample(set(repeated))}
    return [
        deviation(
            f"{len(repeated)} item(s) appear more than once across pages: {describe_ids(sample)}",
            pages_by_id=sample,
            count=len(repeated),
        )
    ]


@check("paging.total_count")
@requires("some page reports total_count", lambda a: reported_total(a["pages"]) is not None)
def total_count(pages: Pages, *, requirements: Sequence[str] = ()) -> list[Finding]:
    """total_count is the size of the whole result: equal on every page and consistent with the items seen."""
    findings: list[Finding] = []
    totals = sorted({p.pagination.total_count for p in pages if p.pagination.total_count is not None})
    if len(totals) > 1:
        findings.append(deviation(f"total_count differs between pages of one query: {totals}", totals=totals))
    for page in first_fetch_per_index(pages):
        total, size = page.pagination.total_count, page.size
        if total is None or size is None or not page.ids:
            continue
        seen_through = page.index * size + len(page.ids)
        if total < seen_through:
            findings.append(
                deviation(
                    f"page {page.index} reports total_count {total} but {seen_through} items exist up to it "
                    "(total_count of the page instead of the query?)",
                    page=page.index,
                    total_count=total,
                    items_through_page=seen_through,
                )
            )
        elif len(page.ids) < size and page.request.top_k is None and total != seen_through:
            findings.append(
                deviation(
                    f"page {page.index} is the last (short, {len(page.ids)} of {size}) so total_count "
                    f"should be {seen_through}, box says {total}",
                    page=page.index,
                    total_count=total,
                    expected=seen_through,
                )
            )
    return findings


@check("paging.coverage")
@requires("every page from 0 to the last was fetched", _complete)
def coverage(
    pages: Pages, expected_ids: Sequence[str] | None = None, *, requirements: Sequence[str] = ()
) -> list[Finding]:
    """Fetching every page yields every item: total_count distinct ids (and exactly expected_ids if given)."""
    union = {item_id for page in first_fetch_per_index(pages) for item_id in page.ids}
    reachable = reachable_count(pages)
    findings: list[Finding] = []
    if reachable is not None and len(union) != reachable:
        findings.append(
            deviation(
                f"all pages fetched: {len(union)} distinct ids but total_count says {reachable}"
                + (" (gaps between pages)" if len(union) < reachable else ""),
                distinct_ids=len(union),
                total_count=reachable,
            )
        )
    if expected_ids is not None:
        missing, unexpected = set(expected_ids) - union, union - set(expected_ids)
        if missing or unexpected:
            findings.append(
                deviation(
                    f"paged result differs from the expected set: {len(missing)} missing "
                    f"({describe_ids(missing)}), {len(unexpected)} unexpected ({describe_ids(unexpected)})",
                    missing=id_sample(missing),
                    unexpected=id_sample(unexpected),
                    missing_count=len(missing),
                    unexpected_count=len(unexpected),
                )
            )
    return findings


@check("paging.page_sizes")
@requires("total_count and one page size are known", _arithmetic_known)
def page_sizes(pages: Pages, *, requirements: Sequence[str] = ()) -> list[Finding]:
    """Pages before the last are full; the last holds the remainder; pages after it are empty."""
    reachable, size = reachable_count(pages), common_size(pages)
    assert reachable is not None and size is not None  # guaranteed by the guard
    findings: list[Finding] = []
    for page in first_fetch_per_index(pages):
        expected = max(0, min(size, reachable - page.index * size))
        if len(page.ids) != expected:
            findings.append(
                deviation(
                    f"page {page.index} holds {len(page.ids)} items, expected {expected} "
                    f"(total {reachable}, {size} per page)",
                    page=page.index,
                    items=len(page.ids),
                    expected=expected,
                )
            )
    return findings


@check("paging.num_pages")
@requires("v1 pagination reports num_pages", _reports_num_pages)
def num_pages(pages: Pages, *, requirements: Sequence[str] = ()) -> list[Finding]:
    """v1 num_pages = ceil(total_count / per_page): seed 001 has 105085 items, 5 per page → 21017."""
    findings: list[Finding] = []
    for page in pages:
        reported, total = page.pagination.num_pages, page.pagination.total_count
        per_page = page.pagination.size or page.request.size
        if reported is None or total is None or not per_page or per_page <= 0:
            continue
        expected = math.ceil(total / per_page)
        if reported != expected:
            hint = " (floored?)" if reported == total // per_page else ""
            findings.append(
                deviation(
                    f"num_pages {reported} ≠ ceil({total} / {per_page}) = {expected}{hint}",
                    page=page.index,
                    num_pages=reported,
                    expected=expected,
                )
            )
    return findings


@check("paging.past_end")
@requires(
    "a page after the last one was fetched",
    lambda a: (last := last_page_index(a["pages"])) is not None and any(p.index > last for p in a["pages"]),
)
def past_end(pages: Pages, *, requirements: Sequence[str] = ()) -> list[Finding]:
    """Asking for the page after the last returns an empty page (not the last page again, not an error)."""
    last = last_page_index(pages)
    assert last is not None
    return [
        deviation(
            f"page {page.index} is past the last page ({last}) but holds {len(page.ids)} items",
            page=page.index,
            last_page=last,
            ids=id_sample(page.ids),
        )
        for page in pages
        if page.index > last and page.ids
    ]


@check("paging.echo")
def echo(pages: Pages, default_size: int | None = None, *, requirements: Sequence[str] = ()) -> list[Finding]:
    """pagination echoes the page asked for (0 when omitted) and the size asked for (or `default_size`)."""
    findings: list[Finding] = []
    for page in pages:
        asked_size = page.request.size if page.request.size is not None else default_size
        if page.pagination.page is not None and page.pagination.page != page.index:
            findings.append(
                deviation(
                    f"asked for page {page.index}, pagination says page {page.pagination.page}",
                    asked=page.index,
                    reported=page.pagination.page,
                    field="page",
                )
            )
        if asked_size is not None and page.pagination.size is not None and page.pagination.size != asked_size:
            findings.append(
                deviation(
                    f"asked for {asked_size} per page, pagination says {page.pagination.size}",
                    asked=asked_size,
                    reported=page.pagination.size,
                    field="size",
                )
            )
    return findings


def _page(pages: Pages, index: int) -> FetchedPage | None:
    return next((p for p in first_fetch_per_index(pages) if p.index == index), None)


@check("paging.first_page")
@requires("page 0 was fetched", lambda a: any(p.index == 0 for p in a["pages"]))
def first_page(
    pages: Pages, expected_first_ids: Sequence[str] | None = None, *, requirements: Sequence[str] = ()
) -> list[Finding]:
    """Page 0 is the first page: non-empty when items exist, not equal to page 1, holding the first items."""
    page0 = _page(pages, 0)
    assert page0 is not None
    page1 = _page(pages, 1)
    total = reported_total(pages)
    if not page0.ids and ((total or 0) > 0 or (page1 is not None and page1.ids)):
        return [deviation("page 0 is empty though items exist (1-based paging?)", total_count=total)]
    if page1 is not None and page0.ids and page0.ids == page1.ids:
        return [
            deviation(
                "page 0 and page 1 hold the same items (1-based paging clamped to 1?)",
                ids=id_sample(page0.ids),
            )
        ]
    if expected_first_ids is not None:
        wanted = set(expected_first_ids[: len(page0.ids) or len(expected_first_ids)])
        if set(page0.ids) != wanted:
            return [
                deviation(
                    "page 0 does not hold the globally first items "
                    f"(missing {describe_ids(wanted - set(page0.ids))})",
                    missing=id_sample(wanted - set(page0.ids)),
                    unexpected=id_sample(set(page0.ids) - wanted),
                )
            ]
    return []


@check("paging.stability")
@requires("some page was fetched twice", lambda a: len({p.index for p in a["pages"]}) < len(a["pages"]))
def stability(pages: Pages, *, requirements: Sequence[str] = ()) -> list[Finding]:
    """Fetching the same page again (data unchanged) returns the same ids in the same order."""
    first: dict[tuple[int, int | None], FetchedPage] = {}
    findings: list[Finding] = []
    for page in pages:
        key = (page.index, page.size)
        earlier = first.setdefault(key, page)
        if earlier is page or earlier.ids == page.ids:
            continue
        same_set = set(earlier.ids) == set(page.ids)
        findings.append(
            deviation(
                f"page {page.index} fetched twice: "
                + ("same ids in another order" if same_set else "different ids"),
                page=page.index,
                first=id_sample(earlier.ids),
                again=id_sample(page.ids),
            )
        )
    return findings


@check("paging.order")
def order(
    pages: Pages,
    key: Callable[[str], Any],
    *,
    descending: bool = True,
    requirements: Sequence[str] = (),
) -> list[Finding]:
    """Across pages items come newest first by `key(id)` (e.g. its timestamp); ties in any order."""
    sequence = [item_id for page in first_fetch_per_index(pages) for item_id in page.ids]
    inversions: list[list[str]] = []
    for before, after in itertools.pairwise(sequence):
        k_before, k_after = key(before), key(after)
        if (k_before < k_after) if descending else (k_before > k_after):
            inversions.append([before, after])
    if not inversions:
        return []
    direction = "newest first" if descending else "oldest first"
    return [
        deviation(
            f"{len(inversions)} adjacent pair(s) out of order ({direction}), first: {inversions[0]}",
            pairs=inversions[:5],
            count=len(inversions),
        )
    ]


@check("paging.top_k")
@requires("a top_k was asked", lambda a: any(p.request.top_k is not None for p in a["pages"]))
def top_k(
    pages: Pages, uncapped_count: int | None = None, *, requirements: Sequence[str] = ()
) -> list[Finding]:
    """v1 top_k caps the reachable items: at most top_k ids, exactly min(top_k, uncapped) when known."""
    cap = min(p.request.top_k for p in pages if p.request.top_k is not None)
    union = {item_id for page in first_fetch_per_index(pages) for item_id in page.ids}
    if len(union) > cap:
        return [
            deviation(
                f"top_k={cap} but {len(union)} distinct items were reachable", top_k=cap, reachable=len(union)
            )
        ]
    fetched_all = all_pages_fetched(pages) or any(not p.ids for p in pages)
    if uncapped_count is not None and fetched_all and len(union) != min(cap, uncapped_count):
        expected = min(cap, uncapped_count)
        return [
            deviation(
                f"top_k={cap} over {uncapped_count} matching items should reach {expected}, "
                f"reached {len(union)}",
                top_k=cap,
                reachable=len(union),
                expected=expected,
            )
        ]
    return []
