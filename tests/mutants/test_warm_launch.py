"""Child runs forked from the warm fork server end as runs started as new interpreters do.

The project's test session forks its child runs from tests/warm_launcher.py (warm_launch.py); a forked
run must give the same outcome (exit code, tests, what each failure names), be stopped with its process
group when it overruns, and a missing server must leave runs to new interpreters.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conformance.emulator.faults.catalog import CATALOG
from conformance.exit_codes import ExitCode
from conformance.mutants import warm_launch
from conformance.mutants.child_run import ChildRunSpec, SuiteOutcome, child_env, run_child
from conformance.mutants.warm_launch import WARM_LAUNCHER_ENV, WarmChild, WarmLauncher, warm_launcher
from conformance.paths import PROJECT_ROOT

SERVER = PROJECT_ROOT / "tests" / "warm_launcher.py"
FAULT = CATALOG.get("v1-num-pages-floored")  # its selection is two quick tests of one module


def _summary(outcome: SuiteOutcome) -> tuple[int, list[tuple[str, str, tuple[str, ...]]]]:
    tests = sorted((t.nodeid, t.outcome, t.finding_requirements) for t in outcome.tests)
    return outcome.exit_code, tests


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[WarmChild]:
    """The children the warm fork server starts during the test (the session's server is used)."""
    monkeypatch.setenv(WARM_LAUNCHER_ENV, str(SERVER))
    children: list[WarmChild] = []
    start = WarmLauncher.start

    def recording(self: WarmLauncher, argv: list[str], env: dict[str, str], log: Path) -> WarmChild | None:
        child = start(self, argv, env, log)
        if child is not None:
            children.append(child)
        return child

    monkeypatch.setattr(WarmLauncher, "start", recording)
    return children


def test_a_forked_run_ends_as_a_new_interpreter_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, started: list[WarmChild]
) -> None:
    spec = ChildRunSpec(faults=(FAULT.name,), k_expr=FAULT.caught_by)
    warm = run_child(spec, tmp_path / "warm")
    assert len(started) == 1, "the run was not forked from the warm server"
    monkeypatch.setenv(WARM_LAUNCHER_ENV, "")
    cold = run_child(spec, tmp_path / "cold")
    assert len(started) == 1
    assert warm.exit_code == ExitCode.CHECKS_FAILED, warm.describe()
    assert _summary(warm) == _summary(cold), f"{warm.describe()}\n---\n{cold.describe()}"
    assert any(FAULT.requirements[0] in t.finding_requirements for t in warm.failed()), warm.describe()
    assert "sophon-conformance run:" in warm.output  # the run's own output reached its log


def test_an_overrunning_forked_run_is_stopped_with_its_group(
    tmp_path: Path, started: list[WarmChild]
) -> None:
    outcome = run_child(ChildRunSpec(k_expr=FAULT.caught_by), tmp_path, timeout_s=0.5)
    assert outcome.timed_out and outcome.exit_code == -1, outcome.describe()
    assert len(started) == 1
    with pytest.raises(ProcessLookupError):
        os.killpg(started[0].pid, 0)  # nothing of the run's process group is left


def test_without_a_server_runs_start_as_new_interpreters(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(warm_launch, "_LAUNCHERS", {})
    env = {**child_env(), WARM_LAUNCHER_ENV: str(PROJECT_ROOT / "no-such-server.py")}
    assert warm_launcher(env) is None
    assert warm_launcher({**env, WARM_LAUNCHER_ENV: ""}) is None
