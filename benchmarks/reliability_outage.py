"""Emulator outages at full size: receiver down 30 s while 1,000 events go in; kill -9 mid-injection.

Both the emulator (`sophon-conformance emulator --control`) and the receiver (`sophon-conformance
receiver`) run as their own processes on loopback. Uploads carry no event id, so every event gets a
unique ms timestamp and the receiver's log is audited by timestamp: `lost` counts events that never
arrived, `dup` the extra copies (at-least-once delivery allows them).

- outage: uploads point at the receiver; the receiver is stopped, 1,000 events are injected over the
  first two thirds of a 30 s outage, the receiver comes back on the same port. `delivery s` is the time
  from its return until the last event arrived (the uploader's backoff is capped at 30 s).
- kill -9: events are injected in batches of 20 while the receiver is up; once half are acknowledged
  the emulator gets SIGKILL mid-batch and is restarted on the same database. Every acknowledged event
  must answer `getevent` and be uploaded; `delivery s` is counted from the restart.

Run: .venv/bin/python benchmarks/reliability_outage.py [--quick] [--only outage|kill] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import requests

from conformance.paths import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT))  # the emulator process and the log audit are shared with the tests
from tests.reliability.emulator_process import EmulatorProcess
from tests.reliability.upload_audit import (
    DEVICE,
    event,
    free_port,
    point_uploads_at,
    timestamp_of,
    uploaded_timestamps,
    wait_for_uploads,
)

START_DEADLINE_S = 30.0
DELIVERY_DEADLINE_S = 150.0  # hard bound on each wait for uploads
STALL_S = 45.0  # the uploader's backoff is capped at 30 s: 45 s with nothing new means it gave up
SETTLE_S = 3.0  # after full delivery, wait this long to count late duplicates
ACK_DEADLINE_S = 120.0
BATCH = 20
RECEIVING = re.compile(r"receiving uploads at (http://\S+)")


@dataclass(frozen=True)
class Size:
    """How big a run is: outage length, events injected, acknowledged events before the kill."""

    outage_s: float
    events: int
    kill_after: int
    pictures: bool = True


FULL = Size(outage_s=30.0, events=1000, kill_after=500)
QUICK = Size(outage_s=5.0, events=200, kill_after=100)


class ReceiverProcess:
    """`sophon-conformance receiver` in its own process on a fixed port, so it can come back on it."""

    def __init__(self, port: int, log_path: Path, output_path: Path) -> None:
        self.port = port
        self.log_path = log_path
        self.output_path = output_path
        self.url = ""
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> ReceiverProcess:
        """Start and wait for its 'receiving uploads at' line; RuntimeError with its output otherwise."""
        argv = [
            sys.executable,
            "-m",
            "conformance",
            "receiver",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
        ]
        argv += ["--log", str(self.log_path), "--profile", "none"]
        before = self._announcements()
        with self.output_path.open("ab") as output:
            self._process = subprocess.Popen(argv, cwd=PROJECT_ROOT, stdout=output, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_DEADLINE_S
        while time.monotonic() < deadline and self._process.poll() is None:
            found = RECEIVING.findall(self._output())
            if len(found) > before:
                self.url = found[-1]
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"receiver did not start:\n{self._output()[-2000:]}")

    def _output(self) -> str:
        if not self.output_path.exists():
            return ""
        return self.output_path.read_text(encoding="utf-8", errors="replace")

    def _announcements(self) -> int:
        return len(RECEIVING.findall(self._output()))

    def stop(self) -> None:
        """SIGTERM and wait; SIGKILL when it does not stop in time."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(10)


def _emulator(scratch: Path, name: str) -> EmulatorProcess:
    emulator = EmulatorProcess(scratch / f"{name}.sqlite3", scratch / f"{name}-emulator.log").start()
    answer = emulator.control("devices", {"devices": [DEVICE]})
    if answer.status_code != 200:
        emulator.stop()
        raise RuntimeError(f"devices refused: {answer.status_code} {answer.text[:300]}")
    return emulator


def _inject(emulator: EmulatorProcess, numbers: range, spread_s: float, acknowledged: list[str]) -> None:
    """Post events in batches, paced over spread_s; acknowledged ids are appended as answers come back.

    Stops at the first batch that is not acknowledged (the emulator was killed mid-request).
    """
    batches = [numbers[i : i + BATCH] for i in range(0, len(numbers), BATCH)]
    started = time.monotonic()
    for index, batch in enumerate(batches):
        pause = started + spread_s * index / len(batches) - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        try:
            answer = emulator.control("events", {"events": [event(n) for n in batch]})
        except requests.RequestException:
            return
        if answer.status_code != 200:
            return
        acknowledged.extend(answer.json()["event_ids"])


def _row(scenario: str, size: Size, acknowledged: list[str], log_path: Path) -> dict[str, Any]:
    wanted = {timestamp_of(event_id) for event_id in acknowledged}
    seen = uploaded_timestamps(log_path)
    return {
        "scenario": scenario,
        "events": size.events,
        "acknowledged": len(acknowledged),
        "arrived": len(wanted & set(seen)),
        "lost": len(wanted - set(seen)),
        "dup": sum(count - 1 for count in seen.values() if count > 1),
    }


