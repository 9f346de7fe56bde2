"""Uploads of the box's own live recognitions (seed 003, reference history-event-url-config), judged with no
control plane: every upload conforms to the table under the profile, is an event of the box's v2 history and
says what that event says; the picture flags and the content-type are honoured by the uploads that follow;
events recorded while the receiver refused uploads (closed port, then 5xx) arrive once it is back.

The box uploads to the run's receiver (`box_uploads_to_receiver`, with --allow-writes); the tests that change
the setting put back what they read. When no upload came within `--live-wait` the test is *not exercised*.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import pytest

from conformance.checks import upload_checks, upload_times
from conformance.clients.exchange import ReceivedUpload
from conformance.clients.failures import fail_on, fail_unless
from conformance.clients.http_client import RecordingHttpClient
from conformance.spec.schema_requirements import schema_requirement_ids
from conformance.suite.fixtures import RunReceiver, conformance_session
from conformance.suite.judgement import judged, not_exercised
from conformance.suite.support.schema_findings import e23_stranger_info, fail_on_schema
from conformance.suite.support.search_sandbox import read_upload_setting, write_upload_setting
from conformance.suite.support.upload_box import UploadBox, configure
from conformance.suite.support.upload_live import (
    UploadHistory,
    UploadTraffic,
    decoded,
    history_of_uploads,
    no_upload_reason,
    wait_for_live_uploads,
)
from conformance.suite.support.upload_relay import ReceiverRelay
from conformance.suite.support.upload_wait import upload_setting
from conformance.suite.support.ws_live import LiveBox
from conformance.suite.uploads import UploadRoute
from conformance.target.target import Target

DOWN_S = 2.0  # the receiver's port is closed this long ...
FAILING_S = 2.0  # ... then it answers 503 this long
RESUME_MIN_S = 12.0  # after the outage, at least this long for the box's retries (backoff) to deliver
OUTAGE_SPAN_MS = 600_000  # the history read at the outage's end: events after the last one delivered before
PICTURES_OFF = dict.fromkeys(
    ("history_need_reg_pic", "history_need_spot_pic", "history_need_recognize_face"), False
)
PICTURES_ON = dict.fromkeys(PICTURES_OFF, True)
SETTINGS: dict[str, tuple[str, dict[str, bool]]] = {
    "json-unpictured": ("json", PICTURES_OFF),
    "form-data-pictured": ("form-data", PICTURES_ON),
}


@pytest.fixture(scope="module", autouse=True)
def uploads_in_turn(request: pytest.FixtureRequest, box_uploads_to_receiver: UploadRoute) -> Iterator[None]:
    """Under xdist one worker at a time runs these tests: they move the one box's setting and uploads."""
    with conformance_session(request.config).uploads.in_turn():
        yield


def _own_setting(route: UploadRoute) -> None:
    if route.arranged_by == "user":
        pytest.skip("--no-configure-upload: the box's HistoryEventUrl setting is left as the user set it")


@pytest.fixture(scope="module")
def traffic(
    request: pytest.FixtureRequest,
    box_uploads_to_receiver: UploadRoute,
    target: Target,
    http_client: RecordingHttpClient,
) -> UploadTraffic:
    """The box's own recognitions within `--live-wait`; with a control plane, events stored through it."""
    history = LiveBox(
        http_client=http_client,
        cameras=(),
        wait_s=conformance_session(request.config).options.live_wait_s,
        v2_seconds=bool(request.getfixturevalue("v2_reads_seconds")),
    )
    injector = None
    if target.config.control_url is not None:  # the emulator has no live traffic: store some
        box: UploadBox = request.getfixturevalue("upload_box")  # its own data, no upload URL yet
        configure(box)
        injector = box.live
    return UploadTraffic(history, history.wait_s, injector)


