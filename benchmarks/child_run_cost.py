"""What one kill-test child run costs (CPU and wall): as before, with the bytecode cache, narrowed, warm.

    .venv/bin/python benchmarks/child_run_cost.py -k test_v1_num_pages_is_the_ceiling --repeat 3

CPU seconds (user + system of the whole child process tree) are the figure to compare: on a loaded
machine wall time mostly measures the other processes. "warm fork" runs are forked from the warm fork
server of the project's tests (tests/warm_launcher.py); its CPU is the forked run's tree as the server
measured it, and the server's one-time warm-up is printed apart.
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
from conformance.mutants.warm_launch import WARM_LAUNCHER_ENV, WarmLauncher
from conformance.paths import PROJECT_ROOT

WARM_SERVER = PROJECT_ROOT / "tests" / "warm_launcher.py"


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(
    spec: ChildRunSpec, env: dict[str, str], narrow: bool, warm: WarmLauncher | None = None
) -> tuple[float, float, int]:
    """(CPU s, wall s, exit code) of one `sophon-conformance run` for `spec`."""
    with tempfile.TemporaryDirectory(prefix="child-cost-") as reports:
        ignores = narrowing(spec, Path(reports))[0] if narrow else []
        argv = child_argv(spec, Path(reports) / "runs") + ignores
        cpu, wall = _cpu_of_children(), time.monotonic()
        if warm is not None:
            child = warm.start(argv, env, Path(reports) / "run.log")
            assert child is not None, "the warm fork server refused the run"
            code = child.wait()
            return child.cpu_s, time.monotonic() - wall, code
        done = subprocess.run(argv, cwd=PROJECT_ROOT, env=env, capture_output=True, check=False)
        return _cpu_of_children() - cpu, time.monotonic() - wall, done.returncode


def main() -> None:
    """Run the selection `--repeat` times per setting; print one line per run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", default="test_v1_num_pages_is_the_ceiling", help="pytest -k selection")
    parser.add_argument("--fault", action="append", default=[], help="emulator fault to switch on")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=("as before", "bytecode cache", "cache + narrowed", "warm fork"))
    args = parser.parse_args()
    spec = ChildRunSpec(faults=tuple(args.fault), k_expr=args.k)
    uncached = {k: v for k, v in os.environ.items() if k != PYCACHE_ENV}
    uncached["PYTHONDONTWRITEBYTECODE"] = "1"  # how every child run compiled before the cache
    settings: dict[str, tuple[dict[str, str], bool]] = {
        "as before": (uncached, False),
        "bytecode cache": (child_env(), False),
        "cache + narrowed": (child_env(), True),
        "warm fork": (child_env(), True),
    }
    measure(spec, child_env(), True)  # fill the bytecode cache and the suite index once
    for name, (env, narrow) in settings.items():
        if args.only and name != args.only:
            continue
        warm = None
        if name == "warm fork":
            cpu = _cpu_of_children()
            warm = WarmLauncher(WARM_SERVER, {**env, WARM_LAUNCHER_ENV: str(WARM_SERVER)})
            warm.close()  # measure the warm-up alone: the server ends, its CPU becomes ours
            print(f"{'warm-up (once)':18} cpu {_cpu_of_children() - cpu:6.2f} s", flush=True)
            warm = WarmLauncher(WARM_SERVER, {**env, WARM_LAUNCHER_ENV: str(WARM_SERVER)})
        for _ in range(args.repeat):
            cpu, wall, code = measure(spec, env, narrow, warm)
            print(f"{name:18} cpu {cpu:6.2f} s  wall {wall:6.2f} s  exit {code}", flush=True)


if __name__ == "__main__":
    main()
