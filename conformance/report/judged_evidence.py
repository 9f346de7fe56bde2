"""What a test judged, as the reports read it: the *not exercised* outcome and the `judged:<kind>` counts.

The suite writes both (`conformance.suite.judgement`); the recorder reads them back here, so a requirement
passes only on evidence and a test that found nothing to judge is never counted as a pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

NOT_EXERCISED_PREFIX = "not exercised: "
JUDGED_PROPERTY_PREFIX = "judged:"  # user property name: judged:<kind>, value: a count
EXCHANGES_KIND = "exchanges"  # counted for every test by the suite plugin, finer kinds by the tests
NO_DATA_REASON = "the test judged no data (no exchange, no judged item)"

#: The kinds of evidence a test may count (one word each, as the summary shows them).
EVIDENCE_KINDS = frozenset(
    {"events", "pages", "queries", "pushes", "uploads", "searches", "pictures", "devices", EXCHANGES_KIND}
)


def is_not_exercised(skip_reason: str) -> bool:
    """Whether a skip reason is a *not exercised* outcome rather than a plain skip."""
    return NOT_EXERCISED_PREFIX in skip_reason


def not_exercised_reason(skip_reason: str) -> str:
    """The why of a *not exercised* skip reason, without the prefix (and pytest's `Skipped: `)."""
    _, _, why = skip_reason.partition(NOT_EXERCISED_PREFIX)
    return why or skip_reason


def judged_counts(user_properties: Iterable[tuple[str, object]]) -> dict[str, int]:
    """The evidence counts a finished test recorded, read back from its report's user properties."""
    counts: dict[str, int] = {}
    for key, value in user_properties:
        if key.startswith(JUDGED_PROPERTY_PREFIX) and isinstance(value, int) and not isinstance(value, bool):
            kind = key.removeprefix(JUDGED_PROPERTY_PREFIX)
            counts[kind] = counts.get(kind, 0) + value
    return counts


def evidence_of(exchanges: int, judged: Mapping[str, int]) -> dict[str, int]:
    """All a test judged: its exchanges with the box plus the counts it recorded, zero counts left out."""
    evidence = {kind: count for kind, count in judged.items() if count > 0}
    if exchanges > 0:
        evidence[EXCHANGES_KIND] = max(exchanges, evidence.get(EXCHANGES_KIND, 0))
    return dict(sorted(evidence.items()))
