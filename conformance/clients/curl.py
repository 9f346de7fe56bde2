"""Render a recorded HTTP request as one curl line, so anyone can replay a failure against the box by hand."""

from __future__ import annotations

import shlex

from conformance.clients.exchange import FormPart, HttpRequestRecord
from conformance.clients.redact import MASK, is_sensitive_key, redact_body, redact_headers, redact_url

# Headers that requests adds on its own or curl computes itself; repeating them adds noise, not fidelity.
_NOISE_HEADERS = frozenset({"content-length", "host", "connection", "accept-encoding", "user-agent"})
MAX_INLINE_BODY = 16 * 1024
MAX_INLINE_FIELD = 512


def _header_args(request: HttpRequestRecord) -> list[str]:
    args: list[str] = []
    multipart = request.form_parts is not None
    for name, value in redact_headers(request.headers):
        lowered = name.lower()
        if lowered in _NOISE_HEADERS or (lowered == "accept" and value == "*/*"):
            continue
        if multipart and lowered == "content-type":
            continue  # curl -F writes its own boundary
        args += ["-H", f"{name}: {value}"]
    return args


def _form_args(parts: tuple[FormPart, ...]) -> tuple[list[str], list[str]]:
    """Return the -F arguments and notes about parts too large or binary to inline."""
    args: list[str] = []
    notes: list[str] = []
    for part in parts:
        if part.filename is not None:
            spec = f"{part.name}=@{part.filename}"
            if part.content_type:
                spec += f";type={part.content_type}"
            args += ["-F", spec]
            notes.append(f"{part.filename}: {part.size} bytes")
        elif part.value is not None and len(part.value) > MAX_INLINE_FIELD:
            args += ["-F", f"{part.name}=<{part.name}.txt"]
            notes.append(f"{part.name}.txt: {len(part.value)} characters")
        else:
            value = MASK if is_sensitive_key(part.name) else (part.value or "")
            args += ["-F", f"{part.name}={value}"]
    return args, notes


def _body_args(request: HttpRequestRecord) -> tuple[list[str], list[str]]:
    if request.body is None or request.body == b"":
        return [], []
    body = redact_body(request.body, request.header("content-type"))
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return ["--data-binary", "@request-body.bin"], [f"request-body.bin: {len(body)} bytes of binary data"]
    if len(body) > MAX_INLINE_BODY:
        return ["--data-binary", "@request-body.txt"], [f"request-body.txt: {len(body)} bytes"]
    return ["--data-binary", text], []


def render_curl(request: HttpRequestRecord) -> str:
    """One shell-quoted curl command; bodies or parts too large to inline are named as files in a comment."""
    args = ["curl", "-sS", "-i"]
    if request.method.upper() != "GET" or request.body:
        args += ["-X", request.method.upper()]
    args += _header_args(request)
    if request.form_parts is not None:
        extra, notes = _form_args(request.form_parts)
    else:
        extra, notes = _body_args(request)
    args += extra
    args.append(redact_url(request.url))
    line = shlex.join(args)
    if notes:
        line += "  # not inlined: " + "; ".join(notes)
    return line
