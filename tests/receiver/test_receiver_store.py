"""UploadStore: nothing resolves before fsync, sequence numbers are unique and continue across restarts."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from conformance.receiver.store import StoreClosedError, UploadStore


def test_future_resolves_only_after_fsync(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    entered = threading.Event()
    real_fsync = os.fsync

    def slow_fsync(fd: int) -> None:
        entered.set()
        assert release.wait(10)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", slow_fsync)
    store = UploadStore(tmp_path / "log.jsonl")
    future = store.submit({"payload": 1})
    assert entered.wait(10)
    assert not future.done()  # written but not yet durable: no answer yet
    release.set()
    assert future.result(timeout=10) == 1
    store.close()


def test_write_error_fails_the_future(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    store = UploadStore(tmp_path / "log.jsonl")
    with pytest.raises(OSError, match="No space"):
        store.submit({"payload": 1}).result(timeout=10)
    assert store.last_seq == 0
    store.close()
    assert (tmp_path / "log.jsonl").read_bytes() == b""


def test_concurrent_submits_get_unique_consecutive_seqs(tmp_path: Path) -> None:
    store = UploadStore(tmp_path / "log.jsonl")
    results: list[int] = []
    lock = threading.Lock()

    def submit_many(worker: int) -> None:
        for number in range(50):
            seq = store.submit({"worker": worker, "n": number}).result(timeout=30)
            with lock:
                results.append(seq)

    threads = [threading.Thread(target=submit_many, args=(worker,)) for worker in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == list(range(1, 1001))
    assert store.fsyncs <= 1000
    lines = [json.loads(line) for line in (tmp_path / "log.jsonl").read_text().splitlines()]
    assert [line["seq"] for line in lines] == list(range(1, 1001))
    assert len({(line["worker"], line["n"]) for line in lines}) == 1000
    assert [record["seq"] for record in store.read_after(995, 10)] == [996, 997, 998, 999, 1000]
    store.close()


def test_numbering_continues_after_restart_and_reads_only_this_session(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    first = UploadStore(path)
    first.submit({"n": 1}).result(timeout=10)
    first.submit({"n": 2}).result(timeout=10)
    first.close()
    second = UploadStore(path)
    assert second.first_seq == 3 and second.last_seq == 2
    assert second.submit({"n": 3}).result(timeout=10) == 3
    assert [record["n"] for record in second.read_after(0, 10)] == [3]
    second.close()
    with pytest.raises(StoreClosedError):
        second.submit({"n": 4})


def test_unserialisable_record_fails_alone(tmp_path: Path) -> None:
    store = UploadStore(tmp_path / "log.jsonl")
    bad = store.submit({"payload": object()})
    good = store.submit({"payload": "ok"})
    with pytest.raises(TypeError):
        bad.result(timeout=10)
    assert good.result(timeout=10) == 1
    store.close()
