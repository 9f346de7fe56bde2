"""Everything the routes share in one running emulator: store, clock, faults, event bus, startup defaults."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from conformance.emulator.clock import ClockSetting, EmulatorClock
from conformance.emulator.faults.hooks import ActiveFaults
from conformance.emulator.model import EventRecord
from conformance.emulator.store.database import Store

if TYPE_CHECKING:
    from conformance.emulator.event_bus import EventBus

# A background service (WebSocket server, uploader) started on the emulator's loop; it returns a
# coroutine function that stops it.
BackgroundService = Callable[["AppState"], Awaitable[Callable[[], Awaitable[None]]]]


@dataclass
class AppState:
    """Shared state of one emulator process; routes reach it through `request.app.state.emulator`."""

    store: Store
    clock: EmulatorClock
    faults: ActiveFaults
    default_clock: ClockSetting
    default_faults: tuple[str, ...]
    dev_sno: str = ""
    seed: int = 0
    ws_host: str = "127.0.0.1"
    ws_port: int = 0
    control: bool = False
    control_token: str | None = None
    event_bus: EventBus[EventRecord] | None = None
    # name -> callable returning a number, shown by GET /_emulator/stats (e.g. "ws_clients").
    stats_providers: dict[str, Callable[[], int]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def publish(self, records: Sequence[EventRecord]) -> None:
        """Hand committed events to live consumers (WebSocket push, uploader) if any are running."""
        if self.event_bus is not None and records:
            self.event_bus.publish(records)

    def reset(self) -> None:
        """Back to the startup state: empty store, startup clock and faults."""
        self.store.reset()
        self.clock.set(self.default_clock)
        self.faults.replace(self.default_faults)
