"""pytest plugin for child runs: keep only the tests naming given requirements; index the suite.

Loaded into the child pytest with `-p conformance.mutants.selection`. `--mutants-req` takes a comma list
of requirement ids or fnmatch patterns (`V2Q-*`). `--mutants-index FILE` writes, for every collected test,
its module, the names pytest's `-k` matches it by and its requirement ids (see suite_index.py). What each
kept test did is read back from the run's own records (`results.jsonl`, see child_run.py).
"""

from __future__ import annotations

import fnmatch
import json
import os
from pathlib import Path

import pytest
from _pytest.mark import KeywordMatcher

from conformance.suite.markers import requirement_ids


def pytest_addoption(parser: pytest.Parser) -> None:
    """The option of a mutant run."""
    group = parser.getgroup("sophon-conformance-mutants", "sophon-conformance mutants")
    group.addoption("--mutants-req", default=None, help="comma list of requirement ids or patterns to keep")
    group.addoption("--mutants-index", default=None, help="write every collected test's keywords here (JSON)")


def wanted_patterns(text: str | None) -> tuple[str, ...]:
    """The patterns of `--mutants-req`; empty means keep everything."""
    if not text:
        return ()
    return tuple(p.strip() for p in text.split(",") if p.strip())


def matches(ids: tuple[str, ...], patterns: tuple[str, ...]) -> bool:
    """True when some requirement id matches some pattern (or no pattern is given)."""
    return not patterns or any(fnmatch.fnmatchcase(i, p) for i in ids for p in patterns)


def index_entry(item: pytest.Item) -> dict[str, object]:
    """What a parent needs to predict whether `-k` or `--mutants-req` selects this test, and where it is."""
    return {
        "nodeid": item.nodeid,
        "module": item.nodeid.split("::", 1)[0],
        "keywords": sorted(KeywordMatcher.from_item(item)._names),
        "requirements": list(requirement_ids(item)),
    }


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Write the index (of every collected test), then deselect tests whose requirements do not match."""
    index = config.getoption("mutants_index")
    if index:
        path = Path(index)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        temporary.write_text(json.dumps([index_entry(item) for item in items]) + "\n", encoding="utf-8")
        temporary.replace(path)
    patterns = wanted_patterns(config.getoption("mutants_req"))
    if not patterns:
        return
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        (kept if matches(requirement_ids(item), patterns) else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
