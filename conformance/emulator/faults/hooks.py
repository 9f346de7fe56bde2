"""The hook points of the box and the thread-safe set of active faults that acts at them.

Box code never names a fault: at each declared point it calls `faults.apply(POINT, value, **context)`
and uses what comes back. The active faults' behaviours for that point run in catalog order (family
file order, then declaration order), each receiving the previous one's result. A variation that
`implies` faults switches them on with it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeVar

from conformance.emulator.faults.model import Behaviour

if TYPE_CHECKING:
    from conformance.emulator.faults.catalog import Catalog

T = TypeVar("T")

# --- v2 getevents and v1 events -------------------------------------------------------------------
V2_QUERY: Final = "v2.query"  # getevents body (dict) before it is read; may raise an error
V2_FILTER_BOUND: Final = "v2.filter_bound"  # one datetime_gte/lte number as read (ctx: key)
V2_FILTERS: Final = "v2.filters"  # EventFilters of getevents, or the ApiError refusing them (ctx: gte, lte)
PAGE_REQUEST: Final = "query.page_request"  # PageRequest of a query (ctx: api, page_index, page_limit)
PAGE_CAP: Final = "query.page_cap"  # the largest page_limit / per_page served, a float (ctx: api)
QUERY_PAGE: Final = "query.page"  # the answer dict of getevents or v1 events (ctx: api)
V2_EVENT: Final = "v2.event"  # one rendered v2 event dict (ctx: record)
V1_QUERY: Final = "v1.query"  # v1 events query params after page was read (ctx: page); may raise
V1_FILTERS: Final = "v1.filters"  # EventFilters read from a v1 events query
V1_EVENT: Final = "v1.event"  # one rendered v1 event dict (ctx: record)
# --- small calls, errors, JSON bodies ---------------------------------------------------------------
CALL_REQUEST: Final = "call.request"  # arguments of a small call as read (ctx: call); may raise
CALL_ANSWER: Final = "call.answer"  # answer of a small call, dict or Response (ctx: call, ...)
SPOT_IMAGE: Final = "v2.spot_image"  # getspotimage lookup: (event id and kind or None, ts ms) (ctx: text)
BODY_REFUSED: Final = "v2.body_refused"  # ApiError refusing a JSON body; body or None instead (ctx: reason)
HTTP_ERROR: Final = "http.error"  # ErrorAnswer of a refused v2/v1 call (ctx: error, path)
HTTP_ANSWER: Final = "http.answer"  # JSON value of every v2/v1 HTTP answer, as it is written
HTTP_GZIP: Final = "http.gzip"  # whether HTTP answers are gzip-coded for a request accepting gzip (bool)
# --- the box's recognitions -------------------------------------------------------------------------
LIVE_RATE: Final = "live.rate"  # recognitions a second the cameras make (site mode's --live-rate, else 0)
EVENT_RECORDED: Final = "event.recorded"  # one EventRecord the control plane stores (injected, generated)
# --- picture search ---------------------------------------------------------------------------------
SEARCH_REQUEST: Final = "search.request"  # SearchParams of a search as parsed (how the box reads them)
SEARCH_SCAN: Final = "search.scan"  # Deviations: how the scan reads window, order, caps, threshold
SEARCH_WINDOW: Final = "search.window"  # (start_ms, end_ms) of a search (ctx: params, now_ms)
SEARCH_ITEM: Final = "search.item"  # one rendered search item dict (ctx: match)
SEARCH_ANSWER: Final = "search.answer"  # success body, or None for a refusal (ctx: error, total_time, now_ms)
# --- WebSocket push ---------------------------------------------------------------------------------
WS_CONFIG: Final = "ws.config"  # ConfigReply to a client's configuration frame (ctx: frame, configured)
# (config, every_device) deciding a client's pushes, or None (ctx: state; latest: the configuration most
# recently accepted on any connection)
WS_TARGET: Final = "ws.target"
WS_PUSH: Final = "ws.push"  # one push message dict (ctx: record)
WS_FRAME: Final = "ws.frame"  # the text of one push; may become bytes (a binary frame)
# --- uploads ----------------------------------------------------------------------------------------
UPLOAD_CONFIG: Final = "upload.config"  # UploadConfig the uploader works from (URLs, encoding, copies, retry)
UPLOAD_PAYLOAD: Final = "upload.payload"  # one upload payload dict (ctx: record, pictures)
UPLOAD_ANSWER: Final = "upload.answer"  # whether an HTTP answer acknowledges a delivery (ctx: status)

#: Every declared hook point with what it carries (the comments above, for listings and checks).
HOOK_POINTS: Final = (
    V2_QUERY,
    V2_FILTER_BOUND,
    V2_FILTERS,
    PAGE_REQUEST,
    PAGE_CAP,
    QUERY_PAGE,
    V2_EVENT,
    V1_QUERY,
    V1_FILTERS,
    V1_EVENT,
    CALL_REQUEST,
    CALL_ANSWER,
    SPOT_IMAGE,
    BODY_REFUSED,
    HTTP_ERROR,
    HTTP_ANSWER,
    HTTP_GZIP,
    LIVE_RATE,
    EVENT_RECORDED,
    SEARCH_REQUEST,
    SEARCH_SCAN,
    SEARCH_WINDOW,
    SEARCH_ITEM,
    SEARCH_ANSWER,
    WS_CONFIG,
    WS_TARGET,
    WS_PUSH,
    WS_FRAME,
    UPLOAD_CONFIG,
    UPLOAD_PAYLOAD,
    UPLOAD_ANSWER,
)


_DECLARED: Final = frozenset(HOOK_POINTS)


class UnknownHookPointError(ValueError):
    """A hook point nobody declared in hooks.py."""


def check_point(point: str) -> str:
    """The point itself, or UnknownHookPointError."""
    if point not in _DECLARED:
        raise UnknownHookPointError(f"undeclared hook point {point!r}; declared: {', '.join(HOOK_POINTS)}")
    return point


class FaultHooks(Protocol):
    """What box code sees of the faults: apply a hook point, ask whether any fault acts at one."""

    def apply(self, point: str, value: T, **context: Any) -> T:
        """The value after the active faults' behaviours at `point`."""
        ...

    def hooked(self, point: str) -> bool:
        """True when some active fault acts at `point` (lets the box skip costly preparation)."""
        ...


