"""Run `sophon-conformance run` as a child with a hard timeout and read back how it categorised failures."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.paths import PROJECT_ROOT
from conformance.report.categories import categories

HARD_TIMEOUT_S = 120.0  # only stops a hung child; each test states its own, tighter bound


@dataclass(frozen=True)
class CliRun:
    """What one child run did: exit code, wall time, output, and its run folder if it wrote one."""

    exit_code: int
    wall_s: float
    output: str
    run_dir: Path | None

    def describe(self) -> str:
        """Exit code, time and the end of the output, for assertion messages."""
        return f"exit {self.exit_code} after {self.wall_s:.1f} s\n{self.output[-3000:]}"

    def print_figure(self, label: str) -> None:
        """One line for docs/reliability.md (shown by `pytest -rP`): exit code, wall time, last message."""
        said = [line for line in self.output.splitlines() if line.strip() and not line.startswith("/")]
        print(f"figure: {label}: exit {self.exit_code}, {self.wall_s:.1f} s, {(said or [''])[-1][:160]}")


def start_run(box_url: str, reports_dir: Path, extra: Sequence[str] = ()) -> subprocess.Popen[str]:
    """Start `sophon-conformance run --box-url …` (the firmware URL on the same box, never port 8888)."""
    argv = [
        sys.executable,
        "-m",
        "conformance",
        "run",
        "--box-url",
        box_url,
        "--version-url",
        f"{box_url}/sophon/v2/system/getsoftwareversion",
        "--reports-dir",
        str(reports_dir),
        *extra,
    ]
    return subprocess.Popen(
        argv, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def finish_run(process: subprocess.Popen[str], reports_dir: Path, started: float) -> CliRun:
    """Wait (bounded) for a started run; a run past the hard timeout is killed and reported as such."""
    try:
        output, _ = process.communicate(timeout=max(1.0, HARD_TIMEOUT_S - (time.monotonic() - started)))
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        output += f"\n[killed by the test after {HARD_TIMEOUT_S:.0f} s]"
    folders = sorted(p for p in reports_dir.iterdir() if p.is_dir() and not p.is_symlink())
    return CliRun(process.returncode, time.monotonic() - started, output, folders[-1] if folders else None)


def run_cli(box_url: str, reports_dir: Path, extra: Sequence[str] = ()) -> CliRun:
    """Start and finish one run."""
    started = time.monotonic()
    return finish_run(start_run(box_url, reports_dir, extra), reports_dir, started)


def failure_categories(run_dir: Path) -> dict[str, str]:
    """Node -> category of each failed or broken test (results.jsonl when written, else Allure's rules)."""
    records = run_dir / "results.jsonl"
    if records.exists():
        found: dict[str, str] = {}
        for line in records.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if record.get("outcome") in ("failed", "error"):
                found[str(record["nodeid"])] = str(record.get("category"))
        return found
    return _allure_categories(run_dir / "allure-results")


def _allure_categories(results_dir: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted(results_dir.glob("*-result.json")):
        result: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        status = result.get("status")
        if status not in ("failed", "broken"):
            continue
        message = str(result.get("statusDetails", {}).get("message", ""))
        found[str(result.get("fullName") or result.get("name"))] = _first_category(status, message)
    return found


def _first_category(status: str, message: str) -> str:
    """The category Allure would file a result under (first rule that matches), as a short word."""
    for rule in categories():
        if status not in rule.get("matchedStatuses", ()):
            continue
        pattern = rule.get("messageRegex")
        if pattern is None or re.search(pattern, message):
            return str(rule["name"]).split()[0].lower()  # "Transport failure" -> "transport"
    return "uncategorised"
