"""The cross-interface and small-call checks judge a box with no control plane: against the emulator in site
mode (days of history, live recognitions at 2 a second, uploads to the run's receiver) the cross tests that
used to skip for want of a control plane run and pass on the clean box, and each check fails under the fault
it exists to catch, a finding of the failure naming the fault's requirement.

Faults share a site box and a child run when no two of them bend the same test (or the same answer);
the picture faults break every search with an event's own face picture, so they run apart from the faults
the searches catch. login-result-ok-string is blind (its blind_reason): with the user's credentials the run's
own preflight login stops the run before any test.
"""

from __future__ import annotations

import pytest

from tests.site.fault_batches import BatchBox, assert_each_fault_caught, by_node, k_selection, run_at
from tests.site_box import BUSY_GATE, REAL_BOX_VARIATIONS, SiteBox

HISTORY_PER_DAY = 1000  # enough for a sample of every device and user type; a quicker box start
#: Conforming readings of real firmware (µs times, gzip, changing extras, 422, key order, ties, whole floats):
#: the clean run has them on, and no check may fail the box for them. Not the busy gate: at 5 a second the
#: emulator's uploads lag a minute behind its pushes, and within --live-wait=10 the one-event test finds no
#: pushed recognition uploaded yet (it is then not exercised, as on a real box that uploads late).
VARIATIONS = (
    *(name for name in REAL_BOX_VARIATIONS if name != BUSY_GATE),
    "var-ties-reversed",
    "var-integral-floats",
)
#: The cross tests that skipped with "needs the emulator control plane" on a site box before they had a
#: real-box path; each must now run and pass on the clean box.
FORMERLY_SKIPPED = (
    "test_one_event_is_the_same_everywhere",
    "test_search_items_name_their_device",
    "test_uploads_name_their_device",
    "test_v2_identity_follows_the_match",
    "test_v1_identity_follows_the_match",
    "test_search_items_carry_the_stored_match_and_score",
    "test_both_interfaces_report_what_was_seeded",
)
#: fault -> (the test it must fail, a requirement id a finding of that failure must name), in batches of
#: one site box and one child run each.
BATCHES: dict[str, dict[str, tuple[str, str]]] = {
    "searches+uploads+v1+small+errors": {
        "ps-stranger-generated-id": ("test_search_items_carry_the_stored_match_and_score", "PS-SCHEMA-010"),
        "ps-matched-info-empty": ("test_search_items_carry_the_stored_match_and_score", "PS-SCHEMA-012"),
        "ps-score-is-compare-score": ("test_search_items_carry_the_stored_match_and_score", "PS-SCHEMA-017"),
        "ps-ep-name-empty": ("test_search_items_name_their_device", "PS-SCHEMA-021"),
        "upload-ep-name-empty": ("test_uploads_name_their_device", "UP-SCHEMA-013"),
        "v1-stranger-generated-id": ("test_v1_identity_follows_the_match", "V1EV-SCHEMA-003"),
        "v2-getevent-unknown-empty": ("test_v2_getevent_unknown_id", "V2G-ERR-003"),
        "v2-getevent-number-id-500": ("test_v2_getevent_number_id", "V2G-ERR-004"),
        "img-timestamp-unchecked-500": ("test_spot_image_bad_timestamp_is_refused[missing]", "IMG-ERR-002"),
        "devices-query-ignored": ("test_device_id_selects_one_device", "DEV-FILT-001"),
        "login-wrong-password-500": ("test_login_wrong_password_is_refused", "LOGIN-ERR-001"),
        "version-500-on-bad-body": ("test_software_version_bad_requests_are_client_errors", "VER-ERR-001"),
        "version-gate-missing": ("test_software_version_is_a_json_object", "VER-SCHEMA-002"),
        "v2-error-message-generic": ("test_v2_invalid_arguments[page_limit-string]", "V2Q-ERR-002"),
        "v1-error-message-empty": ("test_v1_invalid_arguments[page-not-int]", "V1Q-ERR-004"),
        "v2-content-type-ignored": ("test_v2_wrong_content_type[text/plain]", "V2Q-ERR-001"),
    },
    "face-pictures+devices+login+version+errors": {
        "img-face-id-not-served": ("test_face_picture_id_is_served_too", "IMG-SCHEMA-002"),
        "devices-listed-twice": ("test_device_ids_are_unique_non_empty_strings", "DEV-SCHEMA-002"),
        "devices-without-type": ("test_devices_carry_ip_name_and_type", "DEV-SCHEMA-003"),
        "version-answers-xml": ("test_software_version_is_a_json_object", "VER-SCHEMA-001"),
        "v2-missing-args-unnamed": ("test_v2_getevent_missing_event_id", "V2G-ERR-002"),
        "v1-errors-http-200": ("test_v1_invalid_arguments[page-not-int]", "V1Q-ERR-002"),
        "v2-bad-json-read-as-empty": ("test_v2_malformed_json[brace]", "ERR-ERR-004"),
        "upload-device-id-is-ip": ("test_uploads_name_their_device", "UP-SCHEMA-014"),
    },
    "search-device+500+envelope": {
        "ps-device-id-is-ip": ("test_search_items_name_their_device", "PS-SCHEMA-022"),
        "v2-500-on-bad-input": ("test_v2_bad_input_is_a_client_error[getevents-types]", "ERR-ERR-008"),
        "v1-v2-error-envelope": ("test_v1_invalid_arguments[page-not-int]", "V1Q-ERR-001"),
    },
    # v2 page numbering rides here: every batch of test_history_filters_site.py bends the v2 pages its
    # check reads, and neither fault of this batch touches the other's test
    "spot-image-seconds+v2-page-numbering": {
        "img-timestamp-seconds-only": ("test_spot_image_found_by_the_event_timestamp", "IMG-TIME-001"),
        "v2-page-one-based": ("test_page_zero_is_first_and_page_one_follows[v2]", "V2Q-PAGE-003"),
    },
}


