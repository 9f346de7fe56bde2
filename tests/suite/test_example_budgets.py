"""The suite's Hypothesis example budgets live with the profiles: the deep profile runs each 10x."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import settings

from conformance.suite.hypothesis_profiles import (
    DEEP,
    DEEP_EXAMPLES,
    DEEP_SCALE,
    GATE,
    GATE_EXAMPLES,
    SCHEMA_FUZZ_EXAMPLES,
    mean_schema_fuzz_examples,
    register_profiles,
    schema_fuzz_examples,
)


@pytest.fixture
def profiles() -> Iterator[None]:
    """Both profiles registered; the loaded profile restored afterwards."""
    previous = settings.get_current_profile_name()
    register_profiles()
    yield
    settings.load_profile(previous)


def test_deep_runs_ten_times_each_gate_budget(profiles: None) -> None:
    assert DEEP_SCALE == 10 and DEEP_EXAMPLES >= GATE_EXAMPLES * DEEP_SCALE
    settings.load_profile(GATE)
    gate = {op: schema_fuzz_examples(op) for op in SCHEMA_FUZZ_EXAMPLES}
    assert gate == SCHEMA_FUZZ_EXAMPLES
    settings.load_profile(DEEP)
    deep = {op: schema_fuzz_examples(op) for op in SCHEMA_FUZZ_EXAMPLES}
    assert deep == {op: n * 10 for op, n in gate.items()}


def test_the_baseline_tool_gets_the_gates_mean_budget() -> None:
    budgets = list(SCHEMA_FUZZ_EXAMPLES.values())
    assert mean_schema_fuzz_examples() == round(sum(budgets) / len(budgets))
    with pytest.raises(KeyError):
        schema_fuzz_examples("setHistoryEventUrl")  # never fuzzed, so it has no budget
