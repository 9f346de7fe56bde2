"""The wait API and ReceiverClient: long-poll until uploads arrive, deadlines that fail clearly, 400s."""

from __future__ import annotations

import threading

import pytest
import requests

from conformance.checks.findings import FindingCategory
from conformance.clients.failures import ConformanceFailure
from conformance.clients.receiver_client import ReceiverClient
from conformance.receiver.server import RunningReceiver

from .conftest import GOOD_UPLOAD

TIMEOUT = 10


def _post(receiver: RunningReceiver, identity_id: str) -> None:
    assert requests.post(receiver.url, json={**GOOD_UPLOAD, "identity_id": identity_id}, timeout=TIMEOUT).ok


def test_wait_for_count_returns_uploads_in_order(receiver: RunningReceiver) -> None:
    for number in range(3):
        _post(receiver, str(number))
    with ReceiverClient(receiver.url) as client:
        uploads = client.wait_for(3, deadline_s=5)
        assert [upload.payload["identity_id"] for upload in uploads] == ["0", "1", "2"]
        assert [upload.seq for upload in uploads] == [1, 2, 3] and all(upload.valid for upload in uploads)
        assert [u.seq for u in client.wait_for(1, deadline_s=5, since=2)] == [3]


def test_long_poll_wakes_when_an_upload_arrives(receiver: RunningReceiver) -> None:
    timer = threading.Timer(0.3, _post, args=(receiver, "late"))
    timer.start()
    try:
        with ReceiverClient(receiver.url) as client:
            uploads = client.wait_for(lambda upload: upload.payload["identity_id"] == "late", deadline_s=15)
    finally:
        timer.join()
    assert [upload.payload["identity_id"] for upload in uploads] == ["late"]


def test_missed_deadline_is_a_failure_showing_what_arrived(receiver: RunningReceiver) -> None:
    _post(receiver, "only-one")
    with ReceiverClient(receiver.url) as client, pytest.raises(ConformanceFailure) as info:
        client.wait_for(2, deadline_s=0.3)
    assert info.value.category is FindingCategory.SEMANTIC
    text = str(info.value)
    assert "expected 2 upload(s) within 0.3 s, received 1" in text
    assert "Received upload #1" in text and "only-one" in text


def test_unreachable_receiver_is_a_harness_failure(receiver: RunningReceiver) -> None:
    url = receiver.base_url
    receiver.stop()
    with ReceiverClient(url) as client, pytest.raises(ConformanceFailure) as info:
        client.stats()
    assert info.value.category is FindingCategory.HARNESS
    assert "receiver unreachable" in str(info.value)


def test_page_and_cursor(receiver: RunningReceiver) -> None:
    for number in range(5):
        _post(receiver, str(number))
    with ReceiverClient(receiver.url) as client:
        first, cursor = client.uploads(since=0, limit=2)
        second, cursor = client.uploads(since=cursor, limit=10)
        empty, same = client.uploads(since=cursor)
    assert [u.seq for u in first] == [1, 2] and [u.seq for u in second] == [3, 4, 5]
    assert empty == [] and same == 5


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("wait=31", "wait must be between 0 and 30"),
        ("wait=abc", "wait must be a number"),
        ("wait=nan", "wait must be between"),
        ("since=-1", "since must be between"),
        ("since=1.5", "since must be an integer"),
        ("limit=0", "limit must be between 1 and 1000"),
    ],
)
def test_bad_queries_get_400(receiver: RunningReceiver, query: str, message: str) -> None:
    response = requests.get(f"{receiver.base_url}/_receiver/uploads?{query}", timeout=TIMEOUT)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_receiver_client_rejects_non_http_urls() -> None:
    with pytest.raises(ValueError, match="receiver URL"):
        ReceiverClient("ftp://x")
