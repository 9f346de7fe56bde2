"""pytest plugin for mutant runs: keep only tests naming given requirements; write per-test outcomes.

Loaded into the child pytest with `-p conformance.mutants.selection`. `--mutants-req` takes a comma list
of requirement ids or fnmatch patterns (`V2Q-*`); `--mutants-results` names a JSON file that receives,
for every test that ran, its outcome, its requirement ids and the start of its failure text.
"""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path
from typing import Any

import pytest

from conformance.suite.markers import requirement_ids

FAILURE_TEXT_LIMIT = 4000


class _RunState:
    """What this pytest process saw: requirement ids per test and the outcome of each."""

    def __init__(self) -> None:
        self.requirements: dict[str, tuple[str, ...]] = {}
        self.results: dict[str, dict[str, Any]] = {}


_STATE = _RunState()


def pytest_addoption(parser: pytest.Parser) -> None:
    """The two options of a mutant run."""
    group = parser.getgroup("sophon-conformance-mutants", "sophon-conformance mutants")
    group.addoption("--mutants-req", default=None, help="comma list of requirement ids or patterns to keep")
    group.addoption("--mutants-results", default=None, help="write per-test outcomes to this JSON file")


def wanted_patterns(text: str | None) -> tuple[str, ...]:
    """The patterns of `--mutants-req`; empty means keep everything."""
    if not text:
        return ()
    return tuple(p.strip() for p in text.split(",") if p.strip())


def matches(ids: tuple[str, ...], patterns: tuple[str, ...]) -> bool:
    """True when some requirement id matches some pattern (or no pattern is given)."""
    return not patterns or any(fnmatch.fnmatchcase(i, p) for i in ids for p in patterns)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect tests whose requirements do not match; remember the requirements of the rest."""
    patterns = wanted_patterns(config.getoption("mutants_req"))
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        ids = requirement_ids(item)
        (kept if matches(ids, patterns) else dropped).append(item)
        _STATE.requirements[item.nodeid] = ids
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Record the worst outcome of each test across setup, call and teardown."""
    entry = _STATE.results.setdefault(report.nodeid, {"outcome": "passed", "text": ""})
    if report.failed:
        entry["outcome"] = "failed"
        entry["text"] = (entry["text"] + "\n" + str(report.longrepr))[-FAILURE_TEXT_LIMIT:]
    elif report.skipped and entry["outcome"] == "passed":
        entry["outcome"] = "skipped"


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Write the outcomes file, if asked."""
    path = session.config.getoption("mutants_results")
    if not path:
        return
    tests = {
        nodeid: {**entry, "requirements": list(_STATE.requirements.get(nodeid, ()))}
        for nodeid, entry in _STATE.results.items()
    }
    Path(path).write_text(json.dumps({"tests": tests}, indent=1) + "\n", encoding="utf-8")
