"""A site's past: the days of recognitions a box on site already holds when the harness first meets it."""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from conformance.emulator.model import EventRecord
from conformance.emulator.site_cast import SITE_DEVICES, SiteCast, site_people
from conformance.emulator.store.database import Store
from conformance.emulator.uploader import NEW_URL_START_KEY

LOG = logging.getLogger(__name__)

DAY_US: Final = 86_400_000_000
BATCH: Final = 5_000


@dataclass(frozen=True)
class HistoryPlan:
    """How much past to record: `days` before `end_us`, about `per_day` recognitions a day."""

    days: float
    per_day: int
    end_us: int


def register_site(store: Store, seed: int) -> SiteCast:
    """Upsert the site's cameras and people; the cast draws recognitions from what the store then holds."""
    store.upsert_devices(SITE_DEVICES)
    store.upsert_identities(site_people(seed))
    return cast_of(store, random.Random(seed), seed)


def cast_of(store: Store, rng: random.Random, seed: int) -> SiteCast:
    """A cast of the store's own devices and people (a scenario's, or the site's)."""
    return SiteCast(devices=store.devices(), people=store.identities(), rng=rng, seed=seed)


def _history(cast: SiteCast, plan: HistoryPlan, first_seq: int) -> Iterator[list[EventRecord]]:
    """Recognitions in time order, BATCH at a time: arrival times uniform over the window (a Poisson
    process with a known count), each at a microsecond."""
    count = round(plan.days * plan.per_day)
    start_us = plan.end_us - round(plan.days * DAY_US)
    times = sorted(cast.rng.randrange(start_us, plan.end_us) for _ in range(count))
    seq, batch = first_seq, []
    for ts_us in times:
        events = cast.recognitions(ts_us, seq)
        seq += len(events)
        batch += events
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def record_history(store: Store, cast: SiteCast, plan: HistoryPlan) -> int:
    """Store the planned history into an empty store (a restart keeps what it has); how many were added."""
    if store.event_count:
        LOG.info("store already holds %d events; no history added", store.event_count)
        return 0
    added = 0
    # Twice the count: a tie takes two sequence numbers.
    first = store.reserve_sequence(2 * round(plan.days * plan.per_day) + 2)
    for batch in _history(cast, plan, first):
        store.insert_events(batch)
        added += len(batch)
    # The history was recorded before anyone configured an upload URL: a URL configured later gets
    # what is recognised from then on, not days of past (the uploader's new-URL start).
    store.settings_set(NEW_URL_START_KEY, store.last_rowid())
    LOG.info("site history: %d recognitions over %.1f days", added, plan.days)
    return added
