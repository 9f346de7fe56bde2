"""Receiver under site load, with a process-based load generator so client GIL contention stays out of it.

The receiver runs in its own process (as on a site); the uploaders run in `--processes` processes of a few
threads each. The receiver process times its upload handler (request read, decode, validation, durable
log write), so the table shows server-side latency next to what the clients saw. `--kill-after-logged N`
kills the receiver with SIGKILL mid-load: every upload that got a 200 must still be in the log (on disk
before its 200).

Run: .venv/bin/python benchmarks/reliability_receiver_load.py [--quick] [--kill-after-logged 500] [--json]
"""

from __future__ import annotations

import argparse
import base64
import json
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

TIMEOUT = (5.0, 30.0)
PICTURE = base64.b64encode(os.urandom(200 * 1024)).decode("ascii")
URL_LINE = re.compile(r"receiving uploads at (http://\S+)")
START_DEADLINE_S = 30.0


def upload_payload(uploader: int, number: int, picture_every: int) -> dict[str, Any]:
    """One seed-003 upload; every `picture_every`-th carries a 200 KB base64 picture (0: none)."""
    payload: dict[str, Any] = {
        "identity_id": f"{uploader}-{number}",
        "identity_name": "load",
        "identity_info": {"face_ids": [], "image_id": ""},
        "timestamp": 1565771454932 + number,
        "score": 0.9,
        "want_action": "0",
        "person_type": 1,
        "out_timestamp": 1565771454932 + number,
        "ep_info": {
            "ep_id": "e",
            "ep_type": "rtsp",
            "ep_ip": "127.0.0.1",
            "ep_name": "cam",
            "device_id": "d",
        },
        "dev_sno": "",
        "api_version": "1.0",
    }
    if picture_every and number % picture_every == 0:
        payload["spot_pic"] = PICTURE
    return payload


# -- the receiver process ------------------------------------------------------------------------


def serve(log_path: str, timings_path: str, profile: str) -> int:
    """Child mode: the receiver with a timed upload handler; SIGTERM stops it and writes the timings."""
    from conformance.receiver import app as receiver_app
    from conformance.receiver.config import ReceiverConfig
    from conformance.receiver.server import start_receiver_thread

    handler_s: list[float] = []
    original: Callable[..., Any] = receiver_app.receive_upload

    async def timed(request: Any) -> Any:
        started = time.perf_counter()
        response = await original(request)
        handler_s.append(time.perf_counter() - started)
        return response

    receiver_app.receive_upload = timed  # create_app reads the module global
    config = ReceiverConfig(port=0, log_path=Path(log_path), profile=None if profile == "none" else profile)
    running = start_receiver_thread(config)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(f"receiving uploads at {running.url}", flush=True)
    stop.wait()
    running.stop()
    Path(timings_path).write_text(json.dumps(handler_s), encoding="ascii")
    return 0


def _start_receiver(log_path: Path, timings_path: Path, profile: str) -> tuple[subprocess.Popen[str], str]:
    argv = [sys.executable, __file__, "--serve", str(log_path), str(timings_path), "--profile", profile]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    deadline = time.monotonic() + START_DEADLINE_S
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        match = URL_LINE.search(line)
        if match:
            return process, match.group(1)
        if not line and process.poll() is not None:
            break
    process.kill()
    raise RuntimeError("receiver did not start")


# -- the load processes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Pace:
    """How each uploader sends: every Nth upload with a picture; one per interval (0: back to back)."""

    picture_every: int
    interval_s: float


def _uploader(url: str, uploader: int, uploads: int, pace: Pace, out: list[tuple[Any, ...]]) -> None:
    """Upload back to back (interval 0: a closed loop, measures capacity) or one per interval (site pace)."""
    with requests.Session() as session:
        session.trust_env = False
        interval_s = pace.interval_s
        first = time.perf_counter() + interval_s * (uploader % 10) / 10  # spread the starts
        for number in range(uploads):
            pause = first + number * interval_s - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            started = time.perf_counter()
            try:
                response = session.post(
                    url, json=upload_payload(uploader, number, pace.picture_every), timeout=TIMEOUT
                )
                status = response.status_code
            except requests.RequestException:
                status = 0
            out.append((f"{uploader}-{number}", status, time.perf_counter() - started))


