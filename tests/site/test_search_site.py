"""Picture search with the box's own pictures judges a box with no control plane: against the emulator in
site mode (days of history with microsecond timestamps, live recognitions arriving) every check passes on
the clean box with conforming variations on, and fails under each fault it exists to catch.

Faults share a site box and a child run; each batch holds at most one fault whose finding the continuation
test names PS-SEARCH-011, and the faults that move every window are told apart by their own requirement.
"""

from __future__ import annotations

import pytest

from conformance.mutants.child_run import SuiteOutcome
from tests.site.fault_batches import BatchBox, assert_each_fault_caught, node_name, run_at
from tests.site_box import SiteBox

MODULE = "test_search_own_pictures.py"
#: the oracle tests' real-box paths (test_picture_search.py, test_search_time_fields.py) run with it
MODULES = "test_search_own_pictures or test_picture_search or test_search_time_fields"
PERSONS = "test_search_returns_exactly_the_persons_events"
OLDER = "test_older_events_only_with_an_explicit_window"
INVERTED = "test_starttime_after_endtime"
SCALE = "test_threshold_is_on_the_0_to_100_scale"
DEVICE_LIST = "test_device_id_list_limits_the_search"
FIQA = "test_fiqa_level"
MONTH_REFUSED = "test_window_of_a_month_or_more_is_refused"
MONTH_SEARCHED = "test_window_of_29_days_is_searched"
FLOAT_WINDOW = "test_search_window_is_read_in_float_seconds"
OUT_TIME = "test_out_timestamp_is_seconds_after_timestamp"
DEEP_ONLY = "test_scan_cap_of_50000_records"  # the control plane's 50,400 events; a box's own: SCAN_CAP
OWN_FACE = "test_own_face_finds_its_event"
THRESHOLD = "test_raising_the_threshold_keeps_the_items_reaching_it"
DEVICES = "test_device_id_list_restricts_the_results"
WINDOW = "test_narrower_window_restricts_the_results"
REVERSE = "test_reverse_orders_the_results"
CONTINUATION = "test_continuation_partitions_the_results"
MONTH = "test_month_window_is_refused_with_own_picture"
SCAN_CAP = "test_scan_cap_holds_on_a_month_of_history"
NOT_JUDGED = ("skipped", "not-exercised")  # how a child run may report a test that found nothing to judge
HISTORY_PER_DAY = 2000  # a 23-hour window then holds ~1,900 events: a threshold-0 search needs 2 calls
#: Conforming readings a real box may have, strict and lenient: no check may fail the box for them.
STRICT_VARIATIONS = ("var-integral-floats", "var-keys-reversed", "var-ties-reversed")
LENIENT_VARIATIONS = (
    "var-e07-search-example-answer",
    "var-e02-seconds-timestamps",
    "var-e10-search-stranger-name-empty",
    "var-e33-ep-type-file",
)
#: fault -> (the test it must fail, a requirement id a finding of that failure must name), in batches of one
#: child run. A batch may hold faults that touch one test when each names its own requirement there.
#: Each new check is shown failing: finds_event, threshold (scale and relation), devices, window agreement,
#: order, out_timestamp, continuation (repeats, and the far-edge probe). ps-endtimestamp-ms is killed in
#: control mode only (tests/kill/test_picture_search.py): its refused continuation names PS-SEARCH-011 like
#: the other continuation faults, so it would need a child run of its own.
BATCHES: dict[str, dict[str, tuple[str, str]]] = {
    "last-end+stranger+reverse+device+endtime": {
        "ps-last-end-ignored": (CONTINUATION, "PS-SEARCH-011"),
        "ps-strangers-not-searched": (f"{OWN_FACE}[stranger]", "PS-SEARCH-018"),
        "ps-reverse-false-ignored": (REVERSE, "PS-SEARCH-015"),
        "ps-device-list-ignored": (DEVICES, "PS-SEARCH-013"),
        "ps-window-limit-not-enforced": (f"{MONTH}[31]", "PS-SEARCH-007"),
        "ps-endtime-ignored": (WINDOW, "PS-SEARCH-009"),
    },
    "have-more+score-scale+device": {
        "ps-have-more-always-false": (CONTINUATION, "PS-SEARCH-011"),
        "ps-compare-score-percent": (f"{OWN_FACE}[matched]", "PS-SCHEMA-008"),
        "ps-device-list-first-only": (DEVICES, "PS-SEARCH-013"),
    },
    "starttime+threshold+reverse+out-time": {
        "ps-starttime-ignored": (WINDOW, "PS-SEARCH-009"),
        "ps-threshold-ignored": (THRESHOLD, "PS-SEARCH-012"),
        "ps-reverse-ignored": (REVERSE, "PS-SEARCH-014"),
        "ps-out-timestamp-ms": (f"{OWN_FACE}[matched]", "PS-TIME-004"),
    },
    # the real-box paths of the oracle tests (search_own_paths), and the continuation faults left
    "default-window+inverted+scale+devices+fiqa+skips+month": {
        "ps-default-window-three-days": (f"{PERSONS}[reverse-default]", "PS-SEARCH-005"),
        "ps-inverted-window-swapped": (INVERTED, "PS-SEARCH-008"),
        "ps-threshold-wrong-scale": (SCALE, "PS-SEARCH-012"),
        "ps-device-list-first-only": (f"{DEVICE_LIST}[two]", "PS-SEARCH-013"),
        "ps-fiqa-default-high": (FIQA, "PS-SEARCH-002"),
        "ps-continuation-skips": (CONTINUATION, "PS-SEARCH-011"),
        "ps-window-limit-not-enforced": (f"{MONTH_REFUSED}[31]", "PS-SEARCH-007"),
    },
    "request-times+reverse-false": {
        "ps-request-times-ms": (FLOAT_WINDOW, "PS-TIME-001"),
        "ps-reverse-false-ignored": (f"{PERSONS}[reverse-false]", "PS-SEARCH-015"),
    },
    "repeats+out-time": {
        "ps-continuation-repeats": (CONTINUATION, "PS-SEARCH-011"),
        "ps-out-timestamp-ms": (OUT_TIME, "PS-TIME-004"),
    },
}
#: a fault that must fail more than one test of its batch: (test, requirement) beyond the one above
ALSO_FAILS: dict[str, tuple[tuple[str, str], ...]] = {
    "ps-default-window-three-days": ((OLDER, "PS-SEARCH-006"),),
    "ps-request-times-ms": ((MONTH_SEARCHED, "PS-SEARCH-009"),),
}


