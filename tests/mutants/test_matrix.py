"""Verdicts and totals of the kill matrix, and its rendering, from hand-made run results."""

from __future__ import annotations

from pathlib import Path

from conformance.mutants.child_run import SuiteOutcome, TestOutcome
from conformance.mutants.matrix import FAILED, FALSE_ALARM, KILLED, PASSED, SURVIVED, MutantRun, judge, totals
from conformance.mutants.plan import CLEAN, LENIENT, STRICT, Mutant
from conformance.mutants.report import render_markdown, write_report

FLAKY = "areas/test_a.py::test_fails_everywhere"


def _run(mutant: Mutant, *outcomes: tuple[str, str, tuple[str, ...]], exit_code: int = 0) -> MutantRun:
    tests = tuple(TestOutcome(nodeid, outcome, reqs) for nodeid, outcome, reqs in outcomes)
    return mutant, SuiteOutcome(exit_code, tests)


def _fault(name: str, *reqs: str) -> Mutant:
    return Mutant(name, "fault", STRICT, tuple(reqs))


def _variation(name: str) -> Mutant:
    return Mutant(name, "variation", LENIENT, errata=("E02",))


def test_a_fault_is_killed_only_by_failures_the_clean_run_does_not_show() -> None:
    clean = _run(Mutant(CLEAN, CLEAN, STRICT), (FLAKY, "failed", ("V2Q-PAGE-001",)), exit_code=1)
    killed = _run(
        _fault("f1", "V2Q-PAGE-003"),
        (FLAKY, "failed", ("V2Q-PAGE-001",)),
        ("areas/test_p.py::test_page_zero", "failed", ("V2Q-PAGE-003",)),
        exit_code=1,
    )
    survived = _run(_fault("f2", "V2Q-PAGE-005"), (FLAKY, "failed", ("V2Q-PAGE-001",)), exit_code=1)
    verdicts = judge([clean, killed, survived])
    assert [v.status for v in verdicts] == [FAILED, KILLED, SURVIVED]
    assert verdicts[1].failing_tests == ("areas/test_p.py::test_page_zero",) and verdicts[1].on_target
    assert not verdicts[2].failing_tests
    summary = totals(verdicts)
    assert (summary.faults, summary.killed, summary.clean_ok, summary.ok) == (2, 1, False, False)


def test_off_target_kills_count_but_are_marked() -> None:
    verdicts = judge(
        [
            _run(Mutant(CLEAN, CLEAN, STRICT)),
            _run(_fault("f", "V2Q-PAGE-003"), ("t::x", "failed", ("V2Q-FILT-001",)), exit_code=1),
        ]
    )
    assert verdicts[1].status == KILLED and not verdicts[1].on_target
    assert totals(verdicts).killed_on_target == 0


def test_a_variation_that_fails_a_test_is_a_false_alarm() -> None:
    verdicts = judge(
        [
            _run(Mutant("clean-lenient", CLEAN, LENIENT), ("t::ok", "passed", ())),
            _run(_variation("quiet"), ("t::ok", "passed", ())),
            _run(_variation("loud"), ("t::ok", "failed", ("V2EV-TIME-001",)), exit_code=1),
        ]
    )
    assert [v.status for v in verdicts] == [PASSED, PASSED, FALSE_ALARM]
    summary = totals(verdicts)
    assert (summary.variations, summary.false_alarms, summary.ok) == (2, 1, False)


def test_all_good_is_ok_and_the_report_says_so(tmp_path: Path) -> None:
    verdicts = judge(
        [
            _run(Mutant(CLEAN, CLEAN, STRICT), ("t::a", "passed", ("V2Q-PAGE-003",))),
            _run(_fault("f", "V2Q-PAGE-003"), ("t::a", "failed", ("V2Q-PAGE-003",)), exit_code=1),
            _run(_variation("v"), ("t::a", "passed", ())),
        ]
    )
    summary = totals(verdicts)
    assert summary.ok and summary.kill_rate == 1.0
    text = render_markdown(verdicts, summary, "sophon-conformance mutants --quick", baseline=False)
    assert "| faults killed | 1/1 (100%) |" in text and "`f`" in text and "V2Q-PAGE-003" in text
    out = write_report(tmp_path / "mutants" / "run1", verdicts, summary, "cmd", baseline=False)
    assert (out / "matrix.json").is_file() and (out / "matrix.md").is_file()
    assert (tmp_path / "mutants" / "latest").resolve() == out.resolve()
