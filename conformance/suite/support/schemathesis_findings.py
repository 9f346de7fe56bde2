"""schemathesis's own check failures as findings that name the operation's requirement, not every marker id.

A 500 or an accepted invalid body found by schemathesis is a box deviation, but schemathesis knows no
requirement ids; without this, the failure would name none and judge nothing (docs/reports.md,
"Verdicts from findings"). Failures our own checks raised inside schemathesis keep their findings.
"""

from __future__ import annotations

from typing import Any

from conformance.checks.findings import Finding, FindingCategory
from conformance.clients.failures import ConformanceFailure

#: Failures about how bad input is refused (a 5xx, an undocumented status, invalid data accepted).
BAD_INPUT_FAILURES = frozenset({"ServerError", "UndefinedStatusCode", "AcceptedNegativeData"})

#: Per operation: (the requirement bad input breaks, the requirement a valid request breaks).
OPERATION_IDS: dict[str, tuple[str, str]] = {
    "v2GetEvents": ("V2Q-ERR-003", "V2Q-SCHEMA-001"),
    "v1Events": ("V1Q-ERR-003", "V1Q-SCHEMA-001"),
    "v2GetEvent": ("V2G-ERR-001", "V2G-SCHEMA-001"),
    "v2GetSpotImage": ("IMG-ERR-001", "IMG-SCHEMA-001"),
    "v1Devices": ("DEV-ERR-001", "DEV-SCHEMA-001"),
    "v1PictureSearch": ("PS-ERR-001", "PS-SCHEMA-001"),
    "getHistoryEventUrl": ("UPC-CONFIG-002", "UPC-CONFIG-002"),
    "v2Login": ("LOGIN-SCHEMA-001", "LOGIN-SCHEMA-001"),
}


def _parts(failure: BaseException) -> list[BaseException]:
    return list(failure.exceptions) if isinstance(failure, BaseExceptionGroup) else [failure]


def _is_check_failure(part: BaseException) -> bool:
    """A failed check of schemathesis's own (its failures are AssertionErrors of its package)."""
    return isinstance(part, AssertionError) and type(part).__module__.startswith("schemathesis")


def findings_of(failure: BaseException, operation_id: str) -> list[Finding]:
    """A finding per schemathesis failure; [] when a part is no check failure (a crash stays a crash)."""
    bad_input_id, valid_id = OPERATION_IDS[operation_id]
    found: list[Finding] = []
    for part in _parts(failure):
        inner: Any = getattr(part, "exception", part)  # CustomFailure wraps the error our check raised
        if isinstance(inner, ConformanceFailure):
            found += inner.findings
            continue
        if not _is_check_failure(part):
            return []
        kind = type(part).__name__
        title = str(getattr(part, "title", "") or kind)
        found.append(
            Finding(
                f"schemathesis.{kind}",
                f"{title} ({operation_id})",
                (bad_input_id if kind in BAD_INPUT_FAILURES else valid_id,),
                FindingCategory.SEMANTIC,
                detail=str(getattr(part, "message", "") or part),
            )
        )
    return found


def raise_as_findings(failure: BaseException, operation_id: str) -> None:
    """Re-raise a schemathesis failure (or group) as a ConformanceFailure whose findings name ids."""
    findings = findings_of(failure, operation_id)
    if not findings:
        raise failure
    raise ConformanceFailure(
        f"schemathesis found {len(findings)} deviation(s) in {operation_id}", findings, context=str(failure)
    ) from failure
