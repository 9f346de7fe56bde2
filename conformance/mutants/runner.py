"""Run a mutant plan: the suite per mutant (parallel, fresh emulator each), optionally the baseline tool."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from conformance.mutants.baseline import BaselineRun, new_findings, run_baseline
from conformance.mutants.child_run import BLIND, ChildRunSpec, SuiteOutcome, run_child
from conformance.mutants.fault_catalog import FAULT, VARIATION
from conformance.mutants.matrix import FALSE_ALARM, KILLED, PASSED, SURVIVED, Verdict, judge, not_run
from conformance.mutants.plan import CLEAN, STRICT, Mutant
from conformance.suite.hypothesis_profiles import GATE, SMOKE

Progress = Callable[[str], None]
Finished = Callable[[list[Verdict]], None]  # the verdicts of the runs finished so far (a partial matrix)
T = TypeVar("T")
OUTCOME_FILE = "outcome.json"  # each run's SuiteOutcome, beside its log


def mutant_spec(mutant: Mutant, hypothesis_profile: str) -> ChildRunSpec:
    """The child run of one mutant: its faults on, its profile and mode, the tests naming its selection; a
    quick plan's combined variation run under the gate profile runs at the smoke budget."""
    if mutant.smoke and hypothesis_profile == GATE:
        hypothesis_profile = SMOKE
    run_args = ("--profile", mutant.profile, "--hypothesis-profile", hypothesis_profile)
    return ChildRunSpec(
        faults=mutant.faults, requirements=mutant.selection, run_args=run_args, mode=mutant.mode
    )


def mutant_folder(mutant: Mutant, workdir: Path) -> Path:
    """Where one run's log and reports go: `suite/<name>/` (control) or `suite/<mode>/<name>/`."""
    return workdir / mutant.name if mutant.mode != BLIND else workdir / mutant.mode / mutant.name


def run_mutant(mutant: Mutant, workdir: Path, hypothesis_profile: str = "gate") -> SuiteOutcome:
    """Run the suite for `mutant` in its folder under `workdir` against a fresh emulator of its mode."""
    folder = mutant_folder(mutant, workdir)
    outcome = run_child(mutant_spec(mutant, hypothesis_profile), folder)
    (folder / OUTCOME_FILE).write_text(json.dumps(outcome.to_json()) + "\n", encoding="utf-8")
    return outcome


def _parallel(jobs: int, items: Sequence[Mutant], work: Callable[[Mutant], T], progress: Progress) -> list[T]:
    """`work` over `items`, `jobs` at a time, results in the order of `items`."""

    def one(mutant: Mutant) -> T:
        result = work(mutant)
        progress(f"done {mutant.mode} {mutant.name}")
        return result

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(one, items))


def run_suite_matrix(
    plan: Sequence[Mutant],
    workdir: Path,
    *,
    jobs: int,
    hypothesis_profile: str,
    progress: Progress,
    finished: Finished | None = None,
) -> list[Verdict]:
    """Every mutant of the plan through the suite; verdicts in plan order.

    `finished`, when given, gets the verdicts of the runs done so far after each run (judged against the
    clean and variation runs done so far), so a matrix cut short still says what it found.
    """
    done: dict[int, SuiteOutcome] = {}
    lock = threading.Lock()
    index = {id(m): i for i, m in enumerate(plan)}

    def work(mutant: Mutant) -> SuiteOutcome:
        outcome = run_mutant(mutant, workdir / "suite", hypothesis_profile)
        if finished is not None:
            with lock:
                done[index[id(mutant)]] = outcome
                finished(judge([(plan[i], done[i]) for i in sorted(done)]))
        return outcome

    order = sorted(plan, key=run_priority)  # long runs first, then clean runs and faults
    runs = dict(zip((id(m) for m in order), _parallel(jobs, order, work, progress), strict=True))
    return judge([(m, runs[id(m)]) for m in plan])


def finished_verdicts(plan: Sequence[Mutant], workdir: Path) -> list[Verdict]:
    """The matrix of the runs of `plan` already finished under `workdir` (their outcome.json), judged now;
    the others are rows `not-run`. For a matrix cut short, or judged again after the catalog changed."""
    done: list[tuple[Mutant, SuiteOutcome]] = []
    for mutant in plan:
        path = mutant_folder(mutant, workdir / "suite") / OUTCOME_FILE
        if path.is_file():
            done.append((mutant, SuiteOutcome.from_json(json.loads(path.read_text(encoding="utf-8")))))
    judged = {(v.name, v.mode): v for v in judge(done)}
    return [judged.get((m.name, m.mode)) or not_run(m) for m in plan]


def run_priority(mutant: Mutant) -> tuple[int, int]:
    """Which runs go first: a quick plan's combined variation runs (its longest by far: the whole suite with
    every variation on; started first, they do not leave one job running alone at the end), clean runs,
    faults expected in the mode, variations, faults not expected in the mode; site-mode runs (the longer)
    before control ones of the same rank."""
    if mutant.kind == VARIATION:
        rank = 0 if len(mutant.faults) > 1 else 3
    else:
        rank = 1 if mutant.kind == CLEAN else (2 if mutant.observable else 4)
    return rank, 0 if mutant.mode == BLIND else 1


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
    """Run schemathesis alone against the clean emulator and each fault / variation of every mode in the
    plan (blind: a site-mode emulator); fill `baseline`."""
    out = list(verdicts)
    for mode in dict.fromkeys(m.mode for m in plan):
        out = _add_mode_baseline(
            out,
            [m for m in plan if m.mode == mode],
            workdir,
            mode=mode,
            jobs=jobs,
            max_examples=max_examples,
            progress=progress,
        )
    return out


def _add_mode_baseline(
    verdicts: list[Verdict],
    plan: Sequence[Mutant],
    workdir: Path,
    *,
    mode: str,
    jobs: int,
    max_examples: int,
    progress: Progress,
) -> list[Verdict]:
    site = mode == BLIND
    targets = [m for m in plan if m.kind in (FAULT, VARIATION)]
    folder = workdir / "schemathesis" / mode if site else workdir / "schemathesis"
    clean = run_baseline(CLEAN, (), folder, max_examples, site=site)
    progress(f"baseline {mode} clean: {len(clean.findings)} findings on the clean emulator")
    runs = _parallel(
        jobs, targets, lambda m: run_baseline(m.name, m.faults, folder, max_examples, site=site), progress
    )
    by_name = {r.name: r for r in runs}
    out = []
    for verdict in verdicts:
        run = by_name.get(verdict.name) if verdict.mode == mode else None
        if run is None:
            if verdict.mode == mode and verdict.kind == CLEAN and verdict.profile == STRICT:
                detail = f"{len(clean.findings)} findings on the clean emulator (its own false alarms)"
                out.append(replace(verdict, baseline="ran", baseline_detail=clean.problem or detail))
            else:
                out.append(verdict)
            continue
        status, detail = _baseline_status(verdict.kind, run, clean)
        out.append(replace(verdict, baseline=status, baseline_detail=detail))
    return out
