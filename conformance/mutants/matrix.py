"""Judge mutant runs against their mode's clean and variation runs: killed or survived, passed or false alarm.

A fault is killed only by a test whose structured findings name one of the fault's requirement ids. A
failure without a finding (a crash of the harness, a bare assert, a harness timeout) is a harness error and
never a kill; a failure whose findings name other ids is off target and no kill either. A test that fails
on any clean or variation run of the same mode is unstable: its failures never count as kills.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from conformance.mutants.child_run import CONTROL, MODES, SuiteOutcome, TestOutcome
from conformance.mutants.fault_catalog import FAULT, VARIATION
from conformance.mutants.plan import CLEAN, Mutant

KILLED = "killed"
SURVIVED = "survived"
PASSED = "passed"
FAILED = "failed"
FALSE_ALARM = "false-alarm"
NOT_RUN = "not-run"  # the suite did not run (the tool alone did)
HARNESS_ERROR = "harness-error"  # the run could not be judged, or only the harness failed
HARNESS_CATEGORY = "harness"
NO_TEST_SELECTED = "no test matches the selection"  # child_run's problem when no test names the requirements


@dataclass(frozen=True)
class Verdict:
    """One row of the matrix: one mutant in one mode."""

    name: str
    kind: str
    profile: str
    status: str
    area: str = ""
    description: str = ""
    requirements: tuple[str, ...] = ()
    errata: tuple[str, ...] = ()
    failing_tests: tuple[str, ...] = ()  # faults: the killing tests; others: the new failures with a finding
    failing_requirements: tuple[str, ...] = ()  # the requirement ids those failures' findings name
    on_target: bool = False  # a finding names one of the fault's requirements (every kill is on target)
    counts: dict[str, int] = field(default_factory=dict)
    wall_s: float = 0.0
    problem: str = ""
    log_path: str = ""
    baseline: str = ""  # the schemathesis-alone verdict, "" when not run
    baseline_detail: str = ""
    mode: str = CONTROL
    observable: bool = True  # the fault is expected to be killed in this mode
    unobservable_reason: str = ""
    harness_errors: tuple[str, ...] = ()  # failures without a finding: never a kill, never a false alarm
    off_target: tuple[str, ...] = ()  # new failures whose findings name none of the fault's requirements
    unstable_failures: tuple[str, ...] = ()  # failures of tests that also fail on a clean or variation run
    switches: tuple[str, ...] = ()  # the faults and variations the run switched on
    selection: tuple[str, ...] = ()  # the requirement patterns of the tests it ran; () = the whole suite

    @property
    def ok(self) -> bool:
        """True when the row is what a good harness shows (clean passes, fault killed, variation passes).

        A fault not observable in its mode is fine either way, unless the harness failed on it.
        """
        if self.kind == FAULT and not self.observable:
            return self.status != HARNESS_ERROR
        return self.status in (PASSED, KILLED)


MutantRun = tuple[Mutant, SuiteOutcome]  # a mutant and what its child run did


def is_harness_error(test: TestOutcome) -> bool:
    """A failure that says nothing of the box: no finding naming a requirement, or a harness finding."""
    return test.category == HARNESS_CATEGORY or not test.findings or not test.finding_requirements


def failing_anywhere(runs: Iterable[SuiteOutcome]) -> frozenset[str]:
    """The tests that fail in any of `runs` (given clean and variation runs: the unstable tests)."""
    return frozenset(t.nodeid for run in runs for t in run.failed())


def unstable_tests(runs: Sequence[MutantRun]) -> dict[str, frozenset[str]]:
    """Per mode, the tests failing on any clean or variation run: their failures are never kills."""
    modes = dict.fromkeys(mutant.mode for mutant, _ in runs)
    return {
        mode: failing_anywhere(r for m, r in runs if m.mode == mode and m.kind in (CLEAN, VARIATION))
        for mode in modes
    }


def judge(runs: Sequence[MutantRun]) -> list[Verdict]:
    """Verdicts in the order of `runs`; each mutant is judged against the clean and variation runs of its
    mode (a variation against the clean run of its mode and profile)."""
    clean_failures: dict[tuple[str, str], set[str]] = {}
    for mutant, run in runs:
        if mutant.kind == CLEAN:
            clean_failures[(mutant.mode, mutant.profile)] = {t.nodeid for t in run.failed()}
    unstable = unstable_tests(runs)
    return [
        _verdict(
            mutant,
            run,
            clean_failures.get((mutant.mode, mutant.profile), set()),
            unstable.get(mutant.mode, frozenset()),
        )
        for mutant, run in runs
    ]


def _verdict(
    mutant: Mutant, run: SuiteOutcome, clean_failures: set[str], unstable: frozenset[str]
) -> Verdict:
    failing = run.failed()
    if mutant.kind != CLEAN:
        # a test failing in the clean run too says nothing about this mutant (the clean row shows it)
        failing = [t for t in failing if t.nodeid not in clean_failures]
    harness = [t for t in failing if is_harness_error(t)]
    found = [t for t in failing if not is_harness_error(t)]
    unstable_found: list[TestOutcome] = []
    off_target: list[TestOutcome] = []
    if mutant.kind == FAULT:
        unstable_found = [t for t in found if t.nodeid in unstable]
        stable = [t for t in found if t.nodeid not in unstable]
        wanted = set(mutant.requirements)
        shown = [t for t in stable if wanted & set(t.finding_requirements)]
        off_target = [t for t in stable if not wanted & set(t.finding_requirements)]
        unjudged = bool(run.problem) and run.problem != NO_TEST_SELECTED  # none selected: nothing can kill it
        status = KILLED if shown else (HARNESS_ERROR if unjudged or harness else SURVIVED)
    elif mutant.kind == VARIATION:
        shown = found
        status = FALSE_ALARM if found else (HARNESS_ERROR if harness or run.problem else PASSED)
    else:
        shown = found
        status = FAILED if failing or run.exit_code != 0 or run.problem else PASSED
    return replace(
        not_run(mutant),
        status=status,
        failing_tests=tuple(t.nodeid for t in shown),
        failing_requirements=tuple(dict.fromkeys(r for t in shown for r in t.finding_requirements)),
        on_target=status == KILLED,
        counts=run.counts(),
        wall_s=round(run.wall_s, 1),
        problem=run.problem,
        log_path=run.log_path,
        harness_errors=tuple(t.nodeid for t in harness),
        off_target=tuple(t.nodeid for t in off_target),
        unstable_failures=tuple(t.nodeid for t in unstable_found),
    )


def not_run(mutant: Mutant) -> Verdict:
    """The row of a mutant whose suite run was not made (a baseline-only matrix); judged rows start so."""
    return Verdict(
        name=mutant.name,
        kind=mutant.kind,
        profile=mutant.profile,
        status=NOT_RUN,
        area=mutant.area,
        description=mutant.description,
        requirements=mutant.requirements,
        errata=mutant.errata,
        mode=mutant.mode,
        observable=mutant.observable,
        unobservable_reason=mutant.unobservable_reason,
        switches=mutant.faults,
        selection=mutant.selection,
    )


@dataclass(frozen=True)
class Totals:
    """The bottom line of the matrix in one mode."""

    faults: int  # the faults expected to be killed in this mode (observable)
    killed: int
    killed_on_target: int
    variations: int
    false_alarms: int
    clean_ok: bool
    baseline_faults: int = 0
    baseline_killed: int = 0
    baseline_false_alarms: int = 0
    mode: str = CONTROL
    unobservable: int = 0  # faults not expected to be killed in this mode
    unobservable_killed: int = 0  # ... that were killed all the same
    harness_error_runs: int = 0  # rows whose run could not be judged or only the harness failed
    unstable: tuple[str, ...] = ()  # tests failing on a clean or variation run of this mode
    not_run: int = 0  # rows whose suite run was not made (a matrix cut short, a baseline-only one)

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
        """Every observable fault killed, no false alarm, no harness error, clean runs pass."""
        return (
            self.clean_ok
            and self.killed == self.faults
            and self.false_alarms == 0
            and self.harness_error_runs == 0
        )


def totals(verdicts: Sequence[Verdict], mode: str | None = None) -> Totals:
    """Count the rows of one mode (default: the mode of the first row)."""
    mode = mode or (verdicts[0].mode if verdicts else CONTROL)
    every = [v for v in verdicts if v.mode == mode]
    rows = [v for v in every if v.status != NOT_RUN]  # a matrix cut short counts what it ran
    faults = [v for v in rows if v.kind == FAULT and v.observable]
    unobservable = [v for v in rows if v.kind == FAULT and not v.observable]
    variations = [v for v in rows if v.kind == VARIATION]
    with_baseline = [v for v in faults if v.baseline]
    unstable = dict.fromkeys(
        t for v in rows if v.kind in (CLEAN, VARIATION) for t in (*v.failing_tests, *v.harness_errors)
    )
    return Totals(
        faults=len(faults),
        killed=sum(v.status == KILLED for v in faults),
        killed_on_target=sum(v.status == KILLED and v.on_target for v in faults),
        variations=len(variations),
        false_alarms=sum(v.status == FALSE_ALARM for v in variations),
        clean_ok=all(v.status == PASSED for v in rows if v.kind == CLEAN),
        baseline_faults=len(with_baseline),
        baseline_killed=sum(v.baseline == KILLED for v in with_baseline),
        baseline_false_alarms=sum(v.baseline == FALSE_ALARM for v in variations),
        mode=mode,
        unobservable=len(unobservable),
        unobservable_killed=sum(v.status == KILLED for v in unobservable),
        harness_error_runs=sum(v.status == HARNESS_ERROR for v in rows),
        unstable=tuple(unstable),
        not_run=len(every) - len(rows),
    )


def totals_by_mode(verdicts: Sequence[Verdict]) -> dict[str, Totals]:
    """The totals of every mode that has rows, in the order of MODES."""
    present = {v.mode for v in verdicts}
    return {mode: totals(verdicts, mode) for mode in MODES if mode in present}
