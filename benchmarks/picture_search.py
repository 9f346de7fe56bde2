"""Picture search speed: server-measured total_time over N candidates (target p50 ≤ 50 ms at 50,000)."""

from __future__ import annotations

import argparse
import base64
import statistics
import tempfile
import threading
import time
from pathlib import Path

import requests
import uvicorn
from starlette.applications import Starlette

from conformance.emulator.clock import ClockMode, ClockSetting, EmulatorClock
from conformance.emulator.faces import feature_for, render_face_jpeg
from conformance.emulator.faults import REGISTRY, FaultSwitchboard
from conformance.emulator.model import DeviceRecord, EventRecord
from conformance.emulator.routes_picture_search import PATH, ROUTES
from conformance.emulator.store import Store

NOW_MS = 1_700_000_000_000
CAMERA = DeviceRecord("bench-cam", "bench", "10.0.0.1", "rtsp")


def seed_store(store: Store, count: int, identities: int) -> None:
    """`count` events spread over the last 23 hours, faces drawn from `identities` people."""
    step = max(1, 23 * 3_600_000 // count)
    batch: list[EventRecord] = []
    for i in range(count):
        seed, variant = i % identities, i // identities
        batch.append(
            EventRecord(
                event_id=f"bench-{i:07d}",
                ts_ms=NOW_MS - i * step,
                device=CAMERA,
                identity=None,
                person_type=4,
                score=10.0,
                face_seed=seed,
                face_variant=variant,
                feature=feature_for(seed, variant),
            )
        )
        if len(batch) == 10_000:
            store.insert_events(batch)
            batch = []
    store.insert_events(batch)


def serve(store: Store) -> tuple[uvicorn.Server, str]:
    """The picture search route on 127.0.0.1, a free port, in a thread."""
    app = Starlette(routes=ROUTES)
    app.state.store = store
    app.state.clock = EmulatorClock(ClockSetting(ClockMode.FROZEN, now_ms=NOW_MS))
    app.state.faults = FaultSwitchboard(REGISTRY)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    return server, f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}{PATH}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--identities", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.sqlite3")
        started = time.perf_counter()
        seed_store(store, args.events, args.identities)
        print(f"seeded {args.events} events in {time.perf_counter() - started:.1f} s")
        server, url = serve(store)
        body = {"face_image_base64": base64.b64encode(render_face_jpeg(7, 99)).decode()}
        server_times, wall_times, results = [], [], 0
        for _ in range(args.runs):
            t0 = time.perf_counter()
            answer = requests.post(url, json=body, timeout=120).json()
            wall_times.append(time.perf_counter() - t0)
            server_times.append(answer["total_time"])
            results = len(answer["event_list"])
        server.should_exit = True
        store.close()

    def pct(values: list[float], q: int) -> float:
        return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000

    print()
    print("| candidates | results | runs | total_time p50 ms | total_time p95 ms | client p50 ms | target |")
    print("|---|---|---|---|---|---|---|")
    server_p50, server_p95 = pct(server_times, 50), pct(server_times, 95)
    print(
        f"| {args.events} | {results} | {args.runs} | {server_p50:.1f} | {server_p95:.1f}"
        f" | {pct(wall_times, 50):.1f} | p50 ≤ 50 ms |"
    )


if __name__ == "__main__":
    main()
