"""The emulator's notion of "now": real time, real time shifted, or frozen, settable at run time."""

from __future__ import annotations

import enum
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


class ClockMode(enum.Enum):
    """How the emulator's clock relates to the machine's clock."""

    REAL = "real"
    OFFSET = "offset"
    FROZEN = "frozen"


class ClockSpecError(ValueError):
    """A clock setting that cannot be understood; the message shows the accepted forms."""


@dataclass(frozen=True)
class ClockSetting:
    """A clock mode with its value: frozen at `now_ms`, or real time plus `offset_ms`."""

    mode: ClockMode = ClockMode.REAL
    now_ms: int = 0
    offset_ms: int = 0

    @classmethod
    def parse(cls, text: str) -> ClockSetting:
        """Read the CLI form: `real`, `frozen:<ms>` or `offset:<ms>`."""
        head, _, value = text.partition(":")
        try:
            if head == "real" and not value:
                return cls(ClockMode.REAL)
            if head == "frozen" and value:
                return cls(ClockMode.FROZEN, now_ms=int(value))
            if head == "offset" and value:
                return cls(ClockMode.OFFSET, offset_ms=int(value))
        except ValueError:
            pass
        raise ClockSpecError(f"bad clock {text!r}: use real, frozen:<epoch ms> or offset:<ms>")

    def as_json(self) -> dict[str, object]:
        """The control plane's representation."""
        out: dict[str, object] = {"mode": self.mode.value}
        if self.mode is ClockMode.FROZEN:
            out["now_ms"] = self.now_ms
        if self.mode is ClockMode.OFFSET:
            out["offset_ms"] = self.offset_ms
        return out


class EmulatorClock:
    """Thread-safe clock every part of the emulator asks for the time."""

    def __init__(self, setting: ClockSetting | None = None, wall_ms: Callable[[], int] | None = None) -> None:
        self._wall_ms = wall_ms or (lambda: time.time_ns() // 1_000_000)
        self._lock = threading.Lock()
        self._setting = setting or ClockSetting()

    @property
    def setting(self) -> ClockSetting:
        """The current mode and value."""
        with self._lock:
            return self._setting

    def set(self, setting: ClockSetting) -> None:
        """Switch mode or value."""
        with self._lock:
            self._setting = setting

    def now_ms(self) -> int:
        """The emulator's current time in epoch milliseconds."""
        setting = self.setting
        if setting.mode is ClockMode.FROZEN:
            return setting.now_ms
        if setting.mode is ClockMode.OFFSET:
            return self._wall_ms() + setting.offset_ms
        return self._wall_ms()

    def status(self) -> dict[str, object]:
        """Setting plus the resulting now, for GET /_emulator/clock."""
        return {**self.setting.as_json(), "current_ms": self.now_ms()}
