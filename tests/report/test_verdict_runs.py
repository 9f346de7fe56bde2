"""Verdicts from findings in real conformance sessions (pytester): harness errors, not judged, not exercised.

Each session loads the suite plugin (`--conformance`) with the recorder, the JUnit and the Allure writers,
then the run folder is finished as `sophon-conformance run` finishes it (exit code, summary, matrix).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from conformance.checks.findings import FindingCategory
from conformance.cli.run_cmd import PYTEST_TO_EXIT
from conformance.exit_codes import ExitCode
from conformance.report.finalize import finalize_run
from conformance.report.records import RECORDS_FILE, Outcome, TestRecord, read_records
from conformance.report.run_exit import exit_code_from_records, run_exit_code

pytest_plugins = ["pytester"]

VERDICTS = """
import pytest
from conformance.clients.failures import fail
from conformance.suite.judgement import judged, not_exercised

@pytest.mark.req("V2Q-PAGE-001", "V2Q-PAGE-002", "V2Q-PAGE-003")
def test_one_finding(request):
    judged(request, "pages", 2)
    fail("page 2 repeats event e1", ["V2Q-PAGE-002"])

@pytest.mark.req("V2Q-PAGE-004")
def test_judged_nothing():
    pass

@pytest.mark.req("V2Q-PAGE-005")
def test_judged_events(request):
    judged(request, "events", 5)

@pytest.mark.req("V2Q-PAGE-006")
def test_quiet_box():
    not_exercised("no live recognition within 0 s (raise --live-wait)")
"""

CRASH = """
import pytest
from conformance.suite.judgement import judged

@pytest.mark.req("V2Q-FILT-001", "V2Q-FILT-002")
def test_harness_crash(request):
    judged(request, "events", 3)
    {}["missing"]  # a bug of the harness, not of the box

@pytest.mark.req("V2Q-FILT-003")
def test_plain_assert():
    assert 1 == 2  # no finding names a requirement: a harness error too

@pytest.mark.req("V2Q-FILT-004")
def test_judged(request):
    judged(request, "events", 1)
