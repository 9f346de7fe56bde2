"""Uploads of the box's own live recognitions (seed 003, reference history-event-url-config), judged with no
control plane: every upload conforms to the table under the profile, is an event of the box's v2 history and
says what that event says; the picture flags and the content-type are honoured by the uploads that follow;
events recorded while the receiver refused uploads (closed port, then 5xx) arrive once it is back.

The box uploads to the run's receiver (`box_uploads_to_receiver`, with --allow-writes); the tests that change
the setting put back what they read. When no upload came within `--live-wait` the test is *not exercised*.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from conformance.checks import upload_checks, upload_times
from conformance.clients.failures import fail_on, fail_unless
from conformance.clients.http_client import RecordingHttpClient
from conformance.spec.schema_requirements import schema_requirement_ids
from conformance.suite.fixtures import RunReceiver
from conformance.suite.judgement import judged, not_exercised
from conformance.suite.support.schema_findings import e23_stranger_info, fail_on_schema
from conformance.suite.support.search_sandbox import write_upload_setting
from conformance.suite.support.upload_live import UploadHistory, UploadTraffic, decoded
from conformance.suite.support.upload_outage import PICTURES_OFF, judge_outage
from conformance.suite.support.upload_site import own_setting
from conformance.suite.support.upload_wait import upload_setting
from conformance.suite.uploads import UploadRoute
from conformance.target.target import Target

# With injected events the receiver's port is closed this long, then it answers 503 this long; with the
# box's own recognitions each phase lasts until the history shows a few recorded in it (`hold_refusal`).
DOWN_S = 2.0
FAILING_S = 2.0
PICTURES_ON = dict.fromkeys(PICTURES_OFF, True)
SETTINGS: dict[str, tuple[str, dict[str, bool]]] = {
    "json-unpictured": ("json", PICTURES_OFF),
    "form-data-pictured": ("form-data", PICTURES_ON),
}


pytestmark = pytest.mark.usefixtures("uploads_in_turn")  # one xdist worker at a time moves the setting


@pytest.mark.req(
    "UP-UPLOAD-001",
    "UP-SCHEMA-001",
    "UP-SCHEMA-023",
    "UP-TIME-001",
    "UP-TIME-002",
    "UP-TIME-003",
    *schema_requirement_ids("upload-payload"),
)
@pytest.mark.writes_box
def test_live_uploads_conform_to_the_table(
    request: pytest.FixtureRequest, live_uploads: UploadHistory, target: Target
) -> None:
    """Every live upload validates against seed 003's table under the profile, with ms times (E11)."""
    payloads = list(live_uploads.payloads)
    undecodable = [u for u in live_uploads.uploads if not isinstance(u.payload, Mapping)]
    fail_unless(
        not undecodable,
        f"{len(undecodable)} upload(s) the receiver could not decode: "
        f"{undecodable[0].reason if undecodable else ''}",
        ["UP-UPLOAD-001"],
        undecodable[:2],
    )
    judged(request, "uploads", len(payloads))
    fail_on(upload_checks.timestamps(payloads), "live upload timestamps", exchanges=live_uploads.uploads[:2])
    fail_on(upload_times.out_after_timestamp(payloads), "live upload out_timestamp")
    for upload, payload in zip(live_uploads.uploads, payloads, strict=False):
        stranger = payload.get("identity_id") == "" or payload.get("person_type") == 4
        fail_on_schema(
            "upload-payload",
            payload,
            target.profile,
            ["UP-SCHEMA-001", "UP-SCHEMA-023"],
            [upload],
            what="live upload",
            excused=e23_stranger_info(["/identity_info"] if stranger else []),
        )


@pytest.mark.req("UP-UPLOAD-006", "UP-SCHEMA-014", "UP-TIME-001")
@pytest.mark.writes_box
def test_live_upload_is_an_event_of_the_history(
    request: pytest.FixtureRequest, live_uploads: UploadHistory
) -> None:
    """Each upload has the box's v2 history event of its device at its time (±1 ms after unit conversion)."""
    payloads = list(live_uploads.payloads)
    _, unmatched = upload_checks.match_history(payloads, live_uploads.window.events)
    judged(request, "uploads", len(payloads))
    fail_on(
        upload_checks.in_history(unmatched, len(payloads)),
        "live uploads versus the v2 history",
        exchanges=[*live_uploads.window.exchanges[-2:], *live_uploads.uploads[:2]],
    )


NOT_IN_HISTORY = "none of the live uploads is in the v2 history (test_live_upload_is_an_event_of_the_history)"
AGREEMENT_REQUIREMENTS = {
    "identity": ("UP-UPLOAD-006", "UP-SCHEMA-001", "UP-SCHEMA-002"),
    "person_type": ("UP-UPLOAD-006", "UP-SCHEMA-009"),
    "score": ("UP-UPLOAD-006", "UP-SCHEMA-006"),
    "mask": ("UP-UPLOAD-006", "UP-SCHEMA-020"),
}


