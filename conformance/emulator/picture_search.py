"""Picture search (seed 002) as pure logic: the time window, the capped scan, scoring and continuation.

Times inside are integer milliseconds (the store's unit); the route converts the float seconds of
the interface (E20). Bounds are inclusive. The continuation rule never splits one millisecond
across two calls, so chaining `last_end_timestamp = endtimestamp` covers a window exactly once.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, Protocol

import numpy as np
import numpy.typing as npt

from conformance.emulator.faces.code_cache import FaceCodeCache
from conformance.emulator.faces.identity_code import span_coordinates
from conformance.emulator.model import EventRecord

DAY_MS: Final = 86_400_000
DEFAULT_WINDOW_MS: Final = DAY_MS  # "不设置时间，默认搜索24小时以内的记录"
MONTH_MS: Final = 30 * DAY_MS  # "一个月": we take 30 days; the window must be strictly shorter
SCAN_CAP: Final = 50_000  # "最多搜索5w条数据"
RESULT_CAP: Final = 1_000  # "1000个结果"
DEFAULT_THRESHOLD: Final = 82.0  # 0–100 scale; a record matches iff compare_score * 100 >= threshold (E08)
_WHOLE_MILLISECOND_LIMIT: Final = 10_000_000  # fetch limit when one millisecond alone exceeds a cap

Features = npt.NDArray[np.float32]


class WindowError(ValueError):
    """The time window is unacceptable; `key` names the request field to blame (INVALID_ARGUMENTS)."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"{key}: {reason}")
        self.key = key
        self.reason = reason


@dataclass(frozen=True)
class CandidateBatch:
    """Candidates of one scan in scan order: timestamps, features, and a way to load the full events."""

    ts_ms: npt.NDArray[np.int64]
    # (m, d); d = 512, or any space where the dot product with the projected query is the same
    features: Features
    hydrate: Callable[[list[int]], list[EventRecord]]  # batch indices -> events, same order
    feature_rows: npt.NDArray[np.intp] | None = None  # candidate i has features[feature_rows[i]]; None: row i

    def __len__(self) -> int:
        return int(self.ts_ms.shape[0])

    def scores(self, query: Features, count: int) -> npt.NDArray[np.float64]:
        """compare_score of the first `count` candidates; each distinct feature is scored once."""
        if self.feature_rows is None:
            return compare_scores(query, self.features[:count])
        rows = self.feature_rows[:count]
        if 2 * len(rows) < len(self.features):  # few candidates, many cached faces: gather first
            return compare_scores(query, self.features[rows])
        return compare_scores(query, self.features)[rows]


class CandidateSource(Protocol):
    """What the search needs from the store."""

    def scan(
        self, start_ms: int, end_ms: int, device_ids: list[str] | None, newest_first: bool, limit: int
    ) -> CandidateBatch:
        """At most `limit` events in [start_ms, end_ms] in scan order; equal timestamps stay together."""
        ...

    def project(self, query: Features) -> Features:
        """The query in the space of the batch features."""
        ...


Int64Array = npt.NDArray[np.int64]


class StoreLike(Protocol):
    """The part of the emulator store StoreCandidates uses."""

    def scan_keys(
        self, start_ms: int, end_ms: int, device_ids: list[str] | None, newest_first: bool, limit: int
    ) -> tuple[Int64Array, Int64Array, Int64Array, Int64Array]:
        """(rowids, ts_ms, face_seed, face_variant) of at most `limit` events in (ts_ms, event_id) order."""
        ...

    def face_features(self, faces: Sequence[tuple[int, int]]) -> Features:
        """Stored (n, 512) features of (face_seed, face_variant) pairs."""
        ...

    def records_by_rowid(self, rowids: Sequence[int]) -> list[EventRecord]:
        """Full events, in the order of the rowids."""
        ...

    @property
    def generation(self) -> int:
        """Changes when the store is wiped."""
        ...


