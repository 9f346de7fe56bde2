"""The gate's coverage rule: enough MUST requirements exercised, and never fewer than the baseline.

A quiet box fails nothing (its requirements read `not-exercised`), so without this rule a release whose
run judged less would pass the gate as well as one that judged everything (issue 16.5).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

EXERCISED = frozenset({"pass", "fail"})  # a test judged the requirement on the box's data


@dataclass(frozen=True)
class Coverage:
    """MUST requirements exercised (passed or failed on data) in both runs, and the rules they must meet."""

    must_total: int  # MUST requirements in the current run
    current: int  # ... of them exercised now
    baseline: int  # MUST requirements exercised in the baseline, of those still in the current run
    current_of_common: int  # ... and how many of those same requirements are exercised now
    minimum_share: float | None = None  # --min-must-exercised
    against_baseline: bool = True  # fail when fewer are exercised than in the baseline

    @property
    def share(self) -> float:
        """The share of MUST requirements exercised (1.0 when there are none)."""
        return self.current / self.must_total if self.must_total else 1.0

    @property
    def problems(self) -> list[str]:
        """Why coverage fails the release (empty: it does not)."""
        found = []
        if self.minimum_share is not None and self.share < self.minimum_share:
            found.append(
                f"MUST requirements exercised {self.current}/{self.must_total} ({self.share:.0%}) "
                f"below the minimum {self.minimum_share:.0%}"
            )
        if self.against_baseline and self.current_of_common < self.baseline:
            found.append(
                f"fewer MUST requirements exercised than in the baseline: {self.current_of_common} "
                f"of the {self.baseline} the baseline exercised"
            )
        return found

    def describe(self) -> str:
        """One line for the text output."""
        line = f"MUST requirements exercised: {self.current}/{self.must_total} ({self.share:.0%})"
        line += f"; baseline exercised {self.baseline}, of which {self.current_of_common} now"
        if self.minimum_share is not None:
            line += f"; minimum {self.minimum_share:.0%}"
        return line


def coverage_of(
    baseline: Mapping[str, Mapping[str, Any]],
    current: Mapping[str, Mapping[str, Any]],
    *,
    minimum_share: float | None = None,
    against_baseline: bool = True,
) -> Coverage:
    """Count exercised MUST requirements (rows by id); the baseline comparison uses ids in both runs."""
    must = [rid for rid, row in current.items() if row["level"] == "MUST"]
    common = [rid for rid in must if rid in baseline and baseline[rid]["verdict"] in EXERCISED]
    return Coverage(
        must_total=len(must),
        current=sum(1 for rid in must if current[rid]["verdict"] in EXERCISED),
        baseline=len(common),
        current_of_common=sum(1 for rid in common if current[rid]["verdict"] in EXERCISED),
        minimum_share=minimum_share,
        against_baseline=against_baseline,
    )
