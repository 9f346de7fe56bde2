"""Searches with a stored event's own face picture over a window in ms: the chain of calls, its items, the
exchanges that show it (the picture's fetch first) and the window every item must lie in.

The tests of picture search judge a box without control plane through these (`test_search_own_pictures.py`
and the site paths of `test_picture_search.py`, `test_search_time_fields.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from conformance.checks import search_checks
from conformance.checks.findings import Finding
from conformance.checks.search_checks import SearchItem
from conformance.clients.exchange import HttpExchange
from conformance.clients.http_client import RecordingHttpClient
from conformance.suite.judgement import judged, not_exercised
from conformance.suite.support.search_calls import MAX_CHAIN_CALLS, SearchChain, run_chain
from conformance.suite.support.search_own_events import MATCHED, OwnEvent, OwnPictures, search_window

TIME_TOLERANCE_S = 0.001


def own_event(own_pictures: OwnPictures, kind: str = MATCHED) -> OwnEvent:
    """The sampled event of `kind`, else the test is not exercised (the sample's notes say why)."""
    event = own_pictures.event(kind)
    if event is None:
        not_exercised(f"no {kind} event with a face picture to search for: {'; '.join(own_pictures.notes)}")
    return event


def own_chain(
    client: RecordingHttpClient,
    event: OwnEvent,
    window: tuple[float, float] | None,
    ids: Sequence[str],
    *,
    max_calls: int = MAX_CHAIN_CALLS,
    **extra: Any,
) -> SearchChain:
    """The event's picture searched over `window` (ms; None: no starttime/endtime), continued to the end."""
    body = {"face_image_base64": event.photo, **(search_window(*window) if window else {}), **extra}
    return run_chain(client, body, ids, max_calls)


def chain_items(chain: SearchChain) -> list[SearchItem]:
    """Every item of every call, in order."""
    return [item for call in chain.calls for item in call.items]


def own_exchanges(event: OwnEvent, *chains: SearchChain) -> list[HttpExchange]:
    """The picture's fetch and every search call: what a finding shows."""
    return [*event.picture_exchanges, *(x for chain in chains for x in chain.exchanges)]


def in_window(items: Sequence[SearchItem], window: tuple[float, float], ids: Sequence[str]) -> list[Finding]:
    """Items outside [start, end] (ms) of the search window, within a millisecond."""
    start, end = window[0] / 1000, window[1] / 1000
    return search_checks.window(items, end, start, end, tolerance_s=TIME_TOLERANCE_S, requirements=ids)


def searched(request: pytest.FixtureRequest, *chains: SearchChain) -> None:
    """Record the searches and the picture the test judged."""
    judged(request, "searches", sum(len(chain.exchanges) for chain in chains))
    judged(request, "pictures", 1)
