"""THE evidence renderer: recorded exchanges as redacted text, sized by a budget for the terminal or Allure.

HTTP exchanges render as request, response and the curl line that replays them; WebSocket sessions as a
transcript (head and tail around a counted gap); received uploads as how they arrived and their payload.
Failures (`failures.render_failure`) and the Allure steps of a test (`suite/evidence.py`) both come from here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from conformance.clients.body_preview import abbreviate, json_document, preview_body, preview_json
from conformance.clients.curl import render_curl
from conformance.clients.exchange import (
    Exchange,
    HttpExchange,
    HttpRequestRecord,
    HttpResponseRecord,
    ReceivedUpload,
    WsFrame,
    WsTranscript,
)
from conformance.clients.redact import (
    MASK,
    is_sensitive_key,
    redact_body,
    redact_headers,
    redact_json,
    redact_text,
    redact_url,
)

INDENT = "  "


@dataclass(frozen=True)
class RenderBudget:
    """How much one rendering may show: the terminal is read inline, Allure keeps more in attachments."""

    exchanges: int  # exchanges shown with a failure
    findings: int  # findings listed in a failure
    evidence_chars: int  # one finding's evidence as JSON
    body_chars: int  # one HTTP body or upload payload
    head_frames: int  # the opening of a WebSocket transcript (connect, configuration, first pushes)
    tail_frames: int  # its end (last pushes, how the session ended)
    frame_chars: int  # one frame's payload
    uploads: int  # received uploads attached per wait


TERMINAL = RenderBudget(
    exchanges=3,
    findings=20,
    evidence_chars=400,
    body_chars=4000,
    head_frames=10,
    tail_frames=20,
    frame_chars=300,
    uploads=3,
)
ALLURE = RenderBudget(
    exchanges=25,
    findings=50,
    evidence_chars=4000,
    body_chars=40_000,
    head_frames=20,
    tail_frames=40,
    frame_chars=600,
    uploads=25,
)


@dataclass(frozen=True)
class EvidencePart:
    """One named piece of an exchange for an attachment: text, and whether that text is JSON."""

    name: str
    text: str
    is_json: bool = False


def _indent(text: str) -> list[str]:
    return [f"{INDENT}{line}" if line else "" for line in text.splitlines()]


def _json_document(body: bytes, content_type: str | None) -> object | None:
    """The decoded JSON object or array of a body that preview_body would pretty-print; None otherwise."""
    if (content_type or "").split(";", 1)[0].strip().lower() == "application/x-www-form-urlencoded":
        return None
    try:
        return json_document(body.decode("utf-8"))
    except UnicodeDecodeError:
        return None


def _body_text(body: bytes | None, content_type: str | None, budget: RenderBudget) -> str:
    # a JSON body is decoded once (redact_body then preview_body would decode it twice): same text
    document = _json_document(body, content_type) if body else None
    if document is not None:
        return preview_json(redact_json(document), budget.body_chars)
    return preview_body(redact_body(body, content_type) if body else body, content_type, budget.body_chars)


def _request_lines(request: HttpRequestRecord, budget: RenderBudget) -> list[str]:
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
        lines.append("")
        lines += _indent(_body_text(request.body, request.header("content-type"), budget))
    return lines


def _response_lines(response: HttpResponseRecord, budget: RenderBudget) -> list[str]:
    elapsed_ms = round(response.elapsed_s * 1000)
    lines = [f"Response: {response.status} {response.reason} ({elapsed_ms} ms)"]
    lines += [f"{INDENT}{name}: {value}" for name, value in redact_headers(response.headers)]
    lines.append("")
    lines += _indent(_body_text(response.body, response.header("content-type"), budget))
    return lines


def render_http(exchange: HttpExchange, budget: RenderBudget) -> list[str]:
    """Request, response (or the transport error) and the curl line that replays the request."""
    lines = _request_lines(exchange.request, budget)
    if exchange.response is not None:
        lines += _response_lines(exchange.response, budget)
    if exchange.error is not None:
        lines.append(f"Transport error: {redact_text(exchange.error)}")
    lines += ["Reproduce with:", f"{INDENT}{render_curl(exchange.request)}"]
    return lines


def frame_summary(frame: WsFrame, budget: RenderBudget) -> str:
    """A frame's payload on one line: JSON redacted with pictures and features abbreviated, then clipped."""
    if frame.text is None:
        return f"<{frame.size} bytes>" if frame.opcode == "binary" else ""
    try:
        text = json.dumps(abbreviate(redact_json(json.loads(frame.text))), ensure_ascii=False)
    except (ValueError, RecursionError):
        text = str(abbreviate(redact_text(frame.text)))
    limit = budget.frame_chars
    return text if len(text) <= limit else f"{text[:limit]}…<{len(text)} characters>"


def _frame_line(frame: WsFrame, budget: RenderBudget) -> str:
    summary = frame_summary(frame, budget)
    line = f"{INDENT}+{frame.at:.3f}s {frame.direction.value:<8} {frame.opcode:<7} {summary}"
    return line.rstrip()


