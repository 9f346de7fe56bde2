"""Run the paging checks of `conformance.checks.paging` over fetched pages, stamped for one interface."""

from __future__ import annotations

from collections.abc import Sequence

from conformance.checks import paging
from conformance.checks.fetched_pages import FetchedPage
from conformance.checks.findings import Finding, deviation
from conformance.checks.requirement_ids import requirements_for
from conformance.checks.vocabulary import V2_DEFAULT_PAGE_LIMIT
from conformance.suite.support.query_calls import PagedResult, QueryApi


def partition_findings(result: PagedResult) -> list[Finding]:
    """Pages of one query partition its result: no duplicate, no gap, sizes, totals, past-the-end, echo."""
    api, pages = result.api.name, result.pages
    findings = [
        *paging.duplicates(pages, requirements=requirements_for("paging.duplicates", api)),
        *paging.total_count(pages, requirements=requirements_for("paging.total_count", api)),
        *paging.coverage(pages, requirements=requirements_for("paging.coverage", api)),
        *paging.page_sizes(pages, requirements=requirements_for("paging.page_sizes", api)),
        *paging.past_end(pages, requirements=requirements_for("paging.past_end", api)),
        *paging.echo(pages, requirements=requirements_for("paging.echo", api)),
        *paging.first_page(pages, requirements=requirements_for("paging.first_page", api)),
    ]
    if api == "v1":
        findings += paging.num_pages(pages, requirements=requirements_for("paging.num_pages", api))
    return findings


def slice_findings(api: QueryApi, listing: Sequence[str], result: PagedResult) -> list[Finding]:
    """Page k of size s holds items k*s … k*s+s-1 of the one-page listing of the same query."""
    size = result.answers[0].page.size if result.answers else None
    if not size:
        return []
    findings: list[Finding] = []
    for answer in result.answers:
        start = answer.page.index * size
        wanted = tuple(listing[start : start + size])
        if answer.ids == wanted:
            continue
        same_set = set(answer.ids) == set(wanted)
        check = "paging.order" if same_set else "paging.coverage"
        findings.append(
            deviation(
                f"page {answer.page.index} ({size} per page) holds {list(answer.ids)[:6]}, but items "
                f"{start}..{start + size - 1} of the one-page listing are {list(wanted)[:6]}"
                + (" (same items, other order)" if same_set else ""),
                page=answer.page.index,
                size=size,
            )
        )
        findings[-1] = _stamped(findings[-1], check, requirements_for(check, api.name))
    return findings


def repeat_findings(api: QueryApi, sequences: Sequence[Sequence[str]]) -> list[Finding]:
    """The same query asked several times returns the same sequence every time."""
    first = list(sequences[0]) if sequences else []
    findings: list[Finding] = []
    for number, again in enumerate(sequences[1:], start=2):
        if list(again) == first:
            continue
        same_set = set(again) == set(first)
        findings.append(
            _stamped(
                deviation(
                    f"call {number} of the same query returned "
                    + ("the same ids in another order" if same_set else "other ids")
                    + f": first {first[:6]}, then {list(again)[:6]}",
                    call=number,
                ),
                "paging.stability",
                requirements_for("paging.stability", api.name),
            )
        )
    return findings


def default_findings(api: QueryApi, default: FetchedPage, explicit: FetchedPage) -> list[Finding]:
    """Omitting the paging keys is page 0 of the documented default size (v2 10, v1 what it reports)."""
    findings: list[Finding] = []
    size_ids = ("V2Q-PAGE-001", "V2Q-PAGE-009") if api.is_v2 else ("V1Q-PAGE-003",)
    page_ids = ("V2Q-PAGE-003", "V2Q-PAGE-008") if api.is_v2 else ("V1Q-PAGE-003",)
    reported_size = default.pagination.size
    if api.is_v2 and reported_size != V2_DEFAULT_PAGE_LIMIT:
        findings.append(
            _stamped(
                deviation(f"without page_limit pagination.page_limit is {reported_size}, expected 10"),
                "paging.echo",
                size_ids,
            )
        )
    if default.pagination.page not in (0, None):
        findings.append(
            _stamped(
                deviation(f"without a page number pagination reports page {default.pagination.page}, not 0"),
                "paging.echo",
                page_ids,
            )
        )
    if reported_size is not None and len(default.ids) > reported_size:
        findings.append(
            _stamped(
                deviation(
                    f"the default page holds {len(default.ids)} items, more than its size {reported_size}"
                ),
                "paging.page_sizes",
                size_ids,
            )
        )
    expected = explicit.ids[: len(default.ids) if reported_size is None else reported_size]
    if default.ids != expected:
        same_set = set(default.ids) == set(expected)
        findings.append(
            _stamped(
                deviation(
                    f"the default page is not the first page: {list(default.ids)[:5]} vs page 0 "
                    f"{list(expected)[:5]}" + (" (same items, other order)" if same_set else "")
                ),
                "paging.stability" if same_set else "paging.first_page",
                requirements_for("paging.stability", api.name) if same_set else page_ids,
            )
        )
    return findings


def _stamped(found: Finding, check: str, requirement_ids: Sequence[str]) -> Finding:
    return Finding(
        check=check,
        message=found.message,
        requirement_ids=tuple(requirement_ids),
        category=found.category,
        evidence=found.evidence,
    )
