"""Kill tests of the schema area: a strict run with a schema fault fails naming the fault's requirement.

Before schema nodes were linked to requirements these faults were killed only "off target": the
failing fuzz test named the schema, not V2EV-SCHEMA-020 / V2EV-TIME-001. Each case runs
`sophon-conformance run` in a child process against a fresh emulator (see runner.py).
"""

from __future__ import annotations

import pytest

from conformance.emulator.faults.catalog import REGISTRY
from tests.kill.runner import run_suite

SCHEMA_FAULTS = [
    ("v2-feature-wrong-length", "test_v2_getevents_conforms or test_v2_features_are_unit_vectors"),
    ("v2-timestamp-string", "test_v2_getevents_conforms"),
]


@pytest.mark.parametrize(("fault", "selection"), SCHEMA_FAULTS, ids=[f for f, _ in SCHEMA_FAULTS])
def test_schema_fault_fails_naming_its_requirement(fault: str, selection: str) -> None:
    """Every selected test fails under the fault, and each failure text names the fault's requirement."""
    requirements = REGISTRY.get(fault).requirements
    outcome = run_suite(selection, [fault], run_args=["--profile", "strict"])
    assert outcome.failed_tests, outcome.describe()
    assert not outcome.passed, outcome.describe()
    for nodeid, text in outcome.failed_tests.items():
        assert any(r in text for r in requirements), f"{nodeid} does not name {requirements}:\n{text[:2000]}"
