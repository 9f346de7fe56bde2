"""Attach the HTTP exchanges a test made to its Allure result, so a report reader sees the evidence."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from conformance.clients.curl import render_curl
from conformance.clients.exchange import HttpExchange
from conformance.clients.redact import redact_json, redact_text

MAX_ATTACHED_PER_TEST = 25  # a property test may make hundreds; the first ones and the failure suffice
MAX_BODY_CHARS = 20_000


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
