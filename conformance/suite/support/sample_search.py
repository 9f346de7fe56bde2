"""The history sample's raw items, and a picture search over a stretch of it, for the cross-interface tests.

On a box without control plane the reference for what a stored event says is the box's own history
(`history_sample`, a window closed in the past). The identity and device checks need the raw v2 and v1
items of that window (register_image_id, ep_info, …) and the items a picture search returns for a part of
it: searched at threshold 0 with the face picture of one sampled event (getspotimage), a search returns
every event of its window, each of which the sample holds, so each item has its stored event to agree with.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from conformance.checks.history_events import HistoryEvent
from conformance.clients.exchange import Exchange
from conformance.clients.http_client import RecordingHttpClient
from conformance.suite.judgement import not_exercised
from conformance.suite.support.history_sample import HistorySample, read
from conformance.suite.support.identity_pairs import Reading, readings
from conformance.suite.support.search_calls import SearchChain, photo_b64, run_chain
from conformance.suite.support.search_own_events import face_picture

AROUND_EVENTS = 60  # sampled events either side of the searched one: a window of ~120 results, one call
PICTURE_TRIES = 3  # events whose face picture is asked for before the search is given up
MS_PER_S = Decimal(1000)


@dataclass(frozen=True)
class SampleItems:
    """The sample window's raw items as v2 and v1 returned them, with the exchanges that read them."""

    sample: HistorySample
    v2: tuple[Reading, ...]
    v1: tuple[Reading, ...]
    exchanges: tuple[Exchange, ...]

    def __repr__(self) -> str:
        return f"{self.sample!r}: {len(self.v2)} v2 and {len(self.v1)} v1 items read again"

    def require(self, *interfaces: str) -> None:
        """End the test as not exercised when an interface showed no event of the window."""
        for interface in interfaces:
            if not (self.v2 if interface == "v2" else self.v1):
                notes = "; ".join(self.sample.notes) or "the window holds no event"
                not_exercised(f"the history sample shows no {interface} event ({notes})")


def read_sample_items(client: RecordingHttpClient, sample: HistorySample) -> SampleItems:
    """Both interfaces' items of the sample window (closed in the past: the same events as sampled)."""
    found: dict[str, tuple[Reading, ...]] = {}
    exchanges: list[Exchange] = []
    for interface in ("v2", "v1"):
        if not sample.events(interface):
            found[interface] = ()
            continue
        answer = read(client, sample, interface, sample.window(interface))
        inside = {event.id for event in sample.events(interface)}
        found[interface] = tuple(r for r in readings(interface, answer.items) if r[0].id in inside)
        exchanges += answer.exchanges[:1]
    return SampleItems(sample, found["v2"], found["v1"], tuple(exchanges))


ITEMS_KEY = pytest.StashKey[SampleItems]()


@pytest.fixture(name="sample_items")
def sample_items_fixture(
    request: pytest.FixtureRequest, history_sample: HistorySample, http_client: RecordingHttpClient
) -> SampleItems:
    """The history sample's raw v2 and v1 items, read once per sample (a session's sample is kept)."""
    stash = request.config.stash
    if ITEMS_KEY not in stash or stash[ITEMS_KEY].sample is not history_sample:
        stash[ITEMS_KEY] = read_sample_items(http_client, history_sample)
    return stash[ITEMS_KEY]


@dataclass(frozen=True)
class SampleSearch:
    """A threshold-0 search with one sampled event's face picture over the sampled events around it."""

    searched: HistoryEvent
    low_ms: Decimal
    high_ms: Decimal
    chain: SearchChain
    picture_exchanges: tuple[Exchange, ...]

    @property
    def items(self) -> list[Mapping[str, Any]]:
        """Every item of every call of the chain."""
        return [item for answer in self.chain.answers for item in answer.get("event_list") or []]

    @property
    def exchanges(self) -> list[Exchange]:
        """The picture and search exchanges, for a failure to show."""
        return [*self.picture_exchanges, *self.chain.exchanges]

    def stored(self, events: Sequence[HistoryEvent]) -> list[HistoryEvent]:
        """The sampled events inside the searched window: what the search stands for."""
        return [e for e in events if self.low_ms <= e.span.low and e.span.high <= self.high_ms]


def search_the_sample(
    client: RecordingHttpClient, items: SampleItems, requirement_ids: Sequence[str], *, lenient: bool
) -> SampleSearch:
    """Search with the face picture of a sampled matched event (the middle one first), threshold 0, over
    the AROUND_EVENTS sampled events either side of it; not exercised when no picture is served."""
    ordered = sorted(items.v2, key=lambda reading: reading[0].span.low)
    middle = len(ordered) // 2
    by_distance = sorted(range(len(ordered)), key=lambda index: abs(index - middle))
    matched = [i for i in by_distance if ordered[i][0].identity_id][:PICTURE_TRIES]
    tried: list[Exchange] = []
    for index in matched:
        jpeg, answers = face_picture(client, ordered[index][1], lenient=lenient)
        tried += [answer.exchange for answer in answers]
        if jpeg is None:
            continue
        low = ordered[max(0, index - AROUND_EVENTS)][0].span.low
        high = ordered[min(len(ordered) - 1, index + AROUND_EVENTS)][0].span.high
        body = {
            "face_image_base64": photo_b64(jpeg),
            "threshold": 0,
            "starttime": float(low / MS_PER_S),
            "endtime": float(high / MS_PER_S),
        }
        chain = run_chain(client, body, requirement_ids)
        return SampleSearch(ordered[index][0], low, high, chain, tuple(tried))
    not_exercised(
        f"no face picture served for {len(matched)} sampled matched event(s) "
        f"(getspotimage of recognize_face_image_id): nothing to search with ({items!r})"
    )
