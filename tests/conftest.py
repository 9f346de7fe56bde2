"""Session-wide settings of the project's own tests: workers, shared child runs, the longest tests first.

All serve the README's command (`pytest -n auto`) on 2 cores (docs/ci.md): `-n auto` starts two workers per
core, because most of the long tests wait (on live recognitions, uploads and child runs) rather than compute;
identical child runs of the suite against fresh emulators are made once per session, whichever xdist worker
asks first; the tests that run child processes start first, dealt round-robin to the workers; and `-n`
without a `--dist` of the caller's schedules by work stealing (a worker that runs dry takes the back half of
another's queue), so the workers end together instead of one finishing a queue of long tests alone.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import TypeVar

import pytest

from conformance.mutants.shared_runs import SHARED_RUNS_ENV
from conformance.mutants.warm_launch import WARM_LAUNCHER_ENV

#: Path prefixes (relative to the project) of the longest tests, longest first. Tests keep their collection
#: order within a prefix, and every other test follows in collection order.
LONGEST_FIRST = (
    "tests/mutants/test_mutants_quick.py",
    "tests/site/",
    "tests/kill/",
    "tests/suite/test_fault_proof.py",
    "tests/reliability/",
    "tests/suite/test_interrupt_restores.py",
    "tests/suite/test_evidence_ws_upload.py",
    "tests/emulator/test_faces.py",
)
WORKERS_PER_CORE = 2  # `-n auto`: the long tests mostly wait, so two workers keep a core busy (docs/ci.md)
T = TypeVar("T")
_STASH_KEY = pytest.StashKey[str]()  # the shared-runs folder this process made ("" when it made none)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: two workers per core this process may use, since half of a worker's time is waiting."""
    return WORKERS_PER_CORE * len(os.sched_getaffinity(0))


def pytest_configure(config: pytest.Config) -> None:
    """The controlling process makes the session's folder of shared runs (xdist workers inherit it) and
    picks work stealing for `-n` when the command line names no distribution mode."""
    if hasattr(config, "workerinput"):
        return
    chosen = any(arg.startswith(("--dist", "-d")) for arg in config.invocation_params.args)
    if getattr(config.option, "dist", "no") == "load" and not chosen:
        config.option.dist = "worksteal"
    # child runs fork from a warm process (tests/warm_launcher.py); SOPHON_WARM_LAUNCHER= (empty) turns it off
    os.environ.setdefault(WARM_LAUNCHER_ENV, str(Path(__file__).with_name("warm_launcher.py")))
    if os.environ.get(SHARED_RUNS_ENV):
        return
    folder = tempfile.mkdtemp(prefix="sophon-shared-runs-")
    os.environ[SHARED_RUNS_ENV] = folder
    config.stash[_STASH_KEY] = folder


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the folder this process made (and stop sharing it)."""
    folder = config.stash.get(_STASH_KEY, "")
    if folder:
        os.environ.pop(SHARED_RUNS_ENV, None)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Move the longest tests to the front, in LONGEST_FIRST order (a stable sort: no test is dropped); in an
    xdist worker, deal them round-robin into the workers' first shares (deal_to_shares)."""
    root = config.rootpath

    def rank(item: pytest.Item) -> int:
        path = item.path.relative_to(root).as_posix() if item.path.is_relative_to(root) else ""
        ranks = (i for i, prefix in enumerate(LONGEST_FIRST) if path.startswith(prefix))
        return next(ranks, len(LONGEST_FIRST))

    items.sort(key=rank)
    workers = int(getattr(config, "workerinput", {}).get("workercount", 1))
    if workers > 1:
        items[:] = deal_to_shares(items, workers)


def deal_to_shares(items: list[T], workers: int) -> list[T]:
    """`items` (longest first) reordered so that xdist's work stealing, which hands each worker one contiguous
    share at the start (share i: what is left over the workers left), gives every worker the i-th, (i+W)-th …
    longest tests first: the long tests run side by side instead of queued on the first worker."""
    sizes: list[int] = []
    left = len(items)
    for remaining in range(workers, 0, -1):
        sizes.append(left // remaining)
        left -= sizes[-1]
    shares: list[list[T]] = [[] for _ in sizes]
    dealt = iter(items)
    for round_ in range(max(sizes, default=0)):
        for share, size in zip(shares, sizes, strict=True):
            if round_ < size:
                share.append(next(dealt))
    return [item for share in shares for item in share]
