"""Fixtures of the query family: `history_sample`, the box's own history in a window closed in the past,
and `query_oracle`, what oracles judge by: the seeded core scenario with a control plane, else this sample.
"""

from __future__ import annotations

import pytest

from conformance.clients.http_client import RecordingHttpClient
from conformance.suite.judgement import not_exercised
from conformance.suite.support.history_sample import HistorySample, still_holds, take_sample
from conformance.suite.support.query_data import CoreData, v2_reads_seconds
from conformance.target.target import Target

HISTORY_KEY = pytest.StashKey[HistorySample]()


@pytest.fixture(name="history_sample")
def history_sample_fixture(
    request: pytest.FixtureRequest, target: Target, http_client: RecordingHttpClient
) -> HistorySample:
    """The history window, sampled once per session; sampled again only when a control plane reset the box."""
    controlled = target.config.control_url is not None
    if controlled:
        request.getfixturevalue("core_scenario")  # the embedded box is empty until seeded
    if not (target.capabilities.v2_events and target.capabilities.v1_events):
        not_exercised("the history is read through both v2 getevents and v1 events")
    stash = request.config.stash
    # a box without control plane cannot be reset: its past window stays as sampled
    stale = controlled and HISTORY_KEY in stash and not still_holds(http_client, stash[HISTORY_KEY])
    if HISTORY_KEY not in stash or stale:
        seconds = v2_reads_seconds(request, target, http_client)
        stash[HISTORY_KEY] = take_sample(http_client, v2_seconds=seconds)
    return stash[HISTORY_KEY]


@pytest.fixture(name="query_oracle")
def query_oracle_fixture(request: pytest.FixtureRequest, target: Target) -> CoreData | HistorySample:
    """The exact oracle (the seeded core scenario) where a control plane is there, else the box's history."""
    if target.config.control_url is not None:
        core: CoreData = request.getfixturevalue("core_data")
        return core
    sample: HistorySample = request.getfixturevalue("history_sample")
    return sample
