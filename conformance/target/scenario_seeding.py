"""Put a scenario on a box through its control plane, and keep what the oracle needs to know about it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from conformance.scenarios.model import Event, Scenario
from conformance.target.control_client import ControlClient


@dataclass(frozen=True)
class SeededScenario:
    """A scenario as stored: the origin the clock was frozen at and the id the box gave each listed event."""

    scenario: Scenario
    origin_ms: int
    event_ids: tuple[str, ...]

    def event_id(self, label: str) -> str:
        """The box's id of a labelled (listed) event."""
        for event, event_id in zip(self.scenario.events, self.event_ids, strict=False):
            if event.label == label:
                return event_id
        raise KeyError(f"scenario {self.scenario.name!r} has no event labelled {label!r}")

    def timestamp_ms(self, event: Event) -> int:
        """Absolute time of an event of this scenario."""
        return event.timestamp_ms(self.origin_ms)


def seed_scenario(
    control: ControlClient,
    scenario: Scenario,
    *,
    keep_faults: Sequence[str] = (),
    origin_ms: int | None = None,
) -> SeededScenario:
    """Reset the box, freeze its clock at the origin, store everything, then re-enable the run's faults."""
    origin = scenario.origin_ms if origin_ms is None else origin_ms
    control.reset()
    control.set_clock("frozen", now_ms=origin)
    if scenario.devices:
        control.add_devices([device.to_control() for device in scenario.devices])
    if scenario.identities:
        control.add_identities([identity.to_control() for identity in scenario.identities])
    event_ids = control.add_events(event.to_control(origin) for event in scenario.all_events())
    if keep_faults:
        control.set_faults(enable=keep_faults)
    return SeededScenario(scenario=scenario, origin_ms=origin, event_ids=tuple(event_ids))
