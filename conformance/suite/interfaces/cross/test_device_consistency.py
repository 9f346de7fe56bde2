"""Device identity: the device list names each device's IP, name and type, and every event names its capture
device as the list does: v2 media_device_info, picture search and upload ep_info (device_id a listed
device, ep_ip / ep_name that device's).

With a control plane, search and upload events are injected on known devices of the live cast, so the
producing device is known. On a box without one the producer of a search item or an upload is the device of
the stored v2 event at its time (paired by time alone, since the device is what is judged): a stretch of
the history sample searched at threshold 0, and the box's own live recognitions as they are uploaded.
The v2 check reads the box's newest events and needs no oracle.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from conformance.checks import device_refs
from conformance.checks.correlation import ms_floor
from conformance.checks.device_refs import DeviceRef, device_table
from conformance.checks.history_events import HistoryEvent
from conformance.checks.requirement_ids import requirements_for
from conformance.checks.search_checks import SearchItem
from conformance.clients.exchange import Exchange, ReceivedUpload
from conformance.clients.failures import fail_on, fail_unless
from conformance.clients.http_client import RecordingHttpClient
from conformance.suite.fixtures import RunReceiver, conformance_session
from conformance.suite.judgement import judged, not_exercised
from conformance.suite.support.device_lookup import listed_devices, upload_ms, uploads_at
from conformance.suite.support.identity_pairs import pair_by_time
from conformance.suite.support.query_data import BoxWindow
from conformance.suite.support.sample_search import SampleItems, search_the_sample
from conformance.suite.support.search_calls import expect_success, photo_b64, post_search
from conformance.suite.support.search_sandbox import write_upload_setting
from conformance.suite.support.upload_live import (
    HISTORY_LAG_S,
    HISTORY_MARGIN_MS,
    HISTORY_POLL_S,
    wait_for_live_uploads,
)
from conformance.suite.support.upload_wait import payload_of, upload_setting
from conformance.suite.support.ws_events import CAM, DOOR, GATE, STRANGER, Injected, LiveInjector
from conformance.suite.support.ws_live import LiveBox
from conformance.suite.uploads import UploadRoute
from conformance.target.control_client import ControlClient
from conformance.target.target import Target

PERSON = "id-live-emp"
SEARCH_REQS = ("PS-SCHEMA-021", "PS-SCHEMA-022")
UPLOAD_REQS = ("UP-SCHEMA-013", "UP-SCHEMA-014")


def _judge(
    refs: Sequence[DeviceRef], devices: Mapping[str, Any], interface: str, title: str, shown: Any
) -> None:
    """Both device checks for one interface; one failure naming that interface's requirement ids."""
    findings = [
        *device_refs.listed_id(refs, devices, requirements=requirements_for("devices.listed_id", interface)),
        *device_refs.ip_name(refs, devices, requirements=requirements_for("devices.ip_name", interface)),
    ]
    fail_on(findings, title, exchanges=shown)


@pytest.mark.req("DEV-SCHEMA-003")
def test_devices_carry_ip_name_and_type(
    request: pytest.FixtureRequest, target: Target, http_client: RecordingHttpClient
) -> None:
    """Each listed device has device_ip, device_name and device_type strings, as in the example."""
    if target.has_control:
        request.getfixturevalue("core_scenario")
    devices, answer = listed_devices(http_client)
    if not devices:
        not_exercised("the box lists no devices")
    judged(request, "devices", len(devices))
    fail_on(device_refs.entries(devices), "device list entries", exchanges=[answer.exchange])


@pytest.mark.req("V2EV-SCHEMA-015")
def test_v2_media_device_is_a_listed_device(
    request: pytest.FixtureRequest, box_window: BoxWindow, http_client: RecordingHttpClient
) -> None:
    """A non-empty media_device_id is a listed device_id; media_device_ip/name are that device's."""
    refs = [
        DeviceRef(
            f"v2 event {event.get('event_id')}",
            info.get("media_device_id"),
            info.get("media_device_ip"),
            info.get("media_device_name"),
        )
        for event in box_window.events
        if isinstance(info := event.get("media_device_info"), dict)
        and info.get("media_device_id") not in ("", None)
    ]
    if not refs:
        not_exercised("no stored v2 event names a media_device_id")
    judged(request, "events", len(refs))
    devices, answer = listed_devices(http_client)
    _judge(refs, device_table(devices), "v2", "v2 media_device_info", [answer.exchange])


