"""Shared child runs: the first caller of a spec makes the run, every later one (any process) reads it."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from conformance.mutants.child_run import ChildRunSpec, SuiteOutcome, TestOutcome
from conformance.mutants.shared_runs import SHARED_RUNS_ENV, made_once, run_key, shared_folder


def test_a_spec_is_made_once_while_the_others_wait_for_it(tmp_path: Path) -> None:
    made: list[int] = []

    def make() -> dict[str, Any]:
        time.sleep(0.2)  # the other callers arrive while this one holds the lock
        made.append(1)
        return {"exit_code": 1, "made": len(made)}

    results: list[dict[str, Any]] = []
    callers = [
        threading.Thread(target=lambda: results.append(made_once(tmp_path, {"k": "x"}, make)))
        for _ in range(3)
    ]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()
    assert made == [1]
    assert results == [{"exit_code": 1, "made": 1}] * 3
    other = made_once(tmp_path, {"k": "y"}, lambda: {"exit_code": 0})
    assert other == {"exit_code": 0}, "another spec is another run"


def test_the_key_covers_every_field_of_the_spec() -> None:
    base = ChildRunSpec(faults=("a",), k_expr="test_x", run_args=("--profile", "strict"))
    keys = {
        run_key(spec.__dict__)
        for spec in (
            base,
            ChildRunSpec(faults=("b",), k_expr="test_x", run_args=("--profile", "strict")),
            ChildRunSpec(faults=("a",), k_expr="test_y", run_args=("--profile", "strict")),
            ChildRunSpec(faults=("a",), k_expr="test_x", run_args=("--profile", "lenient")),
            ChildRunSpec(faults=("a",), k_expr="test_x", run_args=base.run_args, pytest_args=("-x",)),
        )
    }
    assert len(keys) == 5


def test_runs_against_a_box_by_url_are_never_shared() -> None:
    assert ChildRunSpec(k_expr="test_x").judges_its_own_emulator()
    at_a_box = ChildRunSpec(k_expr="test_x", run_args=("--box-url=http://127.0.0.1:1",))
    assert not at_a_box.judges_its_own_emulator()


def test_an_outcome_survives_its_json() -> None:
    test = TestOutcome("m.py::t", "failed", ("R-1",), "text", "schema", 2, ("R-1", "R-2"))
    outcome = SuiteOutcome(1, (test,), wall_s=3.5, output="out", problem="", selection_differs=False)
    assert SuiteOutcome.from_json(outcome.to_json()) == outcome


def test_sharing_is_on_only_when_the_session_names_a_folder(tmp_path: Path) -> None:
    assert shared_folder({}) is None
    assert shared_folder({SHARED_RUNS_ENV: str(tmp_path)}) == tmp_path
