"""Kill tests of the query area: each emulator fault makes a narrow suite selection fail, naming the right
requirement; without faults the same tests pass; without a control plane the observational ones still run.

Every case runs `sophon-conformance run` in a child process against a fresh emulator (see runner.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.emulator.clock import ClockMode, ClockSetting
from conformance.emulator.server import EmulatorConfig, RunningEmulator, start_emulator_thread
from conformance.paths import SCENARIOS_DIR
from tests.kill.runner import SuiteOutcome, run_suite

QUERY_MODULES = (
    "test_paging or test_filters or test_timestamp_units or test_query_consistency or test_query_model"
)
#: Tests that seed data through the control plane (`needs_control`); all others are observational.
ORACLE_TESTS = (
    "test_v2_single_filter",
    "test_v1_single_filter",
    "test_v1_list_filter_in_every_form",
    "test_name_case_is_one_consistent_reading",
    "test_combined_filters_match_the_oracle",
    "test_paging_reaches_every_seeded_event",
    "test_both_interfaces_report_what_was_seeded",
    "test_box_behaves_like_its_model",
)
CORE_ORIGIN_MS = 1_700_000_000_000

# (fault, -k selection, the requirement a failing test must name): one run per fault of the brief, through
# observational, oracle and state-machine tests alike, plus the v1/v2 consistency check.
FAULTS = [
    ("v2-page-one-based", "test_page_zero_is_first_and_page_one_follows and v2", "V2Q-PAGE-003"),
    ("v2-total-count-of-page", "test_pages_partition_the_result and v2", "V2Q-PAGE-005"),
    ("v1-num-pages-floored", "test_v1_num_pages_is_the_ceiling", "V1Q-PAGE-004"),
    ("v2-unstable-order", "test_order_is_stable_across_calls_and_pages and v2", "V2Q-PAGE-007"),
    ("v2-time-bound-exclusive", "test_splitting_the_time_range_splits_the_result and v2", "V2Q-FILT-002"),
    ("v2-ms-filter-read-as-seconds", "test_time_filter_unit and v2", "V2Q-TIME-001"),
    ("v2-name-exact-match", "test_v2_single_filter and name", "V2Q-FILT-004"),
    ("v2-ignore-score-filter", "test_box_behaves_like_its_model", "V2Q-FILT-006"),
    ("v1-streams-first-only", "test_device_list_is_the_union_of_its_devices and v1", "V1Q-FILT-010"),
    ("v1-person-type-string", "test_v1_and_v2_agree_on_the_newest_events", "V1EV-SCHEMA-008"),
]


def _function(nodeid: str) -> str:
    return re.sub(r"\[.*\]$", "", nodeid.rsplit("::", 1)[-1])


@pytest.mark.parametrize(
    ("fault", "selection", "requirement"), FAULTS, ids=[f"{f[0]}:{f[2]}" for f in FAULTS]
)
def test_fault_is_caught_and_named(fault: str, selection: str, requirement: str) -> None:
    """The fault fails the selection, and some failure text names the requirement it violates."""
    outcome = run_suite(selection, [fault])
    assert outcome.exit_code == 1, outcome.describe()
    assert outcome.failures_naming(requirement), (
        f"no failure names {requirement} under fault {fault}:\n{outcome.describe()}"
    )


def test_clean_run_passes() -> None:
    """Without faults every query test passes: none fails, none skips on the embedded emulator."""
    outcome = run_suite(QUERY_MODULES, [])
    assert outcome.exit_code == 0, outcome.describe()
    assert not outcome.failed_tests and not outcome.skipped, outcome.describe()
    assert len(outcome.passed) >= 60, outcome.describe()


def test_lenient_profile_accepts_the_errata_readings() -> None:
    """Under `lenient`, a box reading v2 filters in seconds (E01) passes every query test (it is probed)."""
    outcome = run_suite(QUERY_MODULES, ["var-e01-filters-in-seconds"], run_args=["--profile", "lenient"])
    assert outcome.exit_code == 0, outcome.describe()


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


def test_observational_tests_run_without_a_control_plane(box_without_control: RunningEmulator) -> None:
    """Against a box without control plane the oracle tests skip and every other query test passes."""
    box = box_without_control
    outcome: SuiteOutcome = run_suite(
        QUERY_MODULES,
        [],
        [
            f"--box-url={box.http_url}",
            f"--ws-url={box.ws_url}",
            f"--version-url={box.version_url}/sophon/v2/system/getsoftwareversion",
            "--no-configure-upload",
        ],
    )
    assert outcome.exit_code == 0, outcome.describe()
    assert not outcome.failed_tests, outcome.describe()
    wrongly_skipped = [n for n in outcome.skipped if _function(n) not in ORACLE_TESTS]
    assert not wrongly_skipped, f"observational tests skipped: {wrongly_skipped}\n{outcome.describe()}"
    ran_oracles = [n for n in outcome.passed if _function(n) in ORACLE_TESTS]
    assert not ran_oracles, f"oracle tests ran without a control plane: {ran_oracles}"
    assert len(outcome.passed) >= 35, outcome.describe()
