"""Event fields of both query interfaces against their event tables, judged under the run's profile.

Each schema finding names the requirements that its errata affect in that table (errata.yaml `affects`),
so a box that bends one contested field (is_send, feature, identity_info, device type, timestamps) fails
on that field's requirement; a finding outside every erratum names the answer's "fields follow the
table" requirement. Under `lenient` the errata's lenient readings pass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from conformance.checks.findings import Finding, FindingCategory
from conformance.clients.failures import fail_on
from conformance.clients.http_client import RecordingHttpClient
from conformance.spec.catalog import load_spec
from conformance.spec.errata import load_errata
from conformance.spec.validators import SchemaFinding
from conformance.suite.support.query_calls import V1, V2, QueryApi
from conformance.suite.support.query_data import WINDOW_EVENTS, BoxWindow
from conformance.target.target import Target


@dataclass(frozen=True)
class EventTable:
    """One interface's event table: the schema its events follow and the requirement ids it owns."""

    api: QueryApi
    schema: str
    prefix: str  # the table's requirement ids start with this
    fallback: str  # "the items follow the event table", for findings outside every erratum

    def errata_requirements(self, errata: Sequence[str]) -> tuple[str, ...]:
        """The ids of this table that the errata affect."""
        registry = load_errata()
        ids = [rid for e in errata if e in registry for rid in registry.get(e).affects]
        return tuple(dict.fromkeys(rid for rid in ids if rid.startswith(self.prefix)))

    @property
    def requirements(self) -> tuple[str, ...]:
        """Every id a finding of this table can name (the test's req marker)."""
        return (self.fallback, *sorted(self.errata_requirements(load_errata().ids)))

    def named(self, found: SchemaFinding) -> tuple[str, ...]:
        """The ids one finding names: its errata's ids in this table, else the fallback."""
        return self.errata_requirements(found.errata) or (self.fallback,)


V2_TABLE = EventTable(V2, "v2-event", "V2EV-", "V2Q-SCHEMA-003")
V1_TABLE = EventTable(V1, "v1-event", "V1EV-", "V1Q-SCHEMA-003")


def table_findings(table: EventTable, items: Sequence[Mapping[str, Any]], profile: str) -> list[Finding]:
    """Schema findings of every item, each naming its requirements and the event it is about."""
    spec = load_spec(profile)
    findings: list[Finding] = []
    for index, item in enumerate(items):
        for found in spec.validate(table.schema, item):
            findings.append(
                Finding(
                    "schema.event_table",
                    f"{table.api.name} event {item.get(table.api.id_key)}: {found.message}",
                    table.named(found),
                    category=FindingCategory.SCHEMA,
                    evidence={"item": index, "path": found.instance_path, "errata": list(found.errata)},
                )
            )
    return findings


def _judge_newest(table: EventTable, client: RecordingHttpClient, target: Target, window: BoxWindow) -> None:
    if window.empty:
        pytest.skip("the box holds no events")
    answer = table.api.fetch(client, {}, page=0, size=WINDOW_EVENTS)
    fail_on(
        table_findings(table, answer.items, target.profile),
        title=f"{table.api.name} events break the event table under the {target.profile} profile",
        exchanges=[answer.response.exchange],
    )


@pytest.mark.req(*V2_TABLE.requirements)
def test_v2_event_fields_follow_the_table(
    box_window: BoxWindow, http_client: RecordingHttpClient, target: Target
) -> None:
    """The newest v2 events validate against the v2 event table (errata per profile)."""
    _judge_newest(V2_TABLE, http_client, target, box_window)


@pytest.mark.req(*V1_TABLE.requirements)
def test_v1_event_fields_follow_the_table(
    box_window: BoxWindow, http_client: RecordingHttpClient, target: Target
) -> None:
    """The newest v1 events validate against the v1 event table (errata per profile)."""
    if not target.capabilities.v1_events:
        pytest.skip("the box has no v1 events interface")
    _judge_newest(V1_TABLE, http_client, target, box_window)
