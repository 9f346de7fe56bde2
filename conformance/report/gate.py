"""The release gate: compare two summaries requirement by requirement, decide, and render the verdict.

Text for people, JSON for tools, JUnit XML for CI test tabs.
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from conformance.report.gate_coverage import Coverage, coverage_of
from conformance.report.waivers import Waiver

FAILING = frozenset({"fail", "error"})
UNCOVERED = frozenset({"not-covered", "skipped", "not-exercised"})


class Change(StrEnum):
    """How one requirement moved between the baseline and the current run."""

    REGRESSION = "regression"  # pass -> fail/error
    FIX = "fix"  # fail/error -> pass
    STILL_FAILING = "still-failing"  # fail/error -> fail/error
    NEW_FAILURE = "new-failure"  # not run, skipped or new -> fail/error
    NEWLY_COVERED = "newly-covered"  # not covered, skipped or new -> pass
    COVERAGE_LOST = "coverage-lost"  # pass/fail -> skipped, not exercised or not covered
    NEW_REQUIREMENT = "new-requirement"  # not in the baseline and not covered now
    REMOVED = "removed"  # in the baseline, gone from the current catalog
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class RequirementChange:
    """One requirement's verdicts in both runs, the change, and whether it blocks the release."""

    id: str
    level: str
    baseline: str | None
    current: str | None
    change: Change
    waiver: Waiver | None = None
    waiver_expired: bool = False
    blocking: bool = False

    @property
    def waived(self) -> bool:
        """A failing requirement covered by a waiver that has not expired."""
        return self.waiver is not None and not self.waiver_expired and self.current in FAILING


@dataclass
class GateResult:
    """Every requirement's change, the expired waivers, coverage, and the verdict."""

    changes: list[RequirementChange] = field(default_factory=list)
    expired_waivers: list[Waiver] = field(default_factory=list)
    unused_waivers: list[Waiver] = field(default_factory=list)
    coverage: Coverage | None = None

    @property
    def blocking(self) -> list[RequirementChange]:
        """MUST requirements that fail without a valid waiver."""
        return [c for c in self.changes if c.blocking]

    @property
    def coverage_problems(self) -> list[str]:
        """Why the run exercised too little (empty when coverage is fine or not checked)."""
        return [] if self.coverage is None else self.coverage.problems

    @property
    def passed(self) -> bool:
        """Release allowed: nothing blocking, no expired waiver, enough MUST requirements exercised."""
        return not self.blocking and not self.expired_waivers and not self.coverage_problems

    def of(self, change: Change) -> list[RequirementChange]:
        """The requirements with one kind of change."""
        return [c for c in self.changes if c.change == change]


def classify(baseline: str | None, current: str | None) -> Change:
    """The change between two verdicts (None: the requirement is absent from that summary)."""
    if current is None:
        return Change.REMOVED
    if current in FAILING:
        if baseline == "pass":
            return Change.REGRESSION
        return Change.STILL_FAILING if baseline in FAILING else Change.NEW_FAILURE
    if current == "pass":
        if baseline in FAILING:
            return Change.FIX
        return Change.UNCHANGED if baseline == "pass" else Change.NEWLY_COVERED
    if baseline is None:
        return Change.NEW_REQUIREMENT
    if baseline not in UNCOVERED:
        return Change.COVERAGE_LOST
    return Change.UNCHANGED


