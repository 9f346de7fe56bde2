"""Uploads of strangers and matched persons (seed 003): identity_info per the match (E23 per profile) and
out_timestamp not before timestamp.

The module holds the upload area's live cast in its own data (`upload_box`), points the box at the run's
receiver, injects strangers and matched persons and pairs each upload with the injected event by
(ms, device). It is a module of its own because, while it holds its data, core is not on the box. On a
box without control plane the box's own live uploads are paired with their v2 history events instead.
"""

from __future__ import annotations

import pytest

from conformance.checks import identity_checks, upload_times
from conformance.checks.correlation import event_key
from conformance.clients.exchange import ReceivedUpload
from conformance.clients.failures import fail_on, fail_unless
from conformance.suite.support import upload_own_paths as own_paths
from conformance.suite.support.identity_pairs import pair_by_key, require_both_kinds
from conformance.suite.support.upload_box import UploadBox, configure
from conformance.suite.support.upload_wait import keys_of, payload_of, wait_for_keys
from conformance.suite.support.ws_events import CAM, DOOR, GATE, STRANGER, Injected
from conformance.target.target import Target

CAST = [(GATE, "id-live-emp"), (CAM, STRANGER), (DOOR, "id-live-black"), (GATE, STRANGER)]


def _deliver(box: UploadBox) -> tuple[list[Injected], list[ReceivedUpload]]:
    """Upload as JSON, inject the cast; the events and the uploads that arrived for them."""
    configure(box)
    since = box.receiver.last_seq()
    injected = box.live.inject(CAST)
    return injected, wait_for_keys(box.receiver, since, keys_of(injected))


@pytest.mark.req("UP-SCHEMA-003", "UP-SCHEMA-004", "UP-SCHEMA-005")
@pytest.mark.writes_box
def test_upload_identity_info_follows_the_match(request: pytest.FixtureRequest, target: Target) -> None:
    """A stranger's upload has identity_info {}; a matched person's has face_ids and image_id (E23)."""
    if target.config.control_url is None:
        request.getfixturevalue("uploads_in_turn")
        own_paths.identity_info(request, request.getfixturevalue("live_uploads"), target.profile)
        return
    upload_box: UploadBox = request.getfixturevalue("upload_box")
    injected, uploads = _deliver(upload_box)
    oracle = {event_key(i.event.ts_ms, i.event.device_id): i.event for i in injected}
    pairs = pair_by_key(oracle, [payload_of(u) for u in uploads], "ep_info", "device_id")
    require_both_kinds(pairs, "uploads of the injected events", ["UP-SCHEMA-003"], uploads)
    findings = identity_checks.upload_info(pairs, profile=target.profile)
    fail_on(findings, "upload identity_info", exchanges=uploads)


@pytest.mark.req("UP-TIME-003")
@pytest.mark.writes_box
def test_upload_out_timestamp_not_before_timestamp(request: pytest.FixtureRequest, target: Target) -> None:
    """Every upload's out_timestamp is at or after its timestamp (seed 003's example: 2.46 s after)."""
    if target.config.control_url is None:
        request.getfixturevalue("uploads_in_turn")
        own_paths.out_timestamps(request, request.getfixturevalue("live_uploads"))
        return
    upload_box: UploadBox = request.getfixturevalue("upload_box")
    injected, uploads = _deliver(upload_box)
    judged = [payload_of(u) for u in uploads if "out_timestamp" in payload_of(u)]
    fail_unless(
        len(judged) >= len(injected),
        f"{len(judged)} of {len(injected)} uploads arrived with an out_timestamp",
        ["UP-TIME-003"],
        uploads,
    )
    fail_on(upload_times.out_after_timestamp(judged), "upload out_timestamp", exchanges=uploads)
