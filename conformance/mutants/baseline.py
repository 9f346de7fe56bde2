"""The generic tool alone: the schemathesis CLI (all checks, box.yaml) against an emulator with one fault.

A fault counts as killed when schemathesis reports a failure (operation, check code) that it does not
report against the clean emulator with the same seed and budget: its findings on the clean emulator are
its own false alarms and say nothing about the fault.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from conformance.mutants.standalone import EmulatorStartError, StandaloneEmulator
from conformance.paths import OPENAPI_PATH

RUN_TIMEOUT_S = 600.0
SEED = 1
# Fuzzing HistoryEventUrl would point the uploader at generated hosts (traffic leaving the machine).
EXCLUDED_OPERATIONS = ("setHistoryEventUrl",)

Finding = tuple[str, str]  # (operation label, check code such as ST202)


@dataclass(frozen=True)
class BaselineRun:
    """What schemathesis reported against one emulator."""

    name: str
    exit_code: int
    findings: frozenset[Finding]
    problem: str = ""


def schemathesis_command() -> list[str]:
    """The schemathesis CLI next to this interpreter, else on PATH."""
    local = Path(sys.executable).with_name("schemathesis")
    if local.exists():
        return [str(local)]
    found = shutil.which("schemathesis")
    return [found] if found else [sys.executable, "-m", "schemathesis.cli"]


def schemathesis_argv(url: str, junit: Path, max_examples: int) -> list[str]:
    """`schemathesis run box.yaml --url … --checks all --max-examples N`, deterministic seed, JUnit report."""
    argv = [*schemathesis_command(), "run", str(OPENAPI_PATH), "--url", url, "--checks", "all"]
    argv += [
        "--max-examples",
        str(max_examples),
        "--seed",
        str(SEED),
        "--no-color",
        "--generation-database",
        "none",
    ]
    argv += ["--report", "junit", "--report-junit-path", str(junit), "--request-timeout", "30"]
    for operation in EXCLUDED_OPERATIONS:
        argv += ["--exclude-operation-id", operation]
    return argv


def read_findings(junit: Path) -> frozenset[Finding]:
    """(operation, check code) of every failure in a schemathesis JUnit report."""
    root = ET.parse(junit).getroot()
    findings: set[Finding] = set()
    for case in root.iter("testcase"):
        for problem in [*case.findall("failure"), *case.findall("error")]:
            findings.add((case.get("name", ""), problem.get("message", "") or problem.tag))
    return frozenset(findings)


def run_baseline(
    name: str, faults: tuple[str, ...], workdir: Path, max_examples: int, *, site: bool = False
) -> BaselineRun:
    """Start a fresh emulator with `faults` (site mode when `site`), run schemathesis against it, stop it."""
    folder = (workdir / name).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    junit = folder / "schemathesis-junit.xml"
    try:
        with StandaloneEmulator(folder, faults, site=site) as emulator:
            argv = schemathesis_argv(emulator.url, junit, max_examples)
            with (folder / "schemathesis.log").open("w", encoding="utf-8") as log:
                done = subprocess.run(
                    argv,
                    cwd=folder,  # schemathesis keeps a crash cache in ./.schemathesis: one per run
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    timeout=RUN_TIMEOUT_S,
                    check=False,
                )
    except EmulatorStartError as exc:
        return BaselineRun(name, -1, frozenset(), str(exc))
    except subprocess.TimeoutExpired:
        return BaselineRun(name, -1, frozenset(), f"schemathesis timed out after {RUN_TIMEOUT_S:.0f} s")
    try:
        findings = read_findings(junit)
    except (OSError, ET.ParseError):
        return BaselineRun(name, done.returncode, frozenset(), f"no JUnit report (exit {done.returncode})")
    return BaselineRun(name, done.returncode, findings)


def new_findings(run: BaselineRun, clean: BaselineRun) -> frozenset[Finding]:
    """What schemathesis found with the fault on that it did not find on the clean emulator."""
    return run.findings - clean.findings
