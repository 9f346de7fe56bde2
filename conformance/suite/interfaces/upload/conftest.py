"""Fixtures of the upload tests: `upload_box` (the box uploading to the run's receiver), `live`, a cast of
live devices whose events are also uploaded, and `live_box`, the box's own cameras, live-wait budget and
v2 history for the tests judged from live uploads."""

from conformance.suite.support.live_cast import live_uploading_fixture
from conformance.suite.support.upload_box import upload_box_fixture
from conformance.suite.support.ws_live import live_box_fixture

__all__ = ["live_box_fixture", "live_uploading_fixture", "upload_box_fixture"]
