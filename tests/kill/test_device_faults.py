"""Kill tests of device identity, the upload setting's shape and fan-out, WebSocket defaults and the login
answer: each fault of `catalog_devices` makes a narrow selection fail, naming the requirement it breaks;
without faults, under strict and lenient, the selection passes and nothing skips.

Every case runs `sophon-conformance run` in a child process against a fresh emulator (see runner.py).
"""

from __future__ import annotations

import pytest

from conformance.emulator.faults import REGISTRY
from conformance.exit_codes import ExitCode
from tests.kill.runner import run_suite

MODULES = "test_device_consistency or test_upload_setting_shape or test_ws_defaults or test_login_success"

# (fault, -k selection, the requirement ids some failure must name)
FAULTS = [
    ("devices-without-type", "test_devices_carry_ip_name_and_type", ("DEV-SCHEMA-003",)),
    ("v2-media-device-unlisted", "test_v2_media_device_is_a_listed_device", ("V2EV-SCHEMA-015",)),
    ("ps-ep-name-empty", "test_search_items_name_their_device", ("PS-SCHEMA-021",)),
    ("ps-device-id-is-ip", "test_search_items_name_their_device", ("PS-SCHEMA-022",)),
    ("upload-ep-name-empty", "test_uploads_name_their_device", ("UP-SCHEMA-013",)),
    ("upload-device-id-is-ip", "test_uploads_name_their_device", ("UP-SCHEMA-014",)),
    ("upc-urls-joined", "test_urls_answer_as_a_list_of_urls", ("UPC-CONFIG-003",)),
    ("upc-period-string", "test_reported_peroid_answers_as_an_integer", ("UPC-CONFIG-008",)),
    ("upc-post-message-only", "test_post_answer_holds_the_setting_as_set", ("UPC-CONFIG-009",)),
    ("upload-first-url-only", "test_every_configured_url_receives_the_uploads", ("UPC-UPLOAD-002",)),
    ("ws-no-event-list-all", "test_omitted_keys_take_their_defaults and without-event-list", ("WS-WS-012",)),
    ("login-result-ok-string", "test_successful_login_answers_result_true", ("LOGIN-SCHEMA-002",)),
]


@pytest.mark.parametrize(("fault", "selection", "requirements"), FAULTS, ids=[f[0] for f in FAULTS])
def test_fault_is_caught_and_named(fault: str, selection: str, requirements: tuple[str, ...]) -> None:
    """A strict run with the fault fails the selection, and the failures name each broken requirement."""
    assert set(requirements) <= set(REGISTRY.get(fault).requirements), "the table is off the fault's target"
    outcome = run_suite(selection, [fault])
    assert outcome.exit_code == ExitCode.CHECKS_FAILED, outcome.describe()
    for requirement in requirements:
        assert outcome.failures_naming(requirement), f"no failure names {requirement}:\n{outcome.describe()}"


@pytest.mark.parametrize("profile", ["strict", "lenient"])
def test_clean_run_passes(profile: str) -> None:
    """Without faults every test of the selection passes and none skips on the embedded emulator."""
    outcome = run_suite(MODULES, [], run_args=["--profile", profile])
    assert outcome.exit_code == ExitCode.OK, outcome.describe()
    assert not outcome.failed_tests and not outcome.skipped, outcome.describe()
    assert len(outcome.passed) == 11, outcome.describe()
