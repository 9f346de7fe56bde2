"""One JSON line per finished test (`results.jsonl`), the plugin's hand-over to the summary and the gate."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from conformance.checks.findings import FindingCategory
from conformance.report.judged_evidence import evidence_of
from conformance.spec.loader import SpecFileError

RECORDS_FILE = "results.jsonl"


class Outcome(StrEnum):
    """How one test ended; `error` is a setup/teardown failure; `not-exercised`: it found nothing to judge."""

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"
    NOT_EXERCISED = "not-exercised"  # `suite.judgement.not_exercised(reason)`: never a pass, never a failure
    XFAILED = "xfailed"
    XPASSED = "xpassed"


@dataclass(frozen=True)
class ObservedReading:
    """An erratum reading the box was seen to follow, e.g. E02 'v2 event timestamps: seconds, float'."""

    erratum: str
    reading: str


@dataclass(frozen=True)
class TestRecord:
    """Everything the reports need to know about one test, written once it has finished."""

    __test__ = False  # not a pytest test class despite the name

    nodeid: str
    outcome: Outcome
    requirement_ids: tuple[str, ...] = ()  # every id on the test's markers
    category: FindingCategory | None = None  # set for failed and error outcomes
    skip_reason: str = ""
    duration_s: float = 0.0
    exchanges: int = 0
    failure_text: str = ""
    observed: tuple[ObservedReading, ...] = field(default_factory=tuple)
    findings: int = 0  # how many findings the failure carried; 0 for a failure without one (or no failure)
    finding_requirement_ids: tuple[str, ...] = ()  # the ids those findings name: what the failure judged
    judged: dict[str, int] = field(default_factory=dict, hash=False)  # judged:<kind> counts the test recorded

    @property
    def failing(self) -> bool:
        """The test failed in its call or errored in setup/teardown."""
        return self.outcome in (Outcome.FAILED, Outcome.ERROR)

    @property
    def harness_error(self) -> bool:
        """A failure that says nothing of the box: no finding (a crash, bare assert) or a harness finding."""
        return self.failing and self.category == FindingCategory.HARNESS

    @property
    def evidence(self) -> dict[str, int]:
        """What the test judged: its exchanges with the box and the finer counts it recorded."""
        return evidence_of(self.exchanges, self.judged)

    def to_json(self) -> str:
        """One line of results.jsonl."""
        data = asdict(self)
        data["outcome"] = self.outcome.value
        data["category"] = None if self.category is None else self.category.value
        data["requirement_ids"] = list(self.requirement_ids)
        data["finding_requirement_ids"] = list(self.finding_requirement_ids)
        data["observed"] = [asdict(reading) for reading in self.observed]
        data["judged"] = dict(sorted(self.judged.items()))
        return json.dumps(data, ensure_ascii=False, sort_keys=True)


def _str_tuple(value: Any, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"{key!r} must be a list of strings")
    return tuple(value)


def _observed(value: Any) -> tuple[ObservedReading, ...]:
    if not isinstance(value, list):
        raise ValueError("'observed' must be a list")
    readings = []
    for item in value:
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("erratum"), str)
            or not isinstance(item.get("reading"), str)
        ):
            raise ValueError("'observed' items need string 'erratum' and 'reading'")
        readings.append(ObservedReading(item["erratum"], item["reading"]))
    return tuple(readings)


def record_from_mapping(data: Mapping[str, Any]) -> TestRecord:
    """Build a record from a parsed line; a wrong field raises ValueError naming it."""
    if not isinstance(data.get("nodeid"), str) or not data["nodeid"]:
        raise ValueError("'nodeid' must be a non-empty string")
    try:
        outcome = Outcome(str(data.get("outcome")))
    except ValueError:
        raise ValueError(
            f"'outcome' must be one of {', '.join(Outcome)}, not {data.get('outcome')!r}"
        ) from None
    raw_category = data.get("category")
    try:
        category = None if raw_category is None else FindingCategory(raw_category)
    except ValueError:
        known = ", ".join(FindingCategory)
        raise ValueError(f"'category' must be one of {known}, not {raw_category!r}") from None
    duration = data.get("duration_s", 0.0)
    if not isinstance(duration, int | float) or isinstance(duration, bool):
        raise ValueError("'duration_s' must be a number")
    exchanges, findings = data.get("exchanges", 0), data.get("findings", 0)
    for key, count in (("exchanges", exchanges), ("findings", findings)):
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise ValueError(f"{key!r} must be a non-negative integer")
    judged = data.get("judged", {})
    if not isinstance(judged, dict) or not all(
        isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) and v >= 0
        for k, v in judged.items()
    ):
        raise ValueError("'judged' must map evidence kinds to non-negative integers")
    for key in ("skip_reason", "failure_text"):
        if not isinstance(data.get(key, ""), str):
            raise ValueError(f"{key!r} must be a string")
    return TestRecord(
        nodeid=data["nodeid"],
        outcome=outcome,
        requirement_ids=_str_tuple(data.get("requirement_ids", []), "requirement_ids"),
        category=category,
        skip_reason=data.get("skip_reason", ""),
        duration_s=float(duration),
        exchanges=exchanges,
        failure_text=data.get("failure_text", ""),
        observed=_observed(data.get("observed", [])),
        findings=findings,
        finding_requirement_ids=_str_tuple(
            data.get("finding_requirement_ids", []), "finding_requirement_ids"
        ),
        judged=dict(judged),
    )


def read_records(path: Path) -> list[TestRecord]:
    """Read results.jsonl; a missing file is an empty run, a bad line is a SpecFileError with its line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecFileError(path, f"cannot read: {exc}") from None
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            if not isinstance(data, dict):
                raise ValueError("a line must be a JSON object")
            records.append(record_from_mapping(data))
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            raise SpecFileError(path, f"bad test record: {exc}", number) from None
    return records


class RecordWriter:
    """Appends records to results.jsonl, one write per line so concurrent writers never interleave."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)

    def write(self, record: TestRecord) -> None:
        """Append one record."""
        self.write_many([record])

    def write_many(self, records: Iterable[TestRecord]) -> None:
        """Append records, each in a single O_APPEND write."""
        descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            for record in records:
                os.write(descriptor, (record.to_json() + "\n").encode("utf-8"))
        finally:
            os.close(descriptor)
