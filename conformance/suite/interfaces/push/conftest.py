"""Fixtures of the push tests: `live`, a cast of live devices injected through the control plane, and
`live_box`, the box's own cameras and live-wait budget for the tests judged from live recognitions, and
`quiet_box_known`, which ends every push test at once once the session found the box quiet."""

from conformance.suite.support.live_cast import live_fixture
from conformance.suite.support.ws_live import live_box_fixture, quiet_box_known_fixture

__all__ = ["live_box_fixture", "live_fixture", "quiet_box_known_fixture"]
