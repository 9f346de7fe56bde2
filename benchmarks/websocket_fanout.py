"""WebSocket fan-out: C clients (another process), R events/s for S seconds, no pictures.

Target (emulator issue): 50 clients, 200 events/s for 10 s; every event reaches exactly the clients
whose event_list names its device; p99 latency (publish → client receive) <= 100 ms. Prints a
table; exits 1 when an event is missing, duplicated or misrouted, or p99 misses the target.

    .venv/bin/python benchmarks/websocket_fanout.py --clients 50 --rate 200 --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import time
from collections import defaultdict

from conformance.emulator.model import DeviceRecord, EventRecord
from conformance.emulator.render_ws import EventRecordWsRenderer
from conformance.emulator.websocket_server import WsThread

P99_TARGET_MS = 100.0
DEVICES = [DeviceRecord(f"dev-{n:02d}", f"cam{n}", f"10.0.0.{n}", "rtsp", "3") for n in range(10)]
SETTLE_S = 3.0


def subscriptions(clients: int, seed: int) -> list[list[str]]:
    """Each client follows 1-4 devices, chosen reproducibly."""
    rng = random.Random(seed)
    return [sorted(rng.sample([d.device_id for d in DEVICES], rng.randint(1, 4))) for _ in range(clients)]


async def _client_main(url: str, event_lists: list[list[str]]) -> None:
    from websockets.asyncio.client import connect

    received: list[tuple[int, str, int]] = []

    async def one(index: int, event_list: list[str]) -> None:
        async with connect(url, compression=None, ping_interval=None, max_size=None) as ws:
            await ws.send(json.dumps({"need_face": False, "need_register": False, "event_list": event_list}))
            async for message in ws:
                received.append((index, json.loads(message)["event_id"], time.time_ns()))

    tasks = [asyncio.create_task(one(i, e)) for i, e in enumerate(event_lists)]
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # EOF = dump and leave
    for task in tasks:
        task.cancel()
    sys.stdout.write(json.dumps(received))
    sys.stdout.flush()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def run(clients: int, rate: int, seconds: float, seed: int) -> int:
    event_lists = subscriptions(clients, seed)
    push: WsThread[EventRecord] = WsThread(EventRecordWsRenderer()).start()
    process = subprocess.Popen(
        [sys.executable, __file__, "--client-process", push.url, json.dumps(event_lists)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while push.call(lambda: push.server.stats.frames_received) < clients:
            if time.monotonic() > deadline:
                raise SystemExit("clients did not configure in 30 s")
            time.sleep(0.05)
        rng = random.Random(seed + 1)
        published: dict[str, tuple[int, str]] = {}
        total = int(rate * seconds)
        start = time.perf_counter()
        for n in range(total):
            due = start + n / rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            device = rng.choice(DEVICES)
            record = EventRecord(f"e{n}", 1_700_000_000_000 + n, device, None, 4, 0.5, n % 97, 0)
            published[record.event_id] = (time.time_ns(), device.device_id)
            push.publish([record])
        send_s = time.perf_counter() - start
        time.sleep(SETTLE_S)
        out, _ = process.communicate("", timeout=60)
    finally:
        process.kill()
        push.stop()
    received = json.loads(out)
    got: dict[str, list[int]] = defaultdict(list)
    latencies: list[float] = []
    for index, event_id, recv_ns in received:
        got[event_id].append(index)
        latencies.append((recv_ns - published[event_id][0]) / 1e6)
    expected = {
        e: sorted(i for i, lst in enumerate(event_lists) if d in lst) for e, (_, d) in published.items()
    }
    wrong = sum(1 for e in published if sorted(got.get(e, [])) != expected[e])
    deliveries = sum(len(v) for v in expected.values())
    p50, p99, worst = percentile(latencies, 0.5), percentile(latencies, 0.99), max(latencies, default=0.0)
    print(
        f"{'clients':>7} {'ev/s':>5} {'secs':>5} {'events':>6} {'deliveries':>10} {'received':>8} "
        f"{'wrong':>5} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7}"
    )
    print(
        f"{clients:>7} {total / send_s:>5.0f} {send_s:>5.1f} {total:>6} {deliveries:>10} {len(received):>8} "
        f"{wrong:>5} {p50:>7.1f} {p99:>7.1f} {worst:>7.1f}"
    )
    ok = wrong == 0 and len(received) == deliveries and p99 <= P99_TARGET_MS
    print(f"target: wrong 0, p99 <= {P99_TARGET_MS:.0f} ms -> {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--client-process":
        asyncio.run(_client_main(sys.argv[2], json.loads(sys.argv[3])))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    return run(args.clients, args.rate, args.seconds, args.seed)


if __name__ == "__main__":
    raise SystemExit(main())
