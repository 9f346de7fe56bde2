"""ExchangeLog keeps the newest entries, counts all of them, and survives concurrent writers."""

from __future__ import annotations

import threading

import pytest

from conformance.clients.exchange_log import ExchangeLog


def test_keeps_newest_and_counts_all() -> None:
    log: ExchangeLog[int] = ExchangeLog(capacity=3)
    for number in range(5):
        log.record(number)
    assert log.recent() == [2, 3, 4]
    assert log.recent(2) == [3, 4] and log.recent(0) == []
    assert log.last() == 4 and log.total == 5 and len(log) == 3
    log.clear()
    assert log.total == 0 and log.last() is None


def test_rejects_zero_capacity() -> None:
    with pytest.raises(ValueError, match="capacity"):
        ExchangeLog(capacity=0)


def test_concurrent_writers_lose_no_counts() -> None:
    log: ExchangeLog[int] = ExchangeLog(capacity=10)

    def write() -> None:
        for number in range(1000):
            log.record(number)

    threads = [threading.Thread(target=write) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert log.total == 8000 and len(log) == 10
