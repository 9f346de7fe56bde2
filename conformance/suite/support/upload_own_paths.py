"""The real-box paths of the upload tests that inject events through a control plane
(`test_upload_delivery.py`, `test_upload_identity.py`, `test_upload_setting.py`): each judges its
requirements from the box's own recognitions, matching every upload to its event in the v2 history
(device, time in ms after unit conversion, E11). A test that changes the setting writes it on top of the
one read before, and the `restored_setting` fixture writes that back.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import pytest

from conformance.checks import identity_checks, upload_checks, upload_times
from conformance.checks.consistency import EventView
from conformance.checks.correlation import event_key
from conformance.checks.scenario import ScenarioEvent
from conformance.clients.exchange import ReceivedUpload
from conformance.clients.failures import fail_on, fail_unless
from conformance.clients.http_client import RecordingHttpClient
from conformance.spec.catalog import Profile, load_spec
from conformance.suite.fixtures import RunReceiver
from conformance.suite.judgement import judged, not_exercised
from conformance.suite.support.schema_findings import e23_stranger_info, schema_finding
from conformance.suite.support.search_sandbox import write_upload_setting
from conformance.suite.support.upload_live import (
    LIVE_SAMPLE,
    UploadHistory,
    UploadTraffic,
    decoded,
    history_of_uploads,
    no_upload_reason,
)
from conformance.suite.support.upload_outage import PICTURE_FLAGS, PICTURES_OFF
from conformance.suite.support.upload_stragglers import RunUploads, wait_for_stragglers
from conformance.suite.support.upload_tap import UploadTap
from conformance.suite.support.upload_wait import upload_setting
from conformance.suite.support.ws_live import HistoryWindow
from conformance.suite.uploads import UploadRoute

SCHEMA_REQUIREMENTS = ("UP-SCHEMA-001", "UP-SCHEMA-010", "UP-SCHEMA-012", "UP-SCHEMA-023")
PICTURE_REQUIREMENTS = ("UP-UPLOAD-007", "UP-UPLOAD-008", "UP-UPLOAD-009")
FLAG_DEFAULTS = ("UPC-CONFIG-004", "UPC-CONFIG-005", "UPC-CONFIG-006")  # of PICTURE_FLAGS, in order
TAP_ORDER_MS = 2_000  # events this much older than the newest one a URL got may still be in flight


def _span(payloads: Sequence[Mapping[str, Any]]) -> tuple[float, float] | None:
    times = [t for t in (upload_checks.upload_ms(p) for p in payloads) if t is not None]
    return (min(times), max(times)) if times else None


def _recorded_in(window: HistoryWindow, low: float, high: float) -> list[Mapping[str, Any]]:
    views = [(EventView.from_v2(e).ts_ms, e) for e in window.events]
    return [event for ts, event in views if ts is not None and low - 1 <= ts <= high + 1]


def every_event_arrives(
    request: pytest.FixtureRequest, receiver: RunReceiver, traffic: UploadTraffic, url: str
) -> None:
    """Every event the history shows between the first and the last of the newest uploads arrives, once.

    All the run's uploads count (from the receiver's first): a box may still be sending events recorded
    before the wait (a backlog), and the span of its newest uploads is judged whatever their age. How they
    are read, and how long missing events are waited for: `upload_stragglers`.
    """
    if traffic.silence is not None:
        traffic.silence.check()
    run = RunUploads(receiver)
    run.read_until(LIVE_SAMPLE, traffic.wait_s)
    if not run.received:
        reason = no_upload_reason(traffic.wait_s, url)
        if traffic.silence is not None:  # nothing since the run began: the box uploads nothing
            traffic.silence.reason = reason
        not_exercised(reason)
    newest = run.payloads[-LIVE_SAMPLE:]
    span = _span(newest)
    if span is None:
        not_exercised("no upload with a readable timestamp arrived")
    window = traffic.history_box.history(span[0] - 1, span[1] + 1)
    recorded = _recorded_in(window, *span)
    stragglers = wait_for_stragglers(run, recorded, traffic.wait_s)
    lost = stragglers.lost
    judged(request, "events", len(recorded))
    shown = [*window.exchanges[-1:], *run.shown]
    keys = [event_key(EventView.from_v2(e).ts_ms or 0.0, str(EventView.from_v2(e).device_id)) for e in lost]
    fail_unless(
        not lost,
        f"{len(lost)} of the {len(recorded)} event(s) the history shows between the first and the last of "
        f"the newest {len(newest)} uploads never arrived {stragglers.describe()}: {', '.join(keys[:5])}",
        ["UP-UPLOAD-002", "UP-UPLOAD-001"],
        shown,
    )
    pairs, _ = upload_checks.match_history(run.payloads, recorded)
    counts = Counter(id(event) for _, event in pairs)
    repeated = sum(1 for count in counts.values() if count > 1)
    fail_unless(
        not repeated,
        f"{repeated} of {len(recorded)} event(s) were uploaded more than once "
        f"({max(counts.values(), default=0)} copies at most)",
        ["UP-UPLOAD-004"],
        shown,
    )


def _follow(  # noqa: PLR0917 - a setting change and the uploads that follow it
    route: UploadRoute,
    receiver: RunReceiver,
    client: RecordingHttpClient,
    traffic: UploadTraffic,
    restored: Mapping[str, Any],
    setting: Mapping[str, Any],
) -> list[ReceivedUpload]:
    """Write `setting` over the one read before; the uploads of events recorded from then on."""
    base = {k: v for k, v in restored.items() if k not in PICTURE_FLAGS}
    body = {**base, **setting}
    fail_unless(write_upload_setting(client, body), f"HistoryEventUrl refused {body}", ["UPC-CONFIG-001"], [])
    since = receiver.last_seq()
    accept = traffic.next_uploads(receiver)
    return traffic.wait_for_uploads(receiver, since, route.receiver_url, accept=accept)


def payloads_in_mode(  # noqa: PLR0917 - the fixtures of a test that changes the setting
    request: pytest.FixtureRequest,
    route: UploadRoute,
    receiver: RunReceiver,
    client: RecordingHttpClient,
    traffic: UploadTraffic,
    restored: Mapping[str, Any],
    mode: str,
    profile: str,
) -> None:
    """Uploads after content-type `mode` is set: in that encoding, valid per the table, as in the history."""
    setting = upload_setting(
        route.receiver_url, mode, **PICTURES_OFF
    )  # light uploads: pictures are judged apart
    uploads = _follow(route, receiver, client, traffic, restored, setting)
    payloads = decoded(uploads)
    judged(request, "uploads", len(uploads))
    wrong_mode = [u for u in uploads if u.mode != mode]
    fail_unless(
        not wrong_mode,
        f"content-type {mode!r} configured, {len(wrong_mode)} of {len(uploads)} upload(s) sent as "
        f"{sorted({u.content_type for u in wrong_mode})[:2]}",
        ["UPC-UPLOAD-001" if mode == "form-data" else "UP-UPLOAD-005", "UPC-CONFIG-007"],
        wrong_mode[:2],
    )
    fail_on(upload_checks.timestamps(payloads), f"{mode} upload timestamps", exchanges=uploads[:2])
    spec, ids = (
        load_spec(Profile(profile)),
        ("UP-SCHEMA-001", "UP-SCHEMA-010", "UP-SCHEMA-012", "UP-SCHEMA-023"),
    )
    schema_findings = []  # every payload's, so that each deviation is named whichever upload came first
    for payload in payloads:
        stranger = payload.get("identity_id") == "" or payload.get("person_type") == 4
        excused = e23_stranger_info(["/identity_info"] if stranger else [])
        found = [f for f in spec.validate("upload-payload", payload) if not excused(f)]
        schema_findings += [schema_finding("upload-payload", f, ids) for f in found]
    fail_on(schema_findings, f"{mode} uploads versus upload-payload ({profile})", exchanges=uploads[:2])
    window = history_of_uploads(traffic.history_box, payloads)
    pairs, _ = upload_checks.match_history(payloads, window.events)
    findings = upload_checks.agrees_with_history(
        pairs, "person_type", profile=profile, requirements=("UP-SCHEMA-009",)
    )
    fail_on(
        findings,
        f"{mode} uploads versus their history events",
        exchanges=[*window.exchanges[-1:], *uploads[:2]],
    )


def pictures_per_flags(  # noqa: PLR0917 - the fixtures of a test that changes the setting
    request: pytest.FixtureRequest,
    route: UploadRoute,
    receiver: RunReceiver,
    client: RecordingHttpClient,
    traffic: UploadTraffic,
    restored: Mapping[str, Any],
    flags: Mapping[str, bool],
) -> None:
    """Uploads after the flags are set (unset ones default to true) carry exactly the pictures asked for."""
    setting = upload_setting(route.receiver_url, "json", **flags)
    uploads = _follow(route, receiver, client, traffic, restored, setting)
    judged(request, "uploads", len(uploads))
    findings = upload_checks.pictures(
        decoded(uploads),
        need_reg_pic=flags.get("history_need_reg_pic", True),
        need_spot_pic=flags.get("history_need_spot_pic", True),
        need_recognize_face=flags.get("history_need_recognize_face", True),
        requirements=picture_requirements(flags),
    )
    fail_on(findings, f"upload pictures with {dict(flags) or 'default flags'}", exchanges=uploads[:2])


def picture_requirements(flags: Mapping[str, bool]) -> tuple[str, ...]:
    """What a picture that disobeys the flags breaks: its UP-UPLOAD id, and for a flag left unset its
    default (UPC-CONFIG-004..006: true)."""
    defaults = tuple(upc for flag, upc in zip(PICTURE_FLAGS, FLAG_DEFAULTS, strict=True) if flag not in flags)
    return (*PICTURE_REQUIREMENTS, *defaults)


def _as_event(event: Mapping[str, Any]) -> ScenarioEvent:
    view = EventView.from_v2(event)
    identity = event.get("identity_id")
    return ScenarioEvent(
        str(view.event_id),
        round(view.ts_ms or 0),
        str(view.device_id),
        identity if isinstance(identity, str) else "",
    )


def identity_info(request: pytest.FixtureRequest, live: UploadHistory, profile: str) -> None:
    """Each upload's identity_info follows its history event's match: {} for a stranger (E23 per profile)."""
    pairs, _ = upload_checks.match_history(list(live.payloads), live.window.events)
    if not pairs:
        not_exercised(
            "none of the live uploads is in the v2 history (test_live_upload_is_an_event_of_the_history)"
        )
    judged(request, "uploads", len(pairs))
    findings = identity_checks.upload_info(
        [(_as_event(event), upload) for upload, event in pairs], profile=profile
    )
    fail_on(findings, "upload identity_info versus the history's match", exchanges=list(live.uploads[:4]))
    kinds = {bool(_as_event(event).identity_id) for _, event in pairs}
    if len(kinds) < 2:
        kind = "matched persons" if True in kinds else "strangers"
        not_exercised(f"the {len(pairs)} uploads judged were all of {kind}: the other kind was not seen")


def out_timestamps(request: pytest.FixtureRequest, live: UploadHistory) -> None:
    """Every live upload with out_timestamp has it at or after its timestamp."""
    carrying = [p for p in live.payloads if "out_timestamp" in p]
    if not carrying:
        not_exercised(f"none of the {len(live.payloads)} live uploads carries out_timestamp")
    judged(request, "uploads", len(carrying))
    fail_on(
        upload_times.out_after_timestamp(carrying), "upload out_timestamp", exchanges=list(live.uploads[:4])
    )


def every_url_receives(  # noqa: PLR0917 - the fixtures of a test that changes the setting
    request: pytest.FixtureRequest,
    route: UploadRoute,
    receiver: RunReceiver,
    client: RecordingHttpClient,
    traffic: UploadTraffic,
    restored: Mapping[str, Any],
) -> None:
    """With the receiver and a second URL configured, the second receives the events too.

    A URL configured later may first get a backlog (every stored event): what the second URL received is
    judged up to the newest event it got (less TAP_ORDER_MS for deliveries still in flight).
    """
    with UploadTap(receiver_host(route)) as tap:
        urls = [route.receiver_url, tap.url]
        setting = {
            **upload_setting(route.receiver_url, "json", **PICTURES_OFF),
            "history_upload_event_url": urls,
        }
        uploads = _follow(route, receiver, client, traffic, restored, setting)
        times = {round(t) for t in (upload_checks.upload_ms(p) for p in decoded(uploads)) if t is not None}
        at_tap = tap.wait_for(times, traffic.wait_s)
        received = [t for t in tap.received() if t is not None]
    judged(request, "uploads", len(uploads))
    fail_unless(
        bool(received),
        f"the second configured URL {tap.url} received nothing in {traffic.wait_s:g} s while "
        f"{route.receiver_url} received {len(uploads)} upload(s)",
        ["UPC-UPLOAD-002"],
        uploads[:2],
    )
    reached = max(received) - TAP_ORDER_MS
    missing = sorted(t for t in times - at_tap if t <= reached)
    fail_unless(
        not missing,
        f"{len(missing)} event(s) uploaded to {route.receiver_url} never reached the second configured URL "
        f"{tap.url}, though it got later ones: {missing[:5]}",
        ["UPC-UPLOAD-002"],
        uploads[:2],
    )


def receiver_host(route: UploadRoute) -> str:
    """The address the receiver listens on: a second endpoint binds there too, so the box reaches it."""
    return urlsplit(route.receiver_url).hostname or "127.0.0.1"
