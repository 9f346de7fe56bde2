"""Bodies as readable text of bounded size: JSON pretty-printed, pictures summarised, bytes described."""

from __future__ import annotations

import json
from typing import Any

MAX_BODY_CHARS = 4000
MAX_STRING_CHARS = 120  # longer JSON strings are mostly base64 pictures or features
MAX_NUMBERS = 8  # a face feature is hundreds of floats; its first few say enough


def abbreviate(value: Any) -> Any:
    """A copy of a JSON value with long strings (pictures) and long number lists (features) shortened."""
    if isinstance(value, str) and len(value) > MAX_STRING_CHARS:
        return f"{value[:60]}…<{len(value)} characters>"
    if isinstance(value, dict):
        return {key: abbreviate(item) for key, item in value.items()}
    if isinstance(value, list):
        if len(value) > MAX_NUMBERS and all(isinstance(item, int | float) for item in value):
            return [*value[:MAX_NUMBERS], f"…<{len(value)} numbers>"]
        return [abbreviate(item) for item in value]
    return value


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}\n… ({len(text) - limit} more characters)"


def preview_json(value: Any, limit: int = MAX_BODY_CHARS) -> str:
    """Pretty-print a decoded JSON value (pictures and features abbreviated), clipped to `limit`."""
    try:
        text = json.dumps(abbreviate(value), indent=2, ensure_ascii=False, sort_keys=False)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return _clip(text, limit)


def describe_bytes(body: bytes, content_type: str | None) -> str:
    """One line for a body that is not text: size, type, first bytes."""
    head = body[:8].hex(" ")
    kind = f", {content_type}" if content_type else ""
    return f"<{len(body)} bytes of binary data{kind}, starts {head}>"


def preview_body(body: bytes | None, content_type: str | None, limit: int = MAX_BODY_CHARS) -> str:
    """Readable text for any body: empty, JSON, other text or binary."""
    if not body:
        return "<empty body>"
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return describe_bytes(body, content_type)
    if "\x00" in text:
        return describe_bytes(body, content_type)
    document = json_document(text)
    return _clip(text, limit) if document is None else preview_json(document, limit)


def json_document(text: str) -> object | None:
    """The JSON object or array `text` holds, which a preview pretty-prints; None for any other text."""
    if text.lstrip()[:1] not in {"{", "["}:
        return None
    try:
        parsed: object = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return parsed