def _ep_ref(where: str, ep_info: Any, producer: str) -> DeviceRef:
    info = ep_info if isinstance(ep_info, dict) else {}
    return DeviceRef(where, info.get("device_id"), info.get("ep_ip"), info.get("ep_name"), producer)


def _producers(events: Sequence[HistoryEvent], devices: Mapping[str, Any]) -> Sequence[HistoryEvent]:
    """The stored events whose v2 device is a listed one: each names its producer (V2EV-SCHEMA-015 judges
    the others), so an item or upload paired with one by time alone has a known producing device."""
    return [event for event in events if event.device_id in devices]


@pytest.mark.req(*SEARCH_REQS)
def test_search_items_name_their_device(
    request: pytest.FixtureRequest, target: Target, http_client: RecordingHttpClient
) -> None:
    """Items found for stored events carry each producing device's id, IP and name: events injected on
    two devices with a control plane; else a threshold-0 search over a stretch of the history sample,
    each item paired by time alone with its stored v2 event (whose device produced it)."""
    if target.has_control:
        _search_items_of_injected_events(request, http_client)
        return
    if not target.capabilities.picture_search:
        pytest.skip("the box has no picture search interface")
    items: SampleItems = request.getfixturevalue("sample_items")
    items.require("v2")
    devices, listed = listed_devices(http_client)
    table = device_table(devices)
    search = search_the_sample(http_client, items, SEARCH_REQS, lenient=target.profile == "lenient")
    paired = pair_by_time(_producers([event for event, _ in items.v2], table), search.items)
    refs = [
        _ep_ref(f"search item at {item.get('timestamp')}", item.get("ep_info"), event.device_id)
        for event, item in paired
    ]
    if not refs:
        not_exercised(f"no search item is a stored event of a listed device ({len(search.items)} items)")
    judged(request, "events", len(refs))
    _judge(refs, table, "search", "picture search ep_info", [*search.exchanges, listed.exchange])


def _search_items_of_injected_events(
    request: pytest.FixtureRequest, http_client: RecordingHttpClient
) -> None:
    """The control-plane oracle: a person injected on two devices, searched with that person's face."""
    live: LiveInjector = request.getfixturevalue("live")
    control: ControlClient = request.getfixturevalue("control")
    injected = live.inject([(GATE, PERSON), (CAM, PERSON)])
    producer = {i.event.ts_ms: i.event.device_id for i in injected}
    window = {"starttime": min(producer) / 1000 - 1, "endtime": max(producer) / 1000 + 1}
    photo = photo_b64(control.face_jpeg(PERSON, variant=4))
    answer = post_search(http_client, {"face_image_base64": photo, **window})
    items = [i for i in expect_success(answer, SEARCH_REQS).get("event_list") or [] if isinstance(i, dict)]
    ours = [(item, producer.get(ms_floor(SearchItem.from_item(item).ts_ms or 0))) for item in items]
    refs = [
        _ep_ref(f"search item at {item.get('timestamp')}", item.get("ep_info"), p) for item, p in ours if p
    ]
    fail_unless(
        len(refs) == len(injected),
        f"the search found {len(refs)} of the {len(injected)} events of {PERSON}",
        SEARCH_REQS,
        [answer.exchange],
    )
    judged(request, "events", len(refs))
    devices, listed = listed_devices(http_client)
    _judge(
        refs, device_table(devices), "search", "picture search ep_info", [answer.exchange, listed.exchange]
    )


@pytest.mark.req(*UPLOAD_REQS)
@pytest.mark.writes_box
def test_uploads_name_their_device(
    request: pytest.FixtureRequest,
    target: Target,
    receiver: RunReceiver,
    http_client: RecordingHttpClient,
) -> None:
    """Uploads (matched by time alone) carry each producing device's id, IP and name in ep_info: of events
    injected with a control plane; else of the box's own live recognitions, each paired by time alone with
    its stored v2 event (whose device produced it)."""
    if target.has_control:
        _uploads_of_injected_events(request, receiver, http_client)
        return
    route: UploadRoute = request.getfixturevalue("box_uploads_to_receiver")
    devices, listed = listed_devices(http_client)
    table = device_table(devices)
    history = _history_reader(request, http_client)
    since = receiver.last_seq()
    # any upload will do, a backlog's included: every upload names the device of its stored event
    uploads = wait_for_live_uploads(receiver, since, route.receiver_url, history.wait_s)
    arrived = [(upload, upload_ms(upload)) for upload in uploads]
    timed = [(upload, ms) for upload, ms in arrived if ms is not None]
    stored = _stored_at(history, [ms for _, ms in timed])
    paired = _pair_uploads(_producers(stored.events, table), timed)
    producer = {id(upload): event.device_id for event, upload in paired}
    refs = [
        _ep_ref(f"upload at {ms}", payload_of(upload).get("ep_info"), producer[id(upload)])
        for upload, ms in timed
        if id(upload) in producer
    ]
    shown: list[Exchange] = [*uploads[:3], *stored.exchanges[-1:]]
    if not refs:
        not_exercised(f"none of {len(uploads)} live upload(s) is a stored v2 event of a listed device")
    judged(request, "uploads", len(refs))
    _judge(refs, table, "upload", "upload ep_info", [*shown, listed.exchange])


