"""Fixtures of the upload tests judged from the box's own recognitions (no control plane needed): `traffic`
(where the uploads come from), `live_uploads` (the uploads of one wait and the v2 history around them),
`restored_setting` (the setting read before a test, written back after it) and `uploads_in_turn` (xdist
workers take turns with the one box's setting). `interfaces/upload/conftest.py` exposes them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conformance.clients.failures import fail_unless
from conformance.clients.http_client import RecordingHttpClient
from conformance.suite.fixtures import RunReceiver, conformance_session
from conformance.suite.support.search_sandbox import read_upload_setting, write_upload_setting
from conformance.suite.support.upload_box import UploadBox, configure
from conformance.suite.support.upload_live import (
    UploadHistory,
    UploadTraffic,
    decoded,
    history_of_uploads,
    upload_silence,
)
from conformance.suite.support.ws_live import LiveBox, live_traffic
from conformance.suite.uploads import UploadRoute
from conformance.target.target import Target


@pytest.fixture(scope="module", name="uploads_in_turn")
def uploads_in_turn_fixture(
    request: pytest.FixtureRequest, box_uploads_to_receiver: UploadRoute
) -> Iterator[None]:
    """Under xdist one worker at a time runs the module: it moves the one box's setting and uploads."""
    with conformance_session(request.config).uploads.in_turn():
        yield


@pytest.fixture(scope="module", name="traffic")
def traffic_fixture(
    request: pytest.FixtureRequest,
    box_uploads_to_receiver: UploadRoute,
    target: Target,
    http_client: RecordingHttpClient,
) -> UploadTraffic:
    """The box's own recognitions within `--live-wait`; with a control plane, events stored through it.
    On a box the session found quiet (`LiveTraffic`) or silent (`UploadSilence`: a whole wait brought no
    upload), not exercised at once instead of another wait."""
    history = LiveBox(
        http_client=http_client,
        cameras=(),
        wait_s=conformance_session(request.config).options.live_wait_s,
        v2_seconds=bool(request.getfixturevalue("v2_reads_seconds")),
        traffic=live_traffic(request.config),
    )
    if target.config.control_url is not None:  # the emulator has no live traffic: store some
        box: UploadBox = request.getfixturevalue("upload_box")  # its own data, no upload URL yet
        configure(box)
        return UploadTraffic(history, history.wait_s, box.live)
    # a box the session already waited a whole budget on without a recognition (or an upload) uploads none
    history.traffic.check()
    silence = upload_silence(request.config)
    silence.check()
    return UploadTraffic(history, history.wait_s, silence=silence)


#: The session's sample of the box's own live uploads (with the run's setting), shared by the modules
LIVE_SAMPLE_KEY = pytest.StashKey[UploadHistory]()


@pytest.fixture(scope="module", name="live_uploads")
def live_uploads_fixture(
    request: pytest.FixtureRequest,
    box_uploads_to_receiver: UploadRoute,
    receiver: RunReceiver,
    traffic: UploadTraffic,
) -> UploadHistory:
    """The live uploads that arrive within the budget, and the v2 history window around them; the box's
    own recognitions are waited for once a session (this worker) and the sample serves every module."""
    if traffic.injector is None and LIVE_SAMPLE_KEY in request.config.stash:
        return request.config.stash[LIVE_SAMPLE_KEY]
    since = receiver.last_seq()
    accept = traffic.next_uploads(receiver)
    uploads = traffic.wait_for_uploads(
        receiver,
        since,
        box_uploads_to_receiver.receiver_url,
        want=traffic.sample_size,
        accept=accept,
        notes_silence=True,
    )
    payloads = decoded(uploads)
    window = history_of_uploads(traffic.history_box, payloads)
    sample = UploadHistory(tuple(payloads), window, tuple(uploads), since)
    if traffic.injector is None:
        request.config.stash[LIVE_SAMPLE_KEY] = sample
    return sample


@pytest.fixture(name="restored_setting")
def restored_setting_fixture(http_client: RecordingHttpClient) -> Iterator[dict[str, Any]]:
    """The box's upload setting as read before the test; written back after it."""
    before = read_upload_setting(http_client)
    fail_unless(before is not None, "GET HistoryEventUrl gave no setting", ["UPC-CONFIG-010"], [])
    assert before is not None
    try:
        yield before
    finally:
        write_upload_setting(http_client, before)


def own_setting(route: UploadRoute) -> None:
    """Skip a test that changes the setting when the user arranged it (--no-configure-upload)."""
    if route.arranged_by == "user":
        pytest.skip("--no-configure-upload: the box's HistoryEventUrl setting is left as the user set it")
