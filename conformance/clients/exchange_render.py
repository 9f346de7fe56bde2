"""Render one recorded exchange (HTTP, WebSocket transcript or received upload) as indented, redacted text."""

from __future__ import annotations

import json

from conformance.clients.body_preview import preview_body, preview_json
from conformance.clients.curl import render_curl
from conformance.clients.exchange import (
    HttpExchange,
    HttpRequestRecord,
    HttpResponseRecord,
    ReceivedUpload,
    WsFrame,
    WsTranscript,
)
from conformance.clients.redact import redact_body, redact_headers, redact_json, redact_text, redact_url

INDENT = "  "
MAX_FRAME_CHARS = 300


def _indent(text: str) -> list[str]:
    return [f"{INDENT}{line}" if line else "" for line in text.splitlines()]


def _request_lines(request: HttpRequestRecord) -> list[str]:
    lines = ["Request:", f"{INDENT}{request.method.upper()} {redact_url(request.url)}"]
    lines += [f"{INDENT}{name}: {value}" for name, value in redact_headers(request.headers)]
    if request.form_parts is not None:
        lines.append("")
        for part in request.form_parts:
            if part.filename is not None:
                lines.append(f"{INDENT}[part {part.name}] file {part.filename} ({part.size} bytes)")
            else:
                value = redact_json({part.name: part.value})[part.name] or ""
                shown = value if len(value) <= 120 else f"{value[:60]}…<{len(value)} characters>"
                lines.append(f"{INDENT}[part {part.name}] {shown}")
    elif request.body:
        content_type = request.header("content-type")
        lines.append("")
        lines += _indent(preview_body(redact_body(request.body, content_type), content_type))
    return lines


def _response_lines(response: HttpResponseRecord) -> list[str]:
    elapsed_ms = round(response.elapsed_s * 1000)
    lines = [f"Response: {response.status} {response.reason} ({elapsed_ms} ms)"]
    lines += [f"{INDENT}{name}: {value}" for name, value in redact_headers(response.headers)]
    content_type = response.header("content-type")
    lines.append("")
    lines += _indent(preview_body(redact_body(response.body, content_type), content_type))
    return lines


def render_http(exchange: HttpExchange) -> list[str]:
    """Request, response (or the transport error) and the curl line that replays the request."""
    lines = _request_lines(exchange.request)
    if exchange.response is not None:
        lines += _response_lines(exchange.response)
    if exchange.error is not None:
        lines.append(f"Transport error: {redact_text(exchange.error)}")
    lines += ["Reproduce with:", f"{INDENT}{render_curl(exchange.request)}"]
    return lines


def _frame_text(frame: WsFrame) -> str:
    if frame.text is None:
        return f"<{frame.size} bytes>" if frame.opcode == "binary" else ""
    text = frame.text
    try:
        text = json.dumps(redact_json(json.loads(text)), ensure_ascii=False)
    except (ValueError, RecursionError):
        text = redact_text(text)
    if len(text) > MAX_FRAME_CHARS:
        text = f"{text[:MAX_FRAME_CHARS]}…<{len(text)} characters>"
    return text


def render_transcript(transcript: WsTranscript) -> list[str]:
    """One line per frame or connection event: offset, direction, opcode, summary."""
    lines = [f"Transcript ({len(transcript.frames)} entries):"]
    for index, frame in enumerate(transcript.frames):
        if transcript.dropped and index == transcript.head_kept:
            lines.append(f"{INDENT}… {transcript.dropped} entries dropped here (bounded transcript)")
        summary = _frame_text(frame)
        line = f"{INDENT}+{frame.at:.3f}s {frame.direction.value:<8} {frame.opcode:<7} {summary}"
        lines.append(line.rstrip())
    return lines


def render_upload(upload: ReceivedUpload) -> list[str]:
    """What the receiver logged: sequence, mode, validity, findings and the payload."""
    verdict = "valid" if upload.valid else "INVALID"
    lines = [
        f"Upload #{upload.seq}: {upload.mode}, {upload.content_type or 'no content type'}, {verdict}",
    ]
    if upload.reason:
        lines.append(f"{INDENT}reason: {upload.reason}")
    for finding in upload.findings:
        path = finding.get("instance_path") or finding.get("path") or "/"
        errata = finding.get("errata") or ()
        suffix = f" [{', '.join(errata)}]" if errata else ""
        lines.append(f"{INDENT}finding at {path}: {finding.get('message', '')}{suffix}")
    if upload.payload is not None:
        lines.append("Payload:")
        lines += _indent(preview_json(redact_json(upload.payload)))
    return lines


def exchange_heading(exchange: HttpExchange | WsTranscript | ReceivedUpload) -> str:
    """The one-line title of an exchange in a failure report."""
    if isinstance(exchange, HttpExchange):
        return f"HTTP {exchange.request.method.upper()} {redact_url(exchange.request.url)}"
    if isinstance(exchange, WsTranscript):
        return f"WebSocket {redact_url(exchange.url)}"
    return f"Received upload #{exchange.seq}"


def render_exchange(exchange: HttpExchange | WsTranscript | ReceivedUpload) -> list[str]:
    """Dispatch on the exchange kind."""
    if isinstance(exchange, HttpExchange):
        return render_http(exchange)
    if isinstance(exchange, WsTranscript):
        return render_transcript(exchange)
    return render_upload(exchange)
