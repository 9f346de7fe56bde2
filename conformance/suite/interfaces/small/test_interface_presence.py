"""Missing is failing: each mandatory interface answers, unless the user declared the firmware lacks it.

Preflight probes every mandatory interface. One that answered 404, 405 or 501 is missing: this test
fails for it (and its own tests run and fail too), because a box that lacks a documented interface does
not conform. Only the user can declare an interface absent (box profile `interfaces`, --interfaces);
then its tests skip and say so. A probe that got no answer at all is left to the interface's tests,
which report it as a transport failure.
"""

from __future__ import annotations

import pytest

from conformance.checks.findings import FindingCategory
from conformance.clients.failures import fail_unless
from conformance.target.target import INTERFACE_CALLS, Target

PRESENCE = {  # the requirement each interface's existence carries first
    "v2_events": ("V2Q-SCHEMA-001",),
    "v1_events": ("V1Q-SCHEMA-001",),
    "picture_search": ("PS-SCHEMA-001",),
    "devices": ("DEV-SCHEMA-001",),
    "history_event_url": ("UPC-CONFIG-001",),
}


@pytest.mark.parametrize(
    "interface",
    [pytest.param(name, marks=pytest.mark.req(*ids), id=name) for name, ids in PRESENCE.items()],
)
def test_mandatory_interface_answers(target: Target, interface: str) -> None:
    """The interface answered preflight's probe with something other than 404/405/501."""
    capabilities = target.capabilities
    if not capabilities.tested(interface):
        pytest.skip(f"{interface} declared absent by the user (box profile `interfaces` / --interfaces)")
    seen = capabilities.missing_answer(interface)
    fail_unless(
        seen is None,
        f"mandatory interface {interface} is missing: {seen}",
        PRESENCE[interface],
        detail=f"{INTERFACE_CALLS[interface]} is documented; if this firmware does not claim it, "
        "leave it out of the box profile's `interfaces` (or --interfaces) and its tests skip",
        category=FindingCategory.SEMANTIC,
    )