class NoFaults:
    """The box as the documents say: every hook point returns its value unchanged."""

    def apply(self, point: str, value: T, **context: Any) -> T:
        """The value, unchanged."""
        check_point(point)
        return value

    def hooked(self, point: str) -> bool:
        """Never."""
        check_point(point)
        return False


NO_FAULTS: Final = NoFaults()


class ActiveFaults:
    """The thread-safe set of faults switched on in one emulator, and their behaviours per hook point."""

    def __init__(self, initial: Iterable[str] = (), catalog: Catalog | None = None) -> None:
        if catalog is None:
            from conformance.emulator.faults.catalog import CATALOG  # the catalog imports box modules

            catalog = CATALOG
        self.catalog = catalog
        self._lock = threading.Lock()
        self._active: frozenset[str] = frozenset()
        self._chains: dict[str, tuple[Behaviour, ...]] = {}
        self.enable(initial)

    def apply(self, point: str, value: T, **context: Any) -> T:
        """Run the active faults' behaviours at `point` in catalog order; each gets the previous result."""
        check_point(point)
        for behaviour in self._chains.get(point, ()):
            value = behaviour(value, **context)
        return value

    def hooked(self, point: str) -> bool:
        """True when some active fault acts at `point`."""
        check_point(point)
        return bool(self._chains.get(point))

    def _update(self, active: frozenset[str]) -> None:
        switched = set(self.catalog.expand(active))
        chains: dict[str, list[Behaviour]] = {}
        for fault in self.catalog.all_in_order():
            if fault.name in switched:
                for point, behaviour in fault.behaviour.items():
                    chains.setdefault(point, []).append(behaviour)
        self._active = active
        self._chains = {point: tuple(chain) for point, chain in chains.items()}

    def _check(self, names: Iterable[str]) -> frozenset[str]:
        wanted = frozenset(names)
        for name in wanted:
            self.catalog.get(name)
        return wanted

    def enable(self, names: Iterable[str]) -> None:
        """Switch faults on; all names are checked before any is switched."""
        wanted = self._check(names)
        with self._lock:
            self._update(self._active | wanted)

    def disable(self, names: Iterable[str]) -> None:
        """Switch faults off; all names are checked before any is switched."""
        wanted = self._check(names)
        with self._lock:
            self._update(self._active - wanted)

    def replace(self, names: Iterable[str]) -> None:
        """Make exactly `names` active."""
        wanted = self._check(names)
        with self._lock:
            self._update(wanted)

    def active_names(self) -> list[str]:
        """The switched-on names, sorted (implied ones are not listed)."""
        with self._lock:
            return sorted(self._active)

    def effective_names(self) -> list[str]:
        """The switched-on names and every name they imply, sorted."""
        with self._lock:
            return sorted(self.catalog.expand(self._active))
