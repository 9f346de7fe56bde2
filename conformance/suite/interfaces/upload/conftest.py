"""Fixtures of the upload tests: `upload_box` (the box uploading to the run's receiver), `live`, a cast of
live devices whose events are also uploaded, `live_box`, the box's own cameras, live-wait budget and v2
history, and for the tests judged from the box's own uploads `traffic`, `live_uploads`,
`restored_setting` and `uploads_in_turn` (`support/upload_site.py`)."""

from conformance.suite.support.live_cast import live_uploading_fixture
from conformance.suite.support.upload_box import upload_box_fixture
from conformance.suite.support.upload_site import (
    live_uploads_fixture,
    restored_setting_fixture,
    traffic_fixture,
    uploads_in_turn_fixture,
)
from conformance.suite.support.ws_live import live_box_fixture

__all__ = [
    "live_box_fixture",
    "live_uploading_fixture",
    "live_uploads_fixture",
    "restored_setting_fixture",
    "traffic_fixture",
    "upload_box_fixture",
    "uploads_in_turn_fixture",
]
