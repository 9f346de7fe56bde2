"""Every requirement a query oracle test checks through the control plane is also checked by a history test,
which runs on any box: a real box never leaves such a requirement to the emulator alone (issue 14 item 1)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

ORACLE_MODULES = (
    "conformance.suite.interfaces.query.test_query_filters",
    "conformance.suite.interfaces.query.test_query_paging",
    "conformance.suite.interfaces.query.test_query_model",
    "conformance.suite.interfaces.query.test_query_errors",
    "conformance.suite.interfaces.cross.test_query_consistency",
)
HISTORY_MODULES = (
    "conformance.suite.interfaces.query.test_v2_history_filters",
    "conformance.suite.interfaces.query.test_v1_history_filters",
)


def _marks(function: Any) -> list[pytest.Mark]:
    """The function's own marks and those of its parametrize cases (`pytest.param(..., marks=...)`)."""
    own = list(getattr(function, "pytestmark", []))
    cases = [
        mark
        for parametrize in own
        if parametrize.name == "parametrize"
        for value in parametrize.args[1]
        if hasattr(value, "marks")
        for mark in value.marks
    ]
    return own + cases


def _tests(module: ModuleType) -> Iterator[tuple[str, list[pytest.Mark]]]:
    for name, value in vars(module).items():
        if name.startswith("test_") and callable(value):
            yield name, _marks(value)


def _requirements(marks: list[pytest.Mark]) -> set[str]:
    return {str(arg) for mark in marks if mark.name == "req" for arg in mark.args}


def test_history_tests_carry_every_oracle_requirement() -> None:
    oracle: dict[str, str] = {}
    for module_name in ORACLE_MODULES:
        for name, marks in _tests(importlib.import_module(module_name)):
            if any(mark.name == "needs_control" for mark in marks):
                oracle.update(dict.fromkeys(_requirements(marks), name))
    history = set()
    for module_name in HISTORY_MODULES:
        for name, marks in _tests(importlib.import_module(module_name)):
            assert not any(mark.name == "needs_control" for mark in marks), f"{name} needs a control plane"
            history |= _requirements(marks)
    assert oracle, "no oracle test found: the module list is stale"
    missing = {rid: test for rid, test in oracle.items() if rid not in history}
    assert not missing, f"requirements only an oracle test checks (id: test): {missing}"
