"""RecordingHttpClient against a local app: every request kind is recorded; transport failures are bounded."""

from __future__ import annotations

import json
import time

import pytest

from conformance.checks.findings import FindingCategory
from conformance.clients.exchange_log import ExchangeLog
from conformance.clients.failures import ConformanceFailure
from conformance.clients.http_client import FormFile, RecordingHttpClient, Timeouts

from .conftest import JPEG_HEAD


def test_post_json_is_recorded_with_request_and_response(app_url: str) -> None:
    with RecordingHttpClient(app_url) as client:
        response = client.post_json("/echo", {"page": 1, "name": "王"})
    assert response.status == 200
    assert response.json()["content_type"] == "application/json"
    exchange = response.exchange
    assert exchange.request.method == "POST"
    assert exchange.request.url == f"{app_url}/echo"
    assert json.loads(exchange.request.body or b"") == {"page": 1, "name": "王"}
    assert exchange.response is not None and exchange.response.status == 200
    assert client.log.last() is exchange and client.log.total == 1


def test_get_repeats_keys_given_as_pairs(app_url: str) -> None:
    with RecordingHttpClient(app_url) as client:
        response = client.get("/echo", params=[("streams", "a"), ("streams", "b"), ("page", 0)])
    assert response.json()["query"] == [["streams", "a"], ["streams", "b"], ["page", "0"]]
    assert response.exchange.request.url.endswith("/echo?streams=a&streams=b&page=0")


def test_post_form_multipart_records_parts_and_encodes_nested_values_as_json(app_url: str) -> None:
    with RecordingHttpClient(app_url) as client:
        response = client.post_form(
            "/echo",
            {
                "content-type": "form-data",
                "urls": ["http://x/y"],
                "pic": FormFile("a.jpg", JPEG_HEAD, "image/jpeg"),
            },
        )
    body = response.json()
    assert body["content_type"].startswith("multipart/form-data; boundary=")
    assert body["form"] == {"content-type": "form-data", "urls": '["http://x/y"]', "pic": "<file a.jpg>"}
    parts = response.exchange.request.form_parts
    assert parts is not None
    assert [part.name for part in parts] == ["content-type", "urls", "pic"]
    assert parts[2].filename == "a.jpg" and parts[2].size == len(JPEG_HEAD)


def test_post_form_urlencoded(app_url: str) -> None:
    with RecordingHttpClient(app_url) as client:
        response = client.post_form("/echo", {"a": "1", "b": True}, multipart=False)
    assert response.json()["form"] == {"a": "1", "b": "true"}
    assert response.exchange.request.form_parts is None
    assert response.exchange.request.body == b"a=1&b=true"


def test_non_json_and_binary_bodies_are_kept_as_bytes(app_url: str) -> None:
    with RecordingHttpClient(app_url) as client:
        text = client.get("/text")
        image = client.get("/image")
    assert text.status == 503 and text.json() is None and text.text == "plain words, not JSON"
    assert image.json() is None and image.content == JPEG_HEAD
    assert image.exchange.response is not None and image.exchange.response.size == len(JPEG_HEAD)


def test_credentials_are_sent(app_url: str) -> None:
    with RecordingHttpClient(app_url, bearer_token="tok-123") as client:
        assert client.get("/echo").json()["authorization"] == "Bearer tok-123"
    with RecordingHttpClient(app_url, credentials=("admin", "pw")) as client:
        assert client.get("/echo").json()["authorization"].startswith("Basic ")


def test_connection_refused_returns_response_carrying_the_error(closed_port: int) -> None:
    with RecordingHttpClient(f"http://127.0.0.1:{closed_port}") as client:
        response = client.get("/x")
    assert response.status is None
    assert response.error == "connection refused"
    assert response.exchange.response is None and client.log.total == 1


def test_connection_refused_raises_transport_failure_when_asked(closed_port: int) -> None:
    with (
        RecordingHttpClient(f"http://127.0.0.1:{closed_port}") as client,
        pytest.raises(ConformanceFailure) as info,
    ):
        client.post_json("/x", {"a": 1}, expect_transport_ok=True)
    assert info.value.category is FindingCategory.TRANSPORT
    assert "connection refused" in str(info.value)
    assert "Reproduce with:" in str(info.value)


def test_silent_server_times_out_within_the_read_timeout(silent_port: int) -> None:
    client = RecordingHttpClient(f"http://127.0.0.1:{silent_port}", timeouts=Timeouts(connect=1.0, read=0.3))
    started = time.monotonic()
    with pytest.raises(ConformanceFailure) as info:
        client.get("/never", expect_transport_ok=True)
    # generous bound: this guards against "no timeout at all", not against slowness
    assert time.monotonic() - started < 20
    assert info.value.category is FindingCategory.TRANSPORT
    assert "read timeout: no response within 0.3 s" in str(info.value)
    client.close()


def test_invalid_url_is_a_harness_failure() -> None:
    with RecordingHttpClient("notaurl") as client, pytest.raises(ConformanceFailure) as info:
        client.get("/x", expect_transport_ok=True)
    assert info.value.category is FindingCategory.HARNESS


def test_log_is_bounded_but_counts_everything(app_url: str) -> None:
    log: ExchangeLog[object] = ExchangeLog(capacity=2)
    with RecordingHttpClient(app_url, log=log) as client:  # type: ignore[arg-type]
        for page in range(3):
            client.get("/echo", params={"page": page})
    assert len(log) == 2 and log.total == 3
