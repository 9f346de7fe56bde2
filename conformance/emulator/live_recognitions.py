"""Cameras in front of a site-mode box: recognitions keep arriving while the harness runs.

Arrivals are a Poisson process at `rate` per second (exponential gaps from a seeded generator). Each
recognition is stored, then published on the event bus, exactly as an injected event is, so it reaches
the WebSocket clients, the uploader and the history.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from conformance.emulator.clock import ClockMode
from conformance.emulator.site_history import cast_of

if TYPE_CHECKING:
    from conformance.emulator.app_state import AppState, BackgroundService
    from conformance.emulator.site_cast import SiteCast

LOG = logging.getLogger(__name__)


def now_us(state: AppState) -> int:
    """The emulator clock's now in microseconds (the clock counts whole ms; the machine gives the rest)."""
    setting = state.clock.setting
    wall_us = time.time_ns() // 1000
    if setting.mode is ClockMode.FROZEN:
        return setting.now_ms * 1000 + wall_us % 1000
    return wall_us + setting.offset_ms * 1000  # one reading: no tick between a ms and its µs


async def _record_forever(state: AppState, cast: SiteCast, rate: float) -> None:
    recorded = 0
    while True:
        await asyncio.sleep(cast.rng.expovariate(rate))
        first = state.store.reserve_sequence(2)
        events = cast.recognitions(now_us(state), first)
        try:
            await asyncio.to_thread(state.store.insert_events, events)
        except Exception:  # a failed write loses one recognition, never the cameras
            LOG.exception("live recognition not stored")
            continue
        state.publish(events)
        recorded += len(events)
        if recorded % 1000 < len(events):
            LOG.info("live recognitions: %d recorded", recorded)


def live_recognition_service(rate: float, seed: int) -> BackgroundService:
    """A background service recording `rate` recognitions a second (0: a quiet box, nothing starts)."""

    async def start(state: AppState) -> Callable[[], Awaitable[None]]:
        if rate <= 0:

            async def nothing() -> None:
                return None

            return nothing
        cast = cast_of(state.store, random.Random(f"live-{seed}"), seed)
        task = asyncio.create_task(_record_forever(state, cast, rate), name="live-recognitions")

        async def stop() -> None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

        return stop

    return start
