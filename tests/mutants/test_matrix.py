"""Verdicts and totals of the kill matrix, and its rendering, from hand-made run results."""

from __future__ import annotations

import json
from pathlib import Path

from conformance.mutants.child_run import BLIND, CONTROL, SuiteOutcome, TestOutcome
from conformance.mutants.matrix import (
    FAILED,
    FALSE_ALARM,
    HARNESS_ERROR,
    KILLED,
    NOT_RUN,
    PASSED,
    SURVIVED,
    MutantRun,
    judge,
    totals,
    totals_by_mode,
)
from conformance.mutants.plan import CLEAN, LENIENT, STRICT, Mutant
from conformance.mutants.report import render_markdown, write_report
from conformance.mutants.runner import OUTCOME_FILE, finished_verdicts

FLAKY = "areas/test_a.py::test_fails_everywhere"
PAGE = "areas/test_p.py::test_page_zero"


def _test(nodeid: str, outcome: str, named: tuple[str, ...] = (), category: str = "semantic") -> TestOutcome:
    """A test outcome; a failure's findings name `named` (none: a harness error)."""
    failed = outcome in ("failed", "error")
    return TestOutcome(
        nodeid,
        outcome,
        requirements=named,
        text="boom" if failed else "",
        category=(category if named else "harness") if failed else "",
        findings=len(named) if failed else 0,
        finding_requirements=named if failed else (),
    )


def _run(mutant: Mutant, *tests: TestOutcome, exit_code: int = 0, problem: str = "") -> MutantRun:
    return mutant, SuiteOutcome(exit_code, tests, mutant.mode, problem=problem)


def _fault(name: str, *reqs: str, mode: str = CONTROL, observable: bool = True) -> Mutant:
    reason = "" if observable else "needs a chosen clock"
    return Mutant(
        name, "fault", STRICT, tuple(reqs), mode=mode, observable=observable, unobservable_reason=reason
    )


def _variation(name: str, mode: str = CONTROL) -> Mutant:
    return Mutant(name, "variation", LENIENT, errata=("E02",), mode=mode)


def _clean(profile: str = STRICT, mode: str = CONTROL) -> Mutant:
    return Mutant(CLEAN if profile == STRICT else "clean-lenient", CLEAN, profile, mode=mode)


def test_a_fault_is_killed_only_by_failures_the_clean_run_does_not_show() -> None:
    clean = _run(_clean(), _test(FLAKY, "failed", ("V2Q-PAGE-001",)), exit_code=1)
    killed = _run(
        _fault("f1", "V2Q-PAGE-003"),
        _test(FLAKY, "failed", ("V2Q-PAGE-001",)),
        _test(PAGE, "failed", ("V2Q-PAGE-003",)),
        exit_code=1,
    )
    survived = _run(_fault("f2", "V2Q-PAGE-005"), _test(FLAKY, "failed", ("V2Q-PAGE-001",)), exit_code=1)
    verdicts = judge([clean, killed, survived])
    assert [v.status for v in verdicts] == [FAILED, KILLED, SURVIVED]
    assert verdicts[1].failing_tests == (PAGE,) and verdicts[1].on_target
    assert not verdicts[2].failing_tests
    summary = totals(verdicts)
    assert (summary.faults, summary.killed, summary.clean_ok, summary.ok) == (2, 1, False, False)
    assert summary.unstable == (FLAKY,)


def test_a_failure_whose_findings_name_other_requirements_is_no_kill() -> None:
    verdicts = judge(
        [
            _run(_clean()),
            _run(_fault("f", "V2Q-PAGE-003"), _test("t::x", "failed", ("V2Q-FILT-001",)), exit_code=1),
        ]
    )
    assert verdicts[1].status == SURVIVED and verdicts[1].off_target == ("t::x",)
    assert totals(verdicts).killed_on_target == 0


def test_a_failure_without_a_finding_is_a_harness_error_never_a_kill() -> None:
    # the crashing test carries the fault's requirement on its markers: the markers do not count
    crash = TestOutcome(PAGE, "failed", ("V2Q-PAGE-003",), "KeyError: 'events'", "harness", 0, ())
    verdicts = judge([_run(_clean()), _run(_fault("f", "V2Q-PAGE-003"), crash, exit_code=5)])
    assert verdicts[1].status == HARNESS_ERROR and verdicts[1].harness_errors == (PAGE,)
    assert not verdicts[1].failing_tests and not verdicts[1].on_target
    assert totals(verdicts).harness_error_runs == 1 and not totals(verdicts).ok


def test_a_test_failing_on_a_variation_is_unstable_and_kills_nothing() -> None:
    verdicts = judge(
        [
            _run(_clean()),
            _run(_clean(LENIENT)),
            _run(_fault("f", "V2Q-PAGE-003"), _test(PAGE, "failed", ("V2Q-PAGE-003",)), exit_code=1),
            _run(_variation("v"), _test(PAGE, "failed", ("V2Q-PAGE-003",)), exit_code=1),
        ]
    )
    assert verdicts[2].status == SURVIVED and verdicts[2].unstable_failures == (PAGE,)
    assert verdicts[3].status == FALSE_ALARM
    assert totals(verdicts).unstable == (PAGE,)


