"""Attach what a test exchanged (HTTP, WebSocket sessions, received uploads) to its Allure result as steps."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import pytest

from conformance.clients.curl import render_curl
from conformance.clients.exchange import HttpExchange, ReceivedUpload, WsTranscript
from conformance.clients.redact import redact_json, redact_text, redact_url
from conformance.suite.evidence_text import (
    bounded_transcript,
    upload_as_received,
    upload_payload_text,
    upload_title,
)

MAX_ATTACHED_PER_TEST = 25  # a property test may make hundreds; the first ones and the failure suffice
MAX_BODY_CHARS = 20_000
MAX_UPLOADS_PER_WAIT = 25  # a load test may wait for hundreds; their payloads look alike
# the transcripts of the WebSocket sessions a test opened (filled by the ws_connect fixture)
WS_SESSIONS = pytest.StashKey[list[WsTranscript]]()


def _body(raw: bytes | None) -> Any:
    """JSON when the body parses, else a short text preview; None for no body."""
    if not raw:
        return None
    text = raw[:MAX_BODY_CHARS].decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


def attach_exchanges(exchanges: Iterable[HttpExchange]) -> int:
    """One Allure step per exchange (curl line, request, response); returns how many were attached."""
    from conformance.report.allure_labels import attach_http_exchange

    attached = 0
    for exchange in exchanges:
        if attached >= MAX_ATTACHED_PER_TEST:
            break
        request = exchange.request
        response = exchange.response
        attach_http_exchange(
            f"{request.method} {request.url}",
            curl=redact_text(render_curl(request)),
            request_body=redact_json(_body(request.body)),
            response_body=_body(response.body) if response is not None else exchange.error,
            status=None if response is None else response.status,
        )
        attached += 1
    return attached


def attach_ws_sessions(transcripts: Sequence[WsTranscript]) -> int:
    """One Allure step per WebSocket session with its bounded transcript; returns how many were attached."""
    from conformance.report.allure_labels import attach_ws_transcript

    for number, transcript in enumerate(transcripts, start=1):
        entries = len(transcript.frames) + transcript.dropped
        title = f"WebSocket session {number}: {redact_url(transcript.url)} ({entries} frames)"
        attach_ws_transcript(title, bounded_transcript(transcript))
    return len(transcripts)


def attach_uploads(uploads: Sequence[ReceivedUpload]) -> int:
    """One Allure step per received upload (payload, and the upload as received); returns how many."""
    from conformance.report.allure_labels import attach_upload, note_step

    shown = uploads[:MAX_UPLOADS_PER_WAIT]
    for upload in shown:
        attach_upload(upload_title(upload), upload_payload_text(upload), rendered=upload_as_received(upload))
    if len(uploads) > len(shown):
        note_step(f"… {len(uploads) - len(shown)} more received uploads not attached")
    return len(shown)
