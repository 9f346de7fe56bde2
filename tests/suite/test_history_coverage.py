"""Every requirement a query oracle test checks through the control plane is also checked by a history test,
which runs on any box: a real box never leaves such a requirement to the emulator alone (issue 14 item 1).
No query test skips for want of a control plane: an oracle test takes its exact oracle where a control plane
is there and judges by the box's own history where none is."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

ORACLE_MODULES = (
    "conformance.suite.interfaces.query.test_query_single_filters",
    "conformance.suite.interfaces.query.test_query_list_filters",
    "conformance.suite.interfaces.query.test_query_combined_filters",
    "conformance.suite.interfaces.query.test_query_name_matching",
    "conformance.suite.interfaces.query.test_query_range_filters",
    "conformance.suite.interfaces.query.test_query_paging",
    "conformance.suite.interfaces.query.test_query_model",
    "conformance.suite.interfaces.query.test_query_errors",
    "conformance.suite.interfaces.cross.test_query_consistency",
)
QUERY_PACKAGE = "conformance.suite.interfaces.query"
#: What marks a test as judging by a control plane's exact oracle (a fixture, or a look at control_url).
ORACLE_SIGNS = ("query_oracle", "core_data", "core_scenario", "control_url", "machine_context", "control:")
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


def _is_oracle(function: Any, marks: list[pytest.Mark]) -> bool:
    """True when the test seeds through a control plane or takes its exact oracle where there is one."""
    source = inspect.getsource(function)
    return any(mark.name == "needs_control" for mark in marks) or any(sign in source for sign in ORACLE_SIGNS)


def _query_modules() -> list[ModuleType]:
    package = importlib.import_module(QUERY_PACKAGE)
    return [
        importlib.import_module(f"{QUERY_PACKAGE}.{info.name}")
        for info in pkgutil.iter_modules(package.__path__)
        if info.name.startswith("test_")
    ]


def test_history_tests_carry_every_oracle_requirement() -> None:
    oracle: dict[str, str] = {}
    for module_name in ORACLE_MODULES:
        module = importlib.import_module(module_name)
        for name, marks in _tests(module):
            if _is_oracle(getattr(module, name), marks):
                oracle.update(dict.fromkeys(_requirements(marks), name))
    history = set()
    for module_name in HISTORY_MODULES:
        for name, marks in _tests(importlib.import_module(module_name)):
            assert not any(mark.name == "needs_control" for mark in marks), f"{name} needs a control plane"
            history |= _requirements(marks)
    assert oracle, "no oracle test found: the module list is stale"
    missing = {rid: test for rid, test in oracle.items() if rid not in history}
    assert not missing, f"requirements only an oracle test checks (id: test): {missing}"


def test_no_query_test_needs_a_control_plane() -> None:
    """Every test of the query area runs on a box without control plane (oracle tests take the history)."""
    modules = _query_modules()
    assert len(modules) >= 8, [m.__name__ for m in modules]
    needing = [
        f"{module.__name__}::{name}"
        for module in modules
        for name, marks in _tests(module)
        if any(mark.name == "needs_control" for mark in marks)
    ]
    assert not needing, f"query tests that skip without a control plane: {needing}"
    oracles = [
        name
        for module in modules
        for name, marks in _tests(module)
        if _is_oracle(getattr(module, name), marks)
    ]
    assert len(oracles) >= 8, oracles
