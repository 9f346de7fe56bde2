"""Kill tests of the error paths and the small interfaces: each fault of `catalog_errors` (and the older
`v2-500-on-bad-input`) makes a narrow selection of test_errors / test_small_interfaces /
test_search_push_fields fail, naming the requirement it breaks; without faults, under strict and lenient,
the same modules pass.

Every case runs `sophon-conformance run` in a child process against a fresh emulator (see runner.py).
"""

from __future__ import annotations

import pytest

from conformance.emulator.faults import REGISTRY
from conformance.exit_codes import ExitCode
from tests.kill.runner import SuiteOutcome, run_suite

MODULES = "test_errors or test_small_interfaces or test_search_push_fields"

# (fault, -k selection, the requirement ids some failure must name)
FAULTS = [
    (
        "v2-error-message-generic",
        "test_v2_invalid_arguments and page_limit-string",
        ("V2Q-ERR-002", "ERR-ERR-002"),
    ),
    (
        "v2-missing-args-unnamed",
        "test_v2_getevent_missing_event_id or test_login_missing_argument_is_named",
        ("V2G-ERR-002", "ERR-ERR-003", "LOGIN-ERR-002"),
    ),
    ("v1-error-message-empty", "test_v1_invalid_arguments and page-not-int", ("V1Q-ERR-004",)),
    (
        "v1-errors-http-200",
        "(test_v1_invalid_arguments and page-not-int) or (test_upload_setting_bad_body_is_refused and xml)",
        ("V1Q-ERR-002", "UPC-ERR-001"),
    ),
    ("v2-bad-json-read-as-empty", "test_v2_malformed_json and brace", ("ERR-ERR-004",)),
    ("v2-content-type-ignored", "test_v2_wrong_content_type and text", ("ERR-ERR-006",)),
    ("v2-unknown-key-500", "test_v2_unknown_keys_are_ignored_or_refused", ("V2Q-ERR-006",)),
    (
        "v2-page-args-clamped",
        "test_v2_invalid_arguments and (page_limit-zero or page_index-negative)",
        ("V2Q-ERR-004",),
    ),
    ("v2-filter-types-unchecked", "test_v2_invalid_arguments and score_min-string", ("V2Q-ERR-005",)),
    ("v2-paging-args-required", "test_v2_every_parameter_is_optional", ("V2Q-SCHEMA-002",)),
    (
        "v2-strangers-hidden-by-default",
        "test_v2_without_filters_total_count_is_every_stored_event",
        ("V2Q-FILT-001",),
    ),
    ("v2-inverted-window-swapped", "test_v2_inverted_time_window_is_empty", ("V2Q-FILT-012",)),
    ("v1-page-zero-refused", "test_v1_every_parameter_is_optional and example", ("V1Q-SCHEMA-002",)),
    ("v2-getevent-unknown-empty", "test_v2_getevent_unknown_id", ("V2G-ERR-003", "ERR-ERR-007")),
    ("v2-getevent-number-id-500", "test_v2_getevent_number_id", ("V2G-ERR-004",)),
    ("login-wrong-password-500", "test_login_wrong_password_is_refused", ("LOGIN-ERR-001",)),
    ("version-answers-xml", "test_software_version_is_a_json_object", ("VER-SCHEMA-001",)),
    ("version-gate-missing", "test_software_version_is_a_json_object", ("VER-SCHEMA-002",)),
    ("version-500-on-bad-body", "test_software_version_bad_requests_are_client_errors", ("VER-ERR-001",)),
    ("devices-query-ignored", "test_device_id_selects_one_device", ("DEV-FILT-001",)),
    ("devices-listed-twice", "test_device_ids_are_unique_non_empty_strings", ("DEV-SCHEMA-002",)),
    ("img-face-id-not-served", "test_face_picture_id_is_served_too", ("IMG-SCHEMA-002", "V2EV-SCHEMA-005")),
    ("v2-spot-image-path", "test_spot_image_found_by_the_event_timestamp", ("V2EV-SCHEMA-006",)),
    ("img-timestamp-seconds-only", "test_spot_image_found_by_the_event_timestamp", ("IMG-TIME-001",)),
    ("img-timestamp-unchecked-500", "test_spot_image_bad_timestamp_is_refused", ("IMG-ERR-002",)),
    ("upc-missing-key-500", "test_upload_setting_bad_body_is_refused and missing", ("UPC-ERR-002",)),
    ("upc-get-returns-defaults", "test_upload_setting_reads_back_as_set", ("UPC-CONFIG-010",)),
    ("ps-request-times-ms", "test_search_window_is_read_in_float_seconds", ("PS-TIME-001",)),
    ("ps-out-timestamp-ms", "test_out_timestamp_is_seconds_after_timestamp", ("PS-TIME-004",)),
    ("ws-spot-pic-path", "test_pushed_spot_pic_is_a_base64_jpeg", ("WS-SCHEMA-011",)),
    (
        "v2-500-on-bad-input",
        "test_v2_bad_input_is_a_client_error or test_v2_getevent_empty_body",
        ("ERR-ERR-008", "ERR-ERR-005"),
    ),
]


def _fails_naming(outcome: SuiteOutcome, fault: str, requirements: tuple[str, ...]) -> None:
    assert outcome.exit_code == ExitCode.CHECKS_FAILED, outcome.describe()
    for requirement in requirements:
        assert outcome.failures_naming(requirement), (
            f"no failure names {requirement} under fault {fault}:\n{outcome.describe()}"
        )


@pytest.mark.parametrize(("fault", "selection", "requirements"), FAULTS, ids=[f[0] for f in FAULTS])
def test_fault_is_caught_and_named(fault: str, selection: str, requirements: tuple[str, ...]) -> None:
    """A strict run with the fault fails the selection, and the failures name each broken requirement."""
    assert set(requirements) & set(REGISTRY.get(fault).requirements), "the table is off the fault's target"
    _fails_naming(run_suite(selection, [fault]), fault, requirements)


def test_seconds_only_image_box_passes_under_lenient() -> None:
    """E30: a box that wants getspotimage timestamps in seconds fails strict (above) and passes lenient."""
    outcome = run_suite(
        "test_spot_image_found_by_the_event_timestamp or test_face_picture_id_is_served_too",
        ["img-timestamp-seconds-only"],
        run_args=["--profile", "lenient"],
    )
    assert outcome.exit_code == ExitCode.OK and len(outcome.passed) == 2, outcome.describe()


@pytest.mark.parametrize("profile", ["strict", "lenient"])
def test_clean_run_passes(profile: str) -> None:
    """Without faults every test of both modules passes and none skips on the embedded emulator."""
    outcome = run_suite(MODULES, [], run_args=["--profile", profile])
    assert outcome.exit_code == ExitCode.OK, outcome.describe()
    assert not outcome.failed_tests and not outcome.skipped, outcome.describe()
    assert len(outcome.passed) >= 55, outcome.describe()
