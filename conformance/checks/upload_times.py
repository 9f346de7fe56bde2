"""The upload's two times in order: a person leaves (out_timestamp) no earlier than seen (timestamp).

Units are read by magnitude (13 digits ms, 10 digits s) so a unit mistake, judged by ``upload.timestamps``,
is not reported twice; a payload whose times are not numbers is left to that check too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from conformance.checks.check_registry import check
from conformance.checks.findings import Finding, deviation
from conformance.checks.unit_inference import classify_timestamp, to_ms


def _ms(value: Any) -> float | None:
    if isinstance(value, bool) or classify_timestamp(value) == "unknown":
        return None
    return to_ms(value)


@check("upload.out_after_timestamp")
def out_after_timestamp(
    uploads: Sequence[Mapping[str, Any]], *, requirements: Sequence[str] = ()
) -> list[Finding]:
    """out_timestamp is not earlier than timestamp (seed 003's example: 2.46 s later)."""
    findings: list[Finding] = []
    for index, payload in enumerate(uploads):
        seen, out = _ms(payload.get("timestamp")), _ms(payload.get("out_timestamp"))
        if seen is not None and out is not None and out < seen:
            findings.append(
                deviation(
                    f"upload {index}: out_timestamp {payload.get('out_timestamp')!r} is "
                    f"{seen - out:.0f} ms before timestamp {payload.get('timestamp')!r}",
                    upload=index,
                )
            )
    return findings
