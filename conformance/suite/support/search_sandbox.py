"""Give a module its own data on the emulator, then put the shared core scenario back exactly as it was.

The search, push and upload areas must store events of their own (long histories, injected live
events). Other areas read `core_scenario` and count what the box holds, so a module that adds data
resets the box, seeds its own scenario, and on leaving resets again and re-seeds core with the same
event ids, the run's faults and the upload setting (HistoryEventUrl) that was in force before.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from conformance.clients.http_client import RecordingHttpClient
from conformance.scenarios.model import Scenario
from conformance.target.control_client import ControlClient
from conformance.target.scenario_seeding import SeededScenario, seed_scenario
from conformance.target.target import HISTORY_EVENT_URL_PATH, Target

_CONFIG_KEYS = (
    "history_upload_event_url",
    "history_need_reg_pic",
    "history_need_spot_pic",
    "history_need_recognize_face",
    "content-type",
    "reported_peroid",
)


def read_upload_setting(http_client: RecordingHttpClient) -> dict[str, Any] | None:
    """The box's HistoryEventUrl setting (reference history-event-url-config), None when unreadable."""
    answer = http_client.get(HISTORY_EVENT_URL_PATH)
    body = answer.json()
    data = body.get("data") if isinstance(body, dict) else None
    if answer.status != 200 or not isinstance(data, dict):
        return None
    return {key: data[key] for key in _CONFIG_KEYS if key in data}


def write_upload_setting(http_client: RecordingHttpClient, setting: Mapping[str, Any]) -> bool:
    """POST a HistoryEventUrl setting as JSON; True when the box accepted it."""
    return http_client.post_json(HISTORY_EVENT_URL_PATH, dict(setting)).status == 200


QUIESCE_S = 5.0  # the longest wait for deliveries still in flight when the box is reset
SETTLE_S = 0.3


def reset_quietly(control: ControlClient) -> None:
    """Reset, then let deliveries already in flight finish, so none of them carries a newly seeded event.

    (An emulator uploader that picked a queue row before the reset would otherwise send whichever new
    event reuses that row's id: a duplicate upload the test did not cause.)
    """
    control.reset()
    end = time.monotonic() + QUIESCE_S
    while time.monotonic() < end:
        time.sleep(SETTLE_S)
        if not int(control.stats().get("uploads_pending", 0) or 0):
            return


def reseed_same_ids(control: ControlClient, seeded: SeededScenario, faults: Sequence[str]) -> None:
    """Reset and store a seeded scenario again under the event ids it had, so its readers see no change."""
    scenario = seeded.scenario
    reset_quietly(control)
    control.set_clock("frozen", now_ms=seeded.origin_ms)
    if scenario.devices:
        control.add_devices([device.to_control() for device in scenario.devices])
    if scenario.identities:
        control.add_identities([identity.to_control() for identity in scenario.identities])
    bodies = []
    for event, event_id in zip(scenario.all_events(), seeded.event_ids, strict=True):
        body = event.to_control(seeded.origin_ms)
        body["event_id"] = event_id
        bodies.append(body)
    control.add_events(bodies)
    if faults:
        control.set_faults(enable=faults)


@contextmanager
def own_data(
    control: ControlClient,
    target: Target,
    http_client: RecordingHttpClient,
    restore: SeededScenario,
    scenario: Scenario,
) -> Iterator[SeededScenario]:
    """Seed `scenario` for the block; afterwards put back `restore` (usually core), faults and uploads.

    While the block runs the box has no upload URL (a reset clears it), so thousands of seeded events
    are not uploaded; the upload area configures its own setting inside the block.
    """
    saved = read_upload_setting(http_client)
    reset_quietly(control)
    seeded = seed_scenario(control, scenario, keep_faults=target.config.faults)
    try:
        yield seeded
    finally:
        reseed_same_ids(control, restore, target.config.faults)
        if saved is not None:
            write_upload_setting(http_client, saved)
