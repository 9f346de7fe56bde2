"""The release gate: compare two summaries requirement by requirement and decide pass or fail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from conformance.report.waivers import Waiver

FAILING = frozenset({"fail", "error"})
UNCOVERED = frozenset({"not-covered", "skipped"})


class Change(StrEnum):
    """How one requirement moved between the baseline and the current run."""

    REGRESSION = "regression"  # pass -> fail/error
    FIX = "fix"  # fail/error -> pass
    STILL_FAILING = "still-failing"  # fail/error -> fail/error
    NEW_FAILURE = "new-failure"  # not run, skipped or new -> fail/error
    NEWLY_COVERED = "newly-covered"  # not covered, skipped or new -> pass
    COVERAGE_LOST = "coverage-lost"  # pass/fail -> skipped or not covered
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
    """Every requirement's change, the expired waivers, and the verdict."""

    changes: list[RequirementChange] = field(default_factory=list)
    expired_waivers: list[Waiver] = field(default_factory=list)
    unused_waivers: list[Waiver] = field(default_factory=list)

    @property
    def blocking(self) -> list[RequirementChange]:
        """MUST requirements that fail without a valid waiver."""
        return [c for c in self.changes if c.blocking]

    @property
    def passed(self) -> bool:
        """Release allowed: nothing blocking and no expired waiver."""
        return not self.blocking and not self.expired_waivers

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
) -> GateResult:
    """Compare two loaded summaries (see summary.load_summary); waivers by requirement id."""
    day = today or dt.date.today()
    waivers = waivers or {}
    old, new = _rows(baseline), _rows(current)
    result = GateResult()
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
