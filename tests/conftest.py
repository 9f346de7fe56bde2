"""Session-wide settings of the project's own tests: workers, shared child runs, the longest tests first.

All serve the README's command (`pytest -n auto`) on 2 cores (docs/ci.md): `-n auto` starts two workers per
core, because most of the long tests wait (on live recognitions, uploads and child runs) rather than compute;
identical child runs of the suite against fresh emulators are made once per session, whichever xdist worker
asks first; every process the session starts reads compiled modules from one bytecode cache outside the
checkout; the tests that run child processes start first, dealt round-robin to the workers; and `-n`
without a `--dist` of the caller's schedules by work stealing (a worker that runs dry takes the back half of
another's queue), so the workers end together instead of one finishing a queue of long tests alone.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import TypeVar

import pytest

from conformance.mutants.child_run import share_bytecode_cache
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
    """The controlling process makes the session's folder of shared runs and shares the bytecode cache (the
    processes it starts inherit both), and picks work stealing for `-n` when the command line names none."""
    if hasattr(config, "workerinput"):
        return
    chosen = any(arg.startswith(("--dist", "-d")) for arg in config.invocation_params.args)
    if getattr(config.option, "dist", "no") == "load" and not chosen:
        config.option.dist = "worksteal"
    # every process the session starts (xdist workers, the `run`s and pytests that tests start themselves)
    # loads compiled and assertion-rewritten modules from the child runs' cache instead of rebuilding them
    share_bytecode_cache(os.environ)
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
        items[:] = deal_to_shares(items, workers, shared_fixture_group)


def deal_to_shares(items: list[T], workers: int, group_of: Callable[[T], Hashable] | None = None) -> list[T]:
    """`items` (longest first) reordered so that xdist's work stealing, which hands each worker one contiguous
    share at the start (share i: what is left over the workers left), gives every worker its turn of the
    longest tests first, side by side; consecutive items of one `group_of` key (tests that share a module
    fixture) go to one share together while it has room, so the fixture is built once, not once per worker."""
    sizes: list[int] = []
    left = len(items)
    for remaining in range(workers, 0, -1):
        sizes.append(left // remaining)
        left -= sizes[-1]
    groups: list[list[T]] = []
    last: object = object()
    for item in items:
        key = object() if group_of is None else group_of(item)
        if groups and key == last:
            groups[-1].append(item)
        else:
            groups.append([item])
        last = key
    shares: list[list[T]] = [[] for _ in sizes]
    for group in groups:
        rest = group
        while rest:  # to the share dealt the fewest so far (leftmost on a tie): round-robin for single tests
            open_shares = [i for i, share in enumerate(shares) if len(share) < sizes[i]]
            index = min(open_shares, key=lambda i: len(shares[i]))
            room = sizes[index] - len(shares[index])
            shares[index] += rest[:room]
            rest = rest[room:]
    return [item for share in shares for item in share]


WIDER_THAN_A_TEST = ("module", "class", "package")


def shared_fixture_group(item: pytest.Item) -> Hashable:
    """Neighbouring tests of a module that use module-, class- or package-scoped fixtures form one group."""
    info = getattr(item, "_fixtureinfo", None)
    definitions = info.name2fixturedefs.values() if info is not None else ()
    shares_a_fixture = any(defs and defs[-1].scope in WIDER_THAN_A_TEST for defs in definitions)
    return str(item.path) if shares_a_fixture else item.nodeid