_CACHES: weakref.WeakKeyDictionary[StoreLike, FaceCodeCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


class StoreCandidates:
    """CandidateSource over the store: a lean key scan, cached face codes, full records for matches only."""

    def __init__(self, store: StoreLike, cache: FaceCodeCache | None = None) -> None:
        self._store = store
        self.cache = FaceCodeCache() if cache is None else cache

    @classmethod
    def for_store(cls, store: StoreLike) -> StoreCandidates:
        """A source sharing one face-code cache with every other search of this store."""
        with _CACHES_LOCK:
            cache = _CACHES.get(store)
            if cache is None:
                cache = _CACHES[store] = FaceCodeCache()
        return cls(store, cache)

    def scan(
        self, start_ms: int, end_ms: int, device_ids: list[str] | None, newest_first: bool, limit: int
    ) -> CandidateBatch:
        """One lean store query; features come from the cache, full events only when hydrated."""
        store = self._store
        rowids, ts, seeds, variants = store.scan_keys(start_ms, end_ms, device_ids, newest_first, limit)
        codes, rows = self.cache.lookup(seeds, variants, store.face_features, store.generation)

        def hydrate(indices: list[int]) -> list[EventRecord]:
            return store.records_by_rowid([int(rowids[i]) for i in indices])

        return CandidateBatch(ts, codes, hydrate, feature_rows=rows)

    def project(self, query: Features) -> Features:
        """The query's span coordinates (queries come from the extractor, so they lie in the span)."""
        return span_coordinates(query)


@dataclass(frozen=True)
class Deviations:
    """Fault switches that make the search deviate from the documents (all off = conforming)."""

    threshold_wrong_scale: bool = False  # match iff compare_score >= threshold / 1000
    window_limit_not_enforced: bool = False  # accept windows of a month or longer
    continuation_skips: bool = False  # endtimestamp names the first unscanned millisecond: it is lost
    continuation_repeats: bool = False  # last_end_timestamp is inclusive: its millisecond comes again
    cap_not_applied: bool = False  # scan and return everything in the window
    reverse_ignored: bool = False  # always scan oldest first


@dataclass(frozen=True)
class Window:
    """The requested window [start_ms, end_ms], both inclusive."""

    start_ms: int
    end_ms: int


def resolve_window(
    start_ms: int | None, end_ms: int | None, now_ms: int, deviations: Deviations = Deviations()
) -> Window:
    """Apply the seed's defaults (start = now − 24 h, end = now, each on its own) and its limits."""
    start = now_ms - DEFAULT_WINDOW_MS if start_ms is None else start_ms
    end = now_ms if end_ms is None else end_ms
    if start > end:
        raise WindowError("starttime", "starttime is after endtime")
    if end - start >= MONTH_MS and not deviations.window_limit_not_enforced:
        raise WindowError("endtime", "endtime - starttime must be shorter than one month (30 days)")
    return Window(start, end)


@dataclass(frozen=True)
class ScanPlan:
    """What one call scans: the part of the window left after continuation, and in which direction."""

    window: Window
    lo_ms: int  # inclusive
    hi_ms: int  # inclusive
    newest_first: bool

    @property
    def empty(self) -> bool:
        """Nothing left to scan."""
        return self.lo_ms > self.hi_ms


def plan_scan(
    window: Window,
    newest_first: bool,
    last_end_ms: int | None,
    deviations: Deviations = Deviations(),
) -> ScanPlan:
    """Resume strictly before (reverse) or strictly after (forward) the previous call's endtimestamp."""
    newest_first = newest_first and not deviations.reverse_ignored
    lo, hi = window.start_ms, window.end_ms
    if last_end_ms is not None:
        step = 0 if deviations.continuation_repeats else 1
        if newest_first:
            hi = min(hi, last_end_ms - step)
        else:
            lo = max(lo, last_end_ms + step)
    return ScanPlan(window, lo, hi, newest_first)


@dataclass(frozen=True)
class Match:
    """One result: the event and its similarity on the 0–1 scale."""

    record: EventRecord
    compare_score: float


@dataclass(frozen=True)
class SearchOutcome:
    """The answer of one call, before rendering."""

    matches: list[Match]
    have_more: bool
    end_ms: int  # the endtimestamp to report, in ms
    scanned: int


def is_match(
    compare_score: npt.NDArray[np.float64], threshold: float, deviations: Deviations
) -> npt.NDArray[np.bool_]:
    """The seed's rule compare_score*100 >= threshold (E08), or the wrong-scale fault's reading."""
    if deviations.threshold_wrong_scale:
        return np.asarray(compare_score >= threshold / 1000.0)
    return np.asarray(compare_score * 100.0 >= threshold)


def compare_scores(query: Features, features: Features) -> npt.NDArray[np.float64]:
    """Cosine similarity of unit features, clipped to the documented 0–1 range.

    einsum rather than `@`: a matrix-vector product goes to the multi-threaded BLAS, whose threads
    spin against each other on a busy 2-core machine (50,000 x 196 took 21 ms there, einsum 1.4 ms).
    """
    if features.shape[0] == 0:
        return np.zeros(0, dtype=np.float64)
    matrix, vector = features.astype(np.float32, copy=False), query.astype(np.float32, copy=False)
    raw = np.asarray(np.einsum("ij,j->i", matrix, vector), dtype=np.float64)
    return np.clip(raw, 0.0, 1.0)


def group_start(ts: npt.NDArray[np.int64], index: int) -> int:
    """First index of the run of equal timestamps that contains `index` (scan order keeps runs together)."""
    value = ts[index]
    start = index
    while start > 0 and ts[start - 1] == value:
        start -= 1
    return start


def group_end(ts: npt.NDArray[np.int64], index: int) -> int:
    """One past the last index of the run of equal timestamps that contains `index`."""
    value, end = ts[index], index + 1
    while end < len(ts) and ts[end] == value:
        end += 1
    return end


def _covered_edge(plan: ScanPlan) -> int:
    """The window edge a finished scan reports as its endtimestamp."""
    return plan.lo_ms if plan.newest_first else plan.hi_ms


def run_search(
    source: CandidateSource,
    query: Features,
    plan: ScanPlan,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    device_ids: list[str] | None = None,
    deviations: Deviations = Deviations(),
) -> SearchOutcome:
    """Scan the plan's range in order, stopping at a millisecond boundary when a cap is reached."""
    if plan.empty:
        return SearchOutcome([], have_more=False, end_ms=_covered_edge(plan), scanned=0)
    uncapped = deviations.cap_not_applied
    limit = _WHOLE_MILLISECOND_LIMIT if uncapped else SCAN_CAP + 1
    batch = source.scan(plan.lo_ms, plan.hi_ms, device_ids, plan.newest_first, limit)
    ts = batch.ts_ms
    cut, stopped = len(batch), False
    if not uncapped and len(batch) > SCAN_CAP:
        stopped = True
        cut = group_start(ts, SCAN_CAP)
        if cut == 0:  # one millisecond holds more than the cap: scan it whole rather than split it
            only = int(ts[0])
            batch = source.scan(only, only, device_ids, plan.newest_first, _WHOLE_MILLISECOND_LIMIT)
            ts, cut = batch.ts_ms, len(batch)
            stopped = only != _covered_edge(plan)
    scores = batch.scores(source.project(query), cut)
    hits = np.flatnonzero(is_match(scores, threshold, deviations))
    if not uncapped and len(hits) > RESULT_CAP:
        first_over = int(hits[RESULT_CAP])
        # Stop before the millisecond of the first result over the cap; if that is the very first
        # millisecond, it is returned whole (the one case where more than RESULT_CAP come back).
        result_cut = group_start(ts, first_over) or group_end(ts, first_over)
        if result_cut < cut:
            cut, stopped = result_cut, True
        hits = hits[hits < cut]
    if stopped:
        end_ms = int(ts[cut - 1])
        if deviations.continuation_skips and cut < len(ts):
            end_ms = int(ts[cut])
    else:
        end_ms = _covered_edge(plan)
    indices = [int(i) for i in hits]
    matches = [Match(r, float(scores[i])) for r, i in zip(batch.hydrate(indices), indices, strict=True)]
    return SearchOutcome(matches, have_more=stopped, end_ms=end_ms, scanned=cut)
