"""Count-based matching of delivered events to expected ones, keyed by (ms, device): lost, extra, repeated.

Used by the WebSocket and upload checks, whose payloads have no reliable event id (E14, seed 003).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from conformance.checks.findings import Finding, describe_ids, deviation, id_sample


def delivery_findings(
    expected_keys: Iterable[str], received_keys: Iterable[str | None], what: str
) -> list[Finding]:
    """Expected keys missing, keys received but not expected, and keys received more often than expected."""
    expected = Counter(expected_keys)
    received = Counter(key for key in received_keys if key is not None)
    lost = sorted(key for key in expected if received[key] < expected[key])
    unexpected = sorted(key for key in received if key not in expected)
    repeated = sorted(key for key in received if key in expected and received[key] > expected[key])
    findings: list[Finding] = []
    if lost:
        findings.append(
            deviation(
                f"{len(lost)} expected event(s) never {what}: {describe_ids(lost)}",
                lost=id_sample(lost),
                lost_count=len(lost),
            )
        )
    if unexpected:
        findings.append(
            deviation(
                f"{len(unexpected)} event(s) {what} that were not expected: {describe_ids(unexpected)}",
                unexpected=id_sample(unexpected),
            )
        )
    if repeated:
        findings.append(
            deviation(
                f"{len(repeated)} event(s) {what} more than once: {describe_ids(repeated)}",
                repeated={key: received[key] for key in id_sample(repeated)},
            )
        )
    return findings
