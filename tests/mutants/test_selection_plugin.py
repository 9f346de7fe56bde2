"""The mutant-run pytest plugin keeps only the tests naming the wanted requirements and records outcomes."""

from __future__ import annotations

import json

import pytest

from conformance.mutants.selection import matches, wanted_patterns

pytest_plugins = ["pytester"]

TESTS = """
import pytest

@pytest.mark.req("V2Q-PAGE-003")
def test_page():
    assert False, "page zero is not the first page"

@pytest.mark.req("V2Q-FILT-002", "V2Q-FILT-003")
def test_filter():
    pass

@pytest.mark.req("WS-WS-002")
def test_ws():
    pytest.skip("no websocket")
"""


def test_patterns() -> None:
    assert wanted_patterns(" V2Q-*, ,WS-WS-002") == ("V2Q-*", "WS-WS-002")
    assert matches(("V2Q-PAGE-003",), ("V2Q-*",))
    assert not matches(("V1Q-PAGE-003",), ("V2Q-*",))
    assert matches((), ())


def test_selection_and_results(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_a=TESTS)
    results = pytester.path / "results.json"
    run = pytester.runpytest_subprocess(
        "-p", "conformance.mutants.selection", "--mutants-req=V2Q-*", f"--mutants-results={results}"
    )
    run.assert_outcomes(passed=1, failed=1, deselected=1)
    tests = json.loads(results.read_text())["tests"]
    assert set(tests) == {"test_a.py::test_page", "test_a.py::test_filter"}
    assert tests["test_a.py::test_page"]["outcome"] == "failed"
    assert "page zero is not the first page" in tests["test_a.py::test_page"]["text"]
    assert tests["test_a.py::test_filter"]["requirements"] == ["V2Q-FILT-002", "V2Q-FILT-003"]


def test_no_selection_keeps_everything(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_a=TESTS)
    results = pytester.path / "results.json"
    run = pytester.runpytest_subprocess("-p", "conformance.mutants.selection", f"--mutants-results={results}")
    run.assert_outcomes(passed=1, failed=1, skipped=1)
    assert json.loads(results.read_text())["tests"]["test_a.py::test_ws"]["outcome"] == "skipped"
