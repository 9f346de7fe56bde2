"""RecordingWebSocket: transcript of every frame, bounded waits, failures that carry the transcript."""

from __future__ import annotations

import itertools

import pytest

from conformance.checks.findings import FindingCategory
from conformance.clients.exchange import WsDirection
from conformance.clients.failures import ConformanceFailure
from conformance.clients.ws_client import RecordingWebSocket


def _ws_url(app_url: str) -> str:
    return app_url.replace("http://", "ws://") + "/ws"


def test_text_binary_and_json_are_recorded_in_order(app_url: str) -> None:
    with RecordingWebSocket(_ws_url(app_url), recv_timeout=5) as ws:
        ws.send_json({"need_face": 1, "event_list": ["d1"]})
        assert ws.recv_json() == {"need_face": 1, "event_list": ["d1"]}
        ws.send_binary(b"\x00\x01\x02")
        message = ws.recv()
        assert message is not None and message.opcode == "binary" and message.data == b"\x00\x01\x02"
    frames = ws.transcript.frames
    assert [(f.direction, f.opcode) for f in frames] == [
        (WsDirection.EVENT, "connect"),
        (WsDirection.SENT, "text"),
        (WsDirection.RECEIVED, "text"),
        (WsDirection.SENT, "binary"),
        (WsDirection.RECEIVED, "binary"),
        (WsDirection.EVENT, "close"),
    ]
    assert frames[3].size == 3 and frames[3].text is None
    assert all(earlier.at <= later.at for earlier, later in itertools.pairwise(frames))


def test_silence_times_out_and_is_recorded(app_url: str) -> None:
    with RecordingWebSocket(_ws_url(app_url)) as ws:
        ws.send_text("silence")
        assert ws.recv(timeout=0.2) is None
        assert ws.recv_json(timeout=0.1) is None
    timeouts = [frame for frame in ws.transcript.frames if frame.opcode == "timeout"]
    assert [frame.text for frame in timeouts] == ["no frame within 0.2 s", "no frame within 0.1 s"]


def test_non_json_text_is_a_schema_failure_with_transcript(app_url: str) -> None:
    with RecordingWebSocket(_ws_url(app_url), recv_timeout=5) as ws:
        ws.send_text("garbage")
        with pytest.raises(ConformanceFailure) as info:
            ws.recv_json()
    assert info.value.category is FindingCategory.SCHEMA
    assert "received text    not json {" in str(info.value)


def test_refused_connect_is_a_transport_failure(closed_port: int) -> None:
    ws = RecordingWebSocket(f"ws://127.0.0.1:{closed_port}/ws", connect_timeout=2)
    with pytest.raises(ConformanceFailure) as info:
        ws.connect()
    assert info.value.category is FindingCategory.TRANSPORT
    assert "connect failed: connection refused" in str(info.value)


def test_silent_server_connect_times_out(silent_port: int) -> None:
    ws = RecordingWebSocket(f"ws://127.0.0.1:{silent_port}/ws", connect_timeout=0.3)
    with pytest.raises(ConformanceFailure) as info:
        ws.connect()
    assert "timed out after 0.3 s" in str(info.value)


def test_use_before_connect_is_a_harness_failure() -> None:
    with pytest.raises(ConformanceFailure) as info:
        RecordingWebSocket("ws://127.0.0.1:1/ws").send_text("x")
    assert info.value.category is FindingCategory.HARNESS


def test_transcript_is_bounded(app_url: str) -> None:
    with RecordingWebSocket(_ws_url(app_url), recv_timeout=5, max_frames=4) as ws:
        for number in range(5):
            ws.send_text(str(number))
            ws.recv()
    frames = ws.transcript.frames
    assert len(frames) == 4
    assert ws.transcript.dropped == 8  # connect + 10 frames + close = 12, 4 kept
    assert [f.opcode for f in frames[:2]] == ["connect", "text"]  # the opening survives
    assert frames[-1].opcode == "close" and frames[-2].text == "4"
    rendered = str(ConformanceFailure.of("t", exchanges=[ws.transcript])).splitlines()
    marker = next(i for i, line in enumerate(rendered) if "8 entries omitted" in line)
    assert "connect" in rendered[marker - 1] or "text" in rendered[marker - 1]


def test_a_binary_push_of_utf8_json_is_recorded_as_its_text(app_url: str) -> None:
    with RecordingWebSocket(_ws_url(app_url), recv_timeout=5) as ws:
        ws.send_binary(b'{"event_id": "e1"}')
        assert ws.recv_json() == {"event_id": "e1"}
        ws.send_binary(b"\xff\xfe")
        ws.recv()
    received = [f for f in ws.transcript.frames if f.direction is WsDirection.RECEIVED]
    assert [(f.opcode, f.text) for f in received] == [("binary", '{"event_id": "e1"}'), ("binary", None)]
