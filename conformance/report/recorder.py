"""pytest plugin class that turns each test's reports into one TestRecord in results.jsonl.

Register it in every process (controller and xdist workers): `pytest_runtest_makereport` runs where the
test runs and stores requirement ids, the failure category and the failure's findings (how many, and
the requirement ids they name) in `report.user_properties` (xdist sends those to the controller);
`pytest_runtest_logreport` on the controller (or the only process) writes.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance.checks.findings import Finding, FindingCategory, named_requirement_ids
from conformance.report.judged_evidence import (
    NO_DATA_REASON,
    evidence_of,
    is_not_exercised,
    judged_counts,
    not_exercised_reason,
)
from conformance.report.records import ObservedReading, Outcome, RecordWriter, TestRecord

REQUIREMENTS_PROPERTY = "sophon_requirements"
CATEGORY_PROPERTY = "sophon_category"
EXCHANGES_PROPERTY = "sophon_exchanges"  # the suite may add (EXCHANGES_PROPERTY, n) to item.user_properties
OBSERVED_PROPERTY = "sophon_observed"  # ... and (OBSERVED_PROPERTY, {"erratum": "E02", "reading": "..."})
FINDINGS_PROPERTY = "sophon_findings"  # {"count": n, "requirement_ids": [...]} of a failure's findings
VERDICT_PROPERTY = "sophon_verdict"  # the test's verdict as JUnit and Allure show it (see phase_verdict)
MAX_FAILURE_TEXT = 20_000
SCHEMATHESIS_MODULE = "schemathesis"  # its check failures are AssertionErrors of this package
TRANSPORT_MODULES = ("requests", "urllib3", "websocket", "websockets", "http.client", "socket", "ssl")


def classify_exception(exc: BaseException, when: str) -> FindingCategory:
    """The failure category: the failure's own, transport for network errors, else by phase and type."""
    own = _declared_category(exc)
    if own is not None:
        return own
    module = type(exc).__module__
    if isinstance(exc, OSError) or any(module == m or module.startswith(m + ".") for m in TRANSPORT_MODULES):
        return FindingCategory.TRANSPORT
    if when == "call" and isinstance(exc, AssertionError):
        return FindingCategory.SEMANTIC
    return FindingCategory.HARNESS


def failure_category(exc: BaseException, when: str, findings: list[Finding]) -> FindingCategory:
    """A failure's category; one without a finding is a harness error unless it says it is about the box.

    A bare `assert` or a crash names no requirement, so it is no finding about the box (issue 16.3). What
    stays a box failure without a finding: a transport failure, an exception that declares its category,
    and a failed check of schemathesis's own (a deviation whose requirement no finding names).
    """
    category = classify_exception(exc, when)
    if findings and category == FindingCategory.HARNESS:  # a wrapper (Hypothesis's FlakyFailure: the box
        return _inner_category(exc) or category  # answered the same question two ways) around box findings
    if findings or category == FindingCategory.TRANSPORT:
        return category
    for raised in _raised(exc):
        if _declared_category(raised) is not None:
            return category
        if isinstance(raised, AssertionError) and type(raised).__module__.startswith(SCHEMATHESIS_MODULE):
            return FindingCategory.SEMANTIC
    return FindingCategory.HARNESS


def _inner_category(exc: BaseException) -> FindingCategory | None:
    """The first category other than harness that an exception wrapped in `exc` declares."""
    for raised in _raised(exc):
        declared = _declared_category(raised)
        if declared is not None and declared != FindingCategory.HARNESS:
            return declared
    return None


def _declared_category(exc: BaseException) -> FindingCategory | None:
    own = getattr(exc, "category", None)
    value = getattr(own, "value", own)
    return FindingCategory(value) if isinstance(value, str) and value in set(FindingCategory) else None


def phase_verdict(
    report: pytest.TestReport, category: FindingCategory | None, evidence: dict[str, int]
) -> str:
    """A phase's verdict for JUnit and Allure: failed, harness-error, not-exercised: <why>, passed."""
    if report.failed:
        return "harness-error" if category == FindingCategory.HARNESS else "failed"
    if report.skipped:
        reason = _skip_reason(report)
        return f"not-exercised: {not_exercised_reason(reason)}" if is_not_exercised(reason) else "skipped"
    return "passed" if evidence else f"not-exercised: {NO_DATA_REASON}"


def _raised(exc: BaseException) -> Iterator[BaseException]:
    """The exception and those it wraps: exception groups (Hypothesis, schemathesis) and check failures."""
    pending, seen = [exc], set()
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, BaseExceptionGroup):
            pending += list(current.exceptions)
        inner = getattr(current, "exception", None)  # how schemathesis wraps an error raised by a check
        if isinstance(inner, BaseException):
            pending.append(inner)


def carried_findings(exc: BaseException) -> list[Finding]:
    """The structured findings a failure carries (ConformanceFailure.findings), also inside groups."""
    found: list[Finding] = []
    for raised in _raised(exc):
        findings = getattr(raised, "findings", ())
        if isinstance(findings, tuple):
            found += [finding for finding in findings if isinstance(finding, Finding)]
    return found


def _evidence(properties: list[tuple[str, object]]) -> dict[str, int]:
    exchanges = sum(v for k, v in properties if k == EXCHANGES_PROPERTY and isinstance(v, int))
    return evidence_of(exchanges, judged_counts(properties))


