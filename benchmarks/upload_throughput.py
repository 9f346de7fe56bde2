"""Upload throughput: N stored events (no pictures) POSTed to a local receiver in another process.

Target (emulator issue): >= 500 events/s, no loss. Prints a table; exits 1 when the target is missed
or an event is lost or duplicated.

    .venv/bin/python benchmarks/upload_throughput.py --events 5000 --concurrency 4
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from conformance.emulator.history_config import SETTINGS_KEY, HistoryUploadConfig
from conformance.emulator.model import DeviceRecord, EventRecord
from conformance.emulator.store.database import Store
from conformance.emulator.uploader import Uploader

TARGET_EVENTS_PER_S = 500.0
DEVICE = DeviceRecord("bench-device", "bench", "127.0.0.1", "rtsp", "3")

# A keep-alive HTTP/1.1 receiver that counts bodies by their timestamp; prints its port, then on
# stdin EOF prints the JSON list of timestamps it received.
RECEIVER = r"""
import json, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
seen = []
lock = threading.Lock()
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        stamp = json.loads(body)["timestamp"]
        with lock:
            seen.append(stamp)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a):
        pass
server = ThreadingHTTPServer(("127.0.0.1", 0), H)
server.daemon_threads = True
threading.Thread(target=server.serve_forever, daemon=True).start()
print(server.server_address[1], flush=True)
sys.stdin.read()
print(json.dumps(seen), flush=True)
"""


def fill_store(store: Store, count: int) -> list[int]:
    store.upsert_devices([DEVICE])
    stamps = [1_700_000_000_000 + i for i in range(count)]
    batch = 1000
    for start in range(0, count, batch):
        store.insert_events(
            [
                EventRecord(f"b{ms}", ms, DEVICE, None, 4, 0.5, i % 50, 0)
                for i, ms in enumerate(stamps[start : start + batch])
            ]
        )
    return stamps


def run(events: int, concurrency: int) -> int:
    receiver = subprocess.Popen(
        [sys.executable, "-c", RECEIVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert receiver.stdout is not None and receiver.stdin is not None
    port = int(receiver.stdout.readline())
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.sqlite3")
        stamps = fill_store(store, events)
        config = HistoryUploadConfig(
            history_upload_event_url=[f"http://127.0.0.1:{port}/HistoryEvent"],
            history_need_reg_pic=False,
            history_need_spot_pic=False,
            history_need_recognize_face=False,
        )
        store.settings_set(SETTINGS_KEY, config.as_json())
        uploader = Uploader(store, concurrency=concurrency, poll_interval_s=0.05)
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_until_complete, args=(uploader.run(),))
        started = time.perf_counter()
        thread.start()
        while store.upload_counts()["sent"] < events:
            time.sleep(0.05)
            if time.perf_counter() - started > 600:
                break
        elapsed = time.perf_counter() - started
        loop.call_soon_threadsafe(uploader.stop)
        thread.join()
        uploader.close()
        loop.close()
        counts = store.upload_counts()
        store.close()
    out, _ = receiver.communicate("", timeout=30)
    seen = json.loads(out.strip().splitlines()[-1])
    rate = events / elapsed
    lost = len(set(stamps) - set(seen))
    duplicates = len(seen) - len(set(seen))
    header = ("events", "concurrency", "seconds", "events/s", "lost", "dupes", "target")
    row = (
        events,
        concurrency,
        f"{elapsed:.2f}",
        f"{rate:.0f}",
        lost,
        duplicates,
        f"{TARGET_EVENTS_PER_S:.0f}",
    )
    print(" ".join(f"{h:>11}" for h in header))
    print(" ".join(f"{v:>11}" for v in row))
    print(f"queue after the run: {counts}")
    ok = rate >= TARGET_EVENTS_PER_S and lost == 0 and duplicates == 0
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    return run(args.events, args.concurrency)


if __name__ == "__main__":
    raise SystemExit(main())