def _load_process(url: str, first: int, shape: tuple[int, int], pace: Pace, queue: Any) -> None:
    """One load process: `shape` = (threads, uploads per thread); results go back through the queue."""
    threads, uploads = shape
    results: list[tuple[Any, ...]] = []
    workers = [
        threading.Thread(target=_uploader, args=(url, first + i, uploads, pace, results))
        for i in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    queue.put(results)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000 if ordered else float("nan")


def _logged_ids(log_path: Path) -> dict[str, int]:
    seen: dict[str, int] = {}
    if not log_path.exists():
        return seen
    for line in log_path.read_text(encoding="utf-8").splitlines():
        payload = json.loads(line).get("payload") or {}
        key = str(payload.get("identity_id"))
        seen[key] = seen.get(key, 0) + 1
    return seen


def _wait_for_lines(path: Path, count: int, deadline: float) -> None:
    """Poll until the log holds `count` lines (the receiver is mid-load), or the deadline passes."""
    while time.monotonic() < deadline:
        with path.open("rb") if path.exists() else open(os.devnull, "rb") as handle:
            if sum(1 for _ in handle) >= count:
                return
        time.sleep(0.01)


def run_load(args: argparse.Namespace) -> dict[str, Any]:
    """Start the receiver, drive the load (killing the receiver when asked), audit the log."""
    with tempfile.TemporaryDirectory() as scratch:
        log_path, timings_path = Path(scratch) / "uploads.jsonl", Path(scratch) / "timings.json"
        receiver, url = _start_receiver(log_path, timings_path, args.profile)
        context = multiprocessing.get_context("spawn")
        queue = context.Queue()
        per_process = max(1, args.uploaders // args.processes)
        pace = Pace(args.picture_every, args.interval_s)
        processes = [
            context.Process(
                target=_load_process,
                args=(url, p * per_process, (per_process, args.uploads), pace, queue),
            )
            for p in range(args.processes)
        ]
        started = time.perf_counter()
        for process in processes:
            process.start()
        killed = False
        if args.kill_after_logged:
            _wait_for_lines(log_path, args.kill_after_logged, deadline=time.monotonic() + 120)
            receiver.send_signal(signal.SIGKILL)
            killed = True
        results = [row for _ in processes for row in queue.get(timeout=600)]
        wall = time.perf_counter() - started
        for process in processes:
            process.join(30)
        if not killed:
            receiver.send_signal(signal.SIGTERM)
        receiver.wait(30)
        handler = json.loads(timings_path.read_text(encoding="ascii")) if timings_path.exists() else []
        logged = _logged_ids(log_path)
    acked = {key for key, status, _ in results if status == 200}
    latencies = [elapsed for _, status, elapsed in results if status == 200]
    return {
        "uploaders": per_process * args.processes,
        "interval_s": args.interval_s,
        "processes": args.processes,
        "uploads": len(results),
        "acknowledged": len(acked),
        "refused_or_failed": len(results) - len(acked),
        "lost": len(acked - set(logged)),
        "duplicated": sum(count - 1 for count in logged.values() if count > 1),
        "killed": killed,
        "client_p50_ms": round(_percentile(latencies, 0.50), 1),
        "client_p99_ms": round(_percentile(latencies, 0.99), 1),
        "server_p50_ms": round(_percentile(handler, 0.50), 1),
        "server_p99_ms": round(_percentile(handler, 0.99), 1),
        "uploads_per_s": round(len(results) / wall, 0),
        "loadavg_1m": round(os.getloadavg()[0], 1),  # other work on the machine inflates every figure
    }


def main(argv: list[str] | None = None) -> int:
    """Print a table (or one JSON line); exit 1 when an acknowledged upload was lost or duplicated."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--serve", nargs=2, metavar=("LOG", "TIMINGS"), help=argparse.SUPPRESS)
    parser.add_argument("--uploaders", type=int, help="concurrent uploaders (default 100, quick 20)")
    parser.add_argument("--uploads", type=int, help="uploads per uploader (default 100, quick 10)")
    parser.add_argument("--processes", type=int, help="load-generator processes (default 10, quick 4)")
    parser.add_argument("--picture-every", type=int, default=10, help="every Nth upload carries 200 KB")
    parser.add_argument(
        "--interval-s",
        type=float,
        default=0.0,
        help="each uploader sends one upload per interval (0: back to back)",
    )
    parser.add_argument(
        "--kill-after-logged", type=int, default=0, help="SIGKILL the receiver once N uploads are logged"
    )
    parser.add_argument("--profile", default="strict", choices=["strict", "lenient", "none"])
    parser.add_argument("--quick", action="store_true", help="20 uploaders x 10 uploads in 4 processes")
    parser.add_argument("--json", action="store_true", help="print one JSON line instead of a table")
    args = parser.parse_args(argv)
    if args.serve:
        return serve(args.serve[0], args.serve[1], args.profile)
    for name, full, quick in (("uploaders", 100, 20), ("uploads", 100, 10), ("processes", 10, 4)):
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else full)
    result = run_load(args)
    if args.json:
        print(json.dumps(result))
    else:
        print(" ".join(f"{key:>{max(len(key), 6)}}" for key in result))
        print(" ".join(f"{value!s:>{max(len(key), 6)}}" for key, value in result.items()))
    return 1 if result["lost"] or result["duplicated"] else 0


if __name__ == "__main__":
    sys.exit(main())
