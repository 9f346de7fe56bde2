"""No false alarm under control either: the whole suite with the embedded emulator (control plane on, oracle
tests running) passes with every compatible real-box variation switched on at once by `run --fault …`, the
way `mutants` runs a variation under `lenient`. The busy gate then records 5 live recognitions a second while
the oracle tests seed, inject and query: an oracle test must pin its windows or its own events so that live
traffic cannot disturb it. The quiet box is the control-mode default (no live rate): one run covers the group.
"""

from __future__ import annotations

from conformance.emulator.faults.catalog import CATALOG
from conformance.emulator.faults.hooks import LIVE_RATE, ActiveFaults
from conformance.exit_codes import ExitCode
from conformance.mutants.child_run import run_suite
from tests.kill.catalog_kills import LENIENT
from tests.site_box import QUIET_BOX as QUIET
from tests.site_box import REAL_BOX_VARIATIONS as REAL_BOX

MIN_PASSED = 250  # a whole-suite control run passes some 280 tests; far fewer means it did not run the suite


def test_the_quiet_box_is_the_control_mode_default() -> None:
    """Why one control run is enough: without a variation a control-mode box records no live traffic."""
    assert ActiveFaults().apply(LIVE_RATE, 0.0) == ActiveFaults([QUIET]).apply(LIVE_RATE, 0.0) == 0.0
    assert CATALOG.conflicting(REAL_BOX) == []


def test_every_real_box_variation_at_once_raises_no_false_alarm_under_control() -> None:
    outcome = run_suite("", list(REAL_BOX), run_args=LENIENT)
    assert not outcome.problem, outcome.describe()
    harness = [t.nodeid for t in outcome.tests if t.category == "harness"]
    assert not harness, f"harness errors: {harness}\n{outcome.describe()}"
    assert not outcome.failed_tests, outcome.describe()
    assert outcome.exit_code == ExitCode.OK, outcome.describe()
    assert len(outcome.passed) >= MIN_PASSED, outcome.describe()
