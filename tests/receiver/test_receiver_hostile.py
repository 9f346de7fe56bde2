"""Hostile uploads get a 4xx with a reason, are logged as invalid, and leave the receiver healthy."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import requests

from conformance.clients.receiver_client import ReceiverClient
from conformance.receiver.server import RunningReceiver

from .conftest import GOOD_UPLOAD, read_log

TIMEOUT = 30
BOUNDARY = "XyZ"
GOOD_MULTIPART = (
    f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="identity_id"\r\n\r\n1\r\n'
    f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="timestamp"\r\n\r\n1565771454932\r\n'
    f"--{BOUNDARY}--\r\n"
).encode()
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"

HOSTILE = [
    pytest.param(b"this is not json", "application/json", 400, "not valid JSON", id="not-json"),
    pytest.param(
        b'{"identity_id": "1", "timestamp": ', "application/json", 400, "not valid JSON", id="truncated-json"
    ),
    pytest.param(b"[" * 50_000 + b"]" * 50_000, "application/json", 400, "nested deeper", id="deeply-nested"),
    pytest.param(b'{"a":' * 40 + b"1" + b"}" * 40, "application/json", 400, "nested deeper", id="nested-41"),
    pytest.param(
        b'{"identity_id": "\xff\xfe"}', "application/json", 400, "not valid UTF-8", id="invalid-utf8"
    ),
    pytest.param(b'{"timestamp": NaN}', "application/json", 400, "NaN is not JSON", id="nan"),
    pytest.param(b"[1, 2]", "application/json", 400, "must be a JSON object", id="json-array"),
    pytest.param(GOOD_MULTIPART[:-12], MULTIPART, 400, "truncated", id="truncated-multipart"),
    pytest.param(GOOD_MULTIPART[:40], MULTIPART, 400, "truncated", id="multipart-cut-in-headers"),
    pytest.param(
        GOOD_MULTIPART, "multipart/form-data", 400, "without a boundary", id="multipart-no-boundary"
    ),
    pytest.param(b"garbage", MULTIPART, 400, "malformed multipart", id="multipart-garbage"),
    pytest.param(
        GOOD_MULTIPART.replace(b"\r\n1\r\n", b"\r\n\xff\r\n"),
        MULTIPART,
        400,
        "not valid UTF-8",
        id="form-utf8",
    ),
    pytest.param(
        b"a=%FF", "application/x-www-form-urlencoded", 400, "malformed urlencoded", id="urlencoded-utf8"
    ),
    pytest.param(b"{}", "text/plain", 415, "unsupported Content-Type", id="text-plain"),
    pytest.param(b"{}", None, 415, "unsupported Content-Type 'none'", id="no-content-type"),
    pytest.param(b"x" * (25 * 1024 * 1024), "application/json", 413, "exceeds", id="25MB"),
]


def _assert_healthy(receiver: RunningReceiver) -> None:
    assert requests.post(receiver.url, json=GOOD_UPLOAD, timeout=TIMEOUT).status_code == 200


@pytest.mark.parametrize(("body", "content_type", "status", "reason"), HOSTILE)
def test_hostile_upload_is_refused_and_logged(  # noqa: PLR0917 - parametrized
    receiver: RunningReceiver, log_path: Path, body: bytes, content_type: str | None, status: int, reason: str
) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    response = requests.post(receiver.url, data=body, headers=headers, timeout=TIMEOUT)
    assert response.status_code == status
    answer = response.json()
    assert reason in answer["error"]
    record = read_log(log_path)[-1]
    assert record["seq"] == answer["seq"]
    assert record["valid"] is False and record["payload"] is None and reason in record["reason"]
    assert record["size"] == len(body)
    _assert_healthy(receiver)


def test_client_that_lies_about_length_and_hangs_up(receiver: RunningReceiver, log_path: Path) -> None:
    with socket.create_connection(("127.0.0.1", receiver.port), timeout=TIMEOUT) as sock:
        sock.sendall(
            b"POST /HistoryEvent HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 1000\r\n\r\n{"identity_id": '
        )
    _assert_healthy(receiver)
    with ReceiverClient(receiver.url) as client:
        uploads = client.wait_for(2, deadline_s=10)  # the cut-off upload may be logged after the good one
    assert sorted(upload.valid for upload in uploads) == [False, True]
    assert [u.reason for u in uploads if not u.valid] == ["sender disconnected after 16 of 1000 bytes"]


def test_declared_length_far_above_limit_is_refused_without_reading(receiver: RunningReceiver) -> None:
    with socket.create_connection(("127.0.0.1", receiver.port), timeout=TIMEOUT) as sock:
        sock.sendall(
            b"POST /HistoryEvent HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 999999999999\r\n\r\n{"
        )
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413")
    _assert_healthy(receiver)
