"""Time the gate run: `sophon-conformance run` against the embedded emulator, N times, as a table.

    .venv/bin/python benchmarks/run_gate.py --repeat 3 --workers 2 [-- extra pytest args]

Each run is a fresh child process (new emulator, new receiver); the table shows wall time, HTTP
exchanges, tests and outcome counts per run, then the median. Numbers go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RUN_TIMEOUT_S = 900.0


def one_run(workers: str, profile: str, extra: list[str]) -> dict[str, Any]:
    """One gate run in a child process; returns wall time and the run's summary counts."""
    with tempfile.TemporaryDirectory(prefix="gate-bench-") as reports:
        argv = [sys.executable, "-m", "conformance", "run", "-q", "-n", workers]
        argv += ["--hypothesis-profile", profile, "--reports-dir", reports]
        if extra:
            argv += ["--", *extra]
        started = time.monotonic()
        done = subprocess.run(
            argv, check=False, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=RUN_TIMEOUT_S
        )
        wall = time.monotonic() - started
        summaries = sorted(Path(reports).glob("*/summary.json"))
        summary = json.loads(summaries[-1].read_text(encoding="utf-8")) if summaries else {}
    counts = summary.get("counts", {})
    return {
        "wall_s": wall,
        "exchanges": int(summary.get("exchanges", 0)),
        "tests": int(counts.get("tests", 0)),
        "passed": int(counts.get("passed", 0)),
        "failed": int(counts.get("failed", 0)) + int(counts.get("errors", 0)),
        "skipped": int(counts.get("skipped", 0)),
        "exit": done.returncode,
    }


def table(rows: list[dict[str, Any]], workers: str, profile: str) -> str:
    """A Markdown table, one row per run plus the median."""
    lines = [
        f"gate run, -n {workers}, hypothesis profile {profile}",
        "",
        "| run | wall s | HTTP exchanges | tests | passed | failed | skipped | exit |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for number, row in enumerate(rows, start=1):
        lines.append(
            f"| {number} | {row['wall_s']:.1f} | {row['exchanges']:,} | {row['tests']} | {row['passed']} "
            f"| {row['failed']} | {row['skipped']} | {row['exit']} |"
        )
    lines.append(
        f"| median | {statistics.median(r['wall_s'] for r in rows):.1f} "
        f"| {statistics.median(r['exchanges'] for r in rows):,.0f} | | | | | |"
    )
    return "\n".join(lines)


def main() -> int:
    """Parse flags, run, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="number of runs (default 3)")
    parser.add_argument("--workers", default="2", help="-n for the run (default 2)")
    parser.add_argument("--profile", choices=("gate", "deep"), default="gate")
    parser.add_argument("extra", nargs=argparse.REMAINDER, help="-- then pytest arguments")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    extra = args.extra[1:] if args.extra[:1] == ["--"] else args.extra
    rows = []
    for number in range(args.repeat):
        rows.append(one_run(args.workers, args.profile, extra))
        print(
            f"run {number + 1}: {rows[-1]['wall_s']:.1f} s, {rows[-1]['exchanges']} exchanges",
            file=sys.stderr,
        )
    print(table(rows, args.workers, args.profile))
    return 0


if __name__ == "__main__":
    sys.exit(main())
