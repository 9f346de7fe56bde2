"""The seed 004 push server: nothing before config, event_list filtering, pictures per flags, reconfiguration,
malformed configs, the slow-consumer policy, connection churn and the WS faults."""

from __future__ import annotations

import base64
import io
import itertools
import json
import socket
import struct
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import websocket
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from conformance.emulator.faults.hooks import ActiveFaults
from conformance.emulator.model import DeviceRecord, EventRecord, IdentityRecord
from conformance.emulator.render_ws import EventRecordWsRenderer
from conformance.emulator.websocket_server import QUEUE_LIMIT, WsThread
from conformance.spec.catalog import Profile, load_spec

DEV_A = DeviceRecord("04f98265-1fad-47e5-9dda-66e191272055", "gate", "192.168.1.101", "photo", "0")
DEV_B = DeviceRecord("f9f0768f-497c-45f3-9307-ae80a9d89390", "ipc", "192.168.1.102", "rtsp", "3")
DEV_C = DeviceRecord("804b1218-218e-4465-8e1f-c305a5981001", "door", "192.168.1.103", "card", "4")
TOM = IdentityRecord("666666", "Tom", 5, "g1", "default_group", face_seed=42)
SILENCE_S = 0.4
RECV_TIMEOUT_S = 5.0
_ids = itertools.count(1)


def event(device: DeviceRecord, identity: IdentityRecord | None = TOM) -> EventRecord:
    n = next(_ids)
    return EventRecord(
        event_id=f"ev{n}",
        ts_ms=1_566_016_554_000 + n,
        device=device,
        identity=identity,
        person_type=identity.person_type if identity else 4,
        score=0.62,
        face_seed=identity.face_seed if identity else 1000 + n,
        face_variant=n % 3,
    )


Faults = ActiveFaults


@pytest.fixture
def faults() -> Faults:
    """The emulator's own active set, empty; a test switches faults on while the server runs."""
    return ActiveFaults()


@pytest.fixture
def push(faults: Faults) -> Iterator[WsThread[EventRecord]]:
    running = WsThread(EventRecordWsRenderer(faults=faults), faults).start()
    yield running
    running.stop()


def connect(push: WsThread[EventRecord]) -> websocket.WebSocket:
    return websocket.create_connection(push.url, timeout=RECV_TIMEOUT_S)


def wait_until(predicate: Callable[[], bool], what: str, polls: int = 500) -> None:
    """Poll a server-side condition for at most polls × 10 ms."""
    for _ in range(polls):
        if predicate():
            return
        time.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


def frames_seen(push: WsThread[EventRecord]) -> int:
    return push.call(lambda: push.server.stats.frames_received)


def send_frame(push: WsThread[EventRecord], ws: websocket.WebSocket, text: str) -> None:
    """Send one frame and wait until the server handled it (the protocol has no acknowledgement)."""
    before = frames_seen(push)
    ws.send(text)
    wait_until(lambda: frames_seen(push) > before, "the server to handle the frame")


def configure(push: WsThread[EventRecord], ws: websocket.WebSocket, **config: Any) -> None:
    send_frame(push, ws, json.dumps(config))


def hang_up(ws: websocket.WebSocket) -> None:
    """Close and always release the socket (websocket-client skips that once it saw a close frame)."""
    ws.close(timeout=1)
    ws.shutdown()  # type: ignore[no-untyped-call]


def close_code(ws: websocket.WebSocket) -> int:
    """Read until the server's close frame and return its code."""
    while True:
        opcode, frame = ws.recv_data_frame(True)
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            return int(struct.unpack("!H", frame.data[:2])[0])


def recv_json(ws: websocket.WebSocket) -> dict[str, Any]:
    message = json.loads(ws.recv())
    assert isinstance(message, dict)
    return message


def assert_silent(ws: websocket.WebSocket) -> None:
    ws.settimeout(SILENCE_S)
    with pytest.raises(websocket.WebSocketTimeoutException):
        ws.recv()
    ws.settimeout(RECV_TIMEOUT_S)


