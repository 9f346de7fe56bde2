"""Fixtures of the cross-interface tests: `live`, a cast of live devices whose events are also uploaded;
`live_box`, the box's own cameras and live-wait budget; `history_sample`, the box's own history in a
window closed in the past (defined with the query family, shared here), and `sample_items`, its raw items."""

from conformance.suite.interfaces.query.conftest import history_sample_fixture
from conformance.suite.support.live_cast import live_uploading_fixture
from conformance.suite.support.sample_search import sample_items_fixture
from conformance.suite.support.ws_live import live_box_fixture

__all__ = ["history_sample_fixture", "live_box_fixture", "live_uploading_fixture", "sample_items_fixture"]
