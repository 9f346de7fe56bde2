"""Evidence text of bounded size for Allure: long transcripts keep head and tail, pictures shrink."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from conformance.clients.body_preview import preview_json, shorten_strings
from conformance.clients.exchange import ReceivedUpload, WsFrame, WsTranscript
from conformance.clients.exchange_render import render_upload
from conformance.clients.redact import MASK, is_sensitive_key, redact_json, redact_text, redact_url

HEAD_FRAMES = 20  # the connect, the configuration and the first pushes
TAIL_FRAMES = 40  # the last pushes and how the session ended
MAX_FRAME_CHARS = 600
MAX_PAYLOAD_CHARS = 8000
MAX_NUMBERS = 8  # a face feature is hundreds of floats; its first few say enough


def abbreviate(value: Any) -> Any:
    """A copy of a JSON value with long strings (pictures) and long number lists (features) shortened."""
    if isinstance(value, dict):
        return {key: abbreviate(item) for key, item in value.items()}
    if isinstance(value, list):
        if len(value) > MAX_NUMBERS and all(isinstance(item, int | float) for item in value):
            return [*value[:MAX_NUMBERS], f"…<{len(value)} numbers>"]
        return [abbreviate(item) for item in value]
    return shorten_strings(value)


def frame_summary(frame: WsFrame) -> str:
    """A frame's payload on one line: JSON redacted with pictures shortened, then clipped."""
    if frame.text is None:
        return f"<{frame.size} bytes>" if frame.opcode == "binary" else ""
    try:
        text = json.dumps(abbreviate(redact_json(json.loads(frame.text))), ensure_ascii=False)
    except (ValueError, RecursionError):
        text = str(shorten_strings(redact_text(frame.text)))
    return text if len(text) <= MAX_FRAME_CHARS else f"{text[:MAX_FRAME_CHARS]}…<{len(text)} characters>"


def _frame_line(frame: WsFrame) -> str:
    line = f"+{frame.at:.3f}s {frame.direction.value:<8} {frame.opcode:<7} {frame_summary(frame)}"
    return line.rstrip()


def bounded_transcript(transcript: WsTranscript, head: int = HEAD_FRAMES, tail: int = TAIL_FRAMES) -> str:
    """The session as text: every frame when few, else the first `head` and last `tail` around a marker."""
    frames = transcript.frames
    total = len(frames) + transcript.dropped
    lines = [f"WebSocket {redact_url(transcript.url)}: {total} frames"]
    if transcript.dropped:
        head = min(head, transcript.head_kept)  # the client's own gap sits right after its kept head
    if not transcript.dropped and len(frames) <= head + tail:
        lines += [_frame_line(frame) for frame in frames]
    else:
        shown_tail = frames[max(head, len(frames) - tail) :]
        lines += [_frame_line(frame) for frame in frames[:head]]
        lines.append(f"… {total - head - len(shown_tail)} frames omitted …")
        lines += [_frame_line(frame) for frame in shown_tail]
    return "\n".join(lines)


def upload_title(upload: ReceivedUpload) -> str:
    """The step name of a received upload."""
    verdict = "valid" if upload.valid else "INVALID"
    return f"Received upload #{upload.seq} ({upload.mode or 'unknown mode'}, {verdict})"


def upload_payload_text(upload: ReceivedUpload) -> str | None:
    """The decoded payload as JSON text, credentials masked and pictures shortened; None when undecodable."""
    if upload.payload is None:
        return None
    return preview_json(abbreviate(redact_json(upload.payload)), MAX_PAYLOAD_CHARS)


def upload_as_received(upload: ReceivedUpload) -> str:
    """How it arrived: mode, content type, verdict, findings and, for form-data, every field as sent."""
    lines = render_upload(replace(upload, payload=None))
    if upload.form_fields is not None:
        lines.append(f"Form fields as received ({len(upload.form_fields)}):")
        for name, value in upload.form_fields:
            shown = MASK if is_sensitive_key(name) else shorten_strings(value)
            lines.append(f"  {name} = {shown}")
    return "\n".join(lines)
