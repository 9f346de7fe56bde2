"""A bounded, thread-safe log of recent exchanges: long runs keep memory flat but still count everything."""

from __future__ import annotations

import threading
from collections import deque
from typing import Generic, TypeVar

T = TypeVar("T")

DEFAULT_CAPACITY = 200


class ExchangeLog(Generic[T]):
    """Keeps the last `capacity` exchanges and a count of all ever recorded."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        self._items: deque[T] = deque(maxlen=capacity)
        self._lock = threading.Lock()
        self._total = 0

    @property
    def capacity(self) -> int:
        """How many exchanges are kept."""
        maxlen = self._items.maxlen
        assert maxlen is not None
        return maxlen

    @property
    def total(self) -> int:
        """How many exchanges were recorded since creation (or the last clear), kept or not."""
        with self._lock:
            return self._total

    def record(self, item: T) -> None:
        """Add one exchange, dropping the oldest when full."""
        with self._lock:
            self._items.append(item)
            self._total += 1

    def recent(self, count: int | None = None) -> list[T]:
        """The kept exchanges, oldest first; the last `count` when given."""
        with self._lock:
            items = list(self._items)
        return items if count is None else items[-count:] if count > 0 else []

    def last(self) -> T | None:
        """The newest exchange, or None when nothing was recorded."""
        with self._lock:
            return self._items[-1] if self._items else None

    def clear(self) -> None:
        """Forget everything, including the total."""
        with self._lock:
            self._items.clear()
            self._total = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
