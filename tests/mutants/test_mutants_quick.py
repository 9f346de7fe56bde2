"""CI's kill matrix: `mutants --quick --blind` kills every fault of its selection on target without a control
plane, and no conforming variation raises a false alarm over the whole suite, with or without a control plane.

Each case runs the real command (site-mode boxes for blind, fresh embedded emulators for control, two runs at
a time) and fails on a failing clean run, a survivor, a kill whose finding names none of the fault's
requirements, a harness error, an unstable test or a false alarm; its message is the matrix itself. The two
cases are separate tests, so two workers run them side by side.

Under control, every fault of the catalog is killed by tests/kill/ (one child run per fault, its findings
asserted), so the control case runs no fault (`--no-faults`) and no clean run: it is the false-alarm sweep.
Both cases carry the proof that no real-box variation (a busy gate at 5 recognitions a second, microsecond
times, gzip-coded answers, extra fields that change on every call, 422 for invalid arguments, keys in another
order, and the quiet box) raises a false alarm: the quick plan's combined variation runs switch every one of
them on over the whole suite (the busy gate and the quiet box in two runs, as they conflict), schemathesis at
the smoke budget (conformance/suite/hypothesis_profiles.py). tests/emulator/test_real_box_variations.py proves
that a box with those runs' switches really shows each variation.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conformance.mutants.child_run import BLIND, CONTROL
from conformance.mutants.fault_catalog import FAULT, VARIATION, load_catalog
from conformance.mutants.plan import CLEAN, blind_quick_faults
from conformance.paths import PROJECT_ROOT
from tests.site_box import QUIET_BOX, REAL_BOX_VARIATIONS

QUICK_ARGS = {
    BLIND: ("mutants", "--quick", "--blind", "--jobs", "2"),
    CONTROL: ("mutants", "--quick", "--no-faults", "--jobs", "2"),
}
QUICK_TIMEOUT_S = 5400.0  # only stops a hung run (figures: docs/self-validation.md; 25+ min at load 20)
# a whole-suite run passes some 280 tests (control) or 230 (a quiet site box); far fewer: not the whole suite
MIN_PASSED = {CONTROL: 250, BLIND: 150}
Row = dict[str, Any]


def _run_quick_matrix(mode: str, reports: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    argv = [sys.executable, "-m", "conformance", *QUICK_ARGS[mode], "--reports-dir", str(reports)]
    done = subprocess.run(
        argv, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=QUICK_TIMEOUT_S, check=False
    )
    matrices = sorted(reports.glob("mutants/*/matrix.json"))
    assert matrices, done.stdout[-3000:] + done.stderr[-3000:]
    return done, json.loads(matrices[-1].read_text(encoding="utf-8"))


def _variation_run_with(rows: list[Row], names: tuple[str, ...]) -> Row:
    """The variation run that switched every one of `names` on over the whole suite."""
    runs = [r for r in rows if r["kind"] == VARIATION and set(names) <= set(r["switches"])]
    assert runs, f"no variation run switches on all of {names}: {[r['switches'] for r in rows]}"
    whole = [r for r in runs if not r["selection"]]
    assert whole, f"the runs switching on {names} ran a selection, not the whole suite: {runs}"
    return whole[0]


@pytest.mark.parametrize("mode", [BLIND, CONTROL])
def test_quick_kill_matrix_kills_on_target_without_false_alarm(tmp_path: Path, mode: str) -> None:
    done, data = _run_quick_matrix(mode, tmp_path)
    matrix = done.stdout
    assert data["modes"] == [mode], matrix
    catalog = load_catalog()
    rows = data["rows"]
    cleans = [r for r in rows if r["kind"] == CLEAN]
    killed = {r["name"]: r for r in rows if r["kind"] == FAULT}
    if mode == BLIND:
        faults = blind_quick_faults(catalog)
        assert cleans and all(r["status"] == "passed" for r in cleans), matrix
        assert faults and set(faults) == set(killed), (faults, matrix)
        for name in faults:
            row = killed[name]
            assert row["observable"] and row["status"] == "killed" and row["on_target"], (name, matrix)
            assert not row["harness_errors"], (name, matrix)
    else:  # the kill tests kill every fault under control: this case is the false-alarm sweep alone
        assert not killed and not cleans, matrix
    runs = [r for r in rows if r["kind"] == VARIATION]
    assert {v.name for v in catalog.variations()} <= {name for r in runs for name in r["switches"]}, matrix
    assert all(r["status"] == "passed" for r in runs), matrix  # no false alarm
    for group in (REAL_BOX_VARIATIONS, (QUIET_BOX,)):  # the busy gate and the quiet box: two runs
        run = _variation_run_with(runs, group)
        assert run["counts"]["passed"] >= MIN_PASSED[mode], (run["name"], run["counts"], matrix)
    totals = data["totals"][mode]
    assert totals["false_alarms"] == 0 and totals["clean_ok"], matrix
    assert not totals["unstable"] and totals["harness_error_runs"] == 0, matrix
    assert done.returncode == 0 and data["ok"], matrix
