"""Hand newly stored events from any thread to subscribers running on the emulator's asyncio loop.

The store commits events on whatever thread handled the request; WebSocket push and the uploader
live on the loop. `publish` never blocks and never runs subscriber code on the caller's thread.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")

LOG = logging.getLogger(__name__)


class Subscription(Generic[T]):
    """A handle returned by subscribe; `close()` stops delivery."""

    def __init__(self, bus: EventBus[T], callback: Callable[[Sequence[T]], None]) -> None:
        self._bus = bus
        self.callback = callback

    def close(self) -> None:
        """Stop receiving batches; safe to call twice."""
        self._bus.unsubscribe(self)


class EventBus(Generic[T]):
    """Publish batches from any thread; callbacks run on `loop`, in publish order, one batch at a time."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._lock = threading.Lock()
        self._subscribers: tuple[Subscription[T], ...] = ()
        self.published = 0

    def subscribe(self, callback: Callable[[Sequence[T]], None]) -> Subscription[T]:
        """Register a callback that receives each published batch on the loop thread."""
        subscription = Subscription(self, callback)
        with self._lock:
            self._subscribers = (*self._subscribers, subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription[T]) -> None:
        """Remove a subscription; unknown subscriptions are ignored."""
        with self._lock:
            self._subscribers = tuple(s for s in self._subscribers if s is not subscription)

    @property
    def subscriber_count(self) -> int:
        """How many callbacks currently receive batches."""
        return len(self._subscribers)

    def publish(self, records: Sequence[T]) -> None:
        """Deliver a batch of committed records; callable from any thread, returns immediately."""
        batch = tuple(records)
        if not batch or self._loop.is_closed():
            return
        self.published += len(batch)
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            self._loop.call_soon(self._dispatch, batch)
        else:
            try:
                self._loop.call_soon_threadsafe(self._dispatch, batch)
            except RuntimeError:  # the loop closed between the check and the call
                LOG.debug("event bus loop closed; %d records not delivered", len(batch))

    def _dispatch(self, batch: tuple[T, ...]) -> None:
        for subscription in self._subscribers:
            try:
                subscription.callback(batch)
            except Exception:  # one broken subscriber must not starve the others
                LOG.exception("event bus subscriber failed")