@pytest.mark.req(
    "UP-UPLOAD-006", "UP-SCHEMA-001", "UP-SCHEMA-002", "UP-SCHEMA-006", "UP-SCHEMA-009", "UP-SCHEMA-020"
)
@pytest.mark.writes_box
@pytest.mark.parametrize("field", list(AGREEMENT_REQUIREMENTS))
def test_live_upload_agrees_with_its_history_event(
    request: pytest.FixtureRequest, live_uploads: UploadHistory, target: Target, field: str
) -> None:
    """An upload says what its history event says: identity (E12 per profile), person type, score, mask."""
    pairs, _ = upload_checks.match_history(list(live_uploads.payloads), live_uploads.window.events)
    if not pairs:
        not_exercised(NOT_IN_HISTORY)
    judged(request, "uploads", len(pairs))
    findings = upload_checks.agrees_with_history(
        pairs, field, profile=target.profile, requirements=AGREEMENT_REQUIREMENTS[field]
    )
    fail_on(
        findings,
        f"live uploads versus their v2 history events: {field}",
        exchanges=[*live_uploads.window.exchanges[-2:], *live_uploads.uploads[:2]],
    )


@pytest.mark.req(
    "UPC-CONFIG-001",
    "UPC-CONFIG-004",
    "UPC-CONFIG-005",
    "UPC-CONFIG-006",
    "UPC-CONFIG-007",
    "UPC-UPLOAD-001",
    "UPC-UPLOAD-003",
    "UP-UPLOAD-005",
    "UP-UPLOAD-007",
    "UP-UPLOAD-008",
    "UP-UPLOAD-009",
)
@pytest.mark.writes_box
@pytest.mark.parametrize("case", list(SETTINGS))
def test_live_uploads_follow_the_setting(  # noqa: PLR0917 - pytest passes fixtures positionally
    request: pytest.FixtureRequest,
    box_uploads_to_receiver: UploadRoute,
    receiver: RunReceiver,
    http_client: RecordingHttpClient,
    traffic: UploadTraffic,
    restored_setting: dict[str, Any],
    case: str,
) -> None:
    """After HistoryEventUrl sets content-type and the history_need_* flags, the next uploads follow them."""
    own_setting(box_uploads_to_receiver)
    mode, flags = SETTINGS[case]
    url = box_uploads_to_receiver.receiver_url
    body = {**restored_setting, **upload_setting(url, mode, **flags)}
    fail_unless(
        write_upload_setting(http_client, body), f"HistoryEventUrl refused {body}", ["UPC-CONFIG-001"], []
    )
    since = receiver.last_seq()
    accept = traffic.next_uploads(receiver)  # events recorded from now on follow the new setting
    uploads = traffic.wait_for_uploads(receiver, since, url, accept=accept)
    judged(request, "uploads", len(uploads))
    wrong_mode = [u for u in uploads if u.mode != mode]
    mode_ids = ["UPC-UPLOAD-001" if mode == "form-data" else "UP-UPLOAD-005", "UPC-CONFIG-007"]
    fail_unless(
        not wrong_mode,
        f"content-type {mode!r} set, {len(wrong_mode)} of {len(uploads)} upload(s) came as "
        f"{sorted({u.content_type for u in wrong_mode})[:2]}",
        mode_ids,
        wrong_mode[:2],
    )
    findings = upload_checks.pictures(
        decoded(uploads),
        need_reg_pic=flags["history_need_reg_pic"],
        need_spot_pic=flags["history_need_spot_pic"],
        need_recognize_face=flags["history_need_recognize_face"],
    )
    fail_on(findings, f"live upload pictures with {flags}", exchanges=uploads[:2])


@pytest.mark.req("UP-UPLOAD-002", "UP-UPLOAD-003", "UPC-CONFIG-001")
@pytest.mark.writes_box
def test_live_uploads_survive_an_outage(  # noqa: PLR0917 - pytest passes fixtures positionally
    request: pytest.FixtureRequest,
    box_uploads_to_receiver: UploadRoute,
    receiver: RunReceiver,
    http_client: RecordingHttpClient,
    traffic: UploadTraffic,
    restored_setting: dict[str, Any],
) -> None:
    """Events recorded while the receiver refused uploads (closed port, then 503) arrive once it is back."""
    own_setting(box_uploads_to_receiver)
    judge_outage(request, receiver, http_client, traffic, restored_setting, DOWN_S, FAILING_S)