@pytest.fixture(scope="module")
def live_uploads(
    box_uploads_to_receiver: UploadRoute, receiver: RunReceiver, traffic: UploadTraffic
) -> UploadHistory:
    """The live uploads that arrive within the budget, and the v2 history window around them."""
    since = receiver.last_seq()
    accept = traffic.next_uploads(receiver)
    uploads = wait_for_live_uploads(
        receiver,
        since,
        box_uploads_to_receiver.receiver_url,
        traffic.wait_s,
        want=traffic.sample_size,
        accept=accept,
    )
    payloads = decoded(uploads)
    return UploadHistory(tuple(payloads), history_of_uploads(traffic.history_box, payloads), tuple(uploads))


@pytest.fixture
def restored_setting(http_client: RecordingHttpClient) -> Iterator[dict[str, Any]]:
    """The box's upload setting as read before the test; written back after it."""
    before = read_upload_setting(http_client)
    fail_unless(before is not None, "GET HistoryEventUrl gave no setting", ["UPC-CONFIG-010"], [])
    assert before is not None
    try:
        yield before
    finally:
        write_upload_setting(http_client, before)


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
    _own_setting(box_uploads_to_receiver)
    mode, flags = SETTINGS[case]
    url = box_uploads_to_receiver.receiver_url
    body = {**restored_setting, **upload_setting(url, mode, **flags)}
    fail_unless(
        write_upload_setting(http_client, body), f"HistoryEventUrl refused {body}", ["UPC-CONFIG-001"], []
    )
    since = receiver.last_seq()
    accept = traffic.next_uploads(receiver)  # events recorded from now on follow the new setting
    uploads = wait_for_live_uploads(receiver, since, url, traffic.wait_s, accept=accept)
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


def _relay_host(receiver_url: str) -> str:
    return urlsplit(receiver_url).hostname or "127.0.0.1"


def _newest_ms(uploads: list[ReceivedUpload]) -> float | None:
    times = [upload_checks.upload_ms(p) for p in decoded(uploads)]
    known = [t for t in times if t is not None]
    return max(known) if known else None


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
    _own_setting(box_uploads_to_receiver)
    resume_s = max(traffic.wait_s, RESUME_MIN_S)
    with ReceiverRelay(receiver.url, bind_host=_relay_host(receiver.url)) as relay:
        relay.forwarding()
        body = {**restored_setting, **upload_setting(relay.url, "json", **PICTURES_OFF)}
        fail_unless(
            write_upload_setting(http_client, body), f"HistoryEventUrl refused {body}", ["UPC-CONFIG-001"], []
        )
        since = receiver.last_seq()
        accept = traffic.next_uploads(receiver)  # a new URL may first get a backlog: wait for the present
        before = wait_for_live_uploads(receiver, since, relay.url, traffic.wait_s, want=1, accept=accept)
        last_delivered = _newest_ms(before)
        if last_delivered is None:
            not_exercised("no upload with a readable timestamp came before the outage")
        relay.down()
        traffic.record()
        time.sleep(DOWN_S)
        relay.failing(503)
        time.sleep(FAILING_S)
        window = traffic.history_box.history(last_delivered + 1, last_delivered + OUTAGE_SPAN_MS)
        recorded = list(window.events)  # read while uploads are still refused: recorded during the outage
        relay.forwarding()
        if not recorded:
            outage_s = DOWN_S + FAILING_S
            not_exercised(no_upload_reason(outage_s, relay.url, "recognition recorded during the outage"))
        end = time.monotonic() + resume_s
        uploads: list[ReceivedUpload] = []
        cursor = since
        lost = recorded
        while lost and time.monotonic() < end:
            batch, cursor = receiver.uploads(cursor, wait_s=1.0, limit=1000)
            uploads += batch
            lost = upload_checks.not_delivered(recorded, decoded(uploads))
    judged(request, "events", len(recorded))
    fail_on(
        upload_checks.outage_delivery(recorded, decoded(uploads), resume_s),
        f"uploads after {DOWN_S:g} s with the port closed and {FAILING_S:g} s of 503 answers",
        exchanges=[*window.exchanges[-2:], *uploads[-3:]],
    )