def _run_at(box: SiteBox, selection: str, profile: str = "strict") -> SuiteOutcome:
    """The selection against the site box under a profile, as a user would run it against a real one."""
    return run_at(box, selection, "--no-configure-upload", f"--profile={profile}")


@pytest.mark.parametrize(
    ("site_box", "profile"),
    [
        (BatchBox(variations=STRICT_VARIATIONS, history_per_day=HISTORY_PER_DAY), "strict"),
        (BatchBox(variations=LENIENT_VARIATIONS, history_per_day=HISTORY_PER_DAY), "lenient"),
    ],
    indirect=["site_box"],
    ids=["strict", "lenient"],
)
def test_own_picture_checks_pass_on_a_conforming_box(site_box: SiteBox, profile: str) -> None:
    """Live traffic, µs timestamps, conforming readings: every check passes, the oracle tests on their
    real-box paths (none skipped for want of a control plane); only the scan cap is not exercised (3 days
    of history hold fewer than 50,000 events)."""
    outcome = _run_at(site_box, MODULES, profile)
    assert outcome.exit_code == 0 and not outcome.failed_tests, outcome.describe()
    ended = {node_name(test.nodeid): test.outcome for test in outcome.tests}
    assert ended.pop(SCAN_CAP) in NOT_JUDGED, outcome.describe()  # never "passed" on zero data
    assert ended.pop(DEEP_ONLY) == "skipped", outcome.describe()
    assert "needs the emulator control plane" not in outcome.output, outcome.describe()
    oracle_paths = [name for name in ended if name.split("[")[0] in (PERSONS, OLDER, FLOAT_WINDOW, FIQA)]
    assert len(oracle_paths) == 5, outcome.describe()
    assert len(ended) > 30 and set(ended.values()) == {"passed"}, outcome.describe()


@pytest.mark.parametrize(
    ("site_box", "batch"),
    [(BatchBox(tuple(faults), history_per_day=HISTORY_PER_DAY), name) for name, faults in BATCHES.items()],
    indirect=["site_box"],
    ids=list(BATCHES),
)
def test_each_fault_fails_its_own_picture_check(site_box: SiteBox, batch: str) -> None:
    """Every fault of the batch fails the check it exists for, and a finding of it names its requirement."""
    expected = [
        (fault, failing)
        for fault, first in BATCHES[batch].items()
        for failing in (first, *ALSO_FAILS.get(fault, ()))
    ]
    tests = sorted({test.split("[")[0] for _, (test, _) in expected})
    outcome = _run_at(site_box, " or ".join(tests))
    assert_each_fault_caught(outcome, expected)
