"""format_failure golden texts: HTTP with curl, WebSocket transcript, received upload, seed, redaction."""

from __future__ import annotations

import json

import pytest

from conformance.clients.exchange import (
    HttpExchange,
    HttpRequestRecord,
    HttpResponseRecord,
    ReceivedUpload,
    WsDirection,
    WsFrame,
    WsTranscript,
)
from conformance.clients.failures import ConformanceFailure, FailureCategory, format_failure

REQUEST = HttpRequestRecord(
    "POST",
    "http://127.0.0.1:5555/sophon/v2/face/getevents",
    (("Content-Type", "application/json"), ("Authorization", "Bearer secret-token")),
    b'{"page":1,"per_page":2}',
)
RESPONSE = HttpResponseRecord(
    200,
    "OK",
    (("content-type", "application/json"),),
    json.dumps({"events": [{"timestamp": 1628066406.608026, "spot_pic": "Q" * 500}]}).encode(),
    0.0123,
)

HTTP_GOLDEN = """\
[unit] v2 event timestamp is not in milliseconds
Requirements: V2EV-TIME-001, V2Q-SCHEMA-003

/events/0/timestamp: 1628066406.608026 looks like seconds (erratum E02).

--- Exchange 1: HTTP POST http://127.0.0.1:5555/sophon/v2/face/getevents
Request:
  POST http://127.0.0.1:5555/sophon/v2/face/getevents
  Content-Type: application/json
  Authorization: ***

  {
    "page": 1,
    "per_page": 2
  }
Response: 200 OK (12 ms)
  content-type: application/json

  {
    "events": [
      {
        "timestamp": 1628066406.608026,
        "spot_pic": "QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ…<500 characters>"
      }
    ]
  }
Reproduce with:
  curl -sS -i -X POST -H 'Content-Type: application/json' -H 'Authorization: ***' --data-binary \
'{"page":1,"per_page":2}' http://127.0.0.1:5555/sophon/v2/face/getevents

Hypothesis seed: rerun with --hypothesis-seed=424242"""


def test_http_failure_golden_text() -> None:
    failure = ConformanceFailure(
        "v2 event timestamp is not in milliseconds",
        "/events/0/timestamp: 1628066406.608026 looks like seconds (erratum E02).",
        category=FailureCategory.UNIT,
        requirement_ids=["V2EV-TIME-001", "V2Q-SCHEMA-003"],
        exchanges=[HttpExchange(REQUEST, RESPONSE)],
        hypothesis_seed=424242,
    )
    expected = HTTP_GOLDEN.replace("\\\n", "")
    assert format_failure(failure) == expected
    assert str(failure) == expected
    assert isinstance(failure, AssertionError)


def test_transport_error_is_shown_instead_of_a_response() -> None:
    failure = ConformanceFailure(
        "box unreachable",
        category=FailureCategory.TRANSPORT,
        exchanges=[HttpExchange(HttpRequestRecord("GET", "http://h/x"), None, error="connection refused")],
    )
    assert format_failure(failure) == (
        "[transport] box unreachable\n"
        "\n"
        "--- Exchange 1: HTTP GET http://h/x\n"
        "Request:\n"
        "  GET http://h/x\n"
        "Transport error: connection refused\n"
        "Reproduce with:\n"
        "  curl -sS -i http://h/x"
    )


def test_websocket_transcript_golden_text() -> None:
    transcript = WsTranscript(
        "ws://127.0.0.1:5679",
        frames=[
            WsFrame(WsDirection.EVENT, "connect", 0.0, "connected to ws://127.0.0.1:5679"),
            WsFrame(WsDirection.SENT, "text", 0.0015, '{"need_face": 1, "event_list": ["d1"]}', 38),
            WsFrame(WsDirection.RECEIVED, "binary", 0.25, None, 2048),
            WsFrame(WsDirection.EVENT, "timeout", 5.2504, "no frame within 5 s"),
        ],
    )
    failure = ConformanceFailure("no event pushed", category=FailureCategory.SEMANTIC, exchanges=[transcript])
    assert format_failure(failure) == (
        "[semantic] no event pushed\n"
        "\n"
        "--- Exchange 1: WebSocket ws://127.0.0.1:5679\n"
        "Transcript (4 entries):\n"
        "  +0.000s event    connect connected to ws://127.0.0.1:5679\n"
        '  +0.002s sent     text    {"need_face": 1, "event_list": ["d1"]}\n'
        "  +0.250s received binary  <2048 bytes>\n"
        "  +5.250s event    timeout no frame within 5 s"
    )


