"""Run a narrow suite selection in a child `sophon-conformance run` and read its Allure results back."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.mutants.child_run import run_command


@dataclass(frozen=True)
class EvidenceRun:
    """The child's exit code and output, and its run folder."""

    exit_code: int
    output: str
    run_dir: Path

    @property
    def allure_results(self) -> Path:
        """The run's allure-results folder."""
        return self.run_dir / "allure-results"

    def results(self) -> list[dict[str, Any]]:
        """Every `*-result.json` of the run, parsed."""
        paths = self.allure_results.glob("*-result.json")
        return [json.loads(path.read_text(encoding="utf-8")) for path in paths]


def run_selection(reports_dir: Path, *run_args: str) -> EvidenceRun:
    """`sophon-conformance run --reports-dir <dir> -q <run_args>` against the embedded emulator."""
    log = reports_dir.with_name(f"{reports_dir.name}-run.log")  # beside the reports: they hold only runs
    argv = [sys.executable, "-m", "conformance", "run", "--reports-dir", str(reports_dir), "-q", *run_args]
    exit_code, timed_out = run_command(argv, log, timeout_s=300)  # forked from the session's warm server
    output = log.read_text(encoding="utf-8", errors="replace")
    assert not timed_out, f"the run did not end within 300 s:\n{output[-3000:]}"
    run_dir = next(p for p in reports_dir.iterdir() if p.is_dir() and not p.is_symlink())
    return EvidenceRun(exit_code, output, run_dir)
