"""Fixtures of the picture search tests: `own_pictures`, the box's own events with their face pictures
(with a control plane, of the stored search history), for the checks that need no oracle."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conformance.clients.http_client import RecordingHttpClient
from conformance.suite.judgement import not_exercised
from conformance.suite.support import search_history
from conformance.suite.support.query_data import v2_reads_seconds
from conformance.suite.support.search_own_events import OwnPictures, sample_own_pictures
from conformance.suite.support.search_sandbox import own_data
from conformance.target.target import Target


@pytest.fixture(scope="module")
def own_pictures(
    request: pytest.FixtureRequest, target: Target, http_client: RecordingHttpClient
) -> Iterator[OwnPictures]:
    """The box's own events with face pictures; with a control plane, of a stored search history."""
    if not target.capabilities.picture_search:
        pytest.skip("the box has no picture search interface")
    if not target.capabilities.v2_events:
        not_exercised("the box's events are sampled through v2 getevents, which it does not offer")
    seconds = v2_reads_seconds(request, target, http_client)
    lenient = target.profile == "lenient"
    if target.config.control_url is None:
        yield sample_own_pictures(http_client, v2_seconds=seconds, lenient=lenient)
        return
    control, core = request.getfixturevalue("control"), request.getfixturevalue("core_scenario")
    with own_data(control, target, http_client, core, search_history.search_scenario()):
        yield sample_own_pictures(http_client, v2_seconds=seconds, lenient=lenient)