CLEAN_SELECTION = k_selection(
    [*FORMERLY_SKIPPED, *(test for batch in BATCHES.values() for test, _ in batch.values())]
)
#: a user who owns the box runs with writes and its credentials
OWNER_OPTIONS = ("--allow-writes", "--username=admin", "--password=admin", "--live-wait=10")


@pytest.mark.parametrize(
    "site_box",
    [BatchBox(variations=VARIATIONS, history_per_day=HISTORY_PER_DAY)],
    indirect=True,
    ids=["clean+variations"],
)
def test_cross_and_small_checks_pass_on_a_conforming_site_box(site_box: SiteBox) -> None:
    """Every selected check passes on a conforming box with real firmware's variations; the formerly skipped
    cross tests run and judge the box's own data."""
    outcome = run_at(site_box, CLEAN_SELECTION, *OWNER_OPTIONS)
    assert outcome.exit_code == 0 and not outcome.failed_tests, outcome.describe()
    tests = by_node(outcome)
    unjudged = [
        name for name in FORMERLY_SKIPPED if tests.get(name) is None or tests[name].outcome != "passed"
    ]
    assert not unjudged, f"not run or not passed: {unjudged}\n{outcome.describe()}"
    assert not outcome.skipped, f"skipped on a clean site box: {outcome.skipped}\n{outcome.describe()}"


@pytest.mark.parametrize(
    ("site_box", "batch"),
    [(BatchBox(tuple(faults), history_per_day=HISTORY_PER_DAY), name) for name, faults in BATCHES.items()],
    indirect=["site_box"],
    ids=list(BATCHES),
)
def test_each_fault_fails_its_cross_or_small_check(site_box: SiteBox, batch: str) -> None:
    """Every fault of the batch fails its check, a finding of the failure naming the fault's requirement."""
    expected = BATCHES[batch]
    outcome = run_at(site_box, k_selection(test for test, _ in expected.values()), *OWNER_OPTIONS)
    assert_each_fault_caught(outcome, expected.items())
