"""Run a narrow suite selection in a child `sophon-conformance run`; read back what failed (kill tests)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from conformance.paths import PROJECT_ROOT

RUN_TIMEOUT_S = 240.0  # one selection takes seconds; this only stops a hung child


@dataclass(frozen=True)
class SuiteOutcome:
    """What one child run did: its exit code and the node ids per outcome (failed ones with their text)."""

    exit_code: int
    failed_tests: dict[str, str] = field(default_factory=dict)  # node id -> failure text (errors included)
    passed: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    output: str = ""  # the child's stdout + stderr, for assertion messages

    def failures_naming(self, requirement_id: str) -> list[str]:
        """Node ids of failed tests whose failure text names `requirement_id`."""
        return [nodeid for nodeid, text in self.failed_tests.items() if requirement_id in text]

    def describe(self) -> str:
        """A short account for assertion messages: exit code, outcomes, the start of each failure."""
        lines = [
            f"exit code {self.exit_code}: {len(self.passed)} passed, {len(self.failed_tests)} failed, "
            f"{len(self.skipped)} skipped"
        ]
        for nodeid, text in self.failed_tests.items():
            lines.append(f"FAILED {nodeid}: {text[:400]}")
        if not (self.passed or self.failed_tests or self.skipped):
            lines.append(self.output[-3000:])
        return "\n".join(lines)


def run_suite(
    k_expr: str, faults: Sequence[str], extra: Sequence[str] = (), *, run_args: Sequence[str] = ()
) -> SuiteOutcome:
    """`sophon-conformance run [run_args…] [--fault F]… -- -k k_expr [extra…]` (extra goes to pytest).

    Without a `--box-url` in `extra` the run starts a fresh embedded emulator; `run_args` are options
    of the run command itself (e.g. `--profile lenient`).
    """
    with tempfile.TemporaryDirectory(prefix="kill-run-") as reports:
        argv = [sys.executable, "-m", "conformance", "run", "--no-html", "--reports-dir", reports, *run_args]
        for fault in faults:
            argv += ["--fault", fault]
        argv += ["--", "-k", k_expr, "-p", "no:randomly", *extra]
        done = _run_child(argv)
        junit = _junit_path(Path(reports))
        outcome = _read_junit(junit) if junit else SuiteOutcome(exit_code=done.returncode)
        return SuiteOutcome(
            exit_code=done.returncode,
            failed_tests=outcome.failed_tests,
            passed=outcome.passed,
            skipped=outcome.skipped,
            output=done.stdout,
        )


def _run_child(argv: list[str]) -> subprocess.CompletedProcess[str]:
    """Run the CLI in its own process group, so a timeout also stops the pytest it started."""
    with subprocess.Popen(
        argv,
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    ) as child:
        try:
            output, _ = child.communicate(timeout=RUN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            _stop_group(child)
            raise AssertionError(f"suite run did not finish within {RUN_TIMEOUT_S:.0f} s: {argv}") from None
        return subprocess.CompletedProcess(argv, child.returncode, output, "")


def _stop_group(child: subprocess.Popen[str]) -> None:
    """SIGTERM the child's process group (the run restores the box), then SIGKILL what is left."""
    for sig, wait_s in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(child.pid, sig)
        except ProcessLookupError:
            return
        try:
            child.wait(timeout=wait_s)
            return
        except subprocess.TimeoutExpired:
            continue


def _junit_path(reports: Path) -> Path | None:
    found = sorted(p for p in reports.glob("*/junit.xml") if p.is_file())
    return found[-1] if found else None


def _read_junit(path: Path) -> SuiteOutcome:
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return SuiteOutcome(exit_code=-1)
    failed: dict[str, str] = {}
    passed: list[str] = []
    skipped: list[str] = []
    for case in root.iter("testcase"):
        nodeid = junit_nodeid(case.get("classname", ""), case.get("name", ""))
        problems = [*case.findall("failure"), *case.findall("error")]
        if problems:
            text = "\n".join(f"{p.get('message', '')}\n{p.text or ''}" for p in problems)
            failed[nodeid] = failed.get(nodeid, "") + text
        elif case.find("skipped") is not None:
            skipped.append(nodeid)
        else:
            passed.append(nodeid)
    return SuiteOutcome(exit_code=-1, failed_tests=failed, passed=tuple(passed), skipped=tuple(skipped))


def junit_nodeid(classname: str, name: str) -> str:
    """pytest's node id from junit's dotted classname: the longest prefix that is a .py file is the module."""
    parts = classname.split(".")
    for cut in range(len(parts), 0, -1):
        module = Path(*parts[:cut]).with_suffix(".py")
        if (PROJECT_ROOT / module).is_file():
            return "::".join([module.as_posix(), *parts[cut:], name])
    return f"{classname}::{name}"