def requirement_ids(item: pytest.Item) -> list[str]:
    ids: list[str] = []
    for marker in item.iter_markers("req"):
        ids += [str(arg) for arg in marker.args]
    return list(dict.fromkeys(ids))


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        reason = str(longrepr[2])
        return reason.removeprefix("Skipped: ")
    return str(getattr(report, "wasxfail", "") or longrepr or "")


class _Pending:
    """The phases seen so far of one test."""

    def __init__(self) -> None:
        self.outcome = Outcome.PASSED
        self.category: FindingCategory | None = None
        self.skip_reason = ""
        self.failure_text = ""
        self.duration_s = 0.0
        self.properties: dict[str, Any] = {}
        self.observed: list[ObservedReading] = []
        self.findings: dict[str, Any] = {}  # of the first failing phase, like the category

    def add(self, report: pytest.TestReport) -> None:
        self.duration_s += report.duration
        for name, value in report.user_properties:
            if name == OBSERVED_PROPERTY and isinstance(value, dict):
                reading = ObservedReading(str(value.get("erratum", "")), str(value.get("reading", "")))
                if reading not in self.observed:
                    self.observed.append(reading)
            else:
                self.properties[name] = value
        if report.passed and report.when == "call" and hasattr(report, "wasxfail"):
            self.outcome = Outcome.XPASSED
        elif report.skipped:
            xfail, reason = hasattr(report, "wasxfail"), _skip_reason(report)
            if not xfail and is_not_exercised(reason):
                self.outcome, self.skip_reason = Outcome.NOT_EXERCISED, not_exercised_reason(reason)
            else:
                self.outcome = Outcome.XFAILED if xfail else Outcome.SKIPPED
                self.skip_reason = ("expected failure: " if xfail else "") + reason
        elif report.failed and self.outcome not in (Outcome.FAILED, Outcome.ERROR):
            self.outcome = Outcome.FAILED if report.when == "call" else Outcome.ERROR
            category = str(self.properties.get(CATEGORY_PROPERTY))
            known = category in set(FindingCategory)
            self.category = FindingCategory(category) if known else FindingCategory.HARNESS
            findings = self.properties.get(FINDINGS_PROPERTY)
            self.findings = findings if isinstance(findings, dict) else {}
            self.failure_text = report.longreprtext[:MAX_FAILURE_TEXT]

    def record(self, nodeid: str) -> TestRecord:
        exchanges = self.properties.get(EXCHANGES_PROPERTY, 0)
        requirements = self.properties.get(REQUIREMENTS_PROPERTY, [])
        count, named = self.findings.get("count", 0), self.findings.get("requirement_ids", [])
        return TestRecord(
            nodeid=nodeid,
            outcome=self.outcome,
            requirement_ids=tuple(str(r) for r in requirements) if isinstance(requirements, list) else (),
            category=self.category,
            skip_reason=self.skip_reason,
            duration_s=round(self.duration_s, 6),
            exchanges=exchanges if isinstance(exchanges, int) and exchanges >= 0 else 0,
            failure_text=self.failure_text,
            observed=tuple(self.observed),
            findings=count if isinstance(count, int) and count >= 0 else 0,
            finding_requirement_ids=tuple(str(r) for r in named) if isinstance(named, list) else (),
            judged=judged_counts(self.properties.items()),
        )


class ResultRecorder:
    """Writes `results.jsonl`; register with `config.pluginmanager.register(ResultRecorder(path), name)`."""

    def __init__(self, path: Path, *, is_worker: bool = False) -> None:
        self.writer = None if is_worker else RecordWriter(path)
        self._pending: dict[str, _Pending] = {}

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, Any, None]:
        """Attach requirement ids, the failure's category and findings to the report (where the test runs)."""
        outcome = yield
        report: pytest.TestReport = outcome.get_result()
        extra: list[tuple[str, object]] = [(REQUIREMENTS_PROPERTY, requirement_ids(item))]
        category = None
        if call.excinfo is not None and not call.excinfo.errisinstance(pytest.skip.Exception):
            findings = carried_findings(call.excinfo.value)
            category = failure_category(call.excinfo.value, call.when, findings)
            extra.append((CATEGORY_PROPERTY, category.value))
            named = list(named_requirement_ids(findings))
            extra.append((FINDINGS_PROPERTY, {"count": len(findings), "requirement_ids": named}))
        report.user_properties = [*report.user_properties, *extra]
        if report.when == "call" or not report.passed:
            self._mark_verdict(item, phase_verdict(report, category, _evidence(item.user_properties)))

    @staticmethod
    def _mark_verdict(item: pytest.Item, verdict: str) -> None:
        """Put the test's verdict on the item (JUnit writes it as a property) and, under Allure, as labels."""
        kept = [(k, v) for k, v in item.user_properties if k != VERDICT_PROPERTY]
        item.user_properties[:] = [*kept, (VERDICT_PROPERTY, verdict)]
        if item.config.pluginmanager.hasplugin("allure_pytest"):
            from conformance.report.allure_labels import label_verdict

            label_verdict(verdict)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Collect the phases of a test; write its record after teardown."""
        if self.writer is None:
            return
        pending = self._pending.setdefault(report.nodeid, _Pending())
        pending.add(report)
        if report.when == "teardown":
            del self._pending[report.nodeid]
            self.writer.write(pending.record(report.nodeid))

    def pytest_sessionfinish(self) -> None:
        """Write what an interrupted run left half-reported."""
        if self.writer is None:
            return
        self.writer.write_many(pending.record(nodeid) for nodeid, pending in self._pending.items())
        self._pending.clear()
