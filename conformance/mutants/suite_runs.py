"""Run the conformance suite once for one mutant: a child `sophon-conformance run` with a fresh emulator."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.mutants.plan import Mutant
from conformance.paths import PROJECT_ROOT

RUN_TIMEOUT_S = 900.0  # a whole-suite run takes about a minute; this only stops a hung child
NO_TESTS_EXIT = 2  # ExitCode.USAGE_ERROR: the selection matched no test


@dataclass(frozen=True)
class CaseOutcome:
    """One test of a run: outcome, requirement ids, start of the failure text."""

    nodeid: str
    outcome: str
    requirements: tuple[str, ...]
    text: str = ""


@dataclass(frozen=True)
class SuiteRun:
    """What one child run did."""

    mutant: Mutant
    exit_code: int
    tests: tuple[CaseOutcome, ...] = ()
    wall_s: float = 0.0
    log_path: str = ""
    problem: str = ""  # why the run could not be judged (timeout, no results), "" otherwise
    extra: dict[str, Any] = field(default_factory=dict)

    def failed(self) -> list[CaseOutcome]:
        """The tests that failed (errors included)."""
        return [t for t in self.tests if t.outcome == "failed"]

    def counts(self) -> dict[str, int]:
        """passed / failed / skipped totals."""
        counts = {"passed": 0, "failed": 0, "skipped": 0}
        for test in self.tests:
            counts[test.outcome] = counts.get(test.outcome, 0) + 1
        return counts


def suite_argv(mutant: Mutant, reports_dir: Path, results: Path, hypothesis_profile: str) -> list[str]:
    """The child command line."""
    argv = [sys.executable, "-m", "conformance", "run", "--no-html", "--reports-dir", str(reports_dir)]
    argv += ["--profile", mutant.profile, "--hypothesis-profile", hypothesis_profile]
    for name in mutant.faults:
        argv += ["--fault", name]
    argv += ["--", "-p", "conformance.mutants.selection", f"--mutants-results={results}", "-p", "no:randomly"]
    argv += ["-q", "--no-header", "-p", "no:cacheprovider"]
    if mutant.selection:
        argv.append(f"--mutants-req={','.join(mutant.selection)}")
    return argv


def read_results(path: Path) -> tuple[CaseOutcome, ...]:
    """The per-test outcomes the selection plugin wrote; () when the file is missing or broken."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        tests = data["tests"]
    except (OSError, ValueError, KeyError, TypeError):
        return ()
    return tuple(
        CaseOutcome(
            nodeid=str(nodeid),
            outcome=str(entry.get("outcome", "failed")),
            requirements=tuple(str(r) for r in entry.get("requirements", ())),
            text=str(entry.get("text", "")),
        )
        for nodeid, entry in sorted(tests.items())
    )


def run_mutant(mutant: Mutant, workdir: Path, hypothesis_profile: str = "gate") -> SuiteRun:
    """Run the suite for `mutant` in `workdir/<name>/` and read back what every test did."""
    folder = (workdir / mutant.name).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    results = folder / "results.json"
    log = folder / "run.log"
    argv = suite_argv(mutant, folder / "runs", results, hypothesis_profile)
    started = time.monotonic()
    with log.open("w", encoding="utf-8") as out:
        out.write(" ".join(argv) + "\n")
        out.flush()
        try:
            done = subprocess.run(
                argv,
                cwd=PROJECT_ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=RUN_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return SuiteRun(
                mutant, -1, (), time.monotonic() - started, str(log), f"timed out after {RUN_TIMEOUT_S} s"
            )
    tests = read_results(results)
    problem = ""
    if done.returncode == NO_TESTS_EXIT and not tests:
        problem = "no test names these requirements"
    elif not tests:
        problem = f"the run produced no results (exit {done.returncode}); see {log}"
    return SuiteRun(mutant, done.returncode, tests, time.monotonic() - started, str(log), problem)