def _history_reader(request: pytest.FixtureRequest, http_client: RecordingHttpClient) -> LiveBox:
    """The v2 history reader of the live-upload support (its cameras are not used here)."""
    seconds = bool(request.getfixturevalue("v2_reads_seconds"))
    return LiveBox(http_client=http_client, cameras=(), wait_s=_live_wait_s(request), v2_seconds=seconds)


def _live_wait_s(request: pytest.FixtureRequest) -> float:
    """The run's budget for live recognitions (--live-wait)."""
    return conformance_session(request.config).options.live_wait_s


@dataclass(frozen=True)
class StoredEvents:
    """The v2 events of a window around some uploads, with the exchanges that read them."""

    events: tuple[HistoryEvent, ...]
    exchanges: tuple[Exchange, ...]


def _stored_at(history: LiveBox, times_ms: Sequence[int]) -> StoredEvents:
    """The v2 events around the upload times (a window closed in the past), read until each upload time
    has a stored event or HISTORY_LAG_S passed."""
    if not times_ms:
        return StoredEvents((), ())
    deadline = time.monotonic() + HISTORY_LAG_S
    while True:
        window = history.history(min(times_ms) - HISTORY_MARGIN_MS, max(times_ms) + 1)
        events = [event for item in window.events if (event := HistoryEvent.from_v2(item)) is not None]
        timed = [{"timestamp": ms} for ms in times_ms]
        if len(pair_by_time(events, timed)) == len(timed) or time.monotonic() >= deadline:
            return StoredEvents(tuple(events), window.exchanges)
        time.sleep(HISTORY_POLL_S)


def _pair_uploads(
    events: Sequence[HistoryEvent], timed: Sequence[tuple[ReceivedUpload, int]]
) -> list[tuple[HistoryEvent, ReceivedUpload]]:
    """(stored event, upload) for each upload within 1 ms of exactly one stored event."""
    by_id = {id(upload): upload for upload, _ in timed}
    paired = pair_by_time(events, [{"timestamp": ms, "upload": id(upload)} for upload, ms in timed])
    return [(event, by_id[int(item["upload"])]) for event, item in paired]


def _uploads_of_injected_events(
    request: pytest.FixtureRequest, receiver: RunReceiver, http_client: RecordingHttpClient
) -> None:
    """The control-plane oracle: events injected on three devices, their uploads matched by time alone."""
    live: LiveInjector = request.getfixturevalue("live")
    fail_unless(
        write_upload_setting(http_client, upload_setting(receiver.url, "json")),
        "HistoryEventUrl refused the receiver URL",
        ["UPC-CONFIG-001"],
    )
    since = receiver.last_seq()
    injected: list[Injected] = live.inject([(GATE, PERSON), (CAM, STRANGER), (DOOR, "id-live-vip")])
    producer = {i.event.ts_ms: i.event.device_id for i in injected}
    uploads = uploads_at(receiver, since, set(producer))
    arrived = {upload_ms(u) for u in uploads}
    shown: list[Exchange] = list(uploads[:3])
    fail_unless(
        set(producer) <= arrived,
        f"{len(set(producer) - arrived)} of {len(producer)} uploads did not arrive",
        ["UP-UPLOAD-002"],
        shown,
    )
    refs = [
        _ep_ref(f"upload at {upload_ms(u)}", payload_of(u).get("ep_info"), producer[upload_ms(u) or 0])
        for u in uploads
    ]
    judged(request, "uploads", len(refs))
    devices, listed = listed_devices(http_client)
    _judge(refs, device_table(devices), "upload", "upload ep_info", [*shown, listed.exchange])
