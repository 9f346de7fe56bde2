"""The result recorder and progress line in real pytest sessions (pytester)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis.errors import FlakyFailure

from conformance.checks.findings import Finding, FindingCategory
from conformance.clients.failures import ConformanceFailure
from conformance.report.progress import ProgressReporter
from conformance.report.recorder import carried_findings, classify_exception, failure_category
from conformance.report.records import Outcome, read_records

pytest_plugins = ["pytester"]

CONFTEST = """
from pathlib import Path
from conformance.report.pytest_wiring import register

def pytest_configure(config):
    register(config, Path(__file__).parent / "results.jsonl", None)
"""

TESTS = """
import pytest
from conformance.checks.findings import Finding, FindingCategory
from conformance.clients.failures import fail_on

class Deviation(AssertionError):
    category = "unit"

@pytest.fixture
def broken():
    raise RuntimeError("fixture bug")

@pytest.mark.req("V2Q-PAGE-001")
def test_passes():
    pass

@pytest.mark.req("V2Q-PAGE-002", "V2Q-PAGE-003")
def test_plain_assert():
    assert 1 == 2

@pytest.mark.req("V2Q-TIME-001")
def test_unit_deviation():
    raise Deviation("[unit] seconds, not ms")

@pytest.mark.req("V2Q-PAGE-001")
def test_setup_error(broken):
    pass

@pytest.mark.req("V2Q-PAGE-001")
def test_refused():
    raise ConnectionRefusedError("box closed the port")

@pytest.mark.req("V2Q-PAGE-001", "V2Q-PAGE-002", "V2Q-TIME-001")
def test_findings():
    fail_on(
        [
            Finding("paging.duplicates", "page 2 repeats e1", ("V2Q-PAGE-002",)),
            Finding("unit.judge", "seconds", ("V2Q-TIME-001", "V2Q-PAGE-002"), FindingCategory.UNIT),
        ],
        "v2 paging",
    )

@pytest.mark.req("V2Q-PAGE-001")
def test_harness_crash():
    {}["missing"]

@pytest.mark.req("V1Q-PAGE-001")
def test_skipped():
    pytest.skip("no v1 on this box")

@pytest.mark.req("V1Q-PAGE-001")
@pytest.mark.xfail(reason="known", strict=True)
def test_xfail():
    assert False
