"""The one child-run runner: its command line, and one result model read back from the run's records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.mutants.child_run import (
    BLIND,
    ERROR,
    FAILED,
    PASSED,
    PYCACHE_ENV,
    SKIPPED,
    ChildRunSpec,
    SuiteOutcome,
    child_argv,
    child_env,
    junit_nodeid,
    read_outcomes,
    selection_difference,
)

PAGE = "conformance/suite/interfaces/query/test_query_paging.py::test_page_zero[v2]"
CRASH = "conformance/suite/interfaces/query/test_query_paging.py::test_crash"
RECORDS = [
    {
        "nodeid": PAGE,
        "outcome": "failed",
        "requirement_ids": ["V2Q-PAGE-003", "V2Q-PAGE-004"],
        "category": "semantic",
        "failure_text": "cut",
        "findings": 1,
        "finding_requirement_ids": ["V2Q-PAGE-003"],
    },
    {
        "nodeid": CRASH,
        "outcome": "error",
        "requirement_ids": ["V2Q-PAGE-005"],
        "category": "harness",
        "failure_text": "KeyError: 'events'",
        "findings": 0,
    },
    {"nodeid": "x.py::test_ok", "outcome": "passed", "requirement_ids": ["V2Q-PAGE-001"]},
    {"nodeid": "x.py::test_skip", "outcome": "skipped", "skip_reason": "no control plane"},
    {"nodeid": "x.py::test_xfail", "outcome": "xfailed"},
    {"nodeid": "x.py::test_xpass", "outcome": "xpassed"},
]
JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest">
<testcase classname="conformance.suite.interfaces.query.test_query_paging" name="test_page_zero[v2]">
<failure message="page 0 is not the first page">the whole text
Requirements: V2Q-PAGE-003, V2Q-PAGE-004</failure></testcase>
</testsuite></testsuites>
"""


