"""An HTTP client that records every exchange and never waits forever, so failures can be replayed."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import requests

from conformance.checks.findings import FindingCategory
from conformance.clients.exchange import FormPart, HttpExchange, HttpRequestRecord, HttpResponseRecord
from conformance.clients.exchange_log import ExchangeLog
from conformance.clients.failures import ConformanceFailure
from conformance.clients.transport_errors import describe_transport_error, is_caller_error

MAX_RECORDED_BODY = 1024 * 1024  # a recorded response body is clipped here; the live response keeps it all

Params = Mapping[str, Any] | Sequence[tuple[str, Any]] | None


@dataclass(frozen=True)
class Timeouts:
    """Connect and read timeouts in seconds; every call has both."""

    connect: float = 5.0
    read: float = 30.0


@dataclass(frozen=True)
class FormFile:
    """A file part of a multipart form."""

    filename: str
    content: bytes
    content_type: str = "application/octet-stream"


class RecordedResponse:
    """What a call returned: status, headers, body and the recorded exchange, or the transport error."""

    def __init__(self, exchange: HttpExchange, content: bytes) -> None:
        self.exchange = exchange
        self.content = content

    @property
    def status(self) -> int | None:
        """HTTP status, or None when no response arrived."""
        return None if self.exchange.response is None else self.exchange.response.status

    @property
    def error(self) -> str | None:
        """The transport error that replaced the response, if any."""
        return self.exchange.error

    @property
    def headers(self) -> dict[str, str]:
        """Response headers with lower-case names (the last value wins for repeated names)."""
        if self.exchange.response is None:
            return {}
        return {name.lower(): value for name, value in self.exchange.response.headers}

    def json(self) -> Any:
        """The body decoded as JSON, or None when it is not JSON (or there was no response)."""
        if not self.content:
            return None
        try:
            return json.loads(self.content)
        except (ValueError, RecursionError):
            return None

    @property
    def text(self) -> str:
        """The body as text, undecodable bytes replaced."""
        return self.content.decode("utf-8", errors="replace")


def _form_value(value: Any) -> str:
    """Form fields that are not strings travel as JSON text (the project's form-data convention)."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _record_of(prepared: requests.PreparedRequest, fallback: HttpRequestRecord) -> HttpRequestRecord:
    body = prepared.body
    return HttpRequestRecord(
        method=prepared.method or fallback.method,
        url=prepared.url or fallback.url,
        headers=tuple(prepared.headers.items()),
        body=body.encode("utf-8") if isinstance(body, str) else body,
        form_parts=fallback.form_parts,
    )


class RecordingHttpClient:
    """requests.Session with a base URL, default timeouts, optional credentials and an exchange log."""

    def __init__(
        self,
        base_url: str,
        *,
        timeouts: Timeouts = Timeouts(),
        credentials: tuple[str, str] | None = None,
        bearer_token: str | None = None,
        headers: Mapping[str, str] | None = None,
        log: ExchangeLog[HttpExchange] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeouts = timeouts
        self.log: ExchangeLog[HttpExchange] = log if log is not None else ExchangeLog()
        self._session = requests.Session()
        # no proxies or netrc from the environment: traffic goes exactly where we send it
        self._session.trust_env = False
        if credentials is not None:
            self._session.auth = credentials
        if bearer_token is not None:
            self._session.headers["Authorization"] = f"Bearer {bearer_token}"
        if headers:
            self._session.headers.update(headers)

    def url_for(self, path: str) -> str:
        """Absolute URL for a path relative to the base URL (absolute URLs pass through)."""
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.base_url}/{path.lstrip('/')}"

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Params = None,
        json_body: Any = None,
        data: bytes | str | Sequence[tuple[str, str]] | None = None,
        files: Sequence[tuple[str, tuple[str | None, Any, str | None]]] | None = None,
        headers: Mapping[str, str] | None = None,
        timeouts: Timeouts | None = None,
        expect_transport_ok: bool = False,
        form_parts: tuple[FormPart, ...] | None = None,
    ) -> RecordedResponse:
        """Send one request, record it, and return the response (or raise only when asked to)."""
        limits = timeouts or self.timeouts
        url = self.url_for(path)
        request = requests.Request(
            method.upper(),
            url,
            params=params,
            json=json_body,
            data=data,
            files=files,
            headers=dict(headers or {}),
        )
        request_record = HttpRequestRecord(method=method.upper(), url=url, form_parts=form_parts)
        started_at = time.time()
        started = time.perf_counter()
        try:
            prepared = self._session.prepare_request(request)
            request_record = _record_of(prepared, request_record)
            response = self._session.send(
                prepared, timeout=(limits.connect, limits.read), allow_redirects=False
            )
            content = response.content
        except requests.RequestException as exc:
            return self._transport_error(exc, request_record, started_at, limits, expect_transport_ok)
        response_record = HttpResponseRecord(
            status=response.status_code,
            reason=response.reason or "",
            headers=tuple(response.headers.items()),
            body=content[:MAX_RECORDED_BODY],
            elapsed_s=time.perf_counter() - started,
            size=len(content),
        )
        exchange = HttpExchange(request_record, response_record, started_at=started_at)
        self.log.record(exchange)
        return RecordedResponse(exchange, content)

    def _transport_error(
        self,
        exc: requests.RequestException,
        request_record: HttpRequestRecord,
        started_at: float,
        limits: Timeouts,
        expect_transport_ok: bool,
    ) -> RecordedResponse:
        error = describe_transport_error(exc, limits.connect, limits.read)
        exchange = HttpExchange(request_record, None, error=error, started_at=started_at)
        self.log.record(exchange)
        if expect_transport_ok:
            category = FindingCategory.HARNESS if is_caller_error(exc) else FindingCategory.TRANSPORT
            raise ConformanceFailure.of(
                f"{request_record.method} {request_record.url} failed: {error}",
                category=category,
                exchanges=[exchange],
            ) from None
        return RecordedResponse(exchange, b"")

    def get(self, path: str, params: Params = None, **kwargs: Any) -> RecordedResponse:
        """GET; `params` may be a list of pairs to repeat a key (`[("streams", "a"), ("streams", "b")]`)."""
        return self.request("GET", path, params=params, **kwargs)

    def post_json(self, path: str, body: Any, **kwargs: Any) -> RecordedResponse:
        """POST a JSON body."""
        return self.request("POST", path, json_body=body, **kwargs)

    def post_raw(self, path: str, body: bytes, content_type: str | None, **kwargs: Any) -> RecordedResponse:
        """POST exact bytes, for malformed-input tests."""
        headers = dict(kwargs.pop("headers", None) or {})
        if content_type is not None:
            headers["Content-Type"] = content_type
        return self.request("POST", path, data=body, headers=headers, **kwargs)

    def post_form(
        self, path: str, fields: Mapping[str, Any], *, multipart: bool = True, **kwargs: Any
    ) -> RecordedResponse:
        """POST a form: multipart/form-data by default, urlencoded with `multipart=False`."""
        if not multipart:
            pairs = [(name, _form_value(value)) for name, value in fields.items()]
            return self.request("POST", path, data=pairs, **kwargs)
        files: list[tuple[str, tuple[str | None, Any, str | None]]] = []
        parts: list[FormPart] = []
        for name, value in fields.items():
            if isinstance(value, FormFile):
                files.append((name, (value.filename, value.content, value.content_type)))
                parts.append(FormPart(name, None, value.filename, value.content_type, len(value.content)))
            else:
                text = _form_value(value)
                files.append((name, (None, text.encode("utf-8"), None)))
                parts.append(FormPart(name, text, size=len(text.encode("utf-8"))))
        return self.request("POST", path, files=files, form_parts=tuple(parts), **kwargs)

    def close(self) -> None:
        """Close pooled connections."""
        self._session.close()

    def __enter__(self) -> RecordingHttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
