"""The upload area's box: the live cast in a module's own data, events stored before any upload URL, and
the run's receiver. `interfaces/upload/conftest.py` exposes `upload_box_fixture` as the module fixture
`upload_box`; core and the upload setting come back when the module is done.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from conformance.clients.failures import fail_unless
from conformance.clients.http_client import RecordingHttpClient
from conformance.suite.fixtures import RunReceiver
from conformance.suite.support.search_sandbox import own_data, write_upload_setting
from conformance.suite.support.upload_wait import upload_setting
from conformance.suite.support.ws_events import LiveInjector, live_scenario
from conformance.target.control_client import ControlClient
from conformance.target.scenario_seeding import SeededScenario
from conformance.target.target import Target

STORED_BEFORE_URL = 8


@dataclass
class UploadBox:
    """What the upload tests share: the injector, the seeded cast and the receiver."""

    live: LiveInjector
    seeded: SeededScenario
    receiver: RunReceiver
    http_client: RecordingHttpClient


@pytest.fixture(scope="module", name="upload_box")
def upload_box_fixture(  # noqa: PLR0917 - pytest passes fixtures positionally
    box_uploads_to_receiver: object,
    receiver: RunReceiver,
    control: ControlClient,
    target: Target,
    http_client: RecordingHttpClient,
    core_scenario: SeededScenario,
) -> Iterator[UploadBox]:
    """The live cast with events stored before any upload URL; core and the upload setting come back after."""
    if not target.capabilities.history_event_url:
        pytest.skip("the box has no HistoryEventUrl interface")
    scenario = live_scenario(history=STORED_BEFORE_URL)
    with own_data(control, target, http_client, core_scenario, scenario) as seeded:
        yield UploadBox(LiveInjector(control, seeded.origin_ms), seeded, receiver, http_client)


def configure(box: UploadBox, content_type: str = "json", **flags: bool) -> None:
    """Point the box's uploads at the receiver (HistoryEventUrl), or fail naming UPC-CONFIG-001."""
    body = upload_setting(box.receiver.url, content_type, **flags)
    fail_unless(
        write_upload_setting(box.http_client, body), f"HistoryEventUrl refused {body}", ["UPC-CONFIG-001"], []
    )