def _rows(summary: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {row["id"]: row for row in summary["requirements"]}


def compare(
    baseline: Mapping[str, Any],
    current: Mapping[str, Any],
    waivers: Mapping[str, Waiver] | None = None,
    *,
    today: dt.date | None = None,
    min_must_exercised: float | None = None,
    against_baseline: bool = True,
) -> GateResult:
    """Compare two loaded summaries (see summary.load_summary); waivers by requirement id.

    Coverage: the run fails when fewer MUST requirements are exercised than in the baseline (unless
    `against_baseline` is off) or when their share is below `min_must_exercised` (0..1).
    """
    day = today or dt.date.today()
    waivers = waivers or {}
    old, new = _rows(baseline), _rows(current)
    result = GateResult(
        coverage=coverage_of(old, new, minimum_share=min_must_exercised, against_baseline=against_baseline)
    )
    for requirement_id in [*new, *(rid for rid in old if rid not in new)]:
        row = new.get(requirement_id) or old[requirement_id]
        before = old[requirement_id]["verdict"] if requirement_id in old else None
        after = new[requirement_id]["verdict"] if requirement_id in new else None
        waiver = waivers.get(requirement_id)
        valid_waiver = waiver is not None and not waiver.expired(day)
        blocking = row["level"] == "MUST" and after in FAILING and not valid_waiver
        result.changes.append(
            RequirementChange(
                id=requirement_id,
                level=str(row["level"]),
                baseline=before,
                current=after,
                change=classify(before, after),
                waiver=waiver,
                waiver_expired=waiver is not None and not valid_waiver,
                blocking=blocking,
            )
        )
    for waiver in waivers.values():
        if waiver.expired(day):
            result.expired_waivers.append(waiver)
        elif new.get(waiver.requirement, {}).get("verdict") not in FAILING:
            result.unused_waivers.append(waiver)
    return result


# --- rendering -------------------------------------------------------------------------------------

SECTIONS: tuple[tuple[Change, str], ...] = (
    (Change.REGRESSION, "Regressions (pass -> fail)"),
    (Change.NEW_FAILURE, "New failures (not passing before)"),
    (Change.STILL_FAILING, "Still failing"),
    (Change.FIX, "Fixes (fail -> pass)"),
    (Change.NEWLY_COVERED, "Newly covered"),
    (Change.COVERAGE_LOST, "Coverage lost (now skipped or not covered)"),
    (Change.NEW_REQUIREMENT, "New requirements (not covered yet)"),
    (Change.REMOVED, "Removed requirements"),
)
FORMATS = ("text", "json", "junit")


def _line(change: RequirementChange) -> str:
    text = f"  {change.id} [{change.level}] {change.baseline or '-'} -> {change.current or '-'}"
    if change.waived and change.waiver is not None:
        text += f"  WAIVED ({change.waiver.describe()})"
    elif change.waiver_expired and change.waiver is not None:
        text += f"  waiver EXPIRED on {change.waiver.expires.isoformat()}"
    if change.blocking:
        text += "  BLOCKING"
    return text


def _waiver_line(waiver: Waiver) -> str:
    return f"  {waiver.requirement}: {waiver.describe()}"


def render_text(result: GateResult) -> str:
    """Sections of changed requirements, then the verdict."""
    lines: list[str] = []
    for change, title in SECTIONS:
        items = result.of(change)
        if items:
            lines += [f"{title}: {len(items)}", *(_line(item) for item in items), ""]
    if result.expired_waivers:
        lines += [f"Expired waivers (each fails the gate): {len(result.expired_waivers)}"]
        lines += [_waiver_line(w) for w in result.expired_waivers] + [""]
    if result.unused_waivers:
        lines += [f"Unused waivers (requirement not failing): {len(result.unused_waivers)}"]
        lines += [_waiver_line(w) for w in result.unused_waivers] + [""]
    if result.coverage is not None:
        lines += [result.coverage.describe(), ""]
    if result.passed:
        lines.append("GATE PASSED: no MUST requirement regressed or fails unwaived; coverage kept")
    else:
        reasons = []
        if result.blocking:
            reasons.append(f"{len(result.blocking)} MUST requirement(s) failing without a valid waiver")
        if result.expired_waivers:
            reasons.append(f"{len(result.expired_waivers)} expired waiver(s)")
        reasons += result.coverage_problems
        lines.append("GATE FAILED: " + "; ".join(reasons))
        lines += [f"  {c.id}" for c in result.blocking]
    return "\n".join(lines) + "\n"


def _waiver_dict(waiver: Waiver | None) -> dict[str, str] | None:
    if waiver is None:
        return None
    return {
        "requirement": waiver.requirement,
        "reason": waiver.reason,
        "owner": waiver.owner,
        "expires": waiver.expires.isoformat(),
    }


def render_json(result: GateResult) -> str:
    """Everything, machine-readable."""
    data: dict[str, Any] = {
        "passed": result.passed,
        "blocking": [c.id for c in result.blocking],
        "changes": {
            change.value: [
                {
                    "id": c.id,
                    "level": c.level,
                    "baseline": c.baseline,
                    "current": c.current,
                    "waived": c.waived,
                    "blocking": c.blocking,
                    "waiver": _waiver_dict(c.waiver),
                }
                for c in result.of(change)
            ]
            for change, _title in SECTIONS
        },
        "expired_waivers": [_waiver_dict(w) for w in result.expired_waivers],
        "unused_waivers": [_waiver_dict(w) for w in result.unused_waivers],
        "coverage": _coverage_dict(result.coverage),
    }
    return json.dumps(data, indent=2) + "\n"


def _coverage_dict(coverage: Coverage | None) -> dict[str, Any] | None:
    if coverage is None:
        return None
    return {
        "must_total": coverage.must_total,
        "must_exercised": coverage.current,
        "share": round(coverage.share, 4),
        "baseline_must_exercised": coverage.baseline,
        "of_those_exercised_now": coverage.current_of_common,
        "minimum_share": coverage.minimum_share,
        "against_baseline": coverage.against_baseline,
        "problems": coverage.problems,
    }


def render_junit(result: GateResult) -> str:
    """One test case per requirement (failure when blocking, skipped when waived) and per expired waiver."""
    suite = ET.Element("testsuite", name="sophon-conformance-gate")
    failures = skipped = 0
    for change in result.changes:
        case = ET.SubElement(suite, "testcase", classname=f"gate.{change.level}", name=change.id)
        detail = f"{change.baseline or '-'} -> {change.current or '-'} ({change.change.value})"
        if change.blocking:
            failures += 1
            ET.SubElement(case, "failure", message=f"{change.id} {detail}").text = detail
        elif change.waived and change.waiver is not None:
            skipped += 1
            ET.SubElement(case, "skipped", message=f"waived: {change.waiver.describe()}")
    for waiver in result.expired_waivers:
        failures += 1
        case = ET.SubElement(suite, "testcase", classname="gate.waivers", name=f"waiver {waiver.requirement}")
        message = f"waiver expired on {waiver.expires.isoformat()} (owner {waiver.owner})"
        ET.SubElement(case, "failure", message=message).text = waiver.reason
    if result.coverage is not None:
        case = ET.SubElement(suite, "testcase", classname="gate.coverage", name="MUST requirements exercised")
        for problem in result.coverage.problems:
            failures += 1
            ET.SubElement(case, "failure", message=problem).text = result.coverage.describe()
    suite.set("tests", str(len(suite)))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", str(skipped))
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def render(result: GateResult, fmt: str) -> str:
    """Render in one of FORMATS."""
    renderers = {"text": render_text, "json": render_json, "junit": render_junit}
    return renderers[fmt](result)
