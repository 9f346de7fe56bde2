"""The event bus hands batches from any thread to callbacks on the loop thread, in order."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

from conformance.emulator.event_bus import EventBus


def _drain(loop: asyncio.AbstractEventLoop) -> None:
    loop.run_until_complete(asyncio.sleep(0))
    loop.run_until_complete(asyncio.sleep(0))


def test_batches_published_from_other_threads_arrive_on_the_loop_thread_in_order() -> None:
    loop = asyncio.new_event_loop()
    try:
        bus: EventBus[int] = EventBus(loop)
        seen: list[int] = []
        threads: list[str] = []

        def collect(batch: Sequence[int]) -> None:
            seen.extend(batch)
            threads.append(threading.current_thread().name)

        bus.subscribe(collect)

        def produce() -> None:
            for i in range(0, 100, 2):
                bus.publish([i, i + 1])

        worker = threading.Thread(target=produce)
        worker.start()
        worker.join()
        _drain(loop)
        assert seen == list(range(100))
        assert set(threads) == {threading.current_thread().name}
        assert bus.published == 100
    finally:
        loop.close()


def test_nothing_runs_on_the_publishers_thread() -> None:
    loop = asyncio.new_event_loop()
    try:
        bus: EventBus[str] = EventBus(loop)
        seen: list[str] = []
        bus.subscribe(seen.extend)
        bus.publish(["a"])
        assert seen == []  # delivery waits for the loop
        _drain(loop)
        assert seen == ["a"]
    finally:
        loop.close()


def test_a_failing_subscriber_does_not_starve_the_others() -> None:
    loop = asyncio.new_event_loop()
    try:
        bus: EventBus[int] = EventBus(loop)
        seen: list[int] = []

        def broken(batch: Sequence[int]) -> None:
            raise RuntimeError("boom")

        bus.subscribe(broken)
        bus.subscribe(seen.extend)
        bus.publish([1])
        _drain(loop)
        assert seen == [1]
    finally:
        loop.close()


def test_closed_subscriptions_receive_nothing_and_closed_loops_are_ignored() -> None:
    loop = asyncio.new_event_loop()
    bus: EventBus[int] = EventBus(loop)
    seen: list[int] = []
    subscription = bus.subscribe(seen.extend)
    assert bus.subscriber_count == 1
    subscription.close()
    subscription.close()
    assert bus.subscriber_count == 0
    bus.publish([1])
    _drain(loop)
    assert seen == []
    loop.close()
    bus.publish([2])  # must not raise