def is_jpeg(text: str) -> bool:
    raw = base64.b64decode(text, validate=True)
    with Image.open(io.BytesIO(raw)) as image:
        return raw[:2] == b"\xff\xd8" and image.format == "JPEG"


def test_nothing_is_sent_before_the_configuration(push: WsThread[EventRecord]) -> None:
    ws = connect(push)
    try:
        push.publish([event(DEV_A), event(DEV_B)])
        assert_silent(ws)
        configure(push, ws, event_list=[DEV_A.device_id])
        later = event(DEV_A)
        push.publish([later])
        assert recv_json(ws)["event_id"] == later.event_id  # the earlier events were never queued
    finally:
        hang_up(ws)


def test_only_devices_in_event_list_are_pushed_to_each_client(push: WsThread[EventRecord]) -> None:
    first, second = connect(push), connect(push)
    try:
        configure(push, first, event_list=[DEV_A.device_id])
        configure(push, second, event_list=[DEV_B.device_id, DEV_C.device_id])
        batch = [event(d) for d in (DEV_A, DEV_B, DEV_C, DEV_A, DEV_C)]
        end_a, end_b = event(DEV_A), event(DEV_B)
        push.publish([*batch, end_a, end_b])
        got_first = [recv_json(first)["event_id"] for _ in range(3)]
        got_second = [recv_json(second)["event_id"] for _ in range(4)]
        assert got_first == [e.event_id for e in [*batch, end_a] if e.device is DEV_A]
        assert got_second == [e.event_id for e in [*batch, end_b] if e.device is not DEV_A]
        assert_silent(first)
        assert_silent(second)
    finally:
        hang_up(first)
        hang_up(second)


def test_messages_carry_the_seed_fields_with_ms_timestamps(push: WsThread[EventRecord]) -> None:
    ws = connect(push)
    try:
        configure(push, ws, event_list=[DEV_A.device_id])
        known, stranger = event(DEV_A), event(DEV_A, identity=None)
        push.publish([known, stranger])
        message, anonymous = recv_json(ws), recv_json(ws)
        assert message["event_id"] == known.event_id
        assert message["video_id"] == message["device_id"] == DEV_A.device_id
        assert message["timestamp"] == known.ts_ms and isinstance(message["timestamp"], int)
        assert message["identity_id"] == "666666" and message["identity_name"] == "Tom"
        assert message["group_name"] == "default_group"
        assert message["identity_info"]["image_id"] == known.register_image_id
        assert message["ext_data"]["device_type"] == "0"
        assert message["ext_data"]["person_type"] == 5
        assert message["ext_data"]["device_ip"] == DEV_A.device_ip
        assert anonymous["identity_info"] == {} and anonymous["identity_id"] == ""
        assert anonymous["ext_data"]["person_type"] == 4
        spec = load_spec(Profile.STRICT)
        assert spec.validate("ws-event", message) == [] and spec.validate("ws-event", anonymous) == []
    finally:
        hang_up(ws)


@pytest.mark.parametrize(
    ("need_face", "need_register"), [(False, False), (True, False), (False, True), (True, True)]
)
def test_pictures_follow_need_face_and_need_register(
    push: WsThread[EventRecord], need_face: bool, need_register: bool
) -> None:
    ws = connect(push)
    try:
        configure(push, ws, need_face=need_face, need_register=need_register, event_list=[DEV_B.device_id])
        push.publish([event(DEV_B)])
        message = recv_json(ws)
        scene = [message["ext_data"]["recognize_face"], message["ext_data"]["spot_pic"]]
        assert all(is_jpeg(p) for p in scene) if need_face else scene == ["", ""]
        assert is_jpeg(message["reg_pic"]) if need_register else message["reg_pic"] == ""
    finally:
        hang_up(ws)


