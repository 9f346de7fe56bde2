"""Paging checks pass on a correct pager and report each classic paging defect."""

from __future__ import annotations

import random

import pytest

from conformance.checks import paging
from conformance.checks.fetched_pages import FetchedPage, PageRequest, Pagination
from conformance.checks.findings import Finding
from tests.checks.fake_box import fetch_all, fetch_page

IDS = [f"e{i:03d}" for i in range(23)]  # newest first
SIZE = 5
ALL_CHECKS = [
    paging.duplicates,
    paging.total_count,
    paging.coverage,
    paging.page_sizes,
    paging.num_pages,
    paging.past_end,
    paging.echo,
    paging.first_page,
    paging.stability,
]


def _names(findings: list[Finding]) -> set[str]:
    return {f.check for f in findings}


def _run_all(pages: list[FetchedPage]) -> list[Finding]:
    return [found for chk in ALL_CHECKS for found in chk(pages)]


def test_a_correct_pager_passes_every_check() -> None:
    pages = [*fetch_all(IDS, SIZE), fetch_page(IDS, 2, SIZE)]
    assert _run_all(pages) == []
    assert paging.coverage(pages, expected_ids=IDS) == []
    assert paging.first_page(pages, expected_first_ids=IDS[:SIZE]) == []
    assert paging.order(pages, key=lambda i: -int(i[1:])) == []


@pytest.mark.parametrize(
    ("bug", "expected_check"),
    [
        ("one_based", "paging.first_page"),
        ("page_total", "paging.total_count"),
        ("floor_num_pages", "paging.num_pages"),
        ("overlap", "paging.duplicates"),
        ("gap", "paging.coverage"),
        ("repeat_last", "paging.past_end"),
        ("no_echo", "paging.echo"),
    ],
)
def test_each_defect_is_reported(bug: str, expected_check: str) -> None:
    pages = fetch_all(IDS, SIZE, bugs=[bug])
    assert expected_check in _names(_run_all(pages))


def test_num_pages_seed_example() -> None:
    good = FetchedPage(PageRequest(0, 5), Pagination(0, 5, 105085, 21017), ("a",) * 0)
    floored = FetchedPage(PageRequest(0, 5), Pagination(0, 5, 105086, 21017), ())
    assert paging.num_pages([good]) == []
    [found] = paging.num_pages([floored])
    assert found.evidence["expected"] == 21018
    assert "floored" in found.message


def test_total_count_of_the_page_is_caught_on_page_one() -> None:
    pages = [fetch_page(IDS, 1, SIZE, bugs=["page_total"])]
    [found] = paging.total_count(pages)
    assert found.evidence == {"page": 1, "total_count": 5, "items_through_page": 10}


def test_page_sizes_reports_short_middle_page() -> None:
    pages = fetch_all(IDS, SIZE)
    pages[1] = FetchedPage(pages[1].request, pages[1].pagination, pages[1].ids[:3])
    [found] = paging.page_sizes(pages)
    assert found.evidence == {"page": 1, "items": 3, "expected": 5}


def test_coverage_only_applies_when_all_pages_fetched() -> None:
    pages = fetch_all(IDS, SIZE, bugs=["gap"])
    assert paging.coverage(pages[:2]) == []
    assert paging.coverage(pages)


def test_coverage_names_missing_expected_ids() -> None:
    pages = fetch_all(IDS, SIZE)
    [found] = paging.coverage(pages, expected_ids=[*IDS, "zzz"])
    assert found.evidence["missing"] == ["zzz"]


def test_stability_reports_reordered_page() -> None:
    rng = random.Random(3)
    first = fetch_page(IDS, 1, SIZE)
    again = FetchedPage(first.request, first.pagination, tuple(reversed(first.ids)))
    [found] = paging.stability([first, again])
    assert "another order" in found.message
    unstable = [fetch_page(IDS, 1, SIZE, bugs=["unstable"], rng=rng) for _ in range(5)]
    assert paging.stability(unstable)


def test_stability_does_not_apply_without_repeats() -> None:
    assert paging.stability(fetch_all(IDS, SIZE)) == []


def test_order_allows_ties_and_reports_inversions() -> None:
    stamp = {item: i // 2 for i, item in enumerate(IDS)}  # pairs share a timestamp
    pages = fetch_all(IDS, SIZE)
    assert paging.order(pages, key=lambda i: -stamp[i]) == []
    [found] = paging.order(pages, key=lambda i: stamp[i])
    assert found.evidence["count"] > 0
    assert paging.order(pages, key=lambda i: stamp[i], descending=False) == []


def test_first_page_compares_with_globally_first_items() -> None:
    pages = fetch_all(IDS, SIZE)
    [found] = paging.first_page(pages, expected_first_ids=IDS[1 : SIZE + 1])
    assert found.evidence["missing"] == [IDS[SIZE]]


def test_first_page_empty_page_zero_is_one_based() -> None:
    page0 = FetchedPage(PageRequest(0, SIZE), Pagination(0, SIZE, 23), ())
    [found] = paging.first_page([page0])
    assert "1-based" in found.message


def test_echo_uses_default_size_when_omitted() -> None:
    page = FetchedPage(PageRequest(None, None), Pagination(0, 20, 3), ("a", "b", "c"))
    [found] = paging.echo([page], default_size=10)
    assert found.evidence == {"asked": 10, "reported": 20, "field": "size"}
    assert paging.echo([page], default_size=20) == []


def test_top_k_caps_reachable_items() -> None:
    good = [fetch_page(IDS, p, SIZE, top_k=7) for p in range(3)]
    assert paging.top_k(good, uncapped_count=len(IDS)) == []
    assert paging.page_sizes(good) == []
    ignored = [fetch_page(IDS, p, SIZE, top_k=7, bugs=["ignore_top_k"]) for p in range(6)]
    [found] = paging.top_k(ignored)
    assert found.evidence == {"top_k": 7, "reachable": 23}


def test_top_k_reports_too_few_items() -> None:
    short = [fetch_page(IDS[:4], p, SIZE, top_k=7) for p in range(2)]
    [found] = paging.top_k(short, uncapped_count=len(IDS))
    assert found.evidence["expected"] == 7


def test_adapters_read_v2_and_v1_envelopes() -> None:
    v2 = FetchedPage.from_v2(
        {"page_index": 1, "page_limit": 2},
        {
            "events": [{"event_id": "a"}, {"event_id": "b"}],
            "pagination": {"page_index": 1, "page_limit": 2, "total_count": 4},
        },
    )
    assert (v2.index, v2.size, v2.ids, v2.pagination.total_count) == (1, 2, ("a", "b"), 4)
    v1 = FetchedPage.from_v1(
        {"page": "0", "per_page": "5", "top_k": "9"},
        {"data": [{"_id": "x"}], "pagination": {"page": 0, "per_page": 5, "num_pages": 1, "total_count": 1}},
    )
    assert (v1.index, v1.size, v1.request.top_k, v1.pagination.num_pages) == (0, 5, 9, 1)
    odd = FetchedPage.from_v2({}, {"events": "nope", "pagination": {"total_count": "many"}})
    assert odd.ids == () and odd.pagination.total_count is None and odd.index == 0
