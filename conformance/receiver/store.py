"""The upload log: one JSON line per upload, fsynced in groups; no answer before it is durable."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

MAX_BATCH_BYTES = 16 * 1024 * 1024

CommitListener = Callable[[int], None]


class StoreClosedError(RuntimeError):
    """The store was closed; nothing more can be logged."""


def _last_seq(path: Path) -> int:
    """Sequence number of the last complete line of an existing log (0 for none), so numbering continues."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 64 * 1024))
            tail = handle.read().splitlines()
    except FileNotFoundError:
        return 0
    for line in reversed(tail):
        try:
            return int(json.loads(line)["seq"])
        except (ValueError, KeyError, TypeError):
            continue
    return 0


class UploadStore:
    """Appends records with increasing `seq`; `submit` resolves with the seq once the line is fsynced."""

    def __init__(self, path: Path, on_commit: CommitListener | None = None) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._seq = _last_seq(path)
        self.first_seq = self._seq + 1
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._read_fd = os.open(path, os.O_RDONLY)
        self._offset = os.fstat(self._fd).st_size
        # (offset, length) of this session's lines, indexed by seq - first_seq
        self._index: list[tuple[int, int]] = []
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[tuple[dict[str, Any], Future[int]] | None] = queue.SimpleQueue()
        self.on_commit = on_commit
        self.fsyncs = 0
        self._closed = False
        self._writer = threading.Thread(target=self._run, name="receiver-store", daemon=True)
        self._writer.start()

    @property
    def last_seq(self) -> int:
        """The highest durable sequence number (first_seq - 1 when this session logged nothing)."""
        with self._lock:
            return self.first_seq - 1 + len(self._index)

    def submit(self, record: dict[str, Any]) -> Future[int]:
        """Queue a record; the future yields its seq after fsync, or the write error."""
        if self._closed:
            raise StoreClosedError("upload store is closed")
        future: Future[int] = Future()
        self._queue.put((record, future))
        return future

    def read_after(self, since: int, limit: int) -> list[dict[str, Any]]:
        """Up to `limit` durable records with seq > since, oldest first."""
        with self._lock:
            start = max(since + 1, self.first_seq) - self.first_seq
            spans = self._index[start : start + limit]
        return [json.loads(os.pread(self._read_fd, length, offset)) for offset, length in spans]

    def close(self) -> None:
        """Finish pending writes and close the file."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(None)
        self._writer.join(timeout=30)
        os.close(self._fd)
        os.close(self._read_fd)

    # writer thread ---------------------------------------------------------------------------
    def _take_batch(self) -> tuple[list[tuple[dict[str, Any], Future[int]]], bool]:
        first = self._queue.get()
        if first is None:
            return [], True
        batch = [first]
        size = 0
        while size < MAX_BATCH_BYTES:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is None:
                self._queue.put(None)  # stop after this batch
                break
            batch.append(item)
            size += int(item[0].get("size", 0) or 0)
        return batch, False

    def _run(self) -> None:
        while True:
            batch, stop = self._take_batch()
            if stop:
                return
            self._commit(batch)

    def _commit(self, batch: list[tuple[dict[str, Any], Future[int]]]) -> None:
        lines: list[bytes] = []
        accepted: list[tuple[Future[int], int]] = []
        seq = self._seq
        for record, future in batch:
            try:
                line = json.dumps({"seq": seq + 1, **record}, ensure_ascii=True, separators=(",", ":"))
            except (TypeError, ValueError, RecursionError) as exc:
                future.set_exception(exc)
                continue
            seq += 1
            lines.append(line.encode("ascii") + b"\n")
            accepted.append((future, seq))
        if not lines:
            return
        data = b"".join(lines)
        try:
            written = 0
            while written < len(data):
                written += os.write(self._fd, data[written:])
            os.fsync(self._fd)
        except OSError as exc:
            with contextlib.suppress(OSError):  # drop a partial line: the log stays one record per line
                os.ftruncate(self._fd, self._offset)
            for future, _ in accepted:
                future.set_exception(exc)
            return
        offsets = []
        offset = self._offset
        for encoded in lines:
            offsets.append((offset, len(encoded)))
            offset += len(encoded)
        with self._lock:
            self._index.extend(offsets)
            self._offset = offset
            self._seq = seq
            self.fsyncs += 1
        for future, number in accepted:
            future.set_result(number)
        if self.on_commit is not None:
            with contextlib.suppress(RuntimeError):  # the loop is gone (shutdown): nobody waits any more
                self.on_commit(seq)
