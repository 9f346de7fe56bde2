"""What one kill-test child run costs (CPU and wall): as before, with the bytecode cache, and narrowed.

    .venv/bin/python benchmarks/child_run_cost.py -k test_v1_num_pages_is_the_ceiling --repeat 3

CPU seconds (user + system of the whole child process tree) are the figure to compare: on a loaded
machine wall time mostly measures the other processes.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import tempfile
import time
from pathlib import Path

from conformance.mutants.child_run import PYCACHE_ENV, ChildRunSpec, child_argv, child_env, narrowing
from conformance.paths import PROJECT_ROOT


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(spec: ChildRunSpec, env: dict[str, str], narrow: bool) -> tuple[float, float, int]:
    """(CPU s, wall s, exit code) of one `sophon-conformance run` for `spec`."""
    with tempfile.TemporaryDirectory(prefix="child-cost-") as reports:
        ignores = narrowing(spec, Path(reports))[0] if narrow else []
        argv = child_argv(spec, Path(reports) / "runs") + ignores
        cpu, wall = _cpu_of_children(), time.monotonic()
        done = subprocess.run(argv, cwd=PROJECT_ROOT, env=env, capture_output=True, check=False)
        return _cpu_of_children() - cpu, time.monotonic() - wall, done.returncode


def main() -> None:
    """Run the selection `--repeat` times per setting; print one line per run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", default="test_v1_num_pages_is_the_ceiling", help="pytest -k selection")
    parser.add_argument("--fault", action="append", default=[], help="emulator fault to switch on")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    spec = ChildRunSpec(faults=tuple(args.fault), k_expr=args.k)
    uncached = {k: v for k, v in os.environ.items() if k != PYCACHE_ENV}
    uncached["PYTHONDONTWRITEBYTECODE"] = "1"  # how every child run compiled before the cache
    settings = {
        "as before": (uncached, False),
        "bytecode cache": (child_env(), False),
        "cache + narrowed": (child_env(), True),
    }
    measure(spec, child_env(), True)  # fill the bytecode cache and the suite index once
    for name, (env, narrow) in settings.items():
        for _ in range(args.repeat):
            cpu, wall, code = measure(spec, env, narrow)
            print(f"{name:18} cpu {cpu:6.2f} s  wall {wall:6.2f} s  exit {code}", flush=True)


if __name__ == "__main__":
    main()
