"""WebSocket churn: 200 clients connect, configure, take a few pushes and disconnect in a loop for 60 s.

The emulator runs in its own process (`sophon-conformance emulator --control`); a publisher injects
events for the clients' device at a steady rate. The emulator process's open file descriptors
(/proc/<pid>/fd) and resident memory (/proc/<pid>/status VmRSS) are read before the loop (after a
warm-up), every 0.5 s during it (peak) and after it (once the server reports 0 clients and a short
settle). Pass: descriptors back within FD_SLACK of the baseline, RSS growth under RSS_BOUND_MB, and
0 clients left on the server.

Run: .venv/bin/python benchmarks/reliability_ws_churn.py [--quick] [--seconds 60] [--clients 200] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException

from conformance.paths import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT))  # the emulator process helper is shared with the tests
from tests.reliability.emulator_process import EmulatorProcess

DEVICE = {"device_id": "cam-churn", "device_name": "Churn", "device_ip": "10.0.0.7", "device_type": "rtsp"}
CONFIG = json.dumps({"need_face": False, "need_register": False, "event_list": [DEVICE["device_id"]]})
PUSHES_PER_VISIT = 3
RECV_TIMEOUT_S = 5.0
SAMPLE_S = 0.5
SETTLE_S = 2.0
DRAIN_DEADLINE_S = 15.0
FD_SLACK = 5
RSS_BOUND_MB = 20.0
BASE_MS = 1_750_000_000_000


@dataclass
class Tally:
    """What the clients did, and the emulator's descriptors and memory over time."""

    connections: int = 0
    pushes: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    peak_fds: int = 0
    peak_rss_kb: int = 0
    half_rss_kb: int = 0  # at the loop's half-way point: equal to the end means a plateau, not a leak


def open_fds(pid: int) -> int:
    """Open file descriptors of the process."""
    return len(os.listdir(f"/proc/{pid}/fd"))


