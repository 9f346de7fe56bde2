"""A synthetic harness crash inside a selected test is a harness error in the kill matrix, never a kill.

A real conformance session (pytester, the suite plugin and the mutants' selection plugin) runs two selected
tests: one crashes with a KeyError although its markers name the fault's requirement, one fails through
the bridge with a finding. The matrix reads the session's records through the child-run runner's reader.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.mutants.child_run import SuiteOutcome, read_outcomes
from conformance.mutants.matrix import HARNESS_ERROR, KILLED, judge
from conformance.mutants.plan import CLEAN, STRICT, Mutant
from conformance.report.records import RECORDS_FILE

pytest_plugins = ["pytester"]

SELECTED = """
import pytest
from conformance.clients.failures import fail

@pytest.mark.req("V2Q-FILT-001")
def test_crashes_in_the_harness():
    {}["events"]  # a bug of the harness while the fault is on, not a finding about the box

@pytest.mark.req("V2Q-FILT-005")
def test_finds_the_fault():
    fail("score_max ignored: event e7 has score 0.9 > 0.5", ["V2Q-FILT-005"])

@pytest.mark.req("V1Q-PAGE-001")
def test_not_selected():
    raise AssertionError("not selected: must not run")
"""


@pytest.fixture
def crash_run(pytester: pytest.Pytester) -> SuiteOutcome:
    pytester.makepyfile(test_child=SELECTED)
    run_dir = Path(pytester.path) / "reports" / "20260101T000000Z-emulator"
    pytester.runpytest_subprocess(
        "-p",
        "no:cacheprovider",
        "-p",
        "no:randomly",
        "--conformance",
        "-p",
        "conformance.mutants.selection",
        "--mutants-req=V2Q-FILT-*",
        f"--conformance-records={run_dir / RECORDS_FILE}",
        f"--junitxml={run_dir / 'junit.xml'}",
    )
    tests, problem = read_outcomes(run_dir.parent)
    assert not problem
    return SuiteOutcome(1, tests)


def test_a_crash_in_a_selected_test_is_a_harness_error_and_no_kill(crash_run: SuiteOutcome) -> None:
    crash = next(t for t in crash_run.tests if t.nodeid.endswith("test_crashes_in_the_harness"))
    assert crash.failed and crash.findings == 0 and crash.category == "harness"
    assert "V2Q-FILT-001" in crash.requirements and not crash.finding_requirements
    assert not any(t.nodeid.endswith("test_not_selected") for t in crash_run.tests)
    clean = SuiteOutcome(0, ())
    crashed_on = Mutant("v2-crash-bait", "fault", STRICT, ("V2Q-FILT-001",))
    found = Mutant("v2-ignore-score-max", "fault", STRICT, ("V2Q-FILT-005",))
    verdicts = judge([(Mutant(CLEAN, CLEAN, STRICT), clean), (crashed_on, crash_run), (found, crash_run)])
    assert verdicts[1].status == HARNESS_ERROR and not verdicts[1].on_target
    assert verdicts[1].harness_errors == (crash.nodeid,) and not verdicts[1].failing_tests
    # the same run's failure with a finding naming the other fault's requirement is that fault's kill
    assert verdicts[2].status == KILLED and verdicts[2].failing_requirements == ("V2Q-FILT-005",)
