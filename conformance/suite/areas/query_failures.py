"""Turn check findings into the one failure type, with requirement ids and the exchanges that show them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from conformance.checks.findings import Finding
from conformance.clients.exchange import Exchange
from conformance.clients.failures import ConformanceFailure, FailureCategory

MAX_EXCHANGES = 3  # a failure shows the first few exchanges; every one is in the run's log anyway
MAX_EVIDENCE_CHARS = 600


def raise_findings(
    findings: Sequence[Finding],
    *,
    title: str,
    exchanges: Iterable[Exchange] = (),
    context: str = "",
) -> None:
    """Raise a ConformanceFailure listing every finding; do nothing when there are none."""
    if not findings:
        return
    requirement_ids = dict.fromkeys(rid for found in findings for rid in found.requirement_ids)
    category = (
        FailureCategory.UNIT
        if all(found.category == "unit" for found in findings)
        else FailureCategory.SEMANTIC
    )
    lines = [context] if context else []
    for found in findings:
        evidence = json.dumps(dict(found.evidence), ensure_ascii=False, sort_keys=True)
        if len(evidence) > MAX_EVIDENCE_CHARS:
            evidence = evidence[:MAX_EVIDENCE_CHARS] + "…"
        ids = ", ".join(found.requirement_ids)
        lines.append(f"- [{found.check}] {found.message} ({ids})\n  evidence: {evidence}")
    raise ConformanceFailure(
        f"{title}: {findings[0].message}",
        "\n".join(lines),
        category=category,
        requirement_ids=requirement_ids,
        exchanges=list(exchanges)[:MAX_EXCHANGES],
    )


def fail(
    title: str,
    requirement_ids: Sequence[str],
    *,
    message: str = "",
    exchanges: Iterable[Exchange] = (),
    category: FailureCategory = FailureCategory.SEMANTIC,
) -> None:
    """Raise one ConformanceFailure for a deviation found without a registered check."""
    raise ConformanceFailure(
        title,
        message,
        category=category,
        requirement_ids=requirement_ids,
        exchanges=list(exchanges)[:MAX_EXCHANGES],
    )
