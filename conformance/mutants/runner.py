"""Run a mutant plan: the suite per mutant (parallel, fresh emulator each), optionally the baseline tool."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from conformance.mutants.baseline import BaselineRun, new_findings, run_baseline
from conformance.mutants.child_run import ChildRunSpec, SuiteOutcome, run_child
from conformance.mutants.fault_catalog import FAULT, VARIATION
from conformance.mutants.matrix import FALSE_ALARM, KILLED, PASSED, SURVIVED, Verdict, judge
from conformance.mutants.plan import CLEAN, Mutant

Progress = Callable[[str], None]
T = TypeVar("T")


def mutant_spec(mutant: Mutant, hypothesis_profile: str) -> ChildRunSpec:
    """The child run of one mutant: its faults on, its profile, only the tests naming its selection."""
    run_args = ("--profile", mutant.profile, "--hypothesis-profile", hypothesis_profile)
    return ChildRunSpec(faults=mutant.faults, requirements=mutant.selection, run_args=run_args)


def run_mutant(mutant: Mutant, workdir: Path, hypothesis_profile: str = "gate") -> SuiteOutcome:
    """Run the suite for `mutant` in `workdir/<name>/` against a fresh embedded emulator."""
    return run_child(mutant_spec(mutant, hypothesis_profile), workdir / mutant.name)


def _parallel(jobs: int, items: Sequence[Mutant], work: Callable[[Mutant], T], progress: Progress) -> list[T]:
    """`work` over `items`, `jobs` at a time, results in the order of `items`."""

    def one(mutant: Mutant) -> T:
        result = work(mutant)
        progress(f"done {mutant.name}")
        return result

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(one, items))


def run_suite_matrix(
    plan: Sequence[Mutant], workdir: Path, *, jobs: int, hypothesis_profile: str, progress: Progress
) -> list[Verdict]:
    """Every mutant of the plan through the suite; verdicts in plan order."""
    runs = _parallel(jobs, plan, lambda m: run_mutant(m, workdir / "suite", hypothesis_profile), progress)
    return judge(list(zip(plan, runs, strict=True)))


def _baseline_status(kind: str, run: BaselineRun, clean: BaselineRun) -> tuple[str, str]:
    if run.problem:
        return SURVIVED if kind == FAULT else PASSED, run.problem
    new = sorted(new_findings(run, clean))
    detail = "; ".join(f"{op}: {code}" for op, code in new[:5])
    if kind == FAULT:
        return (KILLED if new else SURVIVED), detail
    return (FALSE_ALARM if new else PASSED), detail


def add_baseline(
    verdicts: Sequence[Verdict],
    plan: Sequence[Mutant],
    workdir: Path,
    *,
    jobs: int,
    max_examples: int,
    progress: Progress,
) -> list[Verdict]:
    """Run schemathesis alone against the clean emulator and each fault / variation; fill `baseline`."""
    targets = [m for m in plan if m.kind in (FAULT, VARIATION)]
    folder = workdir / "schemathesis"
    clean = run_baseline(CLEAN, (), folder, max_examples)
    progress(f"baseline clean: {len(clean.findings)} findings on the clean emulator")
    runs = _parallel(jobs, targets, lambda m: run_baseline(m.name, m.faults, folder, max_examples), progress)
    by_name = {r.name: r for r in runs}
    out = []
    for verdict in verdicts:
        run = by_name.get(verdict.name)
        if run is None:
            if verdict.kind == CLEAN and verdict.profile == "strict":
                detail = f"{len(clean.findings)} findings on the clean emulator (its own false alarms)"
                out.append(replace(verdict, baseline="ran", baseline_detail=clean.problem or detail))
            else:
                out.append(verdict)
            continue
        status, detail = _baseline_status(verdict.kind, run, clean)
        out.append(replace(verdict, baseline=status, baseline_detail=detail))
    return out