def test_a_new_configuration_replaces_the_old_one(push: WsThread[EventRecord]) -> None:
    ws = connect(push)
    try:
        configure(push, ws, need_face=True, event_list=[DEV_A.device_id])
        configure(push, ws, event_list=[DEV_B.device_id])
        from_b = event(DEV_B)
        push.publish([event(DEV_A), from_b])
        message = recv_json(ws)
        assert message["event_id"] == from_b.event_id
        assert message["ext_data"]["recognize_face"] == ""
        assert_silent(ws)
    finally:
        hang_up(ws)


BAD_CONFIGS = st.one_of(
    st.sampled_from(
        ["not json", "[]", "null", "{'need_face': True}", '{"need_face": 1}', '{"event_list": "x"}']
    ),
    st.builds(
        json.dumps, st.fixed_dictionaries({"need_face": st.one_of(st.integers(), st.text(), st.none())})
    ),
    st.builds(
        json.dumps, st.fixed_dictionaries({"event_list": st.lists(st.integers(), min_size=1, max_size=3)})
    ),
    st.builds(
        json.dumps, st.one_of(st.lists(st.integers(), max_size=3), st.text(), st.floats(allow_nan=False))
    ),
    st.binary(max_size=64),
)


def test_malformed_configurations_close_only_that_connection(
    push: WsThread[EventRecord],
) -> None:
    bystander = connect(push)
    try:
        configure(push, bystander, event_list=[DEV_A.device_id])

        @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
        @given(BAD_CONFIGS)
        def check(frame: str | bytes) -> None:
            offender = connect(push)  # new connections keep being accepted
            try:
                if isinstance(frame, bytes):
                    offender.send_binary(frame)
                else:
                    offender.send(frame)
                assert close_code(offender) == (1003 if isinstance(frame, bytes) else 1008)
            finally:
                hang_up(offender)
            marker = event(DEV_A)
            push.publish([marker])
            assert recv_json(bystander)["event_id"] == marker.event_id

        check()
    finally:
        hang_up(bystander)


def test_the_close_reason_says_what_is_wrong(push: WsThread[EventRecord]) -> None:
    ws = connect(push)
    try:
        configure(push, ws, event_list=[DEV_A.device_id])
        ws.send(json.dumps({"need_face": "yes"}))
        opcode, frame = ws.recv_data_frame(True)
        assert opcode == websocket.ABNF.OPCODE_CLOSE
        assert struct.unpack("!H", frame.data[:2])[0] == 1008
        assert "need_face must be a boolean" in frame.data[2:].decode()
    finally:
        hang_up(ws)


def test_an_oversized_frame_closes_with_1009_and_spares_others(
    push: WsThread[EventRecord],
) -> None:
    bystander, offender = connect(push), connect(push)
    try:
        configure(push, bystander, event_list=[DEV_A.device_id])
        offender.send("x" * (2 * 1024 * 1024))
        assert close_code(offender) == 1009
        wait_until(lambda: push.call(lambda: push.server.client_count) == 1, "the offender to be dropped")
        marker = event(DEV_A)
        push.publish([marker])
        assert recv_json(bystander)["event_id"] == marker.event_id
    finally:
        hang_up(bystander)
        hang_up(offender)


