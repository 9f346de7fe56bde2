"""What a test judged: evidence counts it records, and *not exercised* when it found nothing to judge.

A real box gives no guaranteed data (REAL-BOX.md): a test that found no event, push, upload or search to
judge has not passed. It calls `not_exercised(reason)`, which ends it with its own outcome, distinct from
passed, failed and skipped. A test that did judge something records how much with `judged(request, kind, n)`,
so the reports can tell a requirement exercised on evidence from one carried by a test that saw nothing.
"""

from __future__ import annotations

from typing import NoReturn

import pytest

from conformance.report.judged_evidence import (
    EVIDENCE_KINDS,
    JUDGED_PROPERTY_PREFIX,
    NOT_EXERCISED_PREFIX,
    is_not_exercised,
    judged_counts,
)

# the reports read these back (conformance.report.judged_evidence); tests use them from here
__all__ = ["NotExercised", "is_not_exercised", "judged", "judged_counts", "not_exercised"]


class NotExercised(pytest.skip.Exception):  # type: ignore[name-defined,misc]
    """The test had nothing to judge on this box; its reason says what was missing."""


def not_exercised(reason: str) -> NoReturn:
    """End the current test as *not exercised*, with the reason (never a pass, never a failure)."""
    raise NotExercised(NOT_EXERCISED_PREFIX + reason, allow_module_level=False)


def judged(request: pytest.FixtureRequest, kind: str, count: int) -> None:
    """Record that the test judged `count` items of `kind` (added up when called more than once)."""
    if kind not in EVIDENCE_KINDS:
        raise ValueError(f"unknown evidence kind {kind!r}; known: {', '.join(sorted(EVIDENCE_KINDS))}")
    if count < 0:
        raise ValueError(f"an evidence count is 0 or more, not {count}")
    properties = request.node.user_properties
    name = JUDGED_PROPERTY_PREFIX + kind
    for index, (key, value) in enumerate(properties):
        if key == name:
            properties[index] = (name, int(value) + count)
            return
    properties.append((name, count))
