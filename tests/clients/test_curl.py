"""Curl lines reproduce the request: parsed back with shlex, every part is where curl expects it."""

from __future__ import annotations

import json
import shlex

from conformance.clients.curl import MAX_INLINE_BODY, render_curl
from conformance.clients.exchange import FormPart, HttpRequestRecord

JSON_HEADERS = (
    ("User-Agent", "python-requests/2.34"),
    ("Accept-Encoding", "gzip, deflate"),
    ("Accept", "*/*"),
    ("Connection", "keep-alive"),
    ("Content-Type", "application/json"),
    ("Content-Length", "30"),
)


def _option(argv: list[str], flag: str) -> list[str]:
    return [argv[index + 1] for index, arg in enumerate(argv) if arg == flag]


def test_json_post_round_trips_through_shlex() -> None:
    body = json.dumps({"name": 'O\'Brien "x" $HOME `id`', "page": 1}).encode()
    request = HttpRequestRecord(
        "POST", "http://127.0.0.1:5555/sophon/v2/face/getevents?a=1&b=2", JSON_HEADERS, body
    )
    argv = shlex.split(render_curl(request))
    assert argv[:3] == ["curl", "-sS", "-i"]
    assert _option(argv, "-X") == ["POST"]
    assert _option(argv, "-H") == ["Content-Type: application/json"]  # noise headers dropped
    assert json.loads(_option(argv, "--data-binary")[0]) == json.loads(body)
    assert argv[-1] == "http://127.0.0.1:5555/sophon/v2/face/getevents?a=1&b=2"


def test_get_without_body_has_no_method_flag() -> None:
    argv = shlex.split(render_curl(HttpRequestRecord("GET", "http://h/x?streams=a&streams=b")))
    assert argv == ["curl", "-sS", "-i", "http://h/x?streams=a&streams=b"]


def test_multipart_is_rendered_as_form_flags_without_content_type() -> None:
    parts = (
        FormPart("content-type", "form-data"),
        FormPart("spot_pic", "A" * 5000),
        FormPart("photo", None, "face.jpg", "image/jpeg", 1234),
    )
    headers = (("Content-Type", "multipart/form-data; boundary=abc"),)
    line = render_curl(HttpRequestRecord("POST", "http://h/up", headers, b"--abc...", parts))
    command, _, note = line.partition("  # ")
    argv = shlex.split(command)
    assert _option(argv, "-F") == [
        "content-type=form-data",
        "spot_pic=<spot_pic.txt",
        "photo=@face.jpg;type=image/jpeg",
    ]
    assert _option(argv, "-H") == []
    assert "spot_pic.txt: 5000 characters" in note and "face.jpg: 1234 bytes" in note


def test_large_and_binary_bodies_are_named_files() -> None:
    big = HttpRequestRecord(
        "POST", "http://h/x", (("Content-Type", "application/json"),), b"1" * (MAX_INLINE_BODY + 1)
    )
    binary = HttpRequestRecord("POST", "http://h/x", (("Content-Type", "image/jpeg"),), b"\xff\xd8\xff\x00")
    assert "--data-binary @request-body.txt" in render_curl(big)
    assert f"request-body.txt: {MAX_INLINE_BODY + 1} bytes" in render_curl(big)
    assert "--data-binary @request-body.bin" in render_curl(binary)


def test_credentials_never_appear() -> None:
    headers = (("Authorization", "Basic YWRtaW46c2VjcmV0"), ("Content-Type", "application/json"))
    body = b'{"username": "admin", "password": "s3cret"}'
    line = render_curl(HttpRequestRecord("POST", "http://u:pw@h/login?token=abc&page=1", headers, body))
    assert (
        "s3cret" not in line and "YWRtaW46c2VjcmV0" not in line and "abc" not in line and "u:pw" not in line
    )
    argv = shlex.split(line)
    assert "Authorization: ***" in _option(argv, "-H")
    assert json.loads(_option(argv, "--data-binary")[0]) == {"username": "admin", "password": "***"}
    form = HttpRequestRecord("POST", "http://h/x", (), b"", (FormPart("password", "s3cret"),))
    assert "s3cret" not in render_curl(form)
