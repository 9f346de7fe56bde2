"""A WebSocket client that records a transcript and bounds every wait: a silent box fails fast, visibly."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import websocket

from conformance.checks.findings import FindingCategory
from conformance.clients.exchange import WsDirection, WsFrame, WsTranscript
from conformance.clients.failures import ConformanceFailure

MAX_TRANSCRIPT_FRAMES = 500
TRANSCRIPT_HEAD_FRAMES = 20  # the connect and configuration frames survive any number of pushes

_OPCODES = {
    websocket.ABNF.OPCODE_TEXT: "text",
    websocket.ABNF.OPCODE_BINARY: "binary",
    websocket.ABNF.OPCODE_CLOSE: "close",
    websocket.ABNF.OPCODE_PING: "ping",
    websocket.ABNF.OPCODE_PONG: "pong",
}


@dataclass(frozen=True)
class WsMessage:
    """One received frame: opcode name and payload (text for text frames, bytes otherwise)."""

    opcode: str
    text: str | None
    data: bytes

    @property
    def payload_text(self) -> str | None:
        """A data frame's payload as text: a text frame's, or a binary frame's that is UTF-8 (E37)."""
        if self.opcode == "text":
            return self.text
        if self.opcode != "binary":
            return None
        try:
            return self.data.decode("utf-8")
        except UnicodeDecodeError:
            return None