"""


def run_session(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_sample=TESTS)
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args)


def test_one_record_per_test_with_outcome_category_and_requirements(pytester: pytest.Pytester) -> None:
    run_session(pytester)
    records = {r.nodeid.split("::")[1]: r for r in read_records(Path(pytester.path) / "results.jsonl")}
    assert len(records) == 9
    assert records["test_passes"].outcome is Outcome.PASSED
    assert records["test_passes"].requirement_ids == ("V2Q-PAGE-001",)
    plain = records["test_plain_assert"]
    assert plain.outcome is Outcome.FAILED and plain.category is FindingCategory.HARNESS  # no finding
    assert plain.requirement_ids == ("V2Q-PAGE-002", "V2Q-PAGE-003") and "assert 1 == 2" in plain.failure_text
    assert (plain.findings, plain.finding_requirement_ids) == (0, ())  # a plain assert carries no finding
    assert records["test_unit_deviation"].category is FindingCategory.UNIT
    setup = records["test_setup_error"]
    assert setup.outcome is Outcome.ERROR and setup.category is FindingCategory.HARNESS
    assert records["test_refused"].category is FindingCategory.TRANSPORT
    skipped = records["test_skipped"]
    assert skipped.outcome is Outcome.SKIPPED and skipped.skip_reason == "no v1 on this box"
    assert records["test_xfail"].outcome is Outcome.XFAILED


def test_a_failure_records_the_requirement_ids_its_findings_name(pytester: pytest.Pytester) -> None:
    run_session(pytester)
    records = {r.nodeid.split("::")[1]: r for r in read_records(Path(pytester.path) / "results.jsonl")}
    judged = records["test_findings"]
    assert judged.category is FindingCategory.UNIT and judged.findings == 2
    assert judged.finding_requirement_ids == ("V2Q-PAGE-002", "V2Q-TIME-001")  # not the marker's PAGE-001
    assert judged.requirement_ids == ("V2Q-PAGE-001", "V2Q-PAGE-002", "V2Q-TIME-001")
    assert "Requirements: V2Q-PAGE-002, V2Q-TIME-001" in judged.failure_text
    crash = records["test_harness_crash"]
    assert crash.category is FindingCategory.HARNESS
    assert (crash.findings, crash.finding_requirement_ids) == (0, ())


def test_findings_are_found_inside_exception_groups_and_check_wrappers() -> None:
    inner = ConformanceFailure("t", [Finding("c", "m", ("PS-SEARCH-011",))])

    class WrappedError(AssertionError):  # the shape of schemathesis's CustomFailure
        exception = inner

    group = ExceptionGroup("two checks failed", [WrappedError("custom check"), KeyError("x")])
    assert [f.requirement_ids for f in carried_findings(group)] == [("PS-SEARCH-011",)]
    assert carried_findings(KeyError("x")) == []


def test_progress_lines_and_quiet(pytester: pytest.Pytester) -> None:
    result = run_session(pytester)
    progress = [line for line in result.errlines if line.startswith("progress:")]
    assert progress[-1] == "progress: 9/9 tests done, 6 failing"
    quiet = run_session(pytester, "-q")
    assert not [line for line in quiet.errlines if line.startswith("progress:")]


def test_progress_reporter_counts_a_test_failing_in_two_phases_once() -> None:
    stream = io.StringIO()
    reporter = ProgressReporter(stream)
    reporter.total = 1
    for when, outcome in (("setup", "passed"), ("call", "failed"), ("teardown", "failed")):
        report = pytest.TestReport("t::a", ("t", 0, "a"), {}, outcome, None, when)  # type: ignore[arg-type]
        reporter.pytest_runtest_logreport(report)
    assert reporter.line() == "progress: 1/1 tests done, 1 failing"
    assert stream.getvalue().splitlines() == ["progress: 1/1 tests done, 1 failing"]


@pytest.mark.parametrize(
    ("exc", "when", "category"),
    [
        (AssertionError("x"), "call", FindingCategory.SEMANTIC),
        (AssertionError("x"), "setup", FindingCategory.HARNESS),
        (KeyError("x"), "call", FindingCategory.HARNESS),
        (TimeoutError("x"), "call", FindingCategory.TRANSPORT),
        (ConformanceFailure.of("t", category=FindingCategory.SCHEMA), "call", FindingCategory.SCHEMA),
    ],
)
def test_classify_exception(exc: BaseException, when: str, category: FindingCategory) -> None:
    assert classify_exception(exc, when) is category


def test_a_flaky_box_answer_with_a_finding_is_a_box_failure_not_a_harness_error() -> None:
    """Hypothesis wraps a failure it cannot reproduce (the box answered the same query two ways) in a
    FlakyFailure group: the finding inside makes it a failure about the box, in the finding's category."""
    inner = ConformanceFailure("t", [Finding("semantic", "page 1 differs", ("V2Q-PAGE-004",))])
    flaky = FlakyFailure("Failed on the first call but did not on a subsequent one", [inner])
    assert failure_category(flaky, "call", carried_findings(flaky)) is FindingCategory.SEMANTIC
    crash = FlakyFailure("unreliable", [KeyError("x")])
    assert failure_category(crash, "call", carried_findings(crash)) is FindingCategory.HARNESS
    recast = ConformanceFailure.of("receiver unreachable", category=FindingCategory.HARNESS)
    assert failure_category(recast, "call", [Finding("harness", "m", ())]) is FindingCategory.HARNESS