def _silent_client(url: str) -> socket.socket:
    """A client that completes the handshake, configures, then never reads again."""
    host, port = url.removeprefix("ws://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=RECV_TIMEOUT_S)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    key = base64.b64encode(b"0123456789abcdef").decode()
    sock.sendall(
        f"GET / HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    response = b""
    while b"\r\n\r\n" not in response:
        response += sock.recv(1)
    assert b" 101 " in response
    payload = json.dumps({"event_list": [DEV_C.device_id], "need_face": True}).encode()
    mask = b"\x01\x02\x03\x04"
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    sock.sendall(bytes([0x81, 0x80 | len(payload)]) + mask + masked)
    return sock


def test_a_client_that_stops_reading_is_closed_and_never_delays_others(push: WsThread[EventRecord]) -> None:
    stalled = _silent_client(push.url)
    reader = connect(push)
    try:
        configure(push, reader, event_list=[DEV_C.device_id])
        wait_until(lambda: frames_seen(push) == 2, "both configurations")
        batch = [event(DEV_C) for _ in range(QUEUE_LIMIT + 400)]
        for start in range(0, len(batch), 100):
            push.publish(batch[start : start + 100])
            for expected in batch[start : start + 100]:
                assert recv_json(reader)["event_id"] == expected.event_id
        assert push.call(lambda: push.server.stats.slow_consumers_closed) == 1
        # the server forgets the stalled client (its kernel may still trickle buffered bytes to it)
        wait_until(lambda: push.call(lambda: push.server.client_count) == 1, "the stalled client to go")
    finally:
        stalled.close()
        hang_up(reader)


def test_two_hundred_connect_disconnect_cycles_leave_no_clients_behind(push: WsThread[EventRecord]) -> None:
    for i in range(200):
        ws = connect(push)
        if i % 2:
            ws.send(json.dumps({"event_list": [DEV_A.device_id]}))
        hang_up(ws)
    wait_until(lambda: push.call(lambda: push.server.client_count) == 0, "all clients to go")
    assert push.call(lambda: len(push.server._background)) == 2  # only the reaper and the feeder


def test_stop_closes_connected_clients(faults: Faults) -> None:
    running = WsThread(EventRecordWsRenderer(), faults).start()
    ws = connect(running)
    configure(running, ws, event_list=[DEV_A.device_id])
    try:
        running.stop()
        assert close_code(ws) == 1001
    finally:
        hang_up(ws)


# -- faults: each deviation is visible to a client --------------------------------------------------


def test_fault_push_before_config(push: WsThread[EventRecord], faults: Faults) -> None:
    faults.enable(["ws-push-before-config"])
    silent, configured = connect(push), connect(push)
    try:
        configure(push, configured, event_list=[DEV_A.device_id])
        wait_until(lambda: push.call(lambda: push.server.client_count) == 2, "both clients to register")
        from_b, from_a = event(DEV_B), event(DEV_A)
        push.publish([from_b, from_a])
        assert recv_json(silent)["event_id"] == from_b.event_id
        assert recv_json(configured)["event_id"] == from_a.event_id  # configured clients still filter
    finally:
        hang_up(silent)
        hang_up(configured)


def test_fault_ignore_event_list(push: WsThread[EventRecord], faults: Faults) -> None:
    faults.enable(["ws-ignore-event-list"])
    ws = connect(push)
    try:
        configure(push, ws, event_list=[DEV_A.device_id])
        push.publish([event(DEV_B)])
        assert recv_json(ws)["device_id"] == DEV_B.device_id
    finally:
        hang_up(ws)


def test_fault_pictures_unrequested(push: WsThread[EventRecord], faults: Faults) -> None:
    faults.enable(["ws-pictures-unrequested"])
    ws = connect(push)
    try:
        configure(push, ws, event_list=[DEV_A.device_id])
        push.publish([event(DEV_A)])
        assert is_jpeg(recv_json(ws)["reg_pic"])
    finally:
        hang_up(ws)


def test_fault_reconfig_ignored(push: WsThread[EventRecord], faults: Faults) -> None:
    faults.enable(["ws-reconfig-ignored"])
    ws = connect(push)
    try:
        configure(push, ws, event_list=[DEV_A.device_id])
        configure(push, ws, event_list=[DEV_B.device_id])
        from_a = event(DEV_A)
        push.publish([event(DEV_B), from_a])
        assert recv_json(ws)["event_id"] == from_a.event_id
    finally:
        hang_up(ws)


def test_fault_dies_on_bad_config_closes_every_client(push: WsThread[EventRecord], faults: Faults) -> None:
    faults.enable(["ws-dies-on-bad-config"])
    bystander, offender = connect(push), connect(push)
    try:
        configure(push, bystander, event_list=[DEV_A.device_id])
        offender.send("not json")
        assert close_code(bystander) == 1011
        assert close_code(offender) == 1011
    finally:
        hang_up(bystander)
        hang_up(offender)
