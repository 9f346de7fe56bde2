"""The requirement matrix: every catalog requirement with its verdict and the tests behind it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from conformance.report.judged_evidence import NO_DATA_REASON
from conformance.report.records import Outcome, TestRecord
from conformance.spec.requirements import Requirement


class Verdict(StrEnum):
    """A requirement's verdict in one run (docs/reports.md, "Verdicts").

    `pass` needs a test that judged data; `fail` needs a finding that names the requirement; `error` means
    only harness errors were seen (they say nothing of the box); `not-exercised` means tests ran but judged
    nothing of it (no data on the box, or a failure whose findings named other requirements).
    """

    PASS = "pass"
    FAIL = "fail"
    HARNESS_ERROR = "error"
    NOT_EXERCISED = "not-exercised"
    SKIPPED = "skipped"
    NOT_COVERED = "not-covered"


VERDICT_ORDER: tuple[Verdict, ...] = tuple(Verdict)
EXERCISED = frozenset({Verdict.PASS, Verdict.FAIL})  # a test judged the requirement on the box's data


@dataclass(frozen=True)
class TestRef:
    """One test behind a requirement, as the matrix shows it; `role` says what it did for this requirement."""

    __test__ = False

    nodeid: str
    outcome: str
    category: str | None = None
    role: str = ""  # judged | failed | harness-error | not-judged | no-data | not-exercised | skipped


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
    reasons: tuple[str, ...]  # why: failure categories, skip and not-exercised reasons
    evidence: dict[str, int] = field(default_factory=dict, hash=False)  # summed over the tests that judged it

    @property
    def exercised(self) -> bool:
        """A test judged this requirement on data: it passed or failed."""
        return self.verdict in EXERCISED

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
            "exercised": self.exercised,
            "evidence": dict(self.evidence),
            "tests": [
                {"nodeid": t.nodeid, "outcome": t.outcome, "category": t.category, "role": t.role}
                for t in self.tests
            ],
            "reasons": list(self.reasons),
        }


def role_of(requirement_id: str, record: TestRecord) -> str:
    """What one test did for one requirement in this run."""
    if record.harness_error:
        return "harness-error"
    if record.failing:
        return "failed" if requirement_id in record.finding_requirement_ids else "not-judged"
    if record.outcome in (Outcome.PASSED, Outcome.XPASSED):
        return "judged" if record.evidence else "no-data"
    if record.outcome == Outcome.NOT_EXERCISED:
        return "not-exercised"
    return "skipped"


def _not_judged_reason(record: TestRecord) -> str:
    named = ", ".join(record.finding_requirement_ids) or "no requirement"
    return f"not judged: {record.nodeid} failed on findings naming {named}"


def verdict_of(requirement_id: str, records: Sequence[TestRecord]) -> tuple[Verdict, tuple[str, ...]]:
    """Combine the tests of one requirement: fail, then pass, then harness error, not exercised, skipped."""
    if not records:
        return Verdict.NOT_COVERED, ()
    by_role: dict[str, list[TestRecord]] = {}
    for record in records:
        by_role.setdefault(role_of(requirement_id, record), []).append(record)
    if "failed" in by_role:
        return Verdict.FAIL, tuple(dict.fromkeys(f"{r.category} deviation" for r in by_role["failed"]))
    if "judged" in by_role:
        return Verdict.PASS, ()
    if "harness-error" in by_role:
        return Verdict.HARNESS_ERROR, tuple(
            f"harness error in {r.nodeid} (not a box defect)" for r in by_role["harness-error"]
        )
    quiet = by_role.get("not-exercised", [])
    reasons = [f"not exercised: {r.skip_reason or 'no reason given'}" for r in quiet]
    reasons += [f"{NO_DATA_REASON}: {r.nodeid}" for r in by_role.get("no-data", [])]
    reasons += [_not_judged_reason(r) for r in by_role.get("not-judged", [])]
    if reasons:
        return Verdict.NOT_EXERCISED, tuple(dict.fromkeys(reasons))
    skips = dict.fromkeys(r.skip_reason or "skipped without a reason" for r in by_role.get("skipped", []))
    return Verdict.SKIPPED, tuple(skips)


def evidence_for(requirement_id: str, records: Iterable[TestRecord]) -> dict[str, int]:
    """The evidence of the tests that judged the requirement (passed on data, or failed on it)."""
    summed: Counter[str] = Counter()
    for record in records:
        if role_of(requirement_id, record) in ("judged", "failed"):
            summed.update(record.evidence)
    return dict(sorted(summed.items()))


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
    for record in records:  # a finding may name an id that is not on the test's markers: it judged it too
        for requirement_id in dict.fromkeys([*record.requirement_ids, *record.finding_requirement_ids]):
            by_requirement.setdefault(requirement_id, []).append(record)
    rows = []
    for requirement in requirements:
        behind = by_requirement.get(requirement.id, [])
        verdict, reasons = verdict_of(requirement.id, behind)
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
                    TestRef(
                        r.nodeid,
                        r.outcome.value,
                        None if r.category is None else r.category.value,
                        role_of(requirement.id, r),
                    )
                    for r in behind
                ),
                reasons=reasons,
                evidence=evidence_for(requirement.id, behind),
            )
        )
    return rows


def unknown_requirement_ids(known: Iterable[str], records: Iterable[TestRecord]) -> list[str]:
    """Requirement ids that tests name but the catalog lacks (a stale marker)."""
    known_ids = set(known)
    return sorted({rid for record in records for rid in record.requirement_ids if rid not in known_ids})


def verdict_counts(rows: Iterable[MatrixRow]) -> dict[str, int]:
    """Rows per verdict (every verdict present), `exercised` (pass + fail) and `total`."""
    counted = Counter(row.verdict.value for row in rows)
    counts = {verdict.value: counted.get(verdict.value, 0) for verdict in VERDICT_ORDER}
    return counts | {"exercised": sum(counts[v.value] for v in EXERCISED), "total": sum(counted.values())}


def totals(rows: Iterable[MatrixRow], key: str) -> dict[str, dict[str, int]]:
    """Verdict counts grouped by `interface` or `level`, every verdict present (zero when none)."""
    grouped: dict[str, list[MatrixRow]] = {}
    for row in rows:
        grouped.setdefault(str(getattr(row, key)), []).append(row)
    return {group: verdict_counts(members) for group, members in grouped.items()}