def _run_folder(reports: Path) -> Path:
    folder = reports / "20260101T000000Z-emulator"
    folder.mkdir(parents=True)
    lines = [json.dumps(record) for record in RECORDS]
    (folder / "results.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "junit.xml").write_text(JUNIT, encoding="utf-8")
    return folder


def test_the_command_puts_run_options_before_and_the_selection_after_the_separator(tmp_path: Path) -> None:
    spec = ChildRunSpec(
        faults=("v2-page-one-based",),
        k_expr="test_page_zero",
        requirements=("V2Q-PAGE-*",),
        run_args=("--profile", "lenient"),
        pytest_args=("-x",),
    )
    argv = child_argv(spec, tmp_path)
    split = argv.index("--")
    run_part, pytest_part = argv[:split], argv[split + 1 :]
    assert run_part[2:4] == ["conformance", "run"] and "--no-html" in run_part
    assert run_part[run_part.index("--reports-dir") + 1] == str(tmp_path)
    assert run_part[-4:] == ["--profile", "lenient", "--fault", "v2-page-one-based"]
    assert pytest_part[pytest_part.index("-k") + 1] == "test_page_zero"
    assert "conformance.mutants.selection" in pytest_part and "--mutants-req=V2Q-PAGE-*" in pytest_part
    assert pytest_part[-1] == "-x"
    plain = child_argv(ChildRunSpec(), tmp_path)
    assert "-k" not in plain and "conformance.mutants.selection" not in plain
    with pytest.raises(ValueError, match="mode"):
        child_argv(ChildRunSpec(mode="psychic"), tmp_path)


def test_a_blind_run_judges_a_site_box_it_hosts_and_is_told_no_control_plane(tmp_path: Path) -> None:
    spec = ChildRunSpec(faults=("v2-page-one-based",), run_args=("--profile", "strict"), mode=BLIND)
    argv = child_argv(spec, tmp_path)
    run_part = argv[: argv.index("--")]
    assert "--site-box" in run_part and run_part[run_part.index("--live-wait") + 1] == "10"
    assert run_part[-2:] == ["--fault", "v2-page-one-based"]  # switched on in the box, not told to the suite
    assert not any(a.startswith(("--control-url", "--box-url")) for a in argv)
    assert spec.judges_its_own_emulator()  # the same spec makes the same run: shareable
    assert "--site-box" not in child_argv(ChildRunSpec(), tmp_path)


def test_children_share_a_bytecode_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.delenv(PYCACHE_ENV, raising=False)
    env = child_env()
    assert "PYTHONDONTWRITEBYTECODE" not in env and env[PYCACHE_ENV]
    monkeypatch.setenv(PYCACHE_ENV, "/somewhere/else")
    assert child_env()[PYCACHE_ENV] == "/somewhere/else"


def test_records_become_one_outcome_per_test_with_whole_failure_texts(tmp_path: Path) -> None:
    _run_folder(tmp_path)
    tests, problem = read_outcomes(tmp_path)
    assert problem == ""
    by_id = {t.nodeid: t for t in tests}
    page, crash = by_id[PAGE], by_id[CRASH]
    assert (page.outcome, page.category, page.findings) == (FAILED, "semantic", 1)
    assert page.requirements == ("V2Q-PAGE-003", "V2Q-PAGE-004")
    assert page.finding_requirements == ("V2Q-PAGE-003",)
    assert "Requirements: V2Q-PAGE-003" in page.text and "page 0 is not the first page" in page.text
    assert (crash.outcome, crash.category, crash.findings) == (ERROR, "harness", 0)
    assert crash.text == "KeyError: 'events'"  # no JUnit text for it: the record's own
    outcomes = {nodeid.rsplit("::", 1)[-1]: t.outcome for nodeid, t in by_id.items()}
    assert outcomes["test_ok"] == PASSED and outcomes["test_xpass"] == PASSED
    assert outcomes["test_skip"] == SKIPPED and outcomes["test_xfail"] == SKIPPED
    assert by_id["x.py::test_ok"].text == ""


def test_the_outcome_answers_what_kill_tests_and_the_matrix_ask(tmp_path: Path) -> None:
    _run_folder(tmp_path)
    tests, _ = read_outcomes(tmp_path)
    outcome = SuiteOutcome(1, tests)
    assert set(outcome.failed_tests) == {PAGE, CRASH}
    assert outcome.failures_naming("V2Q-PAGE-004") == [PAGE]
    assert outcome.counts() == {PASSED: 2, FAILED: 2, SKIPPED: 2}
    assert "x.py::test_skip" in outcome.skipped and "x.py::test_ok" in outcome.passed
    assert "exit code 1: 2 passed, 2 failed, 2 skipped" in outcome.describe()
    assert f"FAILED {CRASH}: KeyError" in outcome.describe()


def test_a_run_without_records_is_no_result_and_a_broken_one_says_why(tmp_path: Path) -> None:
    assert read_outcomes(tmp_path) == ((), "")
    folder = tmp_path / "20260101T000000Z-emulator"
    folder.mkdir()
    (folder / "results.jsonl").write_text("{not json\n", encoding="utf-8")
    tests, problem = read_outcomes(tmp_path)
    assert tests == () and "unreadable records" in problem
    empty = SuiteOutcome(2, (), output="ERROR: file or directory not found", problem="no test matches")
    assert "no test matches" in empty.describe() and "file or directory not found" in empty.describe()


def test_only_predictable_selections_are_narrowed() -> None:
    assert ChildRunSpec(k_expr="test_page_zero").narrowable()
    assert ChildRunSpec(requirements=("V2Q-*",), pytest_args=("--box-url=http://127.0.0.1:1",)).narrowable()
    assert not ChildRunSpec().narrowable()  # the whole suite: nothing to leave out
    assert not ChildRunSpec(k_expr="x", narrow=False).narrowable()
    for unpredictable in ("-m", "-k", "--deselect=a.py::t", "--lf"):
        assert not ChildRunSpec(k_expr="x", pytest_args=(unpredictable,)).narrowable(), unpredictable


def test_a_narrowed_run_must_run_exactly_the_predicted_tests() -> None:
    expected = frozenset({"a.py::t1", "b.py::t2"})
    assert selection_difference(expected, {"a.py::t1", "b.py::t2"}, ()) == ""
    missing = selection_difference(expected, {"a.py::t1"}, ())
    assert "missing ['b.py::t2']" in missing
    assert "extra ['c.py::t3']" in selection_difference(expected, {*expected, "c.py::t3"}, ())
    assert selection_difference(expected, {"a.py::t1"}, ("-x",)) == ""  # stopping early is not a difference


def test_a_collection_error_without_classname_keeps_its_name() -> None:
    """JUnit gives a collection error an empty classname: the node id is its name, not a crash."""
    assert junit_nodeid("", "conformance.suite.broken") == "::conformance.suite.broken"
    assert junit_nodeid("tests.nowhere", "test_x") == "tests.nowhere::test_x"