def test_a_variation_that_fails_a_test_is_a_false_alarm() -> None:
    verdicts = judge(
        [
            _run(_clean(LENIENT), _test("t::ok", "passed")),
            _run(_variation("quiet"), _test("t::ok", "passed")),
            _run(_variation("loud"), _test("t::ok", "failed", ("V2EV-TIME-001",)), exit_code=1),
        ]
    )
    assert [v.status for v in verdicts] == [PASSED, PASSED, FALSE_ALARM]
    summary = totals(verdicts)
    assert (summary.variations, summary.false_alarms, summary.ok) == (2, 1, False)


def test_modes_are_judged_apart_and_unobservable_faults_are_not_expected() -> None:
    runs = [
        _run(_clean()),
        _run(_clean(mode=BLIND), _test(FLAKY, "failed", ("V2Q-PAGE-001",)), exit_code=1),
        _run(_fault("f", "V2Q-PAGE-001"), _test(FLAKY, "failed", ("V2Q-PAGE-001",)), exit_code=1),
        _run(_fault("f", "V2Q-PAGE-001", mode=BLIND), _test(FLAKY, "failed", ("V2Q-PAGE-001",)), exit_code=1),
        _run(_fault("g", "V2Q-TIME-001", mode=BLIND, observable=False)),
    ]
    verdicts = judge(runs)
    # the test failing on the blind clean run is unstable in blind mode only
    assert [v.status for v in verdicts] == [PASSED, FAILED, KILLED, SURVIVED, SURVIVED]
    assert verdicts[4].ok and not verdicts[3].ok
    by_mode = totals_by_mode(verdicts)
    assert list(by_mode) == [CONTROL, BLIND]
    assert by_mode[CONTROL].ok and (by_mode[BLIND].faults, by_mode[BLIND].unobservable) == (1, 1)
    text = render_markdown(verdicts, "sophon-conformance mutants --modes control,blind", baseline=False)
    assert "| `g` | fault | no: needs a chosen clock | not run | ➖ survived (not expected) |" in text
    assert "| faults killed (of those observable in the mode) | 1/1 (100%) | 0/1 (0%) |" in text
    assert "Unstable in blind (their failures count as no kill): `test_fails_everywhere`" in text


def test_all_good_is_ok_and_the_report_says_so(tmp_path: Path) -> None:
    verdicts = judge(
        [
            _run(_clean(), _test("t::a", "passed")),
            _run(_fault("f", "V2Q-PAGE-003"), _test("t::a", "failed", ("V2Q-PAGE-003",)), exit_code=1),
            _run(_variation("v"), _test("t::a", "passed")),
        ]
    )
    summary = totals(verdicts)
    assert summary.ok and summary.kill_rate == 1.0
    text = render_markdown(verdicts, "sophon-conformance mutants --quick", baseline=False)
    assert "| faults killed (of those observable in the mode) | 1/1 (100%) |" in text
    assert "`f`" in text and "V2Q-PAGE-003" in text
    out = write_report(tmp_path / "mutants" / "run1", verdicts, "cmd", baseline=False)
    data = json.loads((out / "matrix.json").read_text(encoding="utf-8"))
    assert data["ok"] and data["modes"] == [CONTROL] and data["totals"][CONTROL]["killed"] == 1
    assert (out / "matrix.md").is_file()
    assert (tmp_path / "mutants" / "latest").resolve() == out.resolve()


def test_a_matrix_cut_short_is_judged_from_the_runs_it_finished(tmp_path: Path) -> None:
    plan = [
        _clean(mode=BLIND),
        _fault("f", "V2Q-PAGE-003", mode=BLIND),
        _fault("g", "V2Q-PAGE-005", mode=BLIND),
    ]
    finished = {
        "clean": SuiteOutcome(0, (_test("t::a", "passed"),), BLIND),
        "f": SuiteOutcome(1, (_test("t::a", "failed", ("V2Q-PAGE-003",)),), BLIND),
    }
    for name, outcome in finished.items():
        folder = tmp_path / "suite" / BLIND / name
        folder.mkdir(parents=True)
        (folder / OUTCOME_FILE).write_text(json.dumps(outcome.to_json()), encoding="utf-8")
    verdicts = finished_verdicts(plan, tmp_path)
    assert [v.status for v in verdicts] == [PASSED, KILLED, NOT_RUN]
    summary = totals(verdicts)
    assert (summary.faults, summary.killed, summary.not_run) == (1, 1, 1)
    assert "| runs not made (not counted above) | 1 |" in render_markdown(verdicts, "cmd", baseline=False)
