"""Tiny in-test models of a box's paging and filtering, each with switchable defects, to prove checks fail."""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence

from conformance.checks.fetched_pages import FetchedPage, PageRequest, Pagination
from conformance.checks.filter_oracle import V2Filter, name_matches
from conformance.checks.scenario import ScenarioEvent


def fetch_page(
    ids: Sequence[str],
    page: int,
    size: int,
    *,
    bugs: Iterable[str] = (),
    top_k: int | None = None,
    rng: random.Random | None = None,
) -> FetchedPage:
    """Serve one page of `ids` (already newest first) like a box, with the named defects switched on."""
    bug = set(bugs)
    items = list(ids[:top_k] if top_k is not None and "ignore_top_k" not in bug else ids)
    start = page * size
    if "one_based" in bug:
        start = max(0, page - 1) * size
    if "overlap" in bug and page > 0:
        start -= 1
    if "gap" in bug and page > 0:
        start += 1
    chosen = items[start : start + size]
    if "repeat_last" in bug and not chosen and items:
        last = math.ceil(len(items) / size) - 1
        chosen = items[last * size : last * size + size]
    if "unstable" in bug and rng is not None:
        chosen = rng.sample(chosen, len(chosen))
    total = len(chosen) if "page_total" in bug else len(items)
    num_pages = total // size if "floor_num_pages" in bug else math.ceil(total / size)
    return FetchedPage(
        request=PageRequest(page=page, size=size, top_k=top_k),
        pagination=Pagination(
            page=page + 1 if "no_echo" in bug else page,
            size=size,
            total_count=total,
            num_pages=num_pages,
        ),
        ids=tuple(chosen),
    )


def fetch_all(
    ids: Sequence[str], size: int, *, bugs: Iterable[str] = (), extra: int = 1
) -> list[FetchedPage]:
    """Every page from 0 to the last, plus `extra` pages past the end, as a careful client would fetch."""
    bugs = tuple(bugs)
    last = max(0, math.ceil(len(ids) / size) - 1)
    return [fetch_page(ids, page, size, bugs=bugs) for page in range(last + 1 + extra)]


def v2_query(events: Iterable[ScenarioEvent], filt: V2Filter, *, bugs: Iterable[str] = ()) -> set[str]:
    """The ids a v2 box returns for `filt`, with defects: exclusive bounds, ms read as s, exact names…"""
    bug = set(bugs)
    gte, lte = filt.datetime_gte, filt.datetime_lte
    if "ms_as_s" in bug:
        gte = None if gte is None else gte * 1000
        lte = None if lte is None else lte * 1000
    result = set()
    for e in events:
        if gte is not None and not (e.ts_ms > gte if "exclusive_bounds" in bug else e.ts_ms >= gte):
            continue
        if lte is not None and not (e.ts_ms < lte if "exclusive_bounds" in bug else e.ts_ms <= lte):
            continue
        if filt.identity_name is not None and "ignore_name" not in bug:
            if "exact_name" in bug:
                if e.name != filt.identity_name:
                    continue
            elif not name_matches(e.name, filt.identity_name):
                continue
        if filt.identity_id is not None and e.identity_id != filt.identity_id:
            continue
        if filt.score_min is not None and e.score < filt.score_min:
            continue
        if filt.score_max is not None and not (
            e.score < filt.score_max if "exclusive_score" in bug else e.score <= filt.score_max
        ):
            continue
        if filt.user_type is not None and "ignore_user_type" not in bug:
            wanted = filt.user_type if "case_sensitive_user_type" in bug else filt.user_type.lower()
            if e.user_type != wanted:
                continue
        if filt.media_device_ids:
            devices = filt.media_device_ids[:1] if "first_device_only" in bug else filt.media_device_ids
            if e.device_id not in devices:
                continue
        result.add(e.id)
    return result