def test_received_upload_golden_text() -> None:
    upload = ReceivedUpload(
        seq=7,
        received_at=1.0,
        content_type="application/json",
        mode="json",
        payload={"identity_id": "", "timestamp": 1565771454, "reg_pic": "A" * 300},
        valid=False,
        findings=({"instance_path": "/timestamp", "message": "not in ms", "errata": ["E11"]},),
        reason="1 schema finding(s) under profile strict",
    )
    failure = ConformanceFailure(
        "upload timestamp not ms",
        category=FailureCategory.SCHEMA,
        requirement_ids=["UP-TIME-001"],
        exchanges=[upload],
    )
    assert format_failure(failure) == (
        "[schema] upload timestamp not ms\n"
        "Requirements: UP-TIME-001\n"
        "\n"
        "--- Exchange 1: Received upload #7\n"
        "Upload #7: json, application/json, INVALID\n"
        "  reason: 1 schema finding(s) under profile strict\n"
        "  finding at /timestamp: not in ms [E11]\n"
        "Payload:\n"
        "  {\n"
        '    "identity_id": "",\n'
        '    "timestamp": 1565771454,\n'
        '    "reg_pic": "' + "A" * 60 + '…<300 characters>"\n'
        "  }"
    )


@pytest.mark.parametrize(
    "body",
    [b'{"username": "admin", "password": "hunter2"}', b"username=admin&password=hunter2"],
)
def test_credentials_never_reach_the_rendering(body: bytes) -> None:
    kind = "application/json" if body.startswith(b"{") else "application/x-www-form-urlencoded"
    request = HttpRequestRecord("POST", "http://h/login?token=hunter2", (("Content-Type", kind),), body)
    response = HttpResponseRecord(200, "OK", (("Set-Cookie", "sid=hunter2"),), b'{"token": "hunter2"}', 0.001)
    ws = WsTranscript(
        "ws://h", frames=[WsFrame(WsDirection.SENT, "text", 0.0, '{"password": "hunter2"}', 10)]
    )
    upload = ReceivedUpload(1, 0.0, "application/json", "json", {"secret": "hunter2"}, True)
    failure = ConformanceFailure(
        "login",
        "the password hunter2 was refused: password=hunter2",
        exchanges=[HttpExchange(request, response), ws, upload],
    )
    text = format_failure(failure)
    assert "admin" in text
    assert "hunter2" not in text.replace("the password hunter2", "")  # message text is masked by pattern only


def test_binary_and_truncated_bodies() -> None:
    response = HttpResponseRecord(
        200, "OK", (("Content-Type", "image/jpeg"),), b"\xff\xd8\xff\xe0" + bytes(100), 0.0
    )
    long_text = HttpResponseRecord(500, "Internal Server Error", (), b"x" * 10_000, 0.0)
    request = HttpRequestRecord("GET", "http://h/img")
    text = format_failure(ConformanceFailure("t", exchanges=[HttpExchange(request, response)]))
    assert "<104 bytes of binary data, image/jpeg, starts ff d8 ff e0 00 00 00 00>" in text
    text = format_failure(ConformanceFailure("t", exchanges=[HttpExchange(request, long_text)]))
    assert "… (6000 more characters)" in text and "x" * 4001 not in text


def test_seed_and_exchanges_can_be_attached_later() -> None:
    failure = ConformanceFailure("t").with_seed(5)
    assert format_failure(failure).endswith("Hypothesis seed: rerun with --hypothesis-seed=5")
    failure.with_exchanges([ReceivedUpload(1, 0.0, "", "json", None, True)])
    assert "--- Exchange 1: Received upload #1" in format_failure(failure)
    assert "seed" not in format_failure(ConformanceFailure("t"))
