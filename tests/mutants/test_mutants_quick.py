"""CI's kill matrix in both modes: `mutants --quick --modes control,blind` kills every fault of its selection
on target and raises no false alarm, with and without a control plane.

It runs the real command (fresh embedded emulators for control, site-mode boxes for blind, two runs at a
time) and fails on a failing clean run, a survivor, a kill whose finding names none of the fault's
requirements, a harness error, an unstable test or a false alarm; its message is the matrix itself.

This test also carries the proof that no real-box variation (a busy gate at 5 recognitions a second,
microsecond times, gzip-coded answers, extra fields that change on every call, 422 for invalid arguments,
keys in another order, and the quiet box) raises a false alarm in either mode: the quick plan's combined
variation runs switch every one of them on over the whole suite, in both modes (the busy gate and the quiet
box in two runs, as they conflict). tests/emulator/test_real_box_variations.py proves that a box with those
runs' switches really shows each variation.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from conformance.mutants.child_run import BLIND, CONTROL
from conformance.mutants.fault_catalog import FAULT, VARIATION, load_catalog
from conformance.mutants.plan import CLEAN, blind_quick_faults
from conformance.paths import PROJECT_ROOT
from tests.site_box import QUIET_BOX, REAL_BOX_VARIATIONS

QUICK_ARGS = ("mutants", "--quick", "--modes", f"{CONTROL},{BLIND}", "--jobs", "2")
QUICK_TIMEOUT_S = 5400.0  # only stops a hung run (figures: docs/self-validation.md; 25+ min at load 20)
# a whole-suite run passes some 280 tests (control) or 230 (a quiet site box); far fewer: not the whole suite
MIN_PASSED = {CONTROL: 250, BLIND: 150}
Row = dict[str, Any]
# Under control, the schemathesis operations of v1 events and devices (v1-v2-error-envelope) and of v2
# getevents (v2-500-on-bad-input) fail without a finding naming a requirement: harness errors beside the kill,
# shown in the matrix, not failed here until those failures carry findings (blind rows must have none).


def _run_quick_matrix(reports: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    argv = [sys.executable, "-m", "conformance", *QUICK_ARGS, "--reports-dir", str(reports)]
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


def test_quick_kill_matrix_in_both_modes_kills_on_target_without_false_alarm(tmp_path: Path) -> None:
    done, data = _run_quick_matrix(tmp_path)
    matrix = done.stdout
    assert data["modes"] == [CONTROL, BLIND], matrix
    catalog = load_catalog()
    expected_faults = {CONTROL: catalog.quick_faults(), BLIND: blind_quick_faults(catalog)}
    variations = {v.name for v in catalog.variations()}
    for mode, faults in expected_faults.items():
        rows = [r for r in data["rows"] if r["mode"] == mode]
        cleans = [r for r in rows if r["kind"] == CLEAN]
        assert cleans and all(r["status"] == "passed" for r in cleans), matrix
        killed = {r["name"]: r for r in rows if r["kind"] == FAULT}
        assert faults and set(faults) <= set(killed), (mode, faults, matrix)
        for name in faults:
            row = killed[name]
            assert row["observable"] and row["status"] == "killed" and row["on_target"], (mode, name, matrix)
        if mode == BLIND:  # under control: see the note on harness errors at the top
            assert not any(killed[name]["harness_errors"] for name in faults), matrix
        runs = [r for r in rows if r["kind"] == VARIATION]
        assert variations <= {name for r in runs for name in r["switches"]}, (mode, matrix)
        assert all(r["status"] == "passed" for r in runs), (mode, matrix)  # no false alarm
        for group in (REAL_BOX_VARIATIONS, (QUIET_BOX,)):  # the busy gate and the quiet box: two runs
            run = _variation_run_with(runs, group)
            assert run["counts"]["passed"] >= MIN_PASSED[mode], (mode, run["name"], run["counts"], matrix)
        totals = data["totals"][mode]
        assert totals["false_alarms"] == 0 and totals["clean_ok"], (mode, matrix)
        assert not totals["unstable"] and totals["harness_error_runs"] == 0, (mode, matrix)
    assert done.returncode == 0 and data["ok"], matrix
