"""The live cast as a module fixture named `live` for tests that inject events; a family's conftest.py exposes
one of the two: without uploads (push), or with the box uploading to the run's receiver (upload, cross)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conformance.clients.http_client import RecordingHttpClient
from conformance.suite.support.search_sandbox import own_data
from conformance.suite.support.ws_events import LiveInjector, live_scenario
from conformance.target.control_client import ControlClient
from conformance.target.scenario_seeding import SeededScenario
from conformance.target.target import Target


@pytest.fixture(scope="module", name="live")
def live_fixture(
    control: ControlClient, target: Target, http_client: RecordingHttpClient, core_scenario: SeededScenario
) -> Iterator[LiveInjector]:
    """The live cast stored for this module; core comes back afterwards."""
    with own_data(control, target, http_client, core_scenario, live_scenario()) as seeded:
        yield LiveInjector(control, seeded.origin_ms)


@pytest.fixture(scope="module", name="live")
def live_uploading_fixture(
    box_uploads_to_receiver: object,
    control: ControlClient,
    target: Target,
    http_client: RecordingHttpClient,
    core_scenario: SeededScenario,
) -> Iterator[LiveInjector]:
    """As `live_fixture`, with the box's uploads routed to the run's receiver before the cast is stored."""
    with own_data(control, target, http_client, core_scenario, live_scenario()) as seeded:
        yield LiveInjector(control, seeded.origin_ms)
