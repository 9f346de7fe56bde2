"""Load a scenario file (`--scenario`): devices, identities, events and generated bulk, at startup."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.emulator.app_state import AppState
from conformance.emulator.control_values import object_list, parse_device, parse_identity
from conformance.emulator.errors import ApiError
from conformance.emulator.generator import generate_batches, parse_generate
from conformance.emulator.injection import event_from_spec, stable_seed
from conformance.emulator.model import DeviceRecord, EventRecord, IdentityRecord
from conformance.spec.loader import SpecFileError, load_mapping

LOG = logging.getLogger("conformance.emulator")
SCENARIO_KEYS = ("description", "devices", "identities", "events", "generate")


@dataclass(frozen=True)
class Scenario:
    """A parsed scenario: what to register, the events to inject, the bulk blocks to generate."""

    devices: list[DeviceRecord]
    identities: list[IdentityRecord]
    event_specs: list[dict[str, Any]]
    generate: list[dict[str, Any]]


def parse_scenario(data: dict[str, Any], seed: int = 0) -> Scenario:
    """Validate a scenario mapping; raises ApiError naming the bad entry."""
    unknown = sorted(set(data) - set(SCENARIO_KEYS))
    if unknown:
        raise ApiError(
            400, "INVALID_ARGUMENTS", f"unknown top-level keys {unknown}; allowed: {list(SCENARIO_KEYS)}"
        )
    devices = [parse_device(d, f"devices[{n}]") for n, d in enumerate(object_list(data, "devices"))]
    identities = []
    if data.get("identities"):
        for n, item in enumerate(object_list(data, "identities")):
            default_seed = stable_seed("identity", item.get("identity_id"), seed)
            identities.append(parse_identity(item, f"identities[{n}]", default_seed))
    specs = object_list(data, "events") if data.get("events") else []
    raw_generate = data.get("generate") or []
    blocks = [raw_generate] if isinstance(raw_generate, dict) else raw_generate
    if not isinstance(blocks, list) or not all(isinstance(b, dict) for b in blocks):
        raise ApiError(400, "INVALID_ARGUMENTS", "generate: expected a mapping or a list of mappings")
    return Scenario(devices, identities, specs, blocks)


def load_scenario(path: Path | str, state: AppState) -> int:
    """Apply a scenario file to the store; events only go into an empty store. Returns events added."""
    data = load_mapping(path)
    try:
        scenario = parse_scenario(data, state.seed)
    except ApiError as exc:
        raise SpecFileError(path, exc.message) from None
    store = state.store
    store.upsert_devices(scenario.devices)
    if scenario.identities:
        store.upsert_identities(scenario.identities)
    if store.event_count:
        LOG.info("store already holds %d events; events of %s not added", store.event_count, path)
        return 0
    devices = {d.device_id: d for d in store.devices()}
    identities = {i.identity_id: i for i in store.identities()}
    now = state.clock.now_ms()
    try:
        first = store.reserve_sequence(len(scenario.event_specs))
        records: list[EventRecord] = [
            event_from_spec(
                spec, f"events[{n}]", seq=first + n, now_ms=now, devices=devices, identities=identities
            )
            for n, spec in enumerate(scenario.event_specs)
        ]
        store.insert_events(records)
        added = len(records)
        for n, block in enumerate(scenario.generate):
            request = parse_generate(block, now)
            chosen = list(devices.values())
            if request.device_ids is not None:
                chosen = [devices[d] for d in request.device_ids if d in devices]
            if not chosen:
                raise ApiError(400, "INVALID_ARGUMENTS", f"generate[{n}]: no known devices to generate for")
            start = store.reserve_sequence(request.count)
            for batch in generate_batches(request, chosen, list(identities.values()), start):
                store.insert_events(batch)
                added += len(batch)
    except ApiError as exc:
        raise SpecFileError(path, exc.message) from None
    except ValueError as exc:  # duplicate event ids
        raise SpecFileError(path, str(exc)) from None
    LOG.info("scenario %s: %d events added", path, added)
    return added