class RecordingWebSocket:
    """websocket-client connection with connect/send/recv timeouts and a transcript of everything."""

    def __init__(
        self,
        url: str,
        *,
        connect_timeout: float = 5.0,
        send_timeout: float = 5.0,
        recv_timeout: float = 10.0,
        max_frames: int = MAX_TRANSCRIPT_FRAMES,
    ) -> None:
        self.url = url
        self.connect_timeout = connect_timeout
        self.send_timeout = send_timeout
        self.recv_timeout = recv_timeout
        self.transcript = WsTranscript(url=url, started_at=time.time())
        self._max_frames = max_frames
        self._t0 = time.perf_counter()
        self._ws: Any = None

    # transcript ------------------------------------------------------------------------------
    def _note(self, direction: WsDirection, opcode: str, text: str | None = None, size: int = 0) -> None:
        frames = self.transcript.frames
        frames.append(WsFrame(direction, opcode, time.perf_counter() - self._t0, text, size))
        if len(frames) > self._max_frames:
            head = min(TRANSCRIPT_HEAD_FRAMES, self._max_frames // 2)
            del frames[head]
            self.transcript.dropped += 1
            self.transcript.head_kept = head

    def _fail(self, title: str) -> ConformanceFailure:
        return ConformanceFailure.of(title, category=FindingCategory.TRANSPORT, exchanges=[self.transcript])

    # connection ------------------------------------------------------------------------------
    def connect(self) -> RecordingWebSocket:
        """Open the connection within the connect timeout; failure raises a transport ConformanceFailure."""
        ws: Any = websocket.WebSocket()
        try:
            ws.connect(self.url, timeout=self.connect_timeout)
        except (OSError, websocket.WebSocketException) as exc:
            self._note(WsDirection.EVENT, "error", f"connect failed: {_describe(exc, self.connect_timeout)}")
            raise self._fail(f"WebSocket connect to {self.url} failed") from None
        self._ws = ws
        self._note(WsDirection.EVENT, "connect", f"connected to {self.url}")
        return self

    @property
    def connected(self) -> bool:
        """True while the connection is open."""
        return self._ws is not None and bool(self._ws.connected)

    def _require(self) -> Any:
        if self._ws is None:
            raise ConformanceFailure.of(
                "WebSocket used before connect()",
                category=FindingCategory.HARNESS,
                exchanges=[self.transcript],
            )
        return self._ws

    # sending ---------------------------------------------------------------------------------
    def send_text(self, text: str) -> None:
        """Send a text frame within the send timeout."""
        ws = self._require()
        ws.settimeout(self.send_timeout)
        try:
            ws.send(text)
        except (OSError, websocket.WebSocketException) as exc:
            self._note(WsDirection.EVENT, "error", f"send failed: {_describe(exc, self.send_timeout)}")
            raise self._fail("WebSocket send failed") from None
        self._note(WsDirection.SENT, "text", text, len(text.encode("utf-8")))

    def send_json(self, value: Any) -> None:
        """Send a value as a JSON text frame."""
        self.send_text(json.dumps(value, ensure_ascii=False))

    def send_binary(self, data: bytes) -> None:
        """Send a binary frame within the send timeout."""
        ws = self._require()
        ws.settimeout(self.send_timeout)
        try:
            ws.send_bytes(data)
        except (OSError, websocket.WebSocketException) as exc:
            self._note(WsDirection.EVENT, "error", f"send failed: {_describe(exc, self.send_timeout)}")
            raise self._fail("WebSocket send failed") from None
        self._note(WsDirection.SENT, "binary", None, len(data))

    # receiving -------------------------------------------------------------------------------
    def recv(self, timeout: float | None = None) -> WsMessage | None:
        """Next frame, or None when nothing arrives within the timeout; a broken connection raises."""
        ws = self._require()
        limit = self.recv_timeout if timeout is None else timeout
        ws.settimeout(limit)
        try:
            opcode, data = ws.recv_data(control_frame=True)
        except (TimeoutError, websocket.WebSocketTimeoutException):
            self._note(WsDirection.EVENT, "timeout", f"no frame within {limit:g} s")
            return None
        except (OSError, websocket.WebSocketException) as exc:
            self._note(WsDirection.EVENT, "error", f"receive failed: {_describe(exc, limit)}")
            raise self._fail("WebSocket receive failed") from None
        name = _OPCODES.get(opcode, f"opcode-{opcode}")
        payload = bytes(data or b"")
        text = payload.decode("utf-8", errors="replace") if name == "text" else None
        if name == "close":
            text = _close_summary(payload)
        message = WsMessage(name, text, payload)
        shown = message.payload_text if name == "binary" else text  # a UTF-8 binary push reads as text (E37)
        self._note(WsDirection.RECEIVED, name, shown, len(payload))
        return message

    def recv_json(self, timeout: float | None = None) -> Any:
        """Next data frame (text, or binary holding UTF-8; E37) decoded as JSON; None on timeout.

        A control frame, a binary frame that is not UTF-8, or a payload that is not JSON is a failure.
        """
        message = self.recv(timeout)
        if message is None:
            return None
        text = message.payload_text
        if text is None:
            raise ConformanceFailure.of(
                f"expected a data frame of UTF-8 JSON, got a {message.opcode} frame",
                category=FindingCategory.SCHEMA,
                exchanges=[self.transcript],
            )
        try:
            return json.loads(text)
        except (ValueError, RecursionError):
            raise ConformanceFailure.of(
                f"WebSocket {message.opcode} frame is not valid JSON",
                category=FindingCategory.SCHEMA,
                exchanges=[self.transcript],
            ) from None

    def close(self) -> None:
        """Close the connection (idempotent)."""
        if self._ws is None:
            return
        ws, self._ws = self._ws, None
        try:
            ws.settimeout(self.send_timeout)
            ws.close(timeout=self.send_timeout)
        except (OSError, websocket.WebSocketException):
            pass
        finally:
            # websocket-client's close() returns early when the peer closed first and leaves the OS
            # socket open; shutdown() releases it whatever happened.
            ws.shutdown()
        self._note(WsDirection.EVENT, "close", "closed by harness")

    def __enter__(self) -> RecordingWebSocket:
        return self.connect() if self._ws is None else self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _describe(exc: BaseException, timeout: float) -> str:
    if isinstance(exc, websocket.WebSocketTimeoutException | TimeoutError):
        return f"timed out after {timeout:g} s"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, websocket.WebSocketConnectionClosedException):
        return "connection closed by peer"
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"


def _close_summary(payload: bytes) -> str:
    if len(payload) < 2:
        return "close without status"
    code = int.from_bytes(payload[:2], "big")
    reason = payload[2:].decode("utf-8", errors="replace")
    return f"status {code}" + (f" {reason}" if reason else "")
