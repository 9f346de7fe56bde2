"""Wait for uploads through the receiver's HTTP API, so the suite needs nothing but a URL (sockets only)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from conformance.checks.findings import FindingCategory
from conformance.clients.exchange import ReceivedUpload
from conformance.clients.failures import ConformanceFailure
from conformance.clients.http_client import RecordingHttpClient, Timeouts

MAX_POLL_S = 10.0  # one long-poll; the server allows up to 30
SHOWN_ON_TIMEOUT = 5
API_TIMEOUTS = Timeouts(connect=5.0, read=5.0)
# uploads a request reads: each record carries its pictures (~70 KB as JSON), so a page stays a few MB and
# quick to answer on a loaded machine; more are read page by page from the `since` each answer gives
PAGE_LIMIT = 100

UploadPredicate = Callable[[ReceivedUpload], bool]


def _base_of(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError(f"receiver URL must be http(s)://host:port[/path], got {url!r}")
    return f"{parts.scheme}://{parts.netloc}"


class ReceiverClient:
    """Reads the receiver's log over HTTP: stats, pages of uploads, and waiting with a deadline."""

    def __init__(self, url: str, *, timeouts: Timeouts = API_TIMEOUTS) -> None:
        self.base_url = _base_of(url)
        self._timeouts = timeouts
        self._http = RecordingHttpClient(self.base_url, timeouts=timeouts)

    def _get_json(self, path: str, params: dict[str, Any], read_s: float) -> dict[str, Any]:
        timeouts = Timeouts(self._timeouts.connect, read_s)
        try:
            response = self._http.get(path, params=params, timeouts=timeouts, expect_transport_ok=True)
        except ConformanceFailure as failure:
            raise failure.recast(FindingCategory.HARNESS, f"receiver unreachable: {failure.title}") from None
        body = response.json()
        if response.status != 200 or not isinstance(body, dict):
            raise ConformanceFailure.of(
                f"receiver API {path} answered {response.status}",
                category=FindingCategory.HARNESS,
                exchanges=[response.exchange],
            )
        return body

    def stats(self) -> dict[str, Any]:
        """GET /_receiver/stats."""
        return self._get_json("/_receiver/stats", {}, self._timeouts.read)

    def uploads(
        self, since: int = 0, wait_s: float = 0.0, limit: int = PAGE_LIMIT
    ) -> tuple[list[ReceivedUpload], int]:
        """Uploads with seq > since (waiting up to wait_s for the first) and the `since` for the next call."""
        params = {"since": since, "wait": round(wait_s, 3), "limit": limit}
        body = self._get_json("/_receiver/uploads", params, self._timeouts.read + wait_s)
        uploads = [ReceivedUpload.from_record(record) for record in body.get("uploads", [])]
        return uploads, int(body.get("next_since", since))

    def last_seq(self) -> int:
        """The newest durable sequence number; pass it as `since` to wait only for uploads yet to come."""
        return int(self.stats().get("last_seq", 0))

    def wait_for(
        self, predicate_or_count: UploadPredicate | int, deadline_s: float, *, since: int = 0
    ) -> list[ReceivedUpload]:
        """Uploads after `since` until `count` arrived or some match the predicate; a late box fails."""
        want_count = predicate_or_count if isinstance(predicate_or_count, int) else None
        predicate = None if isinstance(predicate_or_count, int) else predicate_or_count
        seen: list[ReceivedUpload] = []
        cursor = since
        end = time.monotonic() + deadline_s
        while True:
            remaining = end - time.monotonic()
            batch, cursor = self.uploads(cursor, wait_s=max(0.0, min(remaining, MAX_POLL_S)))
            seen.extend(batch)
            if want_count is not None and len(seen) >= want_count:
                return seen[:want_count]
            if predicate is not None:
                matches = [upload for upload in seen if predicate(upload)]
                if matches:
                    return matches
            if remaining <= 0:
                break
        wanted = f"{want_count} upload(s)" if want_count is not None else "an upload matching the condition"
        raise ConformanceFailure.of(
            f"expected {wanted} within {deadline_s:g} s, received {len(seen)}",
            detail=f"Receiver {self.base_url}, uploads after seq {since}.",
            category=FindingCategory.SEMANTIC,
            exchanges=seen[-SHOWN_ON_TIMEOUT:],
        )

    def close(self) -> None:
        """Close pooled connections."""
        self._http.close()

    def __enter__(self) -> ReceiverClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
