"""Apply a harness scenario file (`--scenario`, conformance.scenarios) to the store at startup.

The file is read by the same loader the harness uses, and every device, identity and event goes
through the same parsing the control plane applies to the harness's seeding calls, so a box seeded
by `--scenario` holds what `seed_scenario` would have put there (event ids aside).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Final

from conformance.emulator.app_state import AppState
from conformance.emulator.control_values import parse_device, parse_identity
from conformance.emulator.errors import ApiError
from conformance.emulator.injection import event_from_spec, stable_seed
from conformance.emulator.model import DeviceRecord, EventRecord, IdentityRecord
from conformance.emulator.store.database import DuplicateEventError
from conformance.scenarios.loader import load_scenario as read_scenario
from conformance.scenarios.model import Scenario
from conformance.spec.loader import SpecFileError

LOG = logging.getLogger("conformance.emulator")
BATCH: Final = 10_000  # events per store transaction


def scenario_origin_ms(path: Path | str) -> int:
    """The file's `clock.origin_ms` (the CLI freezes the clock there unless --clock is given)."""
    return read_scenario(path).origin_ms


def _devices(scenario: Scenario) -> list[DeviceRecord]:
    return [parse_device(d.to_control(), f"devices[{n}]") for n, d in enumerate(scenario.devices)]


def _identities(scenario: Scenario, seed: int) -> list[IdentityRecord]:
    return [
        parse_identity(item.to_control(), f"identities[{n}]", stable_seed("identity", item.identity_id, seed))
        for n, item in enumerate(scenario.identities)
    ]


def _records(scenario: Scenario, state: AppState) -> Iterator[list[EventRecord]]:
    """Stored records of the scenario's events: all listed ones first, then generated ones BATCH at a time.

    Listed events are all checked before anything is stored (a bad one fails the start with an empty
    store, so a fixed file loads next time); generated events reference checked ids and cannot fail.
    """
    store = state.store
    devices = {d.device_id: d for d in store.devices()}
    identities = {i.identity_id: i for i in store.identities()}
    origin, now = scenario.origin_ms, state.clock.now_ms()
    first = store.reserve_sequence(scenario.event_count)
    events = enumerate(scenario.all_events())
    size = len(scenario.events) or BATCH
    while chunk := list(islice(events, size)):
        yield [
            event_from_spec(
                event.to_control(origin),
                f"events[{n}]",
                seq=first + n,
                now_ms=now,
                devices=devices,
                identities=identities,
            )
            for n, event in chunk
        ]
        size = BATCH


def load_scenario(path: Path | str, state: AppState) -> int:
    """Register the file's devices and identities; store its events into an empty store; count them."""
    scenario = read_scenario(path)
    store = state.store
    try:
        store.upsert_devices(_devices(scenario))
        store.upsert_identities(_identities(scenario, state.seed))
        if store.event_count:
            LOG.info("store already holds %d events; events of %s not added", store.event_count, path)
            return 0
        added = 0
        for batch in _records(scenario, state):
            store.insert_events(batch)
            added += len(batch)
    except (ApiError, DuplicateEventError) as exc:
        raise SpecFileError(path, exc.message if isinstance(exc, ApiError) else str(exc)) from None
    LOG.info("scenario %s (%s): %d events added", scenario.name, path, added)
    return added
