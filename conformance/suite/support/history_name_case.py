"""Whether a box's fuzzy name match ignores case, read from its own history: one reading, applied alike.

The documents do not say whether `identity_name` (v2) and `name` (v1) ignore case, so either reading
conforms; mixing them does not. A sampled Latin name is asked in lower case, upper case and as written;
each answer over the window must be exactly the sampled events the name matches under one reading, and
one reading must fit all three answers.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from conformance.checks.filter_oracle import name_matches
from conformance.checks.history_events import HistoryEvent
from conformance.checks.history_filters import Interface
from conformance.clients.failures import fail
from conformance.clients.http_client import RecordingHttpClient
from conformance.suite.judgement import judged, not_exercised
from conformance.suite.support.history_cases import by_frequency
from conformance.suite.support.history_queries import require_sample
from conformance.suite.support.history_sample import HistorySample, read

READINGS = {True: "case-sensitive", False: "case-insensitive"}


def _cased_name(events: Sequence[HistoryEvent]) -> str | None:
    """The most frequent sampled name whose lower and upper case differ from each other."""
    names = [
        name for name in by_frequency([e.name for e in events if e.name]) if name.lower() != name.upper()
    ]
    return names[0] if names else None


def _expected(events: Sequence[HistoryEvent], query: str, *, case_sensitive: bool) -> frozenset[str]:
    return frozenset(e.id for e in events if name_matches(e.name, query, case_sensitive=case_sensitive))


def judge_name_case(
    client: RecordingHttpClient, sample: HistorySample, interface: Interface, request: pytest.FixtureRequest
) -> None:
    """Ask a sampled name in three cases; fail unless one reading explains every answer; record which."""
    require_sample(sample, interface)
    events = sample.events(interface)
    name = _cased_name(events)
    if name is None:
        not_exercised(f"no sampled name with letters of two cases (sample {sample!r})")
    if not sample.complete:
        not_exercised(
            f"the sample holds only part of its window, so no answer can be compared whole ({sample!r})"
        )
    key = "identity_name" if interface == "v2" else "name"
    requirement = "V2Q-FILT-004" if interface == "v2" else "V1Q-FILT-003"
    readings: dict[str, set[bool]] = {}
    for query in dict.fromkeys((name.lower(), name.upper(), name)):
        answer = read(client, sample, interface, {**sample.window(interface), key: query})
        if not answer.complete:
            not_exercised(f"{key}={query!r} answered more than the window can hold")
        got = frozenset(event.id for event in answer.events)
        fitting = {s for s in READINGS if got == _expected(events, query, case_sensitive=s)}
        if not fitting:
            expected = {READINGS[s]: len(_expected(events, query, case_sensitive=s)) for s in READINGS}
            fail(
                f"{interface} {key}={query!r} answered {len(got)} event(s) of the window, which is neither "
                f"reading of a fuzzy match (sampled matches: {expected})",
                [requirement],
                answer.exchanges[:1],
            )
        readings[query] = fitting
    common = set.intersection(*readings.values())
    if not common:
        described = {query: sorted(READINGS[s] for s in fits) for query, fits in readings.items()}
        fail(
            f"{interface} name matching ignores case for some queries and not others: {described}",
            [requirement],
        )
    judged(request, "events", len(events))
    reading = READINGS[next(iter(common))] if len(common) == 1 else "undecided"
    request.node.user_properties.append(("name_case", reading))
