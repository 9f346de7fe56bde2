"""A test failing on a clean run is unstable: the kill tests' helper never counts its failures as kills."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from conformance.emulator.faults.catalog import CATALOG
from conformance.mutants.child_run import SuiteOutcome, TestOutcome
from tests.kill import catalog_kills

FAULT = CATALOG.get("v2-page-one-based")
CATCHER = catalog_kills.selected_tests(FAULT.caught_by)[0]
STABLE = f"conformance/suite/interfaces/query/test_query_paging.py::{CATCHER}[v2]"
FLAKY = f"conformance/suite/interfaces/query/test_query_paging.py::{CATCHER}[v2-flaky]"


def _failure(nodeid: str) -> TestOutcome:
    return TestOutcome(nodeid, "failed", FAULT.requirements[:1], "x", "semantic", 1, FAULT.requirements[:1])


def test_failures_of_tests_failing_on_a_clean_run_are_no_kill(monkeypatch: pytest.MonkeyPatch) -> None:
    def clean(run_args: Sequence[str] = catalog_kills.STRICT) -> SuiteOutcome:
        flaky_here = tuple(run_args) == catalog_kills.LENIENT  # unstable under one profile is enough
        return SuiteOutcome(1 if flaky_here else 0, (_failure(FLAKY),) if flaky_here else ())

    monkeypatch.setattr(catalog_kills, "clean_run", clean)
    outcome = SuiteOutcome(1, (_failure(STABLE), _failure(FLAKY)))
    assert [t.nodeid for t in catalog_kills.catching(outcome, FAULT)] == [STABLE]
    only_flaky = SuiteOutcome(1, (_failure(FLAKY),))
    assert catalog_kills.catching(only_flaky, FAULT) == []
