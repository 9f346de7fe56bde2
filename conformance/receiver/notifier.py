"""Wake long-polling readers when the store commits, without polling and without crossing threads unsafely."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class CommitNotifier:
    """A fresh asyncio.Event per commit generation; the writer thread signals it through the loop."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event = asyncio.Event()
        self._closing = False

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Attach to the server's loop (called at startup)."""
        self._loop = loop

    def notify_threadsafe(self, _seq: int) -> None:
        """Called from the writer thread after each durable commit."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._fire)

    def _fire(self) -> None:
        event, self._event = self._event, asyncio.Event()
        event.set()

    def release_all(self) -> None:
        """Wake every waiter now (shutdown)."""
        self._closing = True
        self._fire()

    async def wait_beyond(self, since: int, wait_s: float, last_seq: Callable[[], int]) -> None:
        """Return once last_seq() > since, or after wait_s seconds, or at shutdown."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_s
        while not self._closing:
            event = self._event  # taken before the check: a commit in between sets this very event
            if last_seq() > since:
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                return
