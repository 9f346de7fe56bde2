"""The mutant-run pytest plugin keeps only the tests naming the wanted requirements."""

from __future__ import annotations

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


def test_selection_keeps_the_tests_naming_a_pattern(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_a=TESTS)
    run = pytester.runpytest("-p", "conformance.mutants.selection", "--mutants-req=V2Q-*", "-v")
    run.assert_outcomes(passed=1, failed=1, deselected=1)
    run.stdout.fnmatch_lines(["*test_a.py::test_page FAILED*", "*test_a.py::test_filter PASSED*"])
    exact = pytester.runpytest("-p", "conformance.mutants.selection", "--mutants-req=WS-WS-002")
    exact.assert_outcomes(skipped=1, deselected=2)


def test_no_selection_keeps_everything(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_a=TESTS)
    run = pytester.runpytest("-p", "conformance.mutants.selection")
    run.assert_outcomes(passed=1, failed=1, skipped=1)
