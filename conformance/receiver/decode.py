"""Turn an upload body (JSON, multipart or urlencoded) into the JSON shape of seed 003, or say why not."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from conformance.receiver.form_shape import coerce_form_fields
from conformance.receiver.multipart import MultipartError, parse_multipart

MAX_JSON_DEPTH = 32
MAX_FORM_FIELDS = 1000


class RejectedUploadError(ValueError):
    """An upload that cannot be decoded: the HTTP status to answer and a reason for the sender and the log."""

    def __init__(self, status: int, reason: str, mode: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.mode = mode


@dataclass(frozen=True)
class DecodedUpload:
    """A decoded upload: how it was sent and the payload in the JSON shape."""

    mode: str  # "json" or "form-data"
    payload: Any
    form_fields: tuple[tuple[str, str], ...] | None = None  # the text fields as sent (form-data only)


def media_type(content_type: str) -> str:
    """The bare media type of a Content-Type header, lower-case."""
    return content_type.split(";", 1)[0].strip().lower()


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _depth_exceeds(value: Any, limit: int) -> bool:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > limit:
                return True
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children)
    return False


def parse_json_text(text: str, mode: str) -> Any:
    """Strict JSON (no NaN/Infinity) nested at most MAX_JSON_DEPTH deep."""
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise RejectedUploadError(400, f"JSON nested deeper than {MAX_JSON_DEPTH} levels", mode) from None
    except ValueError as exc:
        raise RejectedUploadError(400, f"body is not valid JSON: {exc}", mode) from None
    if _depth_exceeds(value, MAX_JSON_DEPTH):
        raise RejectedUploadError(400, f"JSON nested deeper than {MAX_JSON_DEPTH} levels", mode)
    return value


def _utf8(data: bytes, what: str, mode: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RejectedUploadError(400, f"{what} is not valid UTF-8 (byte {exc.start})", mode) from None


def _decode_json(body: bytes) -> DecodedUpload:
    payload = parse_json_text(_utf8(body, "body", "json"), "json")
    if not isinstance(payload, dict):
        raise RejectedUploadError(400, f"upload must be a JSON object, got {type(payload).__name__}", "json")
    return DecodedUpload("json", payload)


def _decode_multipart(body: bytes, content_type: str, field_types: Mapping[str, str]) -> DecodedUpload:
    try:
        parts = parse_multipart(body, content_type)
    except MultipartError as exc:
        raise RejectedUploadError(400, str(exc), "form-data") from None
    fields: list[tuple[str, str]] = []
    for part in parts:
        if part.filename is not None:  # a picture sent as a file travels on as base64, like in the JSON form
            fields.append((part.name, base64.b64encode(bytes(part.data)).decode("ascii")))
        else:
            fields.append((part.name, _utf8(bytes(part.data), f"form field {part.name!r}", "form-data")))
    return DecodedUpload("form-data", _shape(fields, field_types), tuple(fields))


def _decode_urlencoded(body: bytes, field_types: Mapping[str, str]) -> DecodedUpload:
    text = _utf8(body, "body", "form-data")
    try:
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS, errors="strict")
    except (ValueError, UnicodeDecodeError) as exc:
        raise RejectedUploadError(400, f"malformed urlencoded form: {exc}", "form-data") from None
    return DecodedUpload("form-data", _shape(pairs, field_types), tuple(pairs))


def _shape(fields: list[tuple[str, str]], field_types: Mapping[str, str]) -> dict[str, Any]:
    try:
        return coerce_form_fields(fields, field_types, lambda text: parse_json_text(text, "form-data"))
    except RejectedUploadError:
        raise
    except ValueError as exc:
        raise RejectedUploadError(400, str(exc), "form-data") from None


def decode_upload(body: bytes, content_type: str, field_types: Mapping[str, str]) -> DecodedUpload:
    """Decode by Content-Type; raise RejectedUploadError (400 malformed, 415 unsupported type)."""
    kind = media_type(content_type)
    if kind == "application/json" or kind.endswith("+json"):
        return _decode_json(body)
    if kind == "multipart/form-data":
        return _decode_multipart(body, content_type, field_types)
    if kind == "application/x-www-form-urlencoded":
        return _decode_urlencoded(body, field_types)
    shown = kind or "none"
    raise RejectedUploadError(
        415, f"unsupported Content-Type {shown!r}: send application/json or multipart/form-data", "unknown"
    )
