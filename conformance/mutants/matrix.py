"""Judge mutant runs against their clean run: killed or survived, passed or false alarm."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from conformance.mutants.child_run import SuiteOutcome
from conformance.mutants.fault_catalog import FAULT, VARIATION
from conformance.mutants.plan import CLEAN, Mutant

KILLED = "killed"
SURVIVED = "survived"
PASSED = "passed"
FAILED = "failed"
FALSE_ALARM = "false-alarm"


@dataclass(frozen=True)
class Verdict:
    """One row of the matrix."""

    name: str
    kind: str
    profile: str
    status: str
    area: str = ""
    description: str = ""
    requirements: tuple[str, ...] = ()
    errata: tuple[str, ...] = ()
    failing_tests: tuple[str, ...] = ()  # for faults: new failures only (not failing in the clean run)
    failing_requirements: tuple[str, ...] = ()
    on_target: bool = False  # a failing test names one of the fault's requirements
    counts: dict[str, int] = field(default_factory=dict)
    wall_s: float = 0.0
    problem: str = ""
    log_path: str = ""
    baseline: str = ""  # the schemathesis-alone verdict, "" when not run
    baseline_detail: str = ""

    @property
    def ok(self) -> bool:
        """True when the row is what a good harness shows (clean passes, fault killed, variation passes)."""
        return self.status in (PASSED, KILLED)


MutantRun = tuple[Mutant, SuiteOutcome]  # a mutant and what its child run did


def judge(runs: Sequence[MutantRun]) -> list[Verdict]:
    """Verdicts in the order of `runs`; each mutant is compared with the clean run of its profile."""
    clean_failures = {
        mutant.profile: {t.nodeid for t in run.failed()} for mutant, run in runs if mutant.kind == CLEAN
    }
    return [_verdict(mutant, run, clean_failures.get(mutant.profile, set())) for mutant, run in runs]


def _verdict(mutant: Mutant, run: SuiteOutcome, clean_failures: set[str]) -> Verdict:
    failing = run.failed()
    if mutant.kind != CLEAN:
        # a test failing in the clean run too says nothing about this mutant (the clean row shows it)
        failing = [t for t in failing if t.nodeid not in clean_failures]
    requirements = tuple(dict.fromkeys(r for t in failing for r in t.requirements))
    if mutant.kind == FAULT:
        status = KILLED if failing else SURVIVED
    elif mutant.kind == VARIATION:
        status = FALSE_ALARM if failing or run.problem else PASSED
    else:
        status = FAILED if failing or run.exit_code != 0 else PASSED
    return Verdict(
        name=mutant.name,
        kind=mutant.kind,
        profile=mutant.profile,
        status=status,
        area=mutant.area,
        description=mutant.description,
        requirements=mutant.requirements,
        errata=mutant.errata,
        failing_tests=tuple(t.nodeid for t in failing),
        failing_requirements=requirements,
        on_target=bool(set(requirements) & set(mutant.requirements)),
        counts=run.counts(),
        wall_s=round(run.wall_s, 1),
        problem=run.problem,
        log_path=run.log_path,
    )


@dataclass(frozen=True)
class Totals:
    """The bottom line of the matrix."""

    faults: int
    killed: int
    killed_on_target: int
    variations: int
    false_alarms: int
    clean_ok: bool
    baseline_faults: int = 0
    baseline_killed: int = 0
    baseline_false_alarms: int = 0

    @property
    def kill_rate(self) -> float:
        """Killed faults / faults (1.0 with no faults)."""
        return self.killed / self.faults if self.faults else 1.0

    @property
    def baseline_kill_rate(self) -> float:
        """The schemathesis-alone kill rate over the faults it ran against."""
        return self.baseline_killed / self.baseline_faults if self.baseline_faults else 0.0

    @property
    def ok(self) -> bool:
        """Every fault killed, no false alarm, clean runs pass."""
        return self.clean_ok and self.killed == self.faults and self.false_alarms == 0


def totals(verdicts: Sequence[Verdict]) -> Totals:
    """Count the rows."""
    faults = [v for v in verdicts if v.kind == FAULT]
    variations = [v for v in verdicts if v.kind == VARIATION]
    with_baseline = [v for v in faults if v.baseline]
    return Totals(
        faults=len(faults),
        killed=sum(v.status == KILLED for v in faults),
        killed_on_target=sum(v.status == KILLED and v.on_target for v in faults),
        variations=len(variations),
        false_alarms=sum(v.status == FALSE_ALARM for v in variations),
        clean_ok=all(v.status == PASSED for v in verdicts if v.kind == CLEAN),
        baseline_faults=len(with_baseline),
        baseline_killed=sum(v.baseline == KILLED for v in with_baseline),
        baseline_false_alarms=sum(v.baseline == FALSE_ALARM for v in variations),
    )
