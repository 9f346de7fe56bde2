"""Measure the emulator's query and injection speed over N stored events; prints a markdown table.

Usage: .venv/bin/python benchmarks/emulator_queries.py [--events 1000000] [--db PATH] [--repeat 30]
Seeding a million events takes a few minutes; pass --db to keep and reuse the seeded database.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import requests

from conformance.emulator.server import EmulatorConfig, start_emulator_thread

START_MS = 1_600_000_000_000
STEP_MS = 1_000  # one event per second: 1M events span ~11.6 days
DAY_MS = 86_400_000
TIMEOUT = 600


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _timed(call: Callable[[], requests.Response], repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = call()
        samples.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def _seed(session: requests.Session, control: str, count: int) -> float:
    devices = [
        {"device_id": f"bench-cam-{n}", "device_name": f"cam {n}", "device_type": "rtsp"} for n in range(8)
    ]
    session.post(f"{control}/devices", json={"devices": devices}, timeout=TIMEOUT).raise_for_status()
    identities = [
        {"identity_id": f"bench-id-{n}", "name": f"Person {n:05d} {'Zhang' if n % 20 == 0 else 'Li'}"}
        for n in range(2000)
    ]
    session.post(f"{control}/identities", json={"identities": identities}, timeout=TIMEOUT).raise_for_status()
    started = time.perf_counter()
    body = {"count": count, "seed": 7, "start_ms": START_MS, "step_ms": STEP_MS, "stranger_ratio": 0.3}
    session.post(f"{control}/events/generate", json=body, timeout=3600).raise_for_status()
    return time.perf_counter() - started


def _bulk_injection(session: requests.Session, control: str, batches: int = 4, size: int = 5000) -> float:
    total, elapsed = 0, 0.0
    for b in range(batches):
        events = [
            {"device_id": f"bench-cam-{n % 8}", "identity_id": f"bench-id-{n % 2000}", "score": 90,
             "timestamp_ms": START_MS - (b * size + n + 1) * 10}
            for n in range(size)
        ]  # fmt: skip
        started = time.perf_counter()
        session.post(f"{control}/events", json={"events": events}, timeout=TIMEOUT).raise_for_status()
        elapsed += time.perf_counter() - started
        total += size
    return total / elapsed


def main() -> None:
    """Seed (unless the database already holds enough events), measure, print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--db", default=None, help="database file (kept; reused when it already has events)")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    db = Path(args.db) if args.db else Path(tempfile.mkdtemp()) / "bench.sqlite3"
    running = start_emulator_thread(
        EmulatorConfig(http_port=0, ws_port=0, version_port=-1, db_path=db, control=True)
    )
    session = requests.Session()
    control, url = running.control_url, running.http_url
    try:
        stored = session.get(f"{control}/stats", timeout=TIMEOUT).json()["events"]
        seed_s = _seed(session, control, args.events) if stored < args.events else float("nan")
        stored = session.get(f"{control}/stats", timeout=TIMEOUT).json()["events"]
        v2, v1 = f"{url}/sophon/v2/face/getevents", f"{url}/SophonFace/api/events"
        last_v2 = (stored - 1) // 10
        mid_ms = START_MS + (args.events // 2) * STEP_MS
        queries: list[tuple[str, str, Callable[[], requests.Response]]] = [
            ("v2 first page + total_count", "≤ 15", lambda: session.post(v2, json={}, timeout=TIMEOUT)),
            ("v1 first page + total_count", "≤ 15", lambda: session.get(v1, timeout=TIMEOUT)),
            (
                "v2 last page",
                "≤ 150",
                lambda: session.post(v2, json={"page_index": last_v2}, timeout=TIMEOUT),
            ),
            ("v1 last page", "≤ 150", lambda: session.get(v1, params={"page": last_v2}, timeout=TIMEOUT)),
            (
                "v2 time range (1 day) + device",
                "≤ 25",
                lambda: session.post(
                    v2,
                    json={
                        "filters": {
                            "datetime_gte": mid_ms,
                            "datetime_lte": mid_ms + DAY_MS,
                            "media_device_ids": ["bench-cam-3"],
                        }
                    },
                    timeout=TIMEOUT,
                ),
            ),
            (
                "v1 time range (1 day) + device",
                "≤ 25",
                lambda: session.get(
                    v1,
                    params={
                        "datetime_gte": mid_ms / 1000,
                        "datetime_lte": (mid_ms + DAY_MS) / 1000,
                        "streams": "bench-cam-3",
                    },
                    timeout=TIMEOUT,
                ),
            ),
            (
                "v2 fuzzy name",
                "≤ 100",
                lambda: session.post(v2, json={"filters": {"identity_name": "Zhang"}}, timeout=TIMEOUT),
            ),
            ("v1 fuzzy name", "≤ 100", lambda: session.get(v1, params={"name": "Zhang"}, timeout=TIMEOUT)),
        ]
        rows: list[tuple[str, ...]] = []
        for name, target, call in queries:
            p50, p95 = _timed(call, args.repeat)
            rows.append((name, f"{p50:.1f}", f"{p95:.1f}", target))
        rate = _bulk_injection(session, control)
        rss = _rss_mb()
    finally:
        running.stop()
    print(f"Events stored: {stored:,}; seeding: {seed_s:.0f} s; repeats per query: {args.repeat}\n")
    print("| measurement | p50 ms | p95 ms | target |")
    print("|---|---:|---:|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(
        f"| bulk injection, POST /_emulator/events (4 x 5,000) | {rate:,.0f} events/s | | ≥ 5,000 events/s |"
    )
    print(f"| resident memory of the emulator process (VmRSS) | {rss:,.0f} MB | | ≤ 500 MB |")


if __name__ == "__main__":
    main()
