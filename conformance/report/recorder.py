"""pytest plugin class that turns each test's reports into one TestRecord in results.jsonl.

Register it in every process (controller and xdist workers): `pytest_runtest_makereport` runs where the
test runs and stores requirement ids and the failure category in `report.user_properties` (xdist sends
those to the controller); `pytest_runtest_logreport` on the controller (or the only process) writes.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from conformance.report.records import Category, ObservedReading, Outcome, RecordWriter, TestRecord

REQUIREMENTS_PROPERTY = "sophon_requirements"
CATEGORY_PROPERTY = "sophon_category"
EXCHANGES_PROPERTY = "sophon_exchanges"  # the suite may add (EXCHANGES_PROPERTY, n) to item.user_properties
OBSERVED_PROPERTY = "sophon_observed"  # ... and (OBSERVED_PROPERTY, {"erratum": "E02", "reading": "..."})
MAX_FAILURE_TEXT = 20_000
TRANSPORT_MODULES = ("requests", "urllib3", "websocket", "websockets", "http.client", "socket", "ssl")


def classify_exception(exc: BaseException, when: str) -> Category:
    """The failure category: the failure's own, transport for network errors, else by phase and type."""
    own = getattr(exc, "category", None)
    value = getattr(own, "value", own)
    if isinstance(value, str) and value in Category.__members__.values():
        return Category(value)
    module = type(exc).__module__
    if isinstance(exc, OSError) or any(module == m or module.startswith(m + ".") for m in TRANSPORT_MODULES):
        return Category.TRANSPORT
    if when == "call" and isinstance(exc, AssertionError):
        return Category.SEMANTIC
    return Category.HARNESS


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
        self.category: Category | None = None
        self.skip_reason = ""
        self.failure_text = ""
        self.duration_s = 0.0
        self.properties: dict[str, Any] = {}
        self.observed: list[ObservedReading] = []

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
            xfail = hasattr(report, "wasxfail")
            self.outcome = Outcome.XFAILED if xfail else Outcome.SKIPPED
            self.skip_reason = ("expected failure: " if xfail else "") + _skip_reason(report)
        elif report.failed and self.outcome not in (Outcome.FAILED, Outcome.ERROR):
            self.outcome = Outcome.FAILED if report.when == "call" else Outcome.ERROR
            category = self.properties.get(CATEGORY_PROPERTY)
            self.category = Category(category) if category in set(Category) else Category.HARNESS
            self.failure_text = report.longreprtext[:MAX_FAILURE_TEXT]

    def record(self, nodeid: str) -> TestRecord:
        exchanges = self.properties.get(EXCHANGES_PROPERTY, 0)
        requirements = self.properties.get(REQUIREMENTS_PROPERTY, [])
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
        """Attach requirement ids and the failure category to the report (runs where the test runs)."""
        outcome = yield
        report: pytest.TestReport = outcome.get_result()
        extra: list[tuple[str, object]] = [(REQUIREMENTS_PROPERTY, requirement_ids(item))]
        if call.excinfo is not None and not call.excinfo.errisinstance(pytest.skip.Exception):
            extra.append((CATEGORY_PROPERTY, classify_exception(call.excinfo.value, call.when).value))
        report.user_properties = [*report.user_properties, *extra]

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