"""


class Run:
    """A finished child session: its exit code as the CLI maps it, records, summary, JUnit and Allure."""

    def __init__(self, run_dir: Path, pytest_code: int) -> None:
        self.run_dir = run_dir
        self.exit_code = run_exit_code(PYTEST_TO_EXIT[pytest_code], run_dir)
        finalize_run(run_dir, catalog=None, environment={}, started=0.0, exit_code=self.exit_code, html=False)
        self.records = {r.nodeid.split("::")[-1]: r for r in read_records(run_dir / RECORDS_FILE)}
        self.summary: dict[str, Any] = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
        self.page = (run_dir / "summary.md").read_text(encoding="utf-8")

    def row(self, requirement_id: str) -> dict[str, Any]:
        return next(r for r in self.summary["requirements"] if r["id"] == requirement_id)

    def junit_case(self, name: str) -> ET.Element:
        root = ET.parse(self.run_dir / "junit.xml").getroot()
        return next(case for case in root.iter("testcase") if case.get("name") == name)

    def allure(self, name: str) -> dict[str, Any]:
        for path in (self.run_dir / "allure-results").glob("*-result.json"):
            result: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            if result.get("name") == name:
                return result
        raise AssertionError(f"no Allure result for {name}")


def run_child(pytester: pytest.Pytester, source: str) -> Run:
    pytester.makepyfile(test_child=source)
    run_dir = Path(pytester.path) / "run"
    result = pytester.runpytest_subprocess(
        "-p",
        "no:cacheprovider",
        "-p",
        "no:randomly",
        "--conformance",
        f"--conformance-records={run_dir / RECORDS_FILE}",
        f"--conformance-stats={run_dir / 'stats.json'}",
        f"--junitxml={run_dir / 'junit.xml'}",
        f"--alluredir={run_dir / 'allure-results'}",
    )
    return Run(run_dir, int(result.ret))


def _properties(case: ET.Element) -> dict[str, str]:
    return {p.get("name", ""): p.get("value", "") for p in case.iter("property")}


def test_a_harness_crash_is_a_harness_error_with_its_own_exit_code(pytester: pytest.Pytester) -> None:
    run = run_child(pytester, CRASH)
    assert run.exit_code == ExitCode.TEST_HARNESS_ERRORS  # not CHECKS_FAILED: nothing was found on the box
    crash, plain = run.records["test_harness_crash"], run.records["test_plain_assert"]
    assert crash.harness_error and plain.harness_error and crash.findings == 0
    for requirement_id in ("V2Q-FILT-001", "V2Q-FILT-002", "V2Q-FILT-003"):
        row = run.row(requirement_id)
        assert row["verdict"] == "error" and not row["exercised"], row  # never a failure of the box
    assert run.row("V2Q-FILT-004")["verdict"] == "pass"
    assert run.summary["totals"]["all"]["fail"] == 0
    assert run.summary["counts"]["harness_errors"] == 2
    assert [h["nodeid"].split("::")[-1] for h in run.summary["harness_errors"]] == [
        "test_harness_crash",
        "test_plain_assert",
    ]
    assert "## Harness errors" in run.page
    assert _properties(run.junit_case("test_harness_crash"))["sophon_verdict"] == "harness-error"
    labels = {(label["name"], label["value"]) for label in run.allure("test_harness_crash")["labels"]}
    assert ("verdict", "harness-error") in labels
    failure_text = crash.failure_text
    assert "Harness error: no finding, so no requirement is judged" in failure_text
    assert "V2Q-FILT-002" not in failure_text.split("requirements of this test")[-1]


def test_one_finding_fails_only_its_requirement_and_judging_nothing_passes_nothing(
    pytester: pytest.Pytester,
) -> None:
    run = run_child(pytester, VERDICTS)
    assert run.exit_code == ExitCode.CHECKS_FAILED
    assert run.records["test_one_finding"].finding_requirement_ids == ("V2Q-PAGE-002",)
    assert run.row("V2Q-PAGE-002")["verdict"] == "fail"
    for not_judged in ("V2Q-PAGE-001", "V2Q-PAGE-003"):  # on the markers, named by no finding
        row = run.row(not_judged)
        assert row["verdict"] == "not-exercised" and "not judged" in row["reasons"][0], row
    assert run.row("V2Q-PAGE-004")["verdict"] == "not-exercised"  # passed, but judged no data
    assert "judged no data" in run.row("V2Q-PAGE-004")["reasons"][0]
    events = run.row("V2Q-PAGE-005")
    assert events["verdict"] == "pass" and events["evidence"] == {"events": 5}
    assert run.row("V2Q-PAGE-002")["evidence"] == {"pages": 2}
    failure_text = run.records["test_one_finding"].failure_text
    assert "Judged by this failure's findings: V2Q-PAGE-002 (2 other requirement(s)" in failure_text
    assert run.summary["totals"]["all"]["exercised"] == 2  # PAGE-002 failed, PAGE-005 passed


def test_not_exercised_is_its_own_verdict_everywhere(pytester: pytest.Pytester) -> None:
    run = run_child(pytester, VERDICTS)
    quiet = run.records["test_quiet_box"]
    assert quiet.outcome is Outcome.NOT_EXERCISED
    assert quiet.skip_reason == "no live recognition within 0 s (raise --live-wait)"
    row = run.row("V2Q-PAGE-006")
    assert row["verdict"] == "not-exercised" and "raise --live-wait" in row["reasons"][0]
    assert row["tests"][0]["outcome"] == "not-exercised"
    assert run.summary["counts"]["not_exercised"] == 1 and run.summary["counts"]["skipped"] == 0
    assert run.summary["counts"]["passed_judging_nothing"] == 1
    listed = {t["nodeid"].split("::")[-1]: t["reason"] for t in run.summary["not_exercised_tests"]}
    assert set(listed) == {"test_quiet_box", "test_judged_nothing"}
    # summary.md opens with what was exercised and the mode, and lists the not-exercised requirements
    opening = run.page.split("## Totals")[0]
    assert "Requirements exercised: 2/" in opening and "- mode: control plane" in opening
    assert "## Not exercised" in run.page and "V2Q-PAGE-006" in run.page.split("## Not exercised")[1]
    # JUnit: a skip whose message says not exercised, and the verdict as a property
    case = run.junit_case("test_quiet_box")
    skipped = case.find("skipped")
    assert skipped is not None and "not exercised: no live recognition" in skipped.get("message", "")
    assert _properties(case)["sophon_verdict"].startswith("not-exercised: no live recognition")
    assert _properties(run.junit_case("test_judged_nothing"))["sophon_verdict"].startswith("not-exercised")
    assert _properties(run.junit_case("test_judged_events"))["sophon_verdict"] == "passed"
    # Allure: a verdict label and a `not exercised` tag (its own category in categories.json)
    labels = {(label["name"], label["value"]) for label in run.allure("test_quiet_box")["labels"]}
    assert ("verdict", "not-exercised") in labels and ("tag", "not exercised") in labels
    nothing = {(label["name"], label["value"]) for label in run.allure("test_judged_nothing")["labels"]}
    assert ("tag", "not exercised") in nothing
    categories = json.loads((run.run_dir / "allure-results" / "categories.json").read_text(encoding="utf-8"))
    assert any(c["name"] == "Not exercised" for c in categories)


def test_a_box_finding_outranks_harness_errors_in_the_exit_code() -> None:
    crash = TestRecord("t.py::crash", Outcome.FAILED, ("A-B-001",), FindingCategory.HARNESS)
    finding = TestRecord(
        "t.py::finding",
        Outcome.FAILED,
        ("A-B-002",),
        FindingCategory.SCHEMA,
        findings=1,
        finding_requirement_ids=("A-B-002",),
    )
    refused = TestRecord("t.py::refused", Outcome.FAILED, ("A-B-003",), FindingCategory.TRANSPORT)
    failed = ExitCode.CHECKS_FAILED
    assert exit_code_from_records(failed, [crash]) == ExitCode.TEST_HARNESS_ERRORS
    assert exit_code_from_records(failed, [crash, finding]) == ExitCode.CHECKS_FAILED
    assert exit_code_from_records(failed, [crash, refused]) == ExitCode.CHECKS_FAILED  # the box refused
    assert exit_code_from_records(ExitCode.OK, []) == ExitCode.OK
    assert exit_code_from_records(ExitCode.INTERRUPTED, [crash]) == ExitCode.INTERRUPTED
