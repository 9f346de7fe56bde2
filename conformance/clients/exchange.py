"""Plain records of what went over the wire, so a failure can show and reproduce exactly what happened."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FormPart:
    """One multipart/form-data part as sent: a text field or a file (bytes summarised by length)."""

    name: str
    value: str | None = None
    filename: str | None = None
    content_type: str | None = None
    size: int = 0


@dataclass(frozen=True)
class HttpRequestRecord:
    """An HTTP request as it left the client; `body` is the exact bytes sent (None when there was none)."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    form_parts: tuple[FormPart, ...] | None = None  # set when the body is multipart/form-data

    def header(self, name: str) -> str | None:
        """Return the first header of that name, compared case-insensitively."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)


@dataclass(frozen=True)
class HttpResponseRecord:
    """An HTTP response as received, with the time it took."""

    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body: bytes  # possibly clipped; `size` is the length that arrived
    elapsed_s: float
    size: int = -1

    def header(self, name: str) -> str | None:
        """Return the first header of that name, compared case-insensitively."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)


@dataclass(frozen=True)
class HttpExchange:
    """One request and what came back: a response, or the transport error that replaced it."""

    request: HttpRequestRecord
    response: HttpResponseRecord | None
    error: str | None = None
    started_at: float = 0.0  # epoch seconds


class WsDirection(enum.Enum):
    """Which way a WebSocket frame travelled, seen from the harness."""

    SENT = "sent"
    RECEIVED = "received"
    EVENT = "event"  # connect, close, timeout, error: things that happened, not frames


@dataclass(frozen=True)
class WsFrame:
    """One WebSocket frame or connection event, with a text or byte summary."""

    direction: WsDirection
    opcode: str  # "text", "binary", "close", "ping", "pong", or an event name
    at: float  # seconds since the transcript started
    text: str | None = None
    size: int = 0


@dataclass
class WsTranscript:
    """What happened on one WebSocket connection, in order."""

    url: str
    started_at: float = 0.0  # epoch seconds
    frames: list[WsFrame] = field(default_factory=list)
    dropped: int = 0  # entries dropped right after the first `head_kept` to keep the transcript bounded
    head_kept: int = 0  # the opening entries (connect, configuration) always kept


@dataclass(frozen=True)
class ReceivedUpload:
    """One upload the receiver logged, as the suite reads it back over the receiver's HTTP API."""

    seq: int
    received_at: float
    content_type: str
    mode: str
    payload: Any
    valid: bool
    findings: tuple[dict[str, Any], ...] = ()
    reason: str | None = None
    form_fields: tuple[tuple[str, str], ...] | None = None  # form-data: the text fields as sent

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> ReceivedUpload:
        """Build from one JSONL record of the receiver's log."""
        return cls(
            seq=int(record.get("seq", 0)),
            received_at=float(record.get("received_at", 0.0)),
            content_type=str(record.get("content_type", "")),
            mode=str(record.get("mode", "")),
            payload=record.get("payload"),
            valid=bool(record.get("valid", False)),
            findings=tuple(record.get("findings") or ()),
            reason=record.get("reason"),
            form_fields=_field_pairs(record.get("form_fields")),
        )


Exchange = HttpExchange | WsTranscript | ReceivedUpload


def _field_pairs(raw: Any) -> tuple[tuple[str, str], ...] | None:
    """The receiver's `form_fields` ([[name, value], ...]) as pairs; None when absent or not that shape."""
    if not isinstance(raw, list):
        return None
    return tuple((str(pair[0]), str(pair[1])) for pair in raw if isinstance(pair, list) and len(pair) == 2)
