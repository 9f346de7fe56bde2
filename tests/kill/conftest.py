"""Kill tests run the conformance suite in child processes; `suite_runner` hands tests the shared runner."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from tests.kill.runner import SuiteOutcome, run_suite


@pytest.fixture
def suite_runner() -> Callable[[str, Sequence[str]], SuiteOutcome]:
    """`suite_runner(k_expr, faults)` runs that selection against a fresh embedded emulator."""
    return run_suite
