"""The pages of one paged query as plain data, so paging checks work the same for v2 getevents and v1 events.

A query is fetched as a list of `FetchedPage`: what was asked (`PageRequest`), what the box said about
paging (`Pagination`) and the item ids in the order received. Build them with the adapters:

* `FetchedPage.from_v2(body, response)` — seed 000: ``page_index``/``page_limit`` in the JSON body,
  ``events[].event_id`` and ``pagination.page_index/page_limit/total_count`` in the answer.
* `FetchedPage.from_v1(params, response)` — seed 001: ``page``/``per_page``/``top_k`` in the query
  string, ``data[]._id`` and ``pagination.page/per_page/num_pages/total_count`` in the answer.

The adapters never raise on odd data: a missing or non-integer value becomes None and the checks
that need it do not apply (schema validation reports the shape).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from conformance.checks.vocabulary import V2_DEFAULT_PAGE_INDEX


def _int_or_none(value: Any) -> int | None:
    """An int from JSON or a query string; anything else (bool, float with a fraction, text) is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _ids(items: Any, key: str) -> tuple[str, ...]:
    if not isinstance(items, list):
        return ()
    return tuple(str(item.get(key)) for item in items if isinstance(item, Mapping))


@dataclass(frozen=True)
class PageRequest:
    """Paging parameters as sent; None means the parameter was omitted."""

    page: int | None = None
    size: int | None = None
    top_k: int | None = None


@dataclass(frozen=True)
class Pagination:
    """The answer's `pagination` object; None for a missing or non-integer value."""

    page: int | None = None
    size: int | None = None
    total_count: int | None = None
    num_pages: int | None = None


@dataclass(frozen=True)
class FetchedPage:
    """One page of one query: the request, the reported pagination and the ids in the order received."""

    request: PageRequest
    pagination: Pagination
    ids: tuple[str, ...]

    @property
    def index(self) -> int:
        """The page asked for; both APIs default to page 0."""
        return V2_DEFAULT_PAGE_INDEX if self.request.page is None else self.request.page

    @property
    def size(self) -> int | None:
        """Items per page asked for, else the size the box reported."""
        return self.request.size if self.request.size is not None else self.pagination.size

    @classmethod
    def from_v2(cls, body: Mapping[str, Any], response: Mapping[str, Any]) -> FetchedPage:
        """Seed 000: request body with page_index/page_limit, answer with events and pagination."""
        pagination = response.get("pagination")
        pagination = pagination if isinstance(pagination, Mapping) else {}
        return cls(
            request=PageRequest(
                page=_int_or_none(body.get("page_index")),
                size=_int_or_none(body.get("page_limit")),
            ),
            pagination=Pagination(
                page=_int_or_none(pagination.get("page_index")),
                size=_int_or_none(pagination.get("page_limit")),
                total_count=_int_or_none(pagination.get("total_count")),
            ),
            ids=_ids(response.get("events"), "event_id"),
        )

    @classmethod
    def from_v1(cls, params: Mapping[str, Any], response: Mapping[str, Any]) -> FetchedPage:
        """Seed 001: query parameters page/per_page/top_k, answer with data and pagination."""
        pagination = response.get("pagination")
        pagination = pagination if isinstance(pagination, Mapping) else {}
        return cls(
            request=PageRequest(
                page=_int_or_none(params.get("page")),
                size=_int_or_none(params.get("per_page")),
                top_k=_int_or_none(params.get("top_k")),
            ),
            pagination=Pagination(
                page=_int_or_none(pagination.get("page")),
                size=_int_or_none(pagination.get("per_page")),
                total_count=_int_or_none(pagination.get("total_count")),
                num_pages=_int_or_none(pagination.get("num_pages")),
            ),
            ids=_ids(response.get("data"), "_id"),
        )


def first_fetch_per_index(pages: Iterable[FetchedPage]) -> list[FetchedPage]:
    """One page per page index (the first fetch), sorted by index; repeats are for the stability check."""
    seen: dict[int, FetchedPage] = {}
    for page in pages:
        seen.setdefault(page.index, page)
    return [seen[index] for index in sorted(seen)]


def reported_total(pages: Sequence[FetchedPage]) -> int | None:
    """The total_count of the first page that reports one."""
    return next((p.pagination.total_count for p in pages if p.pagination.total_count is not None), None)


def common_size(pages: Sequence[FetchedPage]) -> int | None:
    """The page size shared by every page, None when unknown, non-positive or different between pages."""
    sizes = {page.size for page in pages}
    if len(sizes) != 1:
        return None
    (size,) = sizes
    return size if size is not None and size > 0 else None


def reachable_count(pages: Sequence[FetchedPage]) -> int | None:
    """How many items paging can reach: total_count, capped by top_k when one was asked."""
    total = reported_total(pages)
    if total is None:
        return None
    caps = [p.request.top_k for p in pages if p.request.top_k is not None and p.request.top_k >= 0]
    return min([total, *caps])


def last_page_index(pages: Sequence[FetchedPage]) -> int | None:
    """Index of the last non-empty page by arithmetic (-1 when nothing is reachable); None when unknown."""
    reachable, size = reachable_count(pages), common_size(pages)
    if reachable is None or size is None:
        return None
    return math.ceil(reachable / size) - 1


def all_pages_fetched(pages: Sequence[FetchedPage]) -> bool:
    """True when every page from 0 to the last reachable one was fetched (one consistent size)."""
    last = last_page_index(pages)
    if last is None:
        return False
    return set(range(last + 1)) <= {p.index for p in pages}
