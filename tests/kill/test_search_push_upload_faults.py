"""Kill tests of the search, push and upload areas: each emulator fault makes a named requirement fail.

Each run switches on one fault per area (search, push, upload: they touch different parts of the box)
in a child `sophon-conformance run --fault …` against a fresh embedded emulator, selects the tests
that must catch them, and asserts for every fault that the run fails and that a failing test of that
fault's selection carries the requirement id on its `Requirements:` line. Grouping keeps the whole
file near three minutes; the clean run shows the same selections pass without faults.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import pytest

from tests.kill.runner import SuiteOutcome

Runner = Callable[[str, Sequence[str]], SuiteOutcome]
REQUIREMENTS_LINE = re.compile(r"Requirements: ([A-Z0-9, -]+)")

# fault -> (the -k selection that must catch it, the requirement a failure must name)
KILLS: dict[str, tuple[str, str]] = {
    "ps-threshold-wrong-scale": ("test_threshold_is_on_the_0_to_100_scale", "PS-SEARCH-012"),
    "ps-window-limit-not-enforced": ("test_window_of_a_month_or_more_is_refused", "PS-SEARCH-007"),
    "ps-continuation-skips": ("test_search_returns_exactly_the_persons_events and false", "PS-SEARCH-011"),
    "ps-continuation-repeats": ("test_search_returns_exactly_the_persons_events and false", "PS-SEARCH-011"),
    "ps-reverse-ignored": ("test_search_returns_exactly_the_persons_events and default", "PS-SEARCH-014"),
    "ws-push-before-config": ("test_nothing_arrives_before_the_configuration", "WS-WS-002"),
    "ws-ignore-event-list": ("test_only_listed_devices_are_pushed", "WS-WS-007"),
    "ws-pictures-unrequested": ("test_pictures_follow_the_flags and off", "WS-WS-004"),
    "ws-reconfig-ignored": ("test_a_second_configuration_replaces_the_first", "WS-WS-010"),
    "upload-seconds-timestamps": ("test_upload_payloads and json", "UP-TIME-001"),
    "upload-missing-api-version": ("test_upload_payloads and json", "UP-SCHEMA-023"),
    "upload-pictures-ignore-flags": ("test_upload_pictures_follow_the_flags and off", "UP-UPLOAD-008"),
    "upload-lost-when-down": ("test_uploads_resume_after_the_receiver_was_down", "UP-UPLOAD-003"),
}
# one fault per area per run; no two faults of a run act on the same interface
GROUPS = (
    ("ps-threshold-wrong-scale", "ws-push-before-config", "upload-seconds-timestamps"),
    ("ps-window-limit-not-enforced", "ws-ignore-event-list", "upload-missing-api-version"),
    ("ps-continuation-skips", "ws-pictures-unrequested", "upload-pictures-ignore-flags"),
    ("ps-continuation-repeats", "ws-reconfig-ignored", "upload-lost-when-down"),
    ("ps-reverse-ignored",),
)
CLEAN_SELECTION = " or ".join(sorted({f"({k_expr})" for k_expr, _ in KILLS.values()}))


def failure_requirements(text: str) -> set[str]:
    """Requirement ids on the `Requirements:` lines of a failure text (not ids quoted in source lines)."""
    return {rid.strip() for line in REQUIREMENTS_LINE.findall(text) for rid in line.split(",") if rid.strip()}


def test_failure_requirements_reads_only_the_requirements_line() -> None:
    text = 'x = ["PS-SEARCH-017"]\nRequirements: PS-SEARCH-011, PS-SEARCH-018\nmore'
    assert failure_requirements(text) == {"PS-SEARCH-011", "PS-SEARCH-018"}
    assert failure_requirements("no line here PS-SEARCH-011") == set()


def test_groups_cover_every_fault_once() -> None:
    grouped = [fault for group in GROUPS for fault in group]
    assert sorted(grouped) == sorted(KILLS)
    for group in GROUPS:
        areas = [fault.split("-")[0] for fault in group]
        assert len(areas) == len(set(areas)), f"two faults of one area in {group}"


def _test_name(selection: str) -> str:
    return selection.split(maxsplit=1)[0]


@pytest.mark.parametrize("faults", GROUPS, ids=["+".join(group) for group in GROUPS])
def test_faults_are_caught(suite_runner: Runner, faults: tuple[str, ...]) -> None:
    selection = " or ".join(f"({KILLS[fault][0]})" for fault in faults)
    outcome = suite_runner(selection, list(faults))
    assert outcome.exit_code != 0, f"--fault {faults}: the run passed\n{outcome.describe()}"
    for fault in faults:
        test_name, requirement = _test_name(KILLS[fault][0]), KILLS[fault][1]
        naming = [
            node
            for node, text in outcome.failed_tests.items()
            if test_name in node and requirement in failure_requirements(text)
        ]
        assert naming, f"--fault {fault}: no failure of {test_name} names {requirement}\n{outcome.describe()}"


def test_clean_run_passes(suite_runner: Runner) -> None:
    outcome = suite_runner(CLEAN_SELECTION, [])
    assert outcome.exit_code == 0, outcome.describe()
    assert not outcome.failed_tests, outcome.describe()
    assert len(outcome.passed) >= len(set(KILLS.values())), outcome.describe()
