"""Run a family of history queries inside the sampled window and judge every answer with the history checks.

Each query is the window plus the family's filters; its answer is judged for soundness always, and for
completeness and non-emptiness when it was read whole. v1 list filters (E05) are sent as repeated keys
first and in the comma and JSON forms only when that answer is wrong: a box understanding one form conforms.
A run that judged nothing (no query had a sampled match and no answer had an event) is not a pass: the
test skips as "not exercised".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from conformance.checks.findings import Finding
from conformance.checks.history_filters import (
    HistoryQuery,
    Interface,
    completeness,
    matching_count,
    non_empty,
    same_window,
    soundness,
)
from conformance.clients.exchange import Exchange
from conformance.clients.failures import ConformanceFailure
from conformance.clients.http_client import RecordingHttpClient
from conformance.suite.judgement import not_exercised
from conformance.suite.support.history_cases import Family
from conformance.suite.support.history_sample import PAGE_SIZE, Answer, HistorySample, read
from conformance.suite.support.query_calls import V1_LIST_KEYS, ListForm


@dataclass
class FamilyRun:
    """What running one family found: findings, the exchanges that show them, how much was judged."""

    findings: list[Finding] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)
    judged: int = 0  # sampled matches plus returned events the checks looked at
    forms: dict[str, list[str]] = field(default_factory=dict)  # v1 list query -> forms that were right


def _judge(query: HistoryQuery, sample: HistorySample, answer: Answer) -> list[Finding]:
    events = sample.events(query.interface)
    ids = [event.id for event in answer.events]
    findings = soundness(query, answer.events)
    if answer.complete:
        findings += completeness(query, events, ids) + non_empty(query, events, ids)
    return findings


def _has_list(filters: Mapping[str, Any]) -> bool:
    return any(key in filters for key in V1_LIST_KEYS)


def run_query(
    client: RecordingHttpClient,
    sample: HistorySample,
    query: HistoryQuery,
    run: FamilyRun,
    *,
    all_forms: bool = False,
) -> None:
    """One query: read it (a v1 list in each E05 form until one is right, or in all) and judge the answer."""
    lists = query.interface == "v1" and _has_list(query.filters)
    forms = list(ListForm) if lists else [ListForm.REPEATED]
    # an answer twice the window's size is unsound already: reading on would only cost time
    cap = max(PAGE_SIZE, 2 * len(sample.events(query.interface)))
    first: list[Finding] | None = None
    shown: Sequence[Exchange] = ()
    right: list[str] = []
    for form in forms:
        try:
            answer = read(
                client,
                sample,
                query.interface,
                query.filters,
                cap=cap,
                list_form=form,
                requirements=query.requirements(),
            )
        except ConformanceFailure as refused:  # E05: a box may refuse the list forms it does not read
            if not lists:
                raise
            found, exchanges = list(refused.findings), refused.exchanges
        else:
            found, exchanges = _judge(query, sample, answer), answer.exchanges
            run.judged += len(answer.events)
        if first is None:
            first, shown = found, exchanges[:1]
        if not found:
            right.append(form.value)
            if not all_forms:
                break
    run.judged += matching_count(query, sample.events(query.interface))
    if lists:
        run.forms[query.describe()] = right
    if not right and first:
        run.findings += first
        run.exchanges += shown


def run_family(
    client: RecordingHttpClient,
    sample: HistorySample,
    interface: Interface,
    family: Family,
    *,
    all_forms: bool = False,
) -> FamilyRun:
    """Every query of a family over the window; skips with the reason when the sample gives it nothing."""
    require_sample(sample, interface)
    cases = family.build(sample.events(interface))
    if not cases:
        not_exercised(f"{family.absent} (sample {sample!r})")
    run = FamilyRun()
    for filters in cases:
        query = HistoryQuery(interface, {**sample.window(interface), **filters})
        run_query(client, sample, query, run, all_forms=all_forms)
    if not run.judged:
        not_exercised(f"no sampled or returned event to judge for {family.name}")
    return run


def require_sample(sample: HistorySample, interface: str) -> None:
    """Skip as not exercised when the sample holds no event of that interface."""
    if not sample.events(interface):
        reasons = "; ".join(sample.notes) or "the window holds no event"
        not_exercised(f"no {interface} history to judge ({reasons})")


def list_forms_disagree(run: FamilyRun) -> dict[str, list[str]]:
    """v1 list queries that some E05 forms answered right and others not (SHOULD: all three agree)."""
    every = [form.value for form in ListForm]
    return {query: forms for query, forms in run.forms.items() if forms and forms != every}


def window_findings(
    sample: HistorySample, interface: Interface, *, requirements: Sequence[str]
) -> list[Finding]:
    """The window query itself: its answer keeps to the bounds, and holds the other interface's events."""
    filters, returned = sample.window_read(interface)
    other: Interface = "v1" if interface == "v2" else "v2"
    if not returned and not sample.events(other):
        not_exercised(f"the window holds no event ({'; '.join(sample.notes) or repr(sample)})")
    findings = soundness(HistoryQuery(interface, filters), returned)
    return findings + same_window(
        sample.events(interface),
        sample.events(other),
        names=(interface, other),
        requirements=requirements,
    )
