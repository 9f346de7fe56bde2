"""Strip credentials from anything we render, so reports can be shared without leaking a box login."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"

_SENSITIVE_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "x-auth-token"}
)
_SENSITIVE_KEY = re.compile(
    r"pass(word|wd)?$|password|passwd|pwd|token|secret|api[_-]?key|credential|authorization|session",
    re.IGNORECASE,
)
# "password": "x"   password=x   token: x  (for bodies that are neither JSON nor a form)
_INLINE_SECRET = re.compile(
    r"""(?P<key>["']?(?<![\w-])(?:[\w-]*(?:password|passwd|pwd|token|secret|api[_-]?key))["']?\s*[:=]\s*)"""
    r"""(?P<value>"[^"]*"|'[^']*'|[^\s&,;}]+)""",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=4096)  # the same few dozen field names, in every body of every run
def is_sensitive_key(name: str) -> bool:
    """True for field, header or parameter names that carry credentials."""
    return name.lower() in _SENSITIVE_HEADERS or bool(_SENSITIVE_KEY.search(name))


def redact_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Mask the values of credential-bearing headers, keeping the names so the reader sees they were sent."""
    return [(name, MASK if is_sensitive_key(name) else value) for name, value in headers]


def redact_json(value: Any) -> Any:
    """Return a copy of a JSON value with every credential-named member masked."""
    if isinstance(value, dict):
        return {
            key: (MASK if is_sensitive_key(str(key)) and value_ is not None else redact_json(value_))
            for key, value_ in value.items()
        }
    if isinstance(value, list):
        return [redact_json(item) for item in value]
    return value


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """Mask `key=value` / `"key": "value"` credential pairs and any of the given secret values."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)

    def _mask(match: re.Match[str]) -> str:
        value = match.group("value")
        quote = value[0] if value[:1] in {'"', "'"} else ""
        return f"{match.group('key')}{quote}{MASK}{quote}"

    return _INLINE_SECRET.sub(_mask, text)


def redact_url(url: str) -> str:
    """Mask credential query parameters and a user:password part of a URL."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{MASK}@{netloc.rsplit('@', 1)[1]}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(is_sensitive_key(key) for key, _ in pairs):
            query = urlencode([(key, MASK if is_sensitive_key(key) else value) for key, value in pairs])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact_body(body: bytes, content_type: str | None) -> bytes:
    """Mask credentials in a body of any type; bytes that are not text stay as they are."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return body
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        pairs = parse_qsl(text, keep_blank_values=True)
        return urlencode([(key, MASK if is_sensitive_key(key) else value) for key, value in pairs]).encode()
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):
        return redact_text(text).encode("utf-8")
    redacted = redact_json(parsed)
    if redacted == parsed:
        return body
    return json.dumps(redacted, ensure_ascii=False).encode("utf-8")
