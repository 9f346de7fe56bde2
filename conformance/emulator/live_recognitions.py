"""Cameras in front of the box: recognitions keep arriving while the harness runs.

Arrivals are a Poisson process at the live rate (exponential gaps from a seeded generator). The rate is
site mode's `--live-rate` (0 with a control plane) as the `live.rate` hook point gives it, read again
before every arrival, so a variation can make a busy gate or a quiet box in either mode. Each recognition
is stored, then published on the event bus, exactly as an injected event is, so it reaches the WebSocket
clients, the uploader and the history. The cameras and people are the store's own, read again every
CAST_REFRESH_S (a control plane adds and resets them); with no camera registered nobody is recognised.

Recognitions are stamped with the box clock, except while a control plane holds it frozen: a frozen clock is
the harness's fixed moment where it seeds its scenarios, not time standing still for the cameras, so they
keep the machine's time and their recognitions come after the seeded past, as a real box's come after any
window the harness closed before its first call (stamped at the frozen moment, every recognition would fall
into the seeded millisecond, which no real box's traffic does).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from conformance.emulator.clock import ClockMode
from conformance.emulator.faults.hooks import LIVE_RATE
from conformance.emulator.site_cast import SiteCast

if TYPE_CHECKING:
    from conformance.emulator.app_state import AppState, BackgroundService

LOG = logging.getLogger(__name__)
IDLE_POLL_S = 0.25  # how soon a quiet box notices that its live rate went up
CAST_REFRESH_S = 1.0  # how often the cameras and people are read again from the store


def now_us(state: AppState) -> int:
    """The emulator clock's now in microseconds (the clock counts whole ms; the machine gives the rest)."""
    setting = state.clock.setting
    wall_us = time.time_ns() // 1000
    if setting.mode is ClockMode.FROZEN:
        return setting.now_ms * 1000 + wall_us % 1000
    return wall_us + setting.offset_ms * 1000  # one reading: no tick between a ms and its µs


def camera_time_us(state: AppState) -> int:
    """The time of a recognition made now, in µs: the box clock, or the machine's while it is frozen."""
    if state.clock.setting.mode is ClockMode.FROZEN:
        return time.time_ns() // 1000
    return now_us(state)


async def _current_cast(state: AppState, rng: random.Random, seed: int) -> SiteCast | None:
    """The store's cameras and people drawing from `rng`, or None while no camera is registered."""
    devices = await asyncio.to_thread(state.store.devices)
    if not devices:
        return None
    people = await asyncio.to_thread(state.store.identities)
    return SiteCast(devices=devices, people=people, rng=rng, seed=seed)


async def _record_forever(state: AppState, base_rate: float, seed: int) -> None:
    rng = random.Random(f"live-{seed}")
    cast: SiteCast | None = None
    cast_read = -math.inf
    recorded = 0
    while True:
        rate = state.faults.apply(LIVE_RATE, base_rate)
        if not rate > 0:
            await asyncio.sleep(IDLE_POLL_S)  # a quiet box: ask again soon (a variation may wake it)
            continue
        await asyncio.sleep(rng.expovariate(rate))
        if time.monotonic() - cast_read >= CAST_REFRESH_S:
            cast, cast_read = await _current_cast(state, rng, seed), time.monotonic()
        if cast is None:
            continue
        first = state.store.reserve_sequence(2)
        events = cast.recognitions(camera_time_us(state), first)
        try:
            await asyncio.to_thread(state.store.insert_events, events)
        except Exception:  # a failed write (a reset, a duplicate) loses one recognition, never the cameras
            LOG.exception("live recognition not stored")
            continue
        state.publish(events)
        recorded += len(events)
        if recorded % 1000 < len(events):
            LOG.info("live recognitions: %d recorded", recorded)


def live_recognition_service(base_rate: float, seed: int) -> BackgroundService:
    """A background service recording recognitions at the live rate (`base_rate`, or a variation's)."""

    async def start(state: AppState) -> Callable[[], Awaitable[None]]:
        task = asyncio.create_task(_record_forever(state, base_rate, seed), name="live-recognitions")

        async def stop() -> None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

        return stop

    return start
