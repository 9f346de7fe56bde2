"""Query-side conforming variations: under `lenient` the query tests pass with each one on; under `strict` the
variations that bend an erratum fail, on a finding that names the bent field's requirement.

Every case runs `sophon-conformance run` in a child process against a fresh emulator (see runner.py).
"""

from __future__ import annotations

import re

import pytest

from conformance.emulator.faults import REGISTRY
from tests.kill.runner import SuiteOutcome, run_suite

EVENT_FIELDS = "test_query_event_fields"
QUERY_TESTS = (
    "test_paging or test_filters or test_timestamp_units or test_query_consistency or test_query_model "
    f"or {EVENT_FIELDS}"
)
LENIENT = ["--profile", "lenient"]
# one finding line of raise_findings: "- [schema.event_table] <message> (<ids>)"
FINDING_IDS = re.compile(r"^- \[schema\.event_table\] .*\(([A-Z0-9, -]+)\)$", re.MULTILINE)

# (variation, the fault it implies, the requirement a strict finding must name)
ERRATA_VARIATIONS = [
    ("var-e21-feature-list", "v1-feature-list", "V1EV-SCHEMA-013"),
    ("var-e23-bare-identity-info", "v1-identity-info-bare", "V1EV-SCHEMA-004"),
    ("var-e24-is-send-integer", "v1-is-send-integer", "V1EV-SCHEMA-014"),
    ("var-e33-v2-card", "v2-device-type-card", "V2EV-SCHEMA-014"),
]
VARIATIONS = ["var-ties-reversed", *(row[0] for row in ERRATA_VARIATIONS)]


def findings_naming(outcome: SuiteOutcome, requirement_id: str) -> list[str]:
    """Node ids whose failure text has an event-table finding naming `requirement_id`."""
    return [
        nodeid
        for nodeid, text in outcome.failed_tests.items()
        if any(requirement_id in ids.split(", ") for ids in FINDING_IDS.findall(text))
    ]


def test_lenient_query_tests_pass_with_every_variation_on() -> None:
    """No query test raises a false alarm under `lenient` with all query variations on at once.

    They bend different fields, so one run shows what five would; `mutants --variations NAME` isolates one.
    """
    outcome = run_suite(QUERY_TESTS, VARIATIONS, run_args=LENIENT)
    assert outcome.exit_code == 0, outcome.describe()
    assert not outcome.failed_tests and len(outcome.passed) >= 60, outcome.describe()


# the faults the errata variations imply: a strict run with the variation on is a run with its fault
STRICT_CASES = [(fault, requirement) for _variation, fault, requirement in ERRATA_VARIATIONS]


def test_each_errata_variation_implies_its_strict_fault() -> None:
    """So a strict run with the variation on is the kill matrix's run of the fault."""
    for variation, fault, _ in ERRATA_VARIATIONS:
        assert REGISTRY.get(variation).implies == (fault,)
        assert REGISTRY.get(fault).kind == "fault"


@pytest.mark.parametrize(("switched", "requirement"), STRICT_CASES, ids=[case[0] for case in STRICT_CASES])
def test_strict_rejects_the_lenient_reading(switched: str, requirement: str) -> None:
    """Under `strict` the implied fault fails the event-field test, on a finding naming the field."""
    outcome = run_suite(EVENT_FIELDS, [switched])
    assert outcome.exit_code == 1, outcome.describe()
    assert findings_naming(outcome, requirement), f"no finding names {requirement}:\n{outcome.describe()}"


def test_ties_broken_the_other_way_pass_under_strict_too() -> None:
    """The documents fix no tie order, so the paging tests pass on it under `strict` as well."""
    outcome = run_suite("test_paging or test_query_model", ["var-ties-reversed"])
    assert outcome.exit_code == 0, outcome.describe()
    assert not outcome.failed_tests, outcome.describe()