def receiver_outage(size: Size, scratch: Path) -> dict[str, Any]:
    """Stop the receiver, inject during the outage, bring it back; audit delivery."""
    log_path = scratch / "outage-uploads.jsonl"
    receiver = ReceiverProcess(free_port(), log_path, scratch / "outage-receiver.out").start()
    emulator = _emulator(scratch, "outage")
    acknowledged: list[str] = []
    try:
        point_uploads_at(emulator, receiver.url, size.pictures)
        receiver.stop()
        down_at = time.monotonic()
        _inject(emulator, range(size.events), size.outage_s * 2 / 3, acknowledged)
        time.sleep(max(0.0, size.outage_s - (time.monotonic() - down_at)))
        down_s = time.monotonic() - down_at
        failed_attempts = emulator.control("stats").json().get("upload_failed_attempts")
        receiver.start()
        wanted = {timestamp_of(event_id) for event_id in acknowledged}
        delivery = wait_for_uploads(log_path, wanted, DELIVERY_DEADLINE_S, STALL_S)
        time.sleep(SETTLE_S)
    finally:
        emulator.stop()
        receiver.stop()
    row = _row("receiver down", size, acknowledged, log_path)
    row.update(down_s=round(down_s, 1), failed_attempts=failed_attempts)
    row["delivery_s"] = None if delivery.complete_after_s is None else round(delivery.complete_after_s, 1)
    return row


def kill_mid_injection(size: Size, scratch: Path) -> dict[str, Any]:
    """SIGKILL the emulator mid-batch; restart it on the same database; audit queries and uploads."""
    log_path = scratch / "kill-uploads.jsonl"
    receiver = ReceiverProcess(free_port(), log_path, scratch / "kill-receiver.out").start()
    emulator = _emulator(scratch, "kill")
    acknowledged: list[str] = []
    restarted: EmulatorProcess | None = None
    try:
        point_uploads_at(emulator, receiver.url, size.pictures)
        injector = threading.Thread(target=_inject, args=(emulator, range(size.events), 0.0, acknowledged))
        injector.start()
        deadline = time.monotonic() + ACK_DEADLINE_S
        while len(acknowledged) < size.kill_after and injector.is_alive() and time.monotonic() < deadline:
            time.sleep(0.005)
        emulator.kill()
        killed_at = time.monotonic()
        injector.join(30)
        restarted = EmulatorProcess(emulator.db_path, emulator.log_path).start()
        restart_s = time.monotonic() - killed_at
        queryable = sum(
            restarted.post("/sophon/v2/face/getevent", {"event_id": event_id}).status_code == 200
            for event_id in acknowledged
        )
        wanted = {timestamp_of(event_id) for event_id in acknowledged}
        delivery = wait_for_uploads(log_path, wanted, DELIVERY_DEADLINE_S, STALL_S)
        time.sleep(SETTLE_S)
    finally:
        if restarted is not None:
            restarted.stop()
        emulator.stop()
        receiver.stop()
    row = _row("emulator kill -9", size, acknowledged, log_path)
    row.update(queryable=queryable, restart_s=round(restart_s, 1))
    row["delivery_s"] = None if delivery.complete_after_s is None else round(delivery.complete_after_s, 1)
    return row


COLUMNS = (
    "scenario",
    "events",
    "acknowledged",
    "queryable",
    "arrived",
    "lost",
    "dup",
    "down_s",
    "failed_attempts",
    "restart_s",
    "delivery_s",
    "loadavg_1m",
)


def _table(rows: list[dict[str, Any]]) -> str:
    widths = {key: max(len(key), *(len(str(row.get(key, "-"))) for row in rows)) for key in COLUMNS}
    lines = [" ".join(f"{key:>{widths[key]}}" for key in COLUMNS)]
    lines += [" ".join(f"{row.get(key, '-')!s:>{widths[key]}}" for key in COLUMNS) for row in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the scenarios; print a table (or one JSON line); exit 1 when an acknowledged event was lost."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 s outage, 200 events, kill after 100")
    parser.add_argument("--only", choices=["outage", "kill"], help="run one scenario")
    parser.add_argument(
        "--no-pictures", action="store_true", help="uploads without pictures (the emulator renders each one)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON line instead of a table")
    args = parser.parse_args(argv)
    size = replace(QUICK if args.quick else FULL, pictures=not args.no_pictures)
    scenarios = {"outage": receiver_outage, "kill": kill_mid_injection}
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for name, scenario in scenarios.items():
            if args.only not in (None, name):
                continue
            try:
                row = scenario(size, Path(scratch))
            except (RuntimeError, requests.RequestException) as exc:
                print(f"reliability_outage: {name}: {exc}", file=sys.stderr)
                return 2
            row["loadavg_1m"] = round(os.getloadavg()[0], 1)  # other work inflates every time
            rows.append(row)
    print(json.dumps(rows) if args.json else _table(rows))
    failed = any(
        row["lost"] or row.get("queryable", row["acknowledged"]) < row["acknowledged"] for row in rows
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
