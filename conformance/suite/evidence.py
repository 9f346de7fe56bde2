"""Put what a test exchanged (HTTP, WebSocket, received uploads) and its failure into its Allure result.

Every text comes from the one renderer (`conformance.clients.exchange_render`) under its Allure budget;
this module only decides which exchanges a test shows and makes the Allure steps and attachments.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import allure
import pytest

from conformance.clients.exchange import Exchange, HttpExchange, ReceivedUpload, WsTranscript
from conformance.clients.exchange_render import ALLURE, EvidencePart, evidence_parts, exchange_heading
from conformance.clients.failures import ConformanceFailure, render_failure

# the transcripts of the WebSocket sessions a test opened (filled by the ws_connect fixture)
WS_SESSIONS = pytest.StashKey[list[WsTranscript]]()


def _attach(part: EvidencePart) -> None:
    kind = allure.attachment_type.JSON if part.is_json else allure.attachment_type.TEXT
    allure.attach(part.text, name=part.name, attachment_type=kind)


def attach_exchange(exchange: Exchange) -> None:
    """One Allure step per exchange holding the renderer's parts (curl and bodies, transcript, upload)."""
    with allure.step(exchange_heading(exchange)):
        for part in evidence_parts(exchange, ALLURE):
            _attach(part)


def _attach_bounded(exchanges: Sequence[Exchange], limit: int, what: str) -> int:
    shown = exchanges[:limit]
    for exchange in shown:
        attach_exchange(exchange)
    if len(exchanges) > len(shown):
        with allure.step(f"… {len(exchanges) - len(shown)} more {what} not attached"):
            pass
    return len(shown)


def attach_exchanges(exchanges: Iterable[HttpExchange]) -> int:
    """A step per HTTP exchange, within the Allure budget; returns how many were attached."""
    return _attach_bounded(list(exchanges), ALLURE.exchanges, "HTTP exchanges")


def attach_ws_sessions(transcripts: Sequence[WsTranscript]) -> int:
    """A step per WebSocket session with its transcript; returns how many were attached."""
    return _attach_bounded(transcripts, ALLURE.exchanges, "WebSocket sessions")


def attach_uploads(uploads: Sequence[ReceivedUpload]) -> int:
    """A step per received upload (payload, and the upload as received); returns how many were attached."""
    return _attach_bounded(uploads, ALLURE.uploads, "received uploads")


def attach_failure(failure: ConformanceFailure) -> None:
    """The failure rendered under the Allure budget (every finding, more exchanges) as a text attachment."""
    text = render_failure(failure, ALLURE)
    allure.attach(text, name="failure", attachment_type=allure.attachment_type.TEXT)