def render_transcript(transcript: WsTranscript, budget: RenderBudget) -> list[str]:
    """Every entry when few, else the first and last ones around one counted gap (the client's gap too)."""
    frames = transcript.frames
    total = len(frames) + transcript.dropped
    head = min(budget.head_frames, transcript.head_kept) if transcript.dropped else budget.head_frames
    lines = [f"Transcript ({total} entries):"]
    if not transcript.dropped and len(frames) <= head + budget.tail_frames:
        return lines + [_frame_line(frame, budget) for frame in frames]
    shown_tail = frames[max(head, len(frames) - budget.tail_frames) :]
    lines += [_frame_line(frame, budget) for frame in frames[:head]]
    lines.append(f"{INDENT}… {total - head - len(shown_tail)} entries omitted …")
    lines += [_frame_line(frame, budget) for frame in shown_tail]
    return lines


def upload_payload_text(upload: ReceivedUpload, budget: RenderBudget) -> str | None:
    """The decoded payload as JSON text, credentials masked and pictures shortened; None when undecodable."""
    if upload.payload is None:
        return None
    return preview_json(redact_json(upload.payload), budget.body_chars)


def render_upload(upload: ReceivedUpload, budget: RenderBudget, *, with_payload: bool = True) -> list[str]:
    """What the receiver logged: sequence, mode, validity, findings, form fields as sent, and the payload."""
    verdict = "valid" if upload.valid else "INVALID"
    lines = [f"Upload #{upload.seq}: {upload.mode}, {upload.content_type or 'no content type'}, {verdict}"]
    if upload.reason:
        lines.append(f"{INDENT}reason: {upload.reason}")
    for finding in upload.findings:
        path = finding.get("instance_path") or finding.get("path") or "/"
        errata = finding.get("errata") or ()
        suffix = f" [{', '.join(errata)}]" if errata else ""
        lines.append(f"{INDENT}finding at {path}: {finding.get('message', '')}{suffix}")
    if upload.form_fields is not None:
        lines.append(f"Form fields as received ({len(upload.form_fields)}):")
        for name, value in upload.form_fields:
            shown = MASK if is_sensitive_key(name) else abbreviate(value)
            lines.append(f"{INDENT}{name} = {shown}")
    payload = upload_payload_text(upload, budget) if with_payload else None
    if payload is not None:
        lines += ["Payload:", *_indent(payload)]
    return lines


def exchange_heading(exchange: Exchange) -> str:
    """The one-line title of an exchange: in a failure report and as an Allure step."""
    if isinstance(exchange, HttpExchange):
        request = exchange.request
        answer = exchange.response.status if exchange.response is not None else "no response"
        return f"{request.method.upper()} {redact_url(request.url)} -> {answer}"
    if isinstance(exchange, WsTranscript):
        entries = len(exchange.frames) + exchange.dropped
        return f"WebSocket session {redact_url(exchange.url)} ({entries} entries)"
    verdict = "valid" if exchange.valid else "INVALID"
    return f"Received upload #{exchange.seq} ({exchange.mode or 'unknown mode'}, {verdict})"


def render_exchange(exchange: Exchange, budget: RenderBudget) -> list[str]:
    """The exchange as text lines, whatever its kind."""
    if isinstance(exchange, HttpExchange):
        return render_http(exchange, budget)
    if isinstance(exchange, WsTranscript):
        return render_transcript(exchange, budget)
    return render_upload(exchange, budget)


def _json_part(name: str, text: str) -> EvidencePart:
    try:
        json.loads(text)
    except ValueError:
        return EvidencePart(name, text)
    return EvidencePart(name, text, is_json=True)


def evidence_parts(exchange: Exchange, budget: RenderBudget) -> list[EvidencePart]:
    """The exchange as attachments: curl, request and response; a transcript; an upload's payload and form."""
    if isinstance(exchange, HttpExchange):
        request, response = exchange.request, exchange.response
        parts = [EvidencePart("curl", render_curl(request))]
        if request.body:
            sent = _body_text(request.body, request.header("content-type"), budget)
            parts.append(_json_part("request", sent))
        if response is not None:
            answer = _body_text(response.body, response.header("content-type"), budget)
            parts.append(_json_part("response", answer))
        elif exchange.error is not None:
            parts.append(EvidencePart("response", f"Transport error: {redact_text(exchange.error)}"))
        return parts
    if isinstance(exchange, WsTranscript):
        return [EvidencePart("WebSocket transcript", "\n".join(render_transcript(exchange, budget)))]
    parts = []
    payload = upload_payload_text(exchange, budget)
    if payload is not None:
        parts.append(_json_part("upload payload", payload))
    as_received = render_upload(exchange, budget, with_payload=False)
    parts.append(EvidencePart("upload as received", "\n".join(as_received)))
    return parts
