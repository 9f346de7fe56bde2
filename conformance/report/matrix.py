"""The requirement matrix: every catalog requirement with its verdict and the tests behind it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from conformance.report.records import Category, Outcome, TestRecord
from conformance.spec.requirements import Requirement


class Verdict(StrEnum):
    """A requirement's verdict; `error` means only harness errors were seen, which say nothing of the box."""

    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    SKIPPED = "skipped"
    NOT_COVERED = "not-covered"


VERDICT_ORDER: tuple[Verdict, ...] = tuple(Verdict)


@dataclass(frozen=True)
class TestRef:
    """One test behind a requirement, as the matrix shows it."""

    __test__ = False

    nodeid: str
    outcome: str
    category: str | None = None


@dataclass(frozen=True)
class MatrixRow:
    """One requirement and what the run found about it."""

    id: str
    level: str
    interface: str
    area: str
    statement: str
    source: dict[str, Any]
    verdict: Verdict
    tests: tuple[TestRef, ...]
    reasons: tuple[str, ...]  # skip reasons, or the failure categories seen

    def to_dict(self) -> dict[str, Any]:
        """The row as summary.json stores it."""
        return {
            "id": self.id,
            "level": self.level,
            "interface": self.interface,
            "area": self.area,
            "statement": self.statement,
            "source": self.source,
            "verdict": self.verdict.value,
            "tests": [{"nodeid": t.nodeid, "outcome": t.outcome, "category": t.category} for t in self.tests],
            "reasons": list(self.reasons),
        }


def verdict_of(records: Sequence[TestRecord]) -> tuple[Verdict, tuple[str, ...]]:
    """Combine the tests of one requirement: a box failure wins, then a harness error, then a pass."""
    if not records:
        return Verdict.NOT_COVERED, ()
    failures = [r for r in records if r.outcome in (Outcome.FAILED, Outcome.ERROR)]
    box_failures = [r for r in failures if r.category not in (None, Category.HARNESS)]
    if box_failures:
        categories = dict.fromkeys(f"{r.category} deviation" for r in box_failures if r.category)
        return Verdict.FAIL, tuple(categories)
    if failures:
        return Verdict.ERROR, ("harness error (not a box defect)",)
    if any(r.outcome in (Outcome.PASSED, Outcome.XPASSED) for r in records):
        return Verdict.PASS, ()
    reasons = dict.fromkeys(r.skip_reason or "skipped without a reason" for r in records)
    return Verdict.SKIPPED, tuple(reasons)


def source_of(requirement: Requirement) -> dict[str, Any]:
    """Where the requirement's text is: file, section, line."""
    return {
        "file": requirement.source.file,
        "section": requirement.source.section,
        "line": requirement.source.line,
    }


def build_matrix(requirements: Iterable[Requirement], records: Iterable[TestRecord]) -> list[MatrixRow]:
    """One row per requirement, in catalog order."""
    by_requirement: dict[str, list[TestRecord]] = {}
    for record in records:
        for requirement_id in record.requirement_ids:
            by_requirement.setdefault(requirement_id, []).append(record)
    rows = []
    for requirement in requirements:
        behind = by_requirement.get(requirement.id, [])
        verdict, reasons = verdict_of(behind)
        rows.append(
            MatrixRow(
                id=requirement.id,
                level=requirement.level.value,
                interface=requirement.interface,
                area=requirement.area,
                statement=requirement.statement,
                source=source_of(requirement),
                verdict=verdict,
                tests=tuple(
                    TestRef(r.nodeid, r.outcome.value, None if r.category is None else r.category.value)
                    for r in behind
                ),
                reasons=reasons,
            )
        )
    return rows


def unknown_requirement_ids(known: Iterable[str], records: Iterable[TestRecord]) -> list[str]:
    """Requirement ids that tests name but the catalog lacks (a stale marker)."""
    known_ids = set(known)
    return sorted({rid for record in records for rid in record.requirement_ids if rid not in known_ids})


def totals(rows: Iterable[MatrixRow], key: str) -> dict[str, dict[str, int]]:
    """Verdict counts grouped by `interface` or `level`, every verdict present (zero when none)."""
    grouped: dict[str, Counter[str]] = {}
    for row in rows:
        grouped.setdefault(str(getattr(row, key)), Counter())[row.verdict.value] += 1
    return {
        group: {verdict.value: counts.get(verdict.value, 0) for verdict in VERDICT_ORDER}
        | {"total": sum(counts.values())}
        for group, counts in grouped.items()
    }
