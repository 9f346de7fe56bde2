"""pytest plugin used by the end-to-end test: wires the report plugins the way the suite plugin will."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conformance.report.pytest_wiring import register
from conformance.spec.requirements import load_requirements

RECORDS_ENV = "SOPHON_TEST_RECORDS"


def pytest_configure(config: pytest.Config) -> None:
    """Record results to $SOPHON_TEST_RECORDS and label tests for Allure."""
    path = os.environ.get(RECORDS_ENV)
    register(config, Path(path) if path else None, load_requirements())
