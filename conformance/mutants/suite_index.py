"""Which suite modules a child run's selection needs, so it collects only those (most of a run's cost).

One collect-only child run writes the index: every test with the names pytest's `-k` matches it by and its
requirement ids. A selection is then evaluated with pytest's own `-k` matcher over the index, and the
modules holding none of the selected tests are left out with `--ignore`. The run checks afterwards that it
ran exactly the tests the index predicted (child_run.py), so a wrong prediction fails loudly.
The index is cached on disk, keyed by the files collection reads, in the children's bytecode cache folder.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import subprocess
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from _pytest.mark import KeywordMatcher
from _pytest.mark.expression import Expression

from conformance.mutants.selection import matches
from conformance.paths import PROJECT_ROOT, SCENARIOS_DIR, SCHEMAS_DIR

INDEX_TIMEOUT_S = 300.0
PACKAGE_DIR = PROJECT_ROOT / "conformance"


class SuiteIndexError(RuntimeError):
    """The collect-only run wrote no usable index."""


@dataclass(frozen=True)
class IndexedTest:
    """One collected test: its node id, module (relative to the project), -k names and requirement ids."""

    nodeid: str
    module: str
    keywords: frozenset[str]
    requirements: tuple[str, ...]


@dataclass(frozen=True)
class SuiteIndex:
    """Every collected test of the suite, in collection order."""

    tests: tuple[IndexedTest, ...]

    def select(self, k_expr: str = "", requirements: Sequence[str] = ()) -> list[IndexedTest]:
        """The tests `-k k_expr` and `--mutants-req requirements` keep, as pytest would decide."""
        expression = Expression.compile(k_expr) if k_expr.strip() else None
        patterns = tuple(requirements)
        return [
            test
            for test in self.tests
            if (expression is None or expression.evaluate(KeywordMatcher(test.keywords)))
            and matches(test.requirements, patterns)
        ]

    def ignore_args(self, selected: Iterable[IndexedTest]) -> list[str]:
        """`--ignore` for every module holding none of the `selected` tests."""
        needed = {test.module for test in selected}
        modules = dict.fromkeys(test.module for test in self.tests)
        return [f"--ignore={PROJECT_ROOT / module}" for module in modules if module not in needed]


def parse_index(data: Any) -> SuiteIndex:
    """The index from its JSON; a wrong shape is a SuiteIndexError."""
    if not isinstance(data, list):
        raise SuiteIndexError("the suite index must be a list")
    try:
        tests = tuple(
            IndexedTest(
                nodeid=str(entry["nodeid"]),
                module=str(entry["module"]),
                keywords=frozenset(str(name) for name in entry["keywords"]),
                requirements=tuple(str(rid) for rid in entry["requirements"]),
            )
            for entry in data
        )
    except (KeyError, TypeError) as exc:
        raise SuiteIndexError(f"a suite index entry lacks {exc}") from None
    return SuiteIndex(tests)


def package_key() -> str:
    """A digest of what collection reads (path, size, mtime) and pytest's version."""
    digest = hashlib.sha256(pytest.__version__.encode())
    files = [*PACKAGE_DIR.rglob("*.py"), *SCHEMAS_DIR.rglob("*"), *SCENARIOS_DIR.rglob("*")]
    for path in sorted(p for p in files if p.is_file()):
        stat = path.stat()
        digest.update(f"{path.relative_to(PROJECT_ROOT)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:20]


def build_index(path: Path, collect_argv: Sequence[str], env: dict[str, str]) -> None:
    """Write the index to `path` with `collect_argv` (a collect-only child run) plus `--mutants-index`."""
    done = subprocess.run(
        [*collect_argv, f"--mutants-index={path}"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=INDEX_TIMEOUT_S,
        check=False,
    )
    if not path.is_file():
        output = done.stdout[-2000:] + done.stderr[-2000:]
        raise SuiteIndexError(f"the collect-only run wrote no index (exit {done.returncode}): {output}")


_LOADED: dict[Path, SuiteIndex] = {}
_LOADING = threading.Lock()  # parallel mutant runs (threads) wait for one index instead of each building it


def load_index(cache_dir: Path, collect_argv: Sequence[str], env: dict[str, str]) -> SuiteIndex:
    """The suite's index: from this process, else from `cache_dir` if the package is unchanged, else built."""
    path = cache_dir / f"suite-index-{package_key()}.json"
    with _LOADING:
        if path in _LOADED:
            return _LOADED[path]
        cache_dir.mkdir(parents=True, exist_ok=True)
        with (cache_dir / "suite-index.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # other processes (xdist workers) wait for one build
            if not path.is_file():
                build_index(path, collect_argv, env)
        try:
            index = parse_index(json.loads(path.read_text(encoding="utf-8")))
        except ValueError as exc:
            raise SuiteIndexError(f"unreadable suite index {path}: {exc}") from None
        _LOADED[path] = index
        return index