def rss_kb(pid: int) -> int:
    """Resident set size of the process in kB (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


async def _visit(url: str, tally: Tally) -> None:
    """One client life: connect, configure, take PUSHES_PER_VISIT pushes, disconnect."""
    async with connect(url, open_timeout=RECV_TIMEOUT_S, close_timeout=2, compression=None) as ws:
        tally.connections += 1
        await ws.send(CONFIG)
        for _ in range(PUSHES_PER_VISIT):
            async with asyncio.timeout(RECV_TIMEOUT_S):
                await ws.recv()
            tally.pushes += 1


async def _client(url: str, deadline: float, tally: Tally) -> None:
    """Visit again and again until the deadline; count failures by kind instead of stopping."""
    while time.monotonic() < deadline:
        try:
            await _visit(url, tally)
        except (OSError, TimeoutError, WebSocketException) as exc:
            tally.errors[type(exc).__name__] += 1
            await asyncio.sleep(0.1)


def _publish(emulator: EmulatorProcess, first: int, count: int) -> None:
    events = [
        {"timestamp_ms": BASE_MS + n, "device_id": DEVICE["device_id"], "identity_id": "", "score": 10.0}
        for n in range(first, first + count)
    ]
    emulator.control("events", {"events": events}).raise_for_status()


async def _publisher(emulator: EmulatorProcess, rate: float, done: asyncio.Event, tally: Tally) -> None:
    """Inject `rate` events per second in 10 batches a second until the clients are done."""
    number, per_batch = 0, max(1, round(rate / 10))
    while not done.is_set():
        try:
            await asyncio.to_thread(_publish, emulator, number, per_batch)
        except requests.RequestException as exc:
            tally.errors[f"publish {type(exc).__name__}"] += 1
        number += per_batch
        await asyncio.sleep(0.1)


async def _sampler(pid: int, deadline: float, half_way: float, tally: Tally) -> None:
    while time.monotonic() < deadline:
        tally.peak_fds = max(tally.peak_fds, open_fds(pid))
        tally.peak_rss_kb = max(tally.peak_rss_kb, rss_kb(pid))
        if not tally.half_rss_kb and time.monotonic() >= half_way:
            tally.half_rss_kb = rss_kb(pid)
        await asyncio.sleep(SAMPLE_S)


async def churn(emulator: EmulatorProcess, clients: int, seconds: float, rate: float) -> Tally:
    """Run the clients, the publisher and the sampler until the deadline."""
    tally, done = Tally(), asyncio.Event()
    started = time.monotonic()
    deadline = started + seconds
    publisher = asyncio.create_task(_publisher(emulator, rate, done, tally))
    await asyncio.gather(
        _sampler(emulator.pid, deadline, started + seconds / 2, tally),
        *(_client(emulator.ws_url, deadline, tally) for _ in range(clients)),
    )
    done.set()  # pushes go on until the last visit ended, so no client waits in vain
    await publisher
    return tally


def _ws_clients(emulator: EmulatorProcess) -> int:
    return int(emulator.control("stats").json().get("ws_clients", -1))


def _settle(emulator: EmulatorProcess) -> int:
    """Wait until the server reports no clients (bounded), then a short settle; returns the client count."""
    deadline = time.monotonic() + DRAIN_DEADLINE_S
    while _ws_clients(emulator) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(SETTLE_S)
    return _ws_clients(emulator)


def run(clients: int, seconds: float, rate: float) -> dict[str, Any]:
    """Start the emulator, warm it up, measure before / during / after the churn loop."""
    with tempfile.TemporaryDirectory() as scratch:
        emulator = EmulatorProcess(Path(scratch) / "churn.sqlite3", Path(scratch) / "emulator.log").start()
        try:
            emulator.control("devices", {"devices": [DEVICE]}).raise_for_status()
            warm = asyncio.run(churn(emulator, clients=5, seconds=2.0, rate=rate))
            if not warm.pushes:
                raise RuntimeError(f"warm-up received no pushes (errors: {dict(warm.errors)})")
            _settle(emulator)
            before_fds, before_rss = open_fds(emulator.pid), rss_kb(emulator.pid)
            started = time.monotonic()
            tally = asyncio.run(churn(emulator, clients, seconds, rate))
            loop_s = time.monotonic() - started
            clients_left = _settle(emulator)
            after_fds, after_rss = open_fds(emulator.pid), rss_kb(emulator.pid)
        finally:
            emulator.stop()
    growth_mb = (after_rss - before_rss) / 1024
    return {
        "clients": clients,
        "seconds": round(loop_s, 1),
        "connections": tally.connections,
        "pushes": tally.pushes,
        "errors": sum(tally.errors.values()),
        "error_kinds": dict(tally.errors),
        "fds_before": before_fds,
        "fds_peak": tally.peak_fds,
        "fds_after": after_fds,
        "rss_before_mb": round(before_rss / 1024, 1),
        "rss_half_mb": round(tally.half_rss_kb / 1024, 1),
        "rss_peak_mb": round(tally.peak_rss_kb / 1024, 1),
        "rss_after_mb": round(after_rss / 1024, 1),
        "clients_left": clients_left,
        "passed": after_fds <= before_fds + FD_SLACK and growth_mb < RSS_BOUND_MB and clients_left == 0,
        "loadavg_1m": round(os.getloadavg()[0], 1),  # other work on the machine slows every figure
    }


def main(argv: list[str] | None = None) -> int:
    """Print the figures and the pass line (or one JSON line); exit 1 when the pass criterion fails."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--clients", type=int, default=200, help="concurrent clients (default 200)")
    parser.add_argument("--seconds", type=float, help="length of the loop (default 60, quick 10)")
    parser.add_argument("--rate", type=float, default=20.0, help="events injected per second (default 20)")
    parser.add_argument("--quick", action="store_true", help="a 10 s loop")
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    args = parser.parse_args(argv)
    seconds = args.seconds if args.seconds is not None else (10.0 if args.quick else 60.0)
    if not (0 < args.clients <= 1000 and 0 < seconds <= 600 and 0 < args.rate <= 1000):
        parser.error("need 0 < --clients <= 1000, 0 < --seconds <= 600 and 0 < --rate <= 1000")
    if not os.path.isdir("/proc/self/fd"):
        print("reliability_ws_churn: needs /proc to read descriptors and memory", file=sys.stderr)
        return 2
    try:
        result = run(args.clients, seconds, args.rate)
    except (RuntimeError, requests.RequestException) as exc:
        print(f"reliability_ws_churn: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>14}  {value}")
        print(
            f"pass criterion: fds_after <= fds_before + {FD_SLACK}, RSS growth < {RSS_BOUND_MB:.0f} MB, "
            f"0 clients left -> {'PASS' if result['passed'] else 'FAIL'}"
        )
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
