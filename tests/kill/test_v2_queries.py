"""Kill tests of the v2 query faults (conformance/emulator/faults/v2_queries.py): each fault with a kill
selection fails it in a strict child run, naming its requirement; without faults the query modules pass;
without a control plane every query test runs (judging by the box's history) and passes or ends not exercised.

Every case runs `sophon-conformance run` in a child process against a fresh emulator (see catalog_kills.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.emulator.clock import ClockMode, ClockSetting
from conformance.emulator.faults.model import Fault
from conformance.emulator.server import EmulatorConfig, RunningEmulator, start_emulator_thread
from conformance.mutants.child_run import run_suite
from conformance.paths import SCENARIOS_DIR
from tests.kill.catalog_kills import QUERY_MODULES, assert_caught, assert_clean, clean_run, family_faults

FAMILY = "v2_queries"
FAULTS = family_faults(FAMILY)
CORE_ORIGIN_MS = 1_700_000_000_000
SKIP_REASON = re.compile(r"^SKIPPED \[\d+\] \S+: (.*)$", re.MULTILINE)


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_fault_is_caught_and_named(fault: Fault) -> None:
    """A strict run with the fault fails its selection, and a failure names the broken requirement."""
    assert_caught(fault)


def test_clean_run_passes() -> None:
    """Without faults every catching test of the family passes (the shared clean run; nothing skips)."""
    assert_clean(FAMILY)


def test_every_query_module_test_passes_clean() -> None:
    """The shared clean run holds every query module, and at least 60 of their tests passed."""
    modules = [m.strip() for m in QUERY_MODULES.split(" or ")]
    passed = [n for n in clean_run().passed if any(m in n for m in modules)]
    assert len(passed) >= 60, clean_run().describe()


@pytest.fixture
def box_without_control(tmp_path: Path) -> Iterator[RunningEmulator]:
    """An emulator holding the core scenario, with no control plane (like a real box)."""
    running = start_emulator_thread(
        EmulatorConfig(
            http_port=0,
            ws_port=0,
            version_port=0,
            db_path=tmp_path / "box.sqlite3",
            control=False,
            clock=ClockSetting(ClockMode.FROZEN, now_ms=CORE_ORIGIN_MS),
            scenario=SCENARIOS_DIR / "core.yaml",
        )
    )
    try:
        yield running
    finally:
        running.stop()


def test_query_tests_run_without_a_control_plane(box_without_control: RunningEmulator) -> None:
    """Against a box without control plane no query test skips for want of one: the oracle tests judge by
    the box's own history; a skip is only *not exercised*, for data this box does not show (room, car)."""
    box = box_without_control
    outcome = run_suite(
        QUERY_MODULES,
        [],
        [
            "-rs",
            f"--box-url={box.http_url}",
            f"--ws-url={box.ws_url}",
            f"--version-url={box.version_url}/sophon/v2/system/getsoftwareversion",
            "--no-configure-upload",
        ],
    )
    assert outcome.exit_code == 0, outcome.describe()
    assert not outcome.failed_tests, outcome.describe()
    reasons = SKIP_REASON.findall(outcome.output)
    assert reasons or not outcome.skipped, outcome.output[-3000:]
    not_judged = [reason for reason in reasons if "not exercised:" not in reason]
    assert not not_judged, f"query tests skipped, not for want of data: {not_judged}"
    assert len(outcome.passed) >= 90, outcome.describe()
