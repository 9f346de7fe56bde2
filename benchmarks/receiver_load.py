"""Load the receiver over loopback: N concurrent uploaders x M uploads, a tenth with 200 KB pictures.

Prints latency percentiles and checks the log afterwards: every acknowledged upload present exactly once.
Run: .venv/bin/python benchmarks/receiver_load.py [--uploaders 100] [--uploads 100] [--small]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from reliability_receiver_load import upload_payload  # the same seed-003 upload as the reliability run

from conformance.receiver.config import ReceiverConfig
from conformance.receiver.server import start_receiver_thread
from conformance.receiver.validation import UploadJudge, catalog_judge, no_validation

PICTURE_EVERY = 10  # a tenth of the uploads carry a 200 KB picture
TIMEOUT = (5.0, 30.0)


def _uploader(url: str, worker: int, count: int, latencies: list[float], failures: list[str]) -> None:
    session = requests.Session()
    session.trust_env = False
    for number in range(count):
        started = time.perf_counter()
        try:
            response = session.post(url, json=upload_payload(worker, number, PICTURE_EVERY), timeout=TIMEOUT)
            ok = response.status_code == 200
            detail = f"status {response.status_code}"
        except requests.RequestException as exc:
            ok, detail = False, type(exc).__name__
        elapsed = time.perf_counter() - started
        if ok:
            latencies.append(elapsed)
        else:
            failures.append(f"{worker}-{number}: {detail}")
    session.close()


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def _audit(log_path: Path, expected: int) -> tuple[int, int]:
    """(lost, duplicated) identity ids in the log."""
    seen: dict[str, int] = {}
    with log_path.open(encoding="ascii") as handle:
        for line in handle:
            payload = json.loads(line).get("payload") or {}
            key = str(payload.get("identity_id"))
            seen[key] = seen.get(key, 0) + 1
    duplicated = sum(count - 1 for count in seen.values() if count > 1)
    return expected - len(seen), duplicated


def _judge(profile: str) -> UploadJudge:
    if profile == "none":
        return no_validation()
    try:
        return catalog_judge(profile)
    except RuntimeError as exc:
        print(f"note: {exc}; running without schema validation", file=sys.stderr)
        return no_validation()


def main(argv: list[str] | None = None) -> int:
    """Run the load and print a table; exit 1 when uploads were lost, duplicated or refused."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--uploaders", type=int, default=100)
    parser.add_argument("--uploads", type=int, default=100, help="uploads per uploader")
    parser.add_argument("--small", action="store_true", help="10 uploaders x 20 uploads, a quick check")
    parser.add_argument("--profile", default="strict", choices=["strict", "lenient", "none"])
    args = parser.parse_args(argv)
    uploaders, uploads = (10, 20) if args.small else (args.uploaders, args.uploads)
    with tempfile.TemporaryDirectory() as scratch:
        log_path = Path(scratch) / "uploads.jsonl"
        config = ReceiverConfig(
            port=0, log_path=log_path, profile=None if args.profile == "none" else args.profile
        )
        running = start_receiver_thread(config, judge=_judge(args.profile))
        latencies: list[float] = []
        failures: list[str] = []
        threads = [
            threading.Thread(target=_uploader, args=(running.url, worker, uploads, latencies, failures))
            for worker in range(uploaders)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        stats = requests.get(f"{running.base_url}/_receiver/stats", timeout=TIMEOUT).json()
        running.stop()
        lost, duplicated = _audit(log_path, uploaders * uploads)
    total = uploaders * uploads
    print(
        f"{'uploaders':>10} {'uploads':>8} {'ok':>6} {'refused':>8} {'lost':>5} {'dup':>4} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'mean ms':>8} {'req/s':>7} {'fsyncs':>7}"
    )
    print(
        f"{uploaders:>10} {total:>8} {len(latencies):>6} {len(failures):>8} {lost:>5} {duplicated:>4} "
        f"{_percentile(latencies, 0.50) * 1000:>8.1f} {_percentile(latencies, 0.99) * 1000:>8.1f} "
        f"{max(latencies, default=float('nan')) * 1000:>8.1f} "
        f"{statistics.fmean(latencies) * 1000 if latencies else float('nan'):>8.1f} "
        f"{total / wall:>7.0f} {stats['fsyncs']:>7}"
    )
    for failure in failures[:10]:
        print(f"refused: {failure}")
    return 1 if lost or duplicated or failures else 0


if __name__ == "__main__":
    sys.exit(main())
