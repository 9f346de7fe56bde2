"""CPU of some kill tests with the runner as it is and as it was (no bytecode cache, whole suite collected).

    .venv/bin/python benchmarks/kill_tests_cost.py tests/kill/test_upload_setting.py
    .venv/bin/python benchmarks/kill_tests_cost.py --settings cold,now tests/kill/test_v1_queries.py

Each setting runs pytest on the given arguments in a fresh process (`-p no:randomly -q`); the figure is
the CPU seconds (user + system) of that process and every child run it started. Settings: `before` (every
child compiles and collects the whole suite), `cold` (bytecode cache and narrowed collection, each run a
new interpreter), `now` (as the test session runs them: also forked from the warm fork server).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time

import pytest

from conformance.mutants import child_run
from conformance.paths import PROJECT_ROOT

SETTINGS = ("before", "cold", "now")
WARM_OFF = {"SOPHON_WARM_LAUNCHER": ""}  # an empty variable turns the warm fork server off


def _as_before() -> None:
    """Every child compiles again (no cache) and collects the whole suite (no narrowing)."""

    def uncached_env() -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != child_run.PYCACHE_ENV}
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        return env

    child_run.child_env = uncached_env
    child_run.narrowing = lambda spec, workdir: ([], None)


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str]) -> int:
    """`SETTING -- pytest args` runs one setting in this process; otherwise time each setting in a child."""
    if argv and argv[0] in SETTINGS:
        if argv[0] == "before":
            _as_before()
        return int(pytest.main(["-p", "no:randomly", "-q", *argv[1:]]))
    chosen = list(SETTINGS)
    if argv and argv[0] == "--settings":
        chosen, argv = argv[1].split(","), argv[2:]
    for setting in chosen:
        env = {**os.environ, **(WARM_OFF if setting != "now" else {})}
        cpu, wall = _cpu_of_children(), time.monotonic()
        done = subprocess.run(
            [sys.executable, __file__, setting, *argv], cwd=PROJECT_ROOT, env=env, check=False
        )
        print(
            f"{setting:7} cpu {_cpu_of_children() - cpu:7.1f} s  wall {time.monotonic() - wall:7.1f} s  "
            f"exit {done.returncode}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
