"""How many picture searches a run with the box's own pictures makes, and how long they take on the emulator.

Usage: .venv/bin/python benchmarks/search_own_pictures.py [--history-per-day 3000] [--live-rate 2] [--runs 1]

Starts a site-mode emulator (no control plane, 3 days of history, live recognitions), puts a counting relay
in front of its HTTP port and runs the picture search area, whose modules judge the box's own pictures
(test_search_own_pictures.py and the real-box paths of test_picture_search.py / test_search_time_fields.py),
through the relay, as against a real box. The other areas are left out by `--ignore` (a `-k` on the module
names would also pick the schemathesis fuzz test of picture search in cross/, whose TRACE probe the relay
cannot forward). The relay times every POST /SophonMatch/api/picturesearch (wall
time at the relay and the box's own `total_time`) and sorts it by what the search asked for.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests

from conformance.emulator.server import EmulatorConfig, start_emulator_thread
from conformance.paths import PROJECT_ROOT
from conformance.target.target import PICTURE_SEARCH_PATH, VERSION_PATH

SUITE_DIR = PROJECT_ROOT / "conformance" / "suite" / "interfaces"
SEARCH_AREA = SUITE_DIR / "search"  # test_search_own_pictures, test_picture_search, test_search_time_fields

HOP_HEADERS = {"connection", "content-encoding", "content-length", "transfer-encoding", "keep-alive"}


@dataclass
class Search:
    """One search the relay saw."""

    kind: str
    wall_s: float
    box_s: float | None
    results: int


@dataclass
class Tally:
    """Every search of one run."""

    searches: list[Search] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, search: Search) -> None:
        """Record one search."""
        with self.lock:
            self.searches.append(search)


def kind_of(body: dict[str, Any]) -> str:
    """What a search asked for, in a few words."""
    parts = ["continuation" if body.get("last_end_timestamp") is not None else "first call"]
    threshold = body.get("threshold")
    parts.append("default threshold" if threshold is None else f"threshold {threshold:g}")
    if body.get("device_id_list"):
        parts.append("device_id_list")
    if body.get("reverse") is False:
        parts.append("reverse false")
    return ", ".join(parts)


def _refusal(status: int, reply: dict[str, Any]) -> str:
    """A refused search in a few words: status and error code."""
    error = reply.get("error")
    code = error.get("status") if isinstance(error, dict) else None
    why = " (preflight probe)" if code == "MISSING_ARGUMENTS" else ""
    return f"refused: {status} {code}{why}"


def relay(upstream: str, tally: Tally) -> ThreadingHTTPServer:
    """An HTTP relay on a free 127.0.0.1 port that forwards to `upstream` and times picture searches."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:
            return

        def _forward(self, method: str) -> None:
            size = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(size) if size else b""
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS | {"host"}}
            started = time.perf_counter()
            answer = requests.request(method, upstream + self.path, data=body, headers=headers, timeout=120)
            wall = time.perf_counter() - started
            if method == "POST" and self.path.split("?")[0] == PICTURE_SEARCH_PATH:
                self._count(body, answer, wall)
            self.send_response(answer.status_code)
            for name, value in answer.headers.items():
                if name.lower() not in HOP_HEADERS:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

        def _count(self, body: bytes, answer: requests.Response, wall: float) -> None:
            try:
                request, reply = json.loads(body), answer.json()
            except ValueError:
                return
            if not isinstance(request, dict) or not isinstance(reply, dict):
                return
            box = reply.get("total_time")
            items = reply.get("event_list")
            tally.add(
                Search(
                    kind_of(request) if answer.status_code == 200 else _refusal(answer.status_code, reply),
                    wall,
                    float(box) if isinstance(box, int | float) else None,
                    len(items) if isinstance(items, list) else 0,
                )
            )

        def do_GET(self) -> None:
            self._forward("GET")

        def do_POST(self) -> None:
            self._forward("POST")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def search_area_only() -> list[str]:
    """pytest options that leave every suite area but the picture search one out."""
    areas = [entry for entry in sorted(SUITE_DIR.iterdir()) if entry.is_dir() and entry.name != "__pycache__"]
    return [f"--ignore={entry}" for entry in areas if entry != SEARCH_AREA]


def run_once(args: argparse.Namespace, number: int) -> tuple[Tally, float, int]:
    """One site box, one suite run through the relay: the searches, the run's wall time, its exit code."""
    tally = Tally()
    with tempfile.TemporaryDirectory() as folder:
        box = start_emulator_thread(
            EmulatorConfig(
                http_port=0,
                ws_port=0,
                version_port=0,
                db_path=Path(folder) / "site.sqlite3",
                site=True,
                live_rate=args.live_rate,
                history_days=3,
                history_per_day=args.history_per_day,
                seed=number,
            )
        )
        server = relay(box.http_url, tally)
        try:
            argv = [
                sys.executable, "-m", "conformance", "run", "--no-html", "--no-configure-upload",
                f"--box-url=http://127.0.0.1:{server.server_address[1]}", f"--ws-url={box.ws_url}",
                f"--version-url={box.version_url}{VERSION_PATH}", "--reports-dir", str(Path(folder) / "runs"),
                "--", "-p", "no:randomly", "-q", *search_area_only(),
            ]  # fmt: skip
            started = time.perf_counter()
            done = subprocess.run(argv, cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)
            wall = time.perf_counter() - started
        finally:
            server.shutdown()
            box.stop()
    return tally, wall, done.returncode


def print_table(tally: Tally, wall: float, exit_code: int, number: int) -> None:
    """Searches per kind: count, results, wall time at the relay and the box's total_time."""
    groups: dict[str, list[Search]] = defaultdict(list)
    for search in tally.searches:
        groups[search.kind].append(search)
    print(f"\nrun {number}: exit {exit_code}, run wall {wall:.1f} s, {len(tally.searches)} searches")
    print(f"| {'search':<42} | calls | results | wall s (sum) | wall ms p50 / max | box total_time s |")
    print(f"|{'-' * 44}|------:|--------:|-------------:|------------------:|-----------------:|")
    for kind, searches in sorted(groups.items()):
        walls = [s.wall_s for s in searches]
        box, results = sum(s.box_s or 0.0 for s in searches), sum(s.results for s in searches)
        print(
            f"| {kind:<42} | {len(searches):>5} | {results:>7} | {sum(walls):>12.3f} "
            f"| {statistics.median(walls) * 1000:>7.1f} / {max(walls) * 1000:>7.1f} | {box:>16.3f} |"
        )
    walls = [s.wall_s for s in tally.searches]
    total_box = sum(s.box_s or 0.0 for s in tally.searches)
    results = sum(s.results for s in tally.searches)
    print(
        f"| {'all':<42} | {len(walls):>5} | {results:>7} | {sum(walls):>12.3f} | {'':>17} "
        f"| {total_box:>16.3f} |"
    )


def main() -> None:
    """Run the module against fresh site boxes and print one table per run."""
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--history-per-day", type=int, default=3000)
    parser.add_argument("--live-rate", type=float, default=2.0)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    for number in range(args.runs):
        print_table(*run_once(args, number), number)


if __name__ == "__main__":
    main()
