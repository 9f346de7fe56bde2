"""Uploads (seed 003 + reference history-event-url-config): payloads in both modes, ms timestamps (E11),
api_version, person_type codes, pictures per the history_need_* flags, delivery of every stored event,
and delivery that resumes after the receiver was unreachable.

With a control plane the module stores its own live cast (with a few events stored before any upload URL
is set), points the box at the run's receiver and reads what arrived through the receiver's API; on a box
without one each test judges the box's own recognitions, matched to its history (`upload_own_paths`).
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

import pytest

from conformance.checks import upload_checks
from conformance.checks.consistency import EventView
from conformance.checks.findings import Finding, FindingCategory
from conformance.checks.scenario import ScenarioEvent
from conformance.clients.failures import fail_on, fail_unless
from conformance.clients.http_client import RecordingHttpClient
from conformance.spec.schema_requirements import schema_requirement_ids
from conformance.suite.fixtures import RunReceiver
from conformance.suite.support import upload_own_paths as own_paths
from conformance.suite.support.schema_findings import e23_stranger_info, fail_on_schema
from conformance.suite.support.search_sandbox import write_upload_setting
from conformance.suite.support.upload_box import STORED_BEFORE_URL, UploadBox
from conformance.suite.support.upload_box import configure as _configure
from conformance.suite.support.upload_live import UploadTraffic
from conformance.suite.support.upload_outage import judge_outage
from conformance.suite.support.upload_relay import ReceiverRelay
from conformance.suite.support.upload_site import own_setting
from conformance.suite.support.upload_wait import keys_of, payload_of, upload_setting, wait_for_keys
from conformance.suite.support.ws_events import CAM, DOOR, GATE, STRANGER
from conformance.suite.uploads import UploadRoute
from conformance.target.target import V2_EVENTS_PATH, Target

DOWN_S = 1.5  # how long the receiver stays unreachable while the box tries
SITE_DOWN_S = 3.0  # a box's own recognitions: the port stays closed until some are recorded (`hold_refusal`)
RESUME_DEADLINE_S = 12.0  # a box retrying with backoff delivers well within this once the receiver is back
MIXED_CAST = [
    (GATE, "id-live-emp"),
    (CAM, "id-live-visitor"),
    (DOOR, "id-live-black"),
    (GATE, "id-live-vip"),
    (CAM, STRANGER),
]


def _site(
    request: pytest.FixtureRequest,
) -> tuple[UploadRoute, RunReceiver, RecordingHttpClient, UploadTraffic, dict[str, Any]]:
    """What a real-box path that changes the setting needs; skipped when the user arranged the setting."""
    request.getfixturevalue("uploads_in_turn")
    route: UploadRoute = request.getfixturevalue("box_uploads_to_receiver")
    own_setting(route)
    return (
        route,
        request.getfixturevalue("receiver"),
        request.getfixturevalue("http_client"),
        request.getfixturevalue("traffic"),
        request.getfixturevalue("restored_setting"),
    )


def _without_repeats(findings: list[Finding]) -> list[Finding]:
    """Drop "delivered more than once" (UP-UPLOAD-004, a SHOULD judged by its own test) from MUST checks."""
    return [f for f in findings if "repeated" not in f.evidence]


def _stored_events(box: UploadBox) -> list[ScenarioEvent]:
    """Every event the box itself reports (v2 getevents), as the oracle of what must be uploaded."""
    answer = box.http_client.post_json(V2_EVENTS_PATH, {"page_index": 0, "page_limit": 1000})
    body = answer.json()
    events = body.get("events") if isinstance(body, dict) else None
    fail_unless(
        answer.status == 200 and isinstance(events, list),
        "the box's own event query failed",
        ["UP-UPLOAD-002"],
        [answer.exchange],
    )
    assert isinstance(events, list)
    views = [EventView.from_v2(event) for event in events if isinstance(event, dict)]
    return [
        ScenarioEvent(str(v.event_id), round(v.ts_ms), str(v.device_id))
        for v in views
        if v.ts_ms is not None and v.device_id is not None
    ]


@pytest.mark.req("UP-UPLOAD-001", "UP-UPLOAD-002", "UP-UPLOAD-004", "UPC-CONFIG-001")
@pytest.mark.writes_box
def test_every_stored_event_arrives(request: pytest.FixtureRequest, target: Target) -> None:
    """Events stored before and after the URL was set arrive once each, as the box's own query lists them.

    A box without control plane: every event its history shows in the span of its newest uploads
    arrives, once."""
    if target.config.control_url is None:
        request.getfixturevalue("uploads_in_turn")
        route: UploadRoute = request.getfixturevalue("box_uploads_to_receiver")
        receiver: RunReceiver = request.getfixturevalue("receiver")
        traffic: UploadTraffic = request.getfixturevalue("traffic")
        own_paths.every_event_arrives(request, receiver, traffic, route.receiver_url)
        return
    upload_box: UploadBox = request.getfixturevalue("upload_box")
    since = upload_box.receiver.last_seq()
    _configure(upload_box)
    upload_box.live.inject(MIXED_CAST[:3])
    stored = _stored_events(upload_box)
    fail_unless(
        len(stored) >= STORED_BEFORE_URL + 3, f"the box reports {len(stored)} events", ["UP-UPLOAD-002"], []
    )
    keys = {f"{e.ts_ms}@{e.device_id}" for e in stored}
    uploads = wait_for_keys(upload_box.receiver, since, keys)
    findings = upload_checks.delivery(stored, [payload_of(u) for u in uploads])
    fail_on(findings, "uploads of every stored event", exchanges=uploads[-5:])


@pytest.mark.req(
    "UP-UPLOAD-005",
    "UPC-UPLOAD-001",
    "UPC-CONFIG-007",
    "UP-TIME-001",
    "UP-TIME-002",
    "UP-SCHEMA-009",
    "UP-SCHEMA-023",
    "UP-SCHEMA-001",
    "UP-SCHEMA-010",
    "UP-SCHEMA-012",
    *schema_requirement_ids("upload-payload"),
)
@pytest.mark.writes_box
@pytest.mark.parametrize("mode", ["json", "form-data"])
def test_upload_payloads(request: pytest.FixtureRequest, target: Target, mode: str) -> None:
    """One POST per event in the configured encoding, valid per the table: ms times, codes, api_version."""
    if target.config.control_url is None:
        own_paths.payloads_in_mode(request, *_site(request), mode, target.profile)
        return
    upload_box: UploadBox = request.getfixturevalue("upload_box")
    _configure(upload_box, mode)
    since = upload_box.receiver.last_seq()
    injected = upload_box.live.inject(MIXED_CAST)
    uploads = wait_for_keys(upload_box.receiver, since, keys_of(injected))
    payloads = [payload_of(u) for u in uploads]
    fail_on(
        _without_repeats(upload_checks.delivery([i.event for i in injected], payloads)),
        f"{mode} uploads",
        exchanges=uploads[-5:],
    )
    wrong_mode = [u.content_type for u in uploads if u.mode != mode]
    fail_unless(
        not wrong_mode,
        f"content-type {mode!r} configured, uploads sent as {wrong_mode[:2]}",
        ["UPC-UPLOAD-001" if mode == "form-data" else "UP-UPLOAD-005", "UPC-CONFIG-007"],
        uploads[:2],
    )
    fail_on(upload_checks.timestamps(payloads), f"{mode} upload timestamps", exchanges=uploads[:2])
    missing = [
        u
        for u in uploads
        if not isinstance(payload_of(u).get("api_version"), str) or not payload_of(u).get("api_version")
    ]
    fail_unless(
        not missing, f"{len(missing)} upload(s) without a string api_version", ["UP-SCHEMA-023"], missing[:2]
    )
    by_key = {f"{i.event.ts_ms}@{i.event.device_id}": i for i in injected}
    for upload in uploads:
        payload = payload_of(upload)
        expected = by_key[str(upload_checks.upload_key(payload))]
        fail_unless(
            payload.get("person_type") == expected.event.person_type,
            f"person_type {payload.get('person_type')!r}, stored {expected.event.person_type}",
            ["UP-SCHEMA-009"],
            [upload],
        )
        stranger = payload.get("identity_id") == "" or payload.get("person_type") == 4
        fail_on_schema(
            "upload-payload",
            payload,
            target.profile,
            ["UP-SCHEMA-001", "UP-SCHEMA-010", "UP-SCHEMA-012"],
            [upload],
            what=f"{mode} upload",
            excused=e23_stranger_info(["/identity_info"] if stranger else []),
        )


PICTURE_FLAGS = {
    "defaults": {},
    "off": {
        "history_need_reg_pic": False,
        "history_need_spot_pic": False,
        "history_need_recognize_face": False,
    },
    "mixed": {
        "history_need_reg_pic": True,
        "history_need_spot_pic": False,
        "history_need_recognize_face": True,
    },
}


@pytest.mark.req(
    "UP-UPLOAD-007",
    "UP-UPLOAD-008",
    "UP-UPLOAD-009",
    "UPC-CONFIG-004",
    "UPC-CONFIG-005",
    "UPC-CONFIG-006",
    "UPC-UPLOAD-003",
)
@pytest.mark.writes_box
@pytest.mark.parametrize("case", list(PICTURE_FLAGS))
def test_upload_pictures_follow_the_flags(request: pytest.FixtureRequest, target: Target, case: str) -> None:
    """reg_pic, spot_pic, recognize_face: base64 JPEG when their flag is true (default), absent when false."""
    flags = PICTURE_FLAGS[case]
    if target.config.control_url is None:
        own_paths.pictures_per_flags(request, *_site(request), flags)
        return
    upload_box: UploadBox = request.getfixturevalue("upload_box")
    _configure(upload_box, "json", **flags)
    since = upload_box.receiver.last_seq()
    injected = upload_box.live.inject([(GATE, "id-live-emp"), (CAM, STRANGER)])
    uploads = wait_for_keys(upload_box.receiver, since, keys_of(injected))
    payloads = [payload_of(u) for u in uploads]
    fail_unless(
        len(payloads) >= len(injected),
        f"{len(payloads)} of {len(injected)} uploads arrived",
        ["UP-UPLOAD-002"],
        uploads,
    )
    findings = upload_checks.pictures(
        payloads,
        need_reg_pic=flags.get("history_need_reg_pic", True),
        need_spot_pic=flags.get("history_need_spot_pic", True),
        need_recognize_face=flags.get("history_need_recognize_face", True),
        requirements=own_paths.picture_requirements(flags),
    )
    fail_on(findings, f"upload pictures with {flags or 'default flags'}", exchanges=uploads[:2])


@pytest.mark.req("UP-UPLOAD-003", "UP-UPLOAD-002")
@pytest.mark.writes_box
def test_uploads_resume_after_the_receiver_was_down(request: pytest.FixtureRequest, target: Target) -> None:
    """Events stored while the receiver is unreachable arrive once it is back; nothing is silently lost.

    A box without control plane: the events its history shows recorded while the port was closed."""
    if target.config.control_url is None:
        _, receiver, client, traffic, restored = _site(request)
        judge_outage(request, receiver, client, traffic, restored, SITE_DOWN_S, 0.0)
        return
    upload_box: UploadBox = request.getfixturevalue("upload_box")
    host = urlsplit(upload_box.receiver.url).hostname or "127.0.0.1"
    with ReceiverRelay(upload_box.receiver.url, bind_host=host) as relay:
        body = upload_setting(relay.url, "json")
        fail_unless(
            write_upload_setting(upload_box.http_client, body),
            f"HistoryEventUrl refused {body}",
            ["UPC-CONFIG-001"],
            [],
        )
        since = upload_box.receiver.last_seq()
        injected = upload_box.live.inject([(GATE, "id-live-emp"), (DOOR, STRANGER), (CAM, "id-live-vip")])
        time.sleep(DOWN_S)  # the box tries and is refused
        early = wait_for_keys(upload_box.receiver, since, keys_of(injected), deadline_s=0.0)
        fail_unless(
            not early,
            "uploads arrived while the relay was down (harness problem)",
            [],
            early,
            detail="the relay in front of the receiver did not refuse connections",
            category=FindingCategory.HARNESS,
        )
        relay.up()
        uploads = wait_for_keys(upload_box.receiver, since, keys_of(injected), deadline_s=RESUME_DEADLINE_S)
    _configure(upload_box)
    findings = _without_repeats(
        upload_checks.delivery(
            [i.event for i in injected],
            [payload_of(u) for u in uploads],
            requirements=("UP-UPLOAD-003", "UP-UPLOAD-002"),
        )
    )
    fail_on(findings, "uploads after the receiver was unreachable", exchanges=uploads)
