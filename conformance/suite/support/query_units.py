"""Infer the time units a box uses (fields and filters) from its answers, and record them in the run results.

Fields: the values of one timestamp field over the box's newest events → `infer_timestamp_unit`.
Filters: `checks.unit_inference.plan_filter_probe` around one event the box returned; each probe is
sent with the event's device as a second filter, and its outcome is "included" (the event came
back), "excluded" or "rejected" (HTTP 4xx) → `infer_filter_unit`.

Every inference is recorded on the test's `user_properties` (junit.xml carries them as <property>):

* ``unit_inference`` — JSON text of `UnitRecord.to_json()`: subject, interface, kind (field/filter),
  unit (ms/s/unknown/absent), integer_only, documented unit, erratum, profile, verdict
  (conforms/deviates/unknown/absent), requirement ids and the evidence (values or probe outcomes).
* ``sophon_observed`` — ``{"erratum": "E01"|"E02", "reading": <name of the reading in errata.yaml>}``
  when the subject is covered by an erratum and a unit was inferred (the report's observed readings).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from conformance.checks.findings import Finding
from conformance.checks.unit_inference import (
    ProbeResult,
    UnitInference,
    infer_filter_unit,
    plan_filter_probe,
)
from conformance.clients.exchange import Exchange
from conformance.clients.http_client import RecordingHttpClient
from conformance.suite.support.query_calls import QueryApi, expect_page_body

UNIT_PROPERTY = "unit_inference"
OBSERVED_PROPERTY = "sophon_observed"  # read by conformance.report.recorder
PROBE_PAGES = 3
PROBE_PAGE_SIZE = 1000

#: Reading names of schemas/errata.yaml per erratum, by (unit, integer_only).
READING_NAMES: Mapping[str, Mapping[tuple[str, bool], str]] = {
    "E01": {
        ("ms", True): "milliseconds",
        ("ms", False): "milliseconds",
        ("s", True): "seconds",
        ("s", False): "seconds",
    },
    "E02": {("ms", True): "integer ms", ("s", False): "float seconds"},
}


@dataclass(frozen=True)
class UnitSubject:
    """One thing that carries a time: a response field or a pair of filters, and what documents say."""

    name: str  # e.g. "v2.event.timestamp"
    interface: str
    kind: str  # "field" or "filter"
    documented: str  # "ms" or "s"
    documented_integer: bool | None
    erratum: str | None
    requirements: tuple[str, ...]
    path: tuple[str, ...] = ()  # field path inside an event


@dataclass(frozen=True)
class UnitRecord:
    """What the run learnt about one subject."""

    subject: UnitSubject
    inference: UnitInference | None  # None: the field was absent from every event
    profile: str
    findings: tuple[Finding, ...] = ()
    exchanges: tuple[Exchange, ...] = field(default=(), compare=False)

    @property
    def verdict(self) -> str:
        """conforms, deviates, unknown (nothing could be inferred) or absent (no values to look at)."""
        if self.inference is None:
            return "absent"
        if self.inference.unit == "unknown":
            return "unknown"
        return "deviates" if self.findings else "conforms"

    def to_json(self) -> str:
        """The `unit_inference` property value."""
        inference = self.inference
        return json.dumps(
            {
                "subject": self.subject.name,
                "interface": self.subject.interface,
                "kind": self.subject.kind,
                "unit": "absent" if inference is None else inference.unit,
                "integer_only": None if inference is None else inference.integer_only,
                "documented": self.subject.documented,
                "documented_integer": self.subject.documented_integer,
                "erratum": self.subject.erratum,
                "profile": self.profile,
                "verdict": self.verdict,
                "requirements": list(self.subject.requirements),
                "evidence": {} if inference is None else dict(inference.evidence),
            },
            ensure_ascii=False,
            sort_keys=True,
            default=str,
        )

    def observed(self) -> dict[str, str] | None:
        """The erratum reading the box follows, for the report; None without erratum or inference."""
        inference, erratum = self.inference, self.subject.erratum
        if inference is None or erratum is None or inference.unit == "unknown":
            return None
        names = READING_NAMES.get(erratum, {})
        reading = names.get((inference.unit, inference.integer_only))
        if reading is None:
            reading = f"{inference.unit}, {'integer' if inference.integer_only else 'float'}"
        return {"erratum": erratum, "reading": reading}


def record(user_properties: list[tuple[str, object]], unit_record: UnitRecord) -> None:
    """Put the inference into the test's `user_properties` (junit.xml, results.jsonl)."""
    user_properties.append((UNIT_PROPERTY, unit_record.to_json()))
    observed = unit_record.observed()
    if observed is not None:
        user_properties.append((OBSERVED_PROPERTY, observed))


def field_values(items: Sequence[Mapping[str, Any]], path: Sequence[str]) -> list[Any]:
    """The values at `path` in each item that has one."""
    values: list[Any] = []
    for item in items:
        value: Any = item
        for key in path:
            value = value.get(key) if isinstance(value, Mapping) else None
        if value is not None:
            values.append(value)
    return values


@dataclass(frozen=True)
class ProbeTarget:
    """The event a filter probe looks for: its id, its time as the interface sent it, its device."""

    event_id: str
    timestamp: int | float
    device_filter: Mapping[str, Any]


def run_filter_probe(
    api: QueryApi, client: RecordingHttpClient, probe_target: ProbeTarget
) -> tuple[UnitInference, list[Exchange]]:
    """Send every planned probe and infer the unit the box reads its time filters in."""
    results: list[ProbeResult] = []
    exchanges: list[Exchange] = []
    for probe in plan_filter_probe(probe_target.timestamp):
        filters = {**probe_target.device_filter, **probe.filters()}
        outcome, detail, sent = _probe_outcome(api, client, filters, probe_target.event_id)
        exchanges += sent
        results.append(ProbeResult(probe, outcome, detail))
    inference = infer_filter_unit(results)
    evidence = dict(inference.evidence)
    evidence["probes"] = {
        r.probe.label: [r.probe.datetime_gte, r.probe.datetime_lte, r.outcome] for r in results
    }
    evidence["event"] = {"id": probe_target.event_id, "timestamp": probe_target.timestamp}
    return UnitInference(inference.unit, inference.integer_only, evidence), exchanges


def _probe_outcome(
    api: QueryApi, client: RecordingHttpClient, filters: Mapping[str, Any], event_id: str
) -> tuple[Any, str, list[Exchange]]:
    exchanges: list[Exchange] = []
    for index in range(PROBE_PAGES):
        paging, wire, response = api.send(client, filters, page=index, size=PROBE_PAGE_SIZE)
        exchanges.append(response.exchange)
        if index == 0 and response.status is not None and 400 <= response.status < 500:
            return "rejected", f"HTTP {response.status}", exchanges
        answer = api.answer_of(
            paging, wire, response, expect_page_body(api, response, api.schema_requirements)
        )
        if event_id in answer.ids:
            return "included", f"page {index}", exchanges
        if len(answer.ids) < PROBE_PAGE_SIZE:
            break
    return "excluded", "", exchanges
