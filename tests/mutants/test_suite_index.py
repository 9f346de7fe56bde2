"""The suite index predicts a selection exactly as pytest's `-k` and the requirement filter decide it."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from conformance.mutants import suite_index
from conformance.mutants.suite_index import SuiteIndex, SuiteIndexError, parse_index
from conformance.paths import PROJECT_ROOT

pytest_plugins = ["pytester"]

QUERY = """
import pytest

@pytest.mark.req("V2Q-PAGE-003")
@pytest.mark.parametrize("api", ["v1", "v2"])
def test_page_zero(api):
    pass

@pytest.mark.needs_control
@pytest.mark.req("V2Q-FILT-002")
def test_single_filter():
    pass
"""
PUSH = """
import pytest

class TestPush:
    @pytest.mark.req("WS-WS-002")
    def test_config_first(self):
        pass

@pytest.mark.req("WS-WS-016")
def test_every_message_validates():
    pass
"""
EXPRESSIONS = [
    "test_page_zero and v2",
    "query or TestPush",
    "push and not config",
    "needs_control",
    "test_query_area.py",
    "v1 or messages",
]


def _indexed(pytester: pytest.Pytester) -> SuiteIndex:
    pytester.makepyfile(test_query_area=QUERY, test_push_area=PUSH)
    pytester.makeini("[pytest]\nmarkers =\n    req: ids\n    needs_control: seeds\n")
    index = pytester.path / "index.json"
    plugin = ("-p", "conformance.mutants.selection")
    done = pytester.runpytest("--collect-only", "-q", *plugin, f"--mutants-index={index}")
    done.assert_outcomes()
    return parse_index(json.loads(index.read_text(encoding="utf-8")))


def _pytest_selects(pytester: pytest.Pytester, *args: str) -> set[str]:
    done = pytester.runpytest("--collect-only", "-q", *args)
    return {line for line in done.outlines if "::" in line}


def test_the_index_selects_what_pytest_selects(pytester: pytest.Pytester) -> None:
    index = _indexed(pytester)
    assert len(index.tests) == 5
    for expression in EXPRESSIONS:
        predicted = {t.nodeid for t in index.select(expression)}
        assert predicted == _pytest_selects(pytester, "-k", expression), expression
    by_requirement = {t.nodeid for t in index.select("", ["WS-*"])}
    plugin = ("-p", "conformance.mutants.selection")
    assert by_requirement == _pytest_selects(pytester, *plugin, "--mutants-req=WS-*")
    both = {t.nodeid for t in index.select("v2 or config", ["V2Q-*"])}
    assert both == {"test_query_area.py::test_page_zero[v2]"}


def test_only_modules_without_selected_tests_are_ignored(pytester: pytest.Pytester) -> None:
    index = _indexed(pytester)
    selected = index.select("test_page_zero")
    assert index.ignore_args(selected) == [f"--ignore={PROJECT_ROOT / 'test_push_area.py'}"]
    assert index.ignore_args(index.tests) == []


def test_a_broken_index_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SuiteIndexError, match="list"):
        parse_index({"tests": []})
    with pytest.raises(SuiteIndexError, match="keywords"):
        parse_index([{"nodeid": "a.py::t", "module": "a.py", "requirements": []}])


WRITER = (
    "import json, sys; path = sys.argv[-1].split('=', 1)[1]; "
    "json.dump([{'nodeid': 'a.py::t', 'module': 'a.py', 'keywords': ['t', 'a.py'], 'requirements': []}], "
    "open(path, 'w'))"
)


def test_the_index_is_built_once_then_read_from_its_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(suite_index, "_LOADED", {})
    built = suite_index.load_index(tmp_path, [sys.executable, "-c", WRITER], dict(os.environ))
    assert [t.nodeid for t in built.tests] == ["a.py::t"]
    assert len(list(tmp_path.glob("suite-index-*.json"))) == 1
    monkeypatch.setattr(suite_index, "_LOADED", {})  # a new process: the file answers, nothing is run
    failing = [sys.executable, "-c", "raise SystemExit(3)"]
    assert suite_index.load_index(tmp_path, failing, dict(os.environ)) == built
    with pytest.raises(SuiteIndexError, match="exit 3"):
        suite_index.load_index(tmp_path / "empty", failing, dict(os.environ))
