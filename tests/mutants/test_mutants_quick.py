"""CI's kill matrix: `mutants --quick` must kill every fault of its selection and raise no false alarm.

This runs the real command (fresh embedded emulator per run, two at a time); it fails on any survivor,
any false alarm or a failing clean run, and its message is the matrix itself.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conformance.mutants.fault_catalog import load_catalog
from conformance.paths import PROJECT_ROOT

QUICK_TIMEOUT_S = 900.0  # about 4 CPU-minutes (docs/ci.md); this only stops a hung run


def test_quick_kill_matrix_has_no_survivor_and_no_false_alarm(tmp_path: Path) -> None:
    argv = [
        sys.executable,
        "-m",
        "conformance",
        "mutants",
        "--quick",
        "--jobs",
        "2",
        "--reports-dir",
        str(tmp_path),
    ]
    done = subprocess.run(
        argv, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=QUICK_TIMEOUT_S, check=False
    )
    matrices = sorted(tmp_path.glob("mutants/*/matrix.json"))
    assert matrices, done.stdout[-3000:] + done.stderr[-3000:]
    data = json.loads(matrices[-1].read_text(encoding="utf-8"))
    rows = {row["name"]: row for row in data["rows"]}
    quick_faults = load_catalog().quick_faults()
    assert quick_faults and set(quick_faults) <= set(rows)
    assert any(row["kind"] == "variation" for row in rows.values())
    assert done.returncode == 0 and data["ok"], done.stdout
    for name in quick_faults:
        assert rows[name]["status"] == "killed" and rows[name]["on_target"], done.stdout
