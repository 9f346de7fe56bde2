"""Device identity: the device list names each device's IP, name and type, and every event names its capture
device as the list does: v2 media_device_info, picture search and upload ep_info (device_id a listed
device, ep_ip / ep_name that device's).

Search and upload events are injected on known devices of the live cast, so the producing device is known;
the v2 check reads the core events and needs no oracle.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from conformance.checks import device_refs
from conformance.checks.device_refs import DeviceRef, device_table
from conformance.checks.requirement_ids import requirements_for
from conformance.checks.search_checks import SearchItem
from conformance.clients.exchange import Exchange
from conformance.clients.failures import fail_on, fail_unless
from conformance.clients.http_client import RecordingHttpClient
from conformance.suite.fixtures import RunReceiver
from conformance.suite.support.device_lookup import listed_devices, upload_ms, uploads_at
from conformance.suite.support.query_data import BoxWindow
from conformance.suite.support.search_calls import expect_success, photo_b64, post_search
from conformance.suite.support.search_sandbox import write_upload_setting
from conformance.suite.support.upload_wait import payload_of, upload_setting
from conformance.suite.support.ws_events import CAM, DOOR, GATE, STRANGER, Injected, LiveInjector
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
        pytest.skip("the box lists no devices")
    fail_on(device_refs.entries(devices), "device list entries", exchanges=[answer.exchange])


@pytest.mark.req("V2EV-SCHEMA-015")
def test_v2_media_device_is_a_listed_device(box_window: BoxWindow, http_client: RecordingHttpClient) -> None:
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
        pytest.skip("no stored v2 event names a media_device_id")
    devices, answer = listed_devices(http_client)
    _judge(refs, device_table(devices), "v2", "v2 media_device_info", [answer.exchange])


def _ep_ref(where: str, ep_info: Any, producer: str) -> DeviceRef:
    info = ep_info if isinstance(ep_info, dict) else {}
    return DeviceRef(where, info.get("device_id"), info.get("ep_ip"), info.get("ep_name"), producer)


@pytest.mark.req(*SEARCH_REQS)
@pytest.mark.needs_control
@pytest.mark.writes_box
def test_search_items_name_their_device(
    live: LiveInjector, control: ControlClient, http_client: RecordingHttpClient
) -> None:
    """Items found for a person seen on two devices carry each producing device's id, IP and name."""
    injected = live.inject([(GATE, PERSON), (CAM, PERSON)])
    producer = {i.event.ts_ms: i.event.device_id for i in injected}
    window = {"starttime": min(producer) / 1000 - 1, "endtime": max(producer) / 1000 + 1}
    photo = photo_b64(control.face_jpeg(PERSON, variant=4))
    answer = post_search(http_client, {"face_image_base64": photo, **window})
    items = [i for i in expect_success(answer, SEARCH_REQS).get("event_list") or [] if isinstance(i, dict)]
    ours = [(item, producer.get(round(SearchItem.from_item(item).ts_ms or 0))) for item in items]
    refs = [
        _ep_ref(f"search item at {item.get('timestamp')}", item.get("ep_info"), p) for item, p in ours if p
    ]
    fail_unless(
        len(refs) == len(injected),
        f"the search found {len(refs)} of the {len(injected)} events of {PERSON}",
        SEARCH_REQS,
        [answer.exchange],
    )
    devices, listed = listed_devices(http_client)
    _judge(
        refs, device_table(devices), "search", "picture search ep_info", [answer.exchange, listed.exchange]
    )


@pytest.mark.req(*UPLOAD_REQS)
@pytest.mark.needs_control
@pytest.mark.writes_box
def test_uploads_name_their_device(
    live: LiveInjector, receiver: RunReceiver, http_client: RecordingHttpClient
) -> None:
    """Uploads (matched by time alone) carry each producing device's id, IP and name in ep_info."""
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
    devices, listed = listed_devices(http_client)
    _judge(refs, device_table(devices), "upload", "upload ep_info", [*shown, listed.exchange])
