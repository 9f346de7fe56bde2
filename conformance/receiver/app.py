"""The receiver's HTTP surface: the upload endpoint for the box, and the wait/stats API for the suite."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from conformance.receiver.config import CONTROL_PREFIX, ReceiverConfig
from conformance.receiver.decode import RejectedUploadError, decode_upload
from conformance.receiver.notifier import CommitNotifier
from conformance.receiver.query import QueryError, uploads_query
from conformance.receiver.store import UploadStore
from conformance.receiver.validation import UploadJudge

DRAIN_LIMIT = 64 * 1024 * 1024  # read and discard oversized bodies up to here so the sender sees our 413
PREVIEW_BYTES = 512

logger = logging.getLogger(__name__)


class ReceiverState:
    """Everything the handlers share: settings, judge, log, waiters and counters."""

    def __init__(self, config: ReceiverConfig, judge: UploadJudge, store: UploadStore) -> None:
        self.config = config
        self.judge = judge
        self.store = store
        self.notifier = CommitNotifier()
        self.started_at = time.time()
        self.counts: dict[str, int] = {"received": 0, "valid": 0, "invalid": 0, "json": 0, "form-data": 0}

    def stats(self) -> dict[str, Any]:
        """Counters and where things are, for GET /_receiver/stats."""
        return {
            **self.counts,
            "first_seq": self.store.first_seq,
            "last_seq": self.store.last_seq,
            "fsyncs": self.store.fsyncs,
            "upload_path": self.config.path,
            "log_path": str(self.store.path),
            "profile": self.config.profile or "none",
            "started_at": self.started_at,
        }


async def _read_body(request: Request, limit: int) -> tuple[bytes | None, int]:
    """The body, or None with the size seen when it exceeds `limit`."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > DRAIN_LIMIT:
        return None, int(declared)
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size <= limit:
                chunks.append(chunk)
            else:
                chunks.clear()
                if size > DRAIN_LIMIT:
                    break
    except ClientDisconnect:
        expected = f" of {declared}" if declared.isdigit() else ""
        raise RejectedUploadError(
            400, f"sender disconnected after {size}{expected} bytes", "unknown"
        ) from None
    return (b"".join(chunks) if size <= limit else None), size


def _preview(body: bytes | None) -> str:
    return "" if body is None else body[:PREVIEW_BYTES].decode("utf-8", errors="backslashreplace")


async def _judge_upload(state: ReceiverState, request: Request) -> tuple[dict[str, Any], int]:
    """Build the log record and the status to answer."""
    content_type = request.headers.get("content-type", "")
    record: dict[str, Any] = {
        "received_at": time.time(),
        "content_type": content_type,
        "remote": request.client.host if request.client else "",
        "profile": state.config.profile or "none",
    }
    body: bytes | None = None
    record["size"] = 0
    try:
        body, size = await _read_body(request, state.config.max_body)
        record["size"] = size
        if body is None:
            raise RejectedUploadError(
                413, f"body of {size} bytes exceeds the {state.config.max_body}-byte limit", "unknown"
            )
        decoded = decode_upload(body, content_type, state.judge.field_types)
    except RejectedUploadError as exc:
        record.update(mode=exc.mode, payload=None, findings=[], valid=False, reason=exc.reason)
        record["raw_preview"] = _preview(body)
        return record, exc.status
    except Exception as exc:  # a decoder bug: logged loudly, answered 400, never a 500
        logger.exception("upload decoder failed")
        reason = f"harness: decoder failed: {type(exc).__name__}: {exc}"
        record.update(mode="unknown", payload=None, findings=[], valid=False, reason=reason)
        record["raw_preview"] = _preview(body)
        return record, 400
    form_fields = None if decoded.form_fields is None else dict(decoded.form_fields)
    findings = state.judge.findings(decoded.payload, form_fields) if state.config.profile is not None else []
    valid = not findings
    record.update(mode=decoded.mode, payload=decoded.payload, findings=findings, valid=valid)
    if decoded.form_fields is not None:  # the fields as sent, for the report's evidence
        record["form_fields"] = decoded.form_fields
    if not valid:
        record["reason"] = f"{len(findings)} schema finding(s) under profile {state.config.profile}"
    status = 400 if not valid and state.config.reject_invalid else 200
    return record, status


async def receive_upload(request: Request) -> JSONResponse:
    """POST <path>: log the upload durably, then answer 200 (valid) or 4xx with the reason."""
    state: ReceiverState = request.app.state.receiver
    record, status = await _judge_upload(state, request)
    try:
        seq = await asyncio.wrap_future(state.store.submit(record))
    except Exception as exc:
        logger.error("upload could not be logged: %s", exc)
        return JSONResponse({"error": f"upload could not be logged: {exc}"}, status_code=503)
    state.counts["received"] += 1
    state.counts["valid" if record["valid"] else "invalid"] += 1
    if record["mode"] in state.counts:
        state.counts[record["mode"]] += 1
    if status == 200:
        return JSONResponse({"result": "ok", "seq": seq})
    return JSONResponse(
        {"error": record.get("reason", "invalid upload"), "seq": seq, "findings": record["findings"]},
        status_code=status,
    )


async def list_uploads(request: Request) -> JSONResponse:
    """GET /_receiver/uploads?since=&wait=&limit=: records after `since`, waiting up to `wait` s for one."""
    state: ReceiverState = request.app.state.receiver
    try:
        since, wait_s, limit = uploads_query(request.query_params)
    except QueryError as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    await state.notifier.wait_beyond(since, wait_s, lambda: state.store.last_seq)
    records = await asyncio.to_thread(state.store.read_after, since, limit)
    next_since = records[-1]["seq"] if records else max(since, state.store.first_seq - 1)
    return JSONResponse({"uploads": records, "next_since": next_since, "last_seq": state.store.last_seq})


async def stats(request: Request) -> JSONResponse:
    """GET /_receiver/stats: counters for tests and the load benchmark."""
    state: ReceiverState = request.app.state.receiver
    return JSONResponse(state.stats())


def create_app(config: ReceiverConfig, judge: UploadJudge, store: UploadStore) -> Starlette:
    """The Starlette app; the store must be open already (file errors surface before the server starts)."""
    state = ReceiverState(config, judge, store)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state.notifier.bind(asyncio.get_running_loop())
        store.on_commit = state.notifier.notify_threadsafe
        yield
        store.on_commit = None
        state.notifier.release_all()

    app = Starlette(
        routes=[
            Route(config.path, receive_upload, methods=["POST"]),
            Route(f"{CONTROL_PREFIX}/uploads", list_uploads, methods=["GET"]),
            Route(f"{CONTROL_PREFIX}/stats", stats, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.state.receiver = state
    return app
