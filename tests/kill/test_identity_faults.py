"""Identity faults are caught: one child run (runner.py) of a narrow test_identity_* selection per fault of
`catalog_identity`, whose failures must name the requirements it breaks, and clean runs of both modules.
"""

from __future__ import annotations

import pytest

from conformance.emulator.faults import REGISTRY
from conformance.exit_codes import ExitCode
from tests.kill.runner import run_suite

MODULES = "test_identity_consistency or test_identity_uploads"

# (fault, -k selection, the requirement ids some failure must name)
FAULTS = [
    (
        "v2-stranger-generated-id",
        "test_v2_identity_follows_the_match or test_v2_stranger_exactly_when_no_identity",
        ("V2EV-SCHEMA-002", "V2EV-SCHEMA-026"),
    ),
    (
        "v2-stranger-register-image-kept",
        "test_v2_identity_follows_the_match or test_v2_stranger_exactly_when_no_identity",
        ("V2EV-SCHEMA-004", "V2EV-SCHEMA-026"),
    ),
    ("v1-stranger-generated-id", "test_v1_identity_follows_the_match", ("V1EV-SCHEMA-003",)),
    ("ps-stranger-generated-id", "test_search_items_carry_the_stored_match_and_score", ("PS-SCHEMA-010",)),
    (
        "ps-matched-info-empty",
        "test_search_items_carry_the_stored_match_and_score",
        ("PS-SCHEMA-012", "PS-SCHEMA-013"),
    ),
    ("ps-score-is-compare-score", "test_search_items_carry_the_stored_match_and_score", ("PS-SCHEMA-017",)),
    (
        "upload-matched-info-empty",
        "test_upload_identity_info_follows_the_match",
        ("UP-SCHEMA-004", "UP-SCHEMA-005"),
    ),
    ("upload-stranger-info-filled", "test_upload_identity_info_follows_the_match", ("UP-SCHEMA-003",)),
    ("upload-out-before-timestamp", "test_upload_out_timestamp_not_before_timestamp", ("UP-TIME-003",)),
]


@pytest.mark.parametrize(("fault", "selection", "requirements"), FAULTS, ids=[f[0] for f in FAULTS])
def test_fault_is_caught_and_named(fault: str, selection: str, requirements: tuple[str, ...]) -> None:
    """Strict, with the fault on, the selection fails and some failure names each requirement it breaks."""
    assert set(requirements) <= set(REGISTRY.get(fault).requirements), "the table is off the fault's target"
    outcome = run_suite(selection, [fault])
    unnamed = [rid for rid in requirements if not outcome.failures_naming(rid)]
    assert outcome.exit_code == ExitCode.CHECKS_FAILED and not unnamed, (unnamed, outcome.describe())


@pytest.mark.parametrize("profile", ["strict", "lenient"])
def test_clean_run_passes(profile: str) -> None:
    """Without faults every test of both modules passes and none skips on the embedded emulator."""
    outcome = run_suite(MODULES, [], run_args=["--profile", profile])
    assert outcome.exit_code == ExitCode.OK, outcome.describe()
    assert not outcome.failed_tests and not outcome.skipped, outcome.describe()
    assert len(outcome.passed) == 6, outcome.describe()


def test_bare_matched_info_passes_under_lenient() -> None:
    """E23: matched persons without face_ids/image_id fail strict (above) and pass lenient."""
    outcome = run_suite(
        "test_search_items_carry_the_stored_match_and_score or test_upload_identity_info_follows_the_match",
        ["ps-matched-info-empty", "upload-matched-info-empty"],
        run_args=["--profile", "lenient"],
    )
    assert outcome.exit_code == ExitCode.OK and len(outcome.passed) == 2, outcome.describe()
