"""Credentials are masked in headers, JSON, forms, free text and URLs; ordinary fields are left alone."""

from __future__ import annotations

from conformance.clients.redact import (
    MASK,
    is_sensitive_key,
    redact_body,
    redact_headers,
    redact_json,
    redact_text,
    redact_url,
)


def test_sensitive_names() -> None:
    for name in ("password", "Authorization", "access_token", "X-Api-Key", "client_secret", "Cookie", "pwd"):
        assert is_sensitive_key(name), name
    for name in ("identity_id", "timestamp", "spot_pic", "dev_sno", "ep_info", "person_type", "username"):
        assert not is_sensitive_key(name), name


def test_headers_keep_names_and_mask_values() -> None:
    assert redact_headers([("Authorization", "Bearer x"), ("Accept", "a")]) == [
        ("Authorization", MASK),
        ("Accept", "a"),
    ]


def test_json_is_masked_at_any_depth() -> None:
    value = {"user": {"password": "p", "name": "n"}, "list": [{"token": "t"}], "password_hint": None}
    assert redact_json(value) == {
        "user": {"password": MASK, "name": "n"},
        "list": [{"token": MASK}],
        "password_hint": None,
    }


def test_text_url_and_bodies() -> None:
    assert redact_text('{"password": "abc", x}') == '{"password": "***", x}'
    assert redact_text("login password=abc&user=u") == "login password=***&user=u"
    assert redact_text("the key is K-42", secrets=["K-42"]) == "the key is ***"
    assert redact_url("http://a:b@h:1/p?token=z&page=2") == "http://***@h:1/p?token=%2A%2A%2A&page=2"
    assert redact_url("http://h/p?page=2") == "http://h/p?page=2"
    form = redact_body(b"user=u&password=p", "application/x-www-form-urlencoded")
    assert form == b"user=u&password=%2A%2A%2A"
    unchanged = b'{"a":  1}'
    assert redact_body(unchanged, "application/json") is unchanged
    assert redact_body(b"\xff\xfe", None) == b"\xff\xfe"
