"""Uploads of live recognitions judge a box with no control plane: against the emulator in site mode (history
with microsecond timestamps, live recognitions uploaded to the configured HistoryEventUrl) with
--allow-writes, every live-upload check passes on the clean box, fails under each fault it exists to
catch, and a quiet site (--live-rate 0) leaves every one of them *not exercised*, never passed or failed.
The tests that inject events with a control plane run on their real-box paths alongside (`upload_own_paths`).

Faults share a site box and a child run when no two of them act on one test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.mutants.child_run import SuiteOutcome, TestOutcome, run_suite
from tests.site_box import SiteBox, start_site_box

MODULE = "test_upload_live.py"
TABLE = "test_live_uploads_conform_to_the_table"
IN_HISTORY = "test_live_upload_is_an_event_of_the_history"
AGREES = "test_live_upload_agrees_with_its_history_event"
SETTING = "test_live_uploads_follow_the_setting"
OUTAGE = "test_live_uploads_survive_an_outage"
EVERY = "test_every_stored_event_arrives"
PAYLOADS = "test_upload_payloads"
PICTURES = "test_upload_pictures_follow_the_flags"
RESUME = "test_uploads_resume_after_the_receiver_was_down"
IDENTITY = "test_upload_identity_info_follows_the_match"
OUT_TIME = "test_upload_out_timestamp_not_before_timestamp"
EVERY_URL = "test_every_configured_url_receives_the_uploads"
#: the live-upload tests, and the real-box paths of the tests that inject events with a control plane
LIVE_TESTS = f"{MODULE.removesuffix('.py')} or test_upload_delivery or test_upload_identity or {EVERY_URL}"
LIVE_TEST_COUNT = 9 + 7 + 2 + 1
LIVE_WAIT_S = (
    "12"  # a wait ends as soon as its uploads came; a backlog (a new URL gets every event) takes longer
)
LIVE_RATE = 3.0  # below what the box uploads with pictures on: a backlog drains
#: fault -> (the test it must fail, a requirement id the failure must name), in batches of one child run.
BATCHES: dict[str, dict[str, tuple[str, str]]] = {
    "agreement+encoding+outage": {
        "upload-score-percent": (f"{AGREES}[score]", "UP-UPLOAD-006"),
        "upload-person-type-employee": (f"{AGREES}[person_type]", "UP-UPLOAD-006"),
        "upload-identity-id-is-name": (f"{AGREES}[identity]", "UP-UPLOAD-006"),
        "upload-mask-inverted": (f"{AGREES}[mask]", "UP-SCHEMA-020"),
        "upload-json-sends-form": (f"{SETTING}[json-unpictured]", "UP-UPLOAD-005"),
        "upload-pictures-png": (f"{SETTING}[form-data-pictured]", "UP-UPLOAD-008"),
        "upload-lost-when-down": (OUTAGE, "UP-UPLOAD-003"),
    },
    "time+flags+table": {
        "upload-timestamp-whole-seconds": (IN_HISTORY, "UP-UPLOAD-006"),
        "upload-pictures-ignore-flags": (f"{SETTING}[json-unpictured]", "UP-UPLOAD-008"),
        "upload-form-sends-json": (f"{SETTING}[form-data-pictured]", "UPC-UPLOAD-001"),
        "upload-missing-api-version": (TABLE, "UP-SCHEMA-023"),
    },
    "answer+seconds+flags+device": {
        "upload-any-answer-acknowledges": (OUTAGE, "UP-UPLOAD-003"),
        "upload-seconds-timestamps": (TABLE, "UP-TIME-001"),
        "upload-reg-pic-follows-spot-flag": (f"{PICTURES}[mixed]", "UP-UPLOAD-007"),
        "upc-absent-flags-false": (f"{PICTURES}[defaults]", "UPC-CONFIG-004"),
        "upload-device-id-is-ip": (IN_HISTORY, "UP-SCHEMA-014"),
    },
    "site-paths": {  # the real-box paths of the tests that inject events with a control plane
        "upload-lost-when-down": (RESUME, "UP-UPLOAD-003"),
        "upload-first-url-only": (EVERY_URL, "UPC-UPLOAD-002"),
        "upload-matched-info-empty": (IDENTITY, "UP-SCHEMA-004"),
        "upload-stranger-info-filled": (IDENTITY, "UP-SCHEMA-003"),
        "upload-out-before-timestamp": (OUT_TIME, "UP-TIME-003"),
        "upload-stranger-generated-id": (f"{PAYLOADS}[form-data]", "UP-SCHEMA-001"),
        "upload-ep-type-file": (f"{PAYLOADS}[form-data]", "UP-SCHEMA-012"),
    },
    "storm": {  # 5 POSTs an event slow every upload: alone, with its one test
        "upload-duplicate-storm": (EVERY, "UP-UPLOAD-004"),
    },
}
#: a fault that must fail more than one test of its batch: (test, requirement) beyond the one above
ALSO_FAILS: dict[str, tuple[tuple[str, str], ...]] = {
    "upload-pictures-ignore-flags": ((f"{PICTURES}[off]", "UP-UPLOAD-008"),),
}


def _run_at(box: SiteBox, live_wait: str = LIVE_WAIT_S, selection: str = LIVE_TESTS) -> SuiteOutcome:
    """The live-upload tests against the site box, as a user would run them against a real one."""
    return run_suite(
        selection,
        [],
        ["-rs"],  # skip reasons in the output: "not exercised: ..." tells them from plain skips
        run_args=[
            f"--box-url={box.http_url}",
            f"--ws-url={box.ws_url}",
            f"--version-url={box.version_url}/sophon/v2/system/getsoftwareversion",
            "--allow-writes",
            f"--live-wait={live_wait}",
        ],
    )


def _site(tmp_path: Path, live_rate: float, faults: tuple[str, ...] = ()) -> SiteBox:
    return start_site_box(tmp_path, live_rate=live_rate, history_days=0.2, history_per_day=500, faults=faults)


def _names(test: TestOutcome, requirement: str) -> bool:
    return requirement in test.finding_requirements or requirement in test.text


def test_clean_site_box_passes_every_live_upload_check(tmp_path: Path) -> None:
    """No fault: every live-upload test runs on live uploads and passes (none skipped, none failed)."""
    with _site(tmp_path, live_rate=LIVE_RATE) as box:
        outcome = _run_at(box)
    assert outcome.exit_code == 0, outcome.describe()
    assert len(outcome.passed) == LIVE_TEST_COUNT and not outcome.skipped, outcome.describe()


@pytest.mark.parametrize("batch", list(BATCHES))
def test_each_fault_fails_its_live_upload_check(tmp_path: Path, batch: str) -> None:
    """With the faults of a batch on, each one's test fails and its failure names the broken requirement."""
    faults = BATCHES[batch]
    expected = [
        (fault, failing) for fault, first in faults.items() for failing in (first, *ALSO_FAILS.get(fault, ()))
    ]
    tests = dict.fromkeys(test.split("[")[0] for _, (test, _) in expected)  # only the batch's tests run
    with _site(tmp_path, live_rate=LIVE_RATE, faults=tuple(faults)) as box:
        outcome = _run_at(box, selection=" or ".join(tests))
    failed = {t.nodeid.rsplit("::", 1)[-1]: t for t in outcome.failed()}
    for fault, (test, requirement) in expected:
        assert test in failed, f"--fault {fault}: {test} did not fail\n{outcome.describe()}"
        assert _names(failed[test], requirement), f"--fault {fault}: {test} names no {requirement}"


def test_quiet_site_leaves_the_live_upload_checks_not_exercised(tmp_path: Path) -> None:
    """--live-rate 0: nothing to judge, so every live-upload test is not exercised: no pass, no failure."""
    with _site(tmp_path, live_rate=0.0) as box:
        outcome = _run_at(box, live_wait="2")
    assert not outcome.failed() and not outcome.passed, outcome.describe()
    assert len(outcome.skipped) == LIVE_TEST_COUNT, outcome.describe()
    reasons = [line for line in outcome.output.splitlines() if line.startswith("SKIPPED")]
    assert reasons and all("not exercised" in line for line in reasons), outcome.output[-3000:]
    assert "no upload arrived within 2 s; the box was told to upload to http://127.0.0.1:" in outcome.output
