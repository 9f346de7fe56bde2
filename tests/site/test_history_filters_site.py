"""The history checks judge a box with no control plane: against the emulator in site mode (days of history
with microsecond timestamps, live recognitions arriving) each check passes on the clean box with the
conforming variations on, and fails under the fault it exists to catch, naming the fault's requirement.

Faults that act on different filters share one site box and one child run: two batches, each pairing the
filter faults of one interface with the time and paging faults of the other.
"""

from __future__ import annotations

import pytest

from conformance.mutants.child_run import SuiteOutcome
from tests.site.fault_batches import BatchBox, assert_each_fault_caught, node_name, run_at
from tests.site_box import SiteBox

V2_FAMILY = "test_v2_filter_agrees_with_the_history"
V1_FAMILY = "test_v1_filter_agrees_with_the_history"
HISTORY = "test_v2_history_filters.py or test_v1_history_filters.py"
#: Comparisons of two calls that live traffic or microseconds used to break (issue 14 causes 2-4).
PINNED = (
    "test_splitting_the_time_range_splits_the_result or test_defaults_are_the_first_page "
    "or test_getevent_returns_the_getevents_event or test_v1_and_v2_agree_on_the_newest_events"
)
#: Conforming readings a real box may have: the checks must not fail it for them.
VARIATIONS = (
    "var-undocumented-extras-change",
    "var-integral-floats",
    "var-keys-reversed",
    "var-ties-reversed",
)
#: fault -> (the test it must fail, a requirement id that failure must name). Two batches: the filter faults
#: of one interface with the time faults of the other (a time fault moves only its own interface's answers)
#: and the other's paging faults (the sampler reads on until total_count, whatever size a page has). A
#: fault rides in the batch where no other fault makes its test name the same requirement: v1 page numbering
#: with the v2 batch (away from v1-per-page-ignored), score and streams faults away from a v1 time fault,
#: exclusive v2 bounds away from v2-time-filters-ignored. v2 page numbering rides in test_cross_site.py
#: (both batches here bend the v2 pages its check reads).
V2_BATCH = {
    "v2-name-ascii-only": (f"{V2_FAMILY}[identity_name]", "V2Q-FILT-004"),
    "v2-identity-id-fuzzy": (f"{V2_FAMILY}[identity_id]", "V2Q-FILT-005"),
    "v2-score-max-ignored": (f"{V2_FAMILY}[score]", "V2Q-FILT-007"),
    "v2-user-type-seed-values-only": (f"{V2_FAMILY}[user_type]", "V2Q-FILT-008"),
    "v2-devices-match-nothing": (f"{V2_FAMILY}[media_device_ids]", "V2Q-FILT-009"),
    "v1-time-whole-seconds": (f"{V1_FAMILY}[time]", "V1Q-TIME-001"),
    "v2-page-limit-ignored": ("test_v2_page_limit_pages_partition_the_window", "V2Q-PAGE-002"),
    "v1-page-one-based": ("test_v1_per_page_pages_partition_the_window", "V1Q-PAGE-006"),
    "v2-time-bound-exclusive": (f"{V2_FAMILY}[time]", "V2Q-FILT-002"),
}
V1_BATCH = {
    "v1-name-ascii-only": (f"{V1_FAMILY}[name]", "V1Q-FILT-003"),
    "v1-identity-id-fuzzy": (f"{V1_FAMILY}[identity_id]", "V1Q-FILT-004"),
    "v1-score-min-ignored": (f"{V1_FAMILY}[score]", "V1Q-FILT-005"),
    "v1-user-type-stranger-vip-only": (f"{V1_FAMILY}[userType]", "V1Q-FILT-007"),
    "v1-groups-ignored": (f"{V1_FAMILY}[groups]", "V1Q-FILT-009"),
    "v1-top-k-ignored": ("test_v1_top_k_takes_the_head_of_the_filtered_history", "V1Q-PAGE-011"),
    "v2-time-filters-ignored": (f"{V2_FAMILY}[time]", "V2Q-FILT-002"),
    "v1-per-page-ignored": ("test_v1_per_page_pages_partition_the_window", "V1Q-PAGE-001"),
    "v1-score-max-ignored": (f"{V1_FAMILY}[score]", "V1Q-FILT-006"),
    "v1-streams-first-only": (f"{V1_FAMILY}[streams]", "V1Q-FILT-010"),
    "v2-ignore-score-filter": (f"{V2_FAMILY}[score]", "V2Q-FILT-006"),
}
BATCHES = {
    "v2-filters+v1-time": (
        V2_BATCH,
        f"{V2_FAMILY} or ({V1_FAMILY} and time) or test_v2_page_limit_pages_partition_the_window "
        "or test_v1_per_page_pages_partition_the_window",
    ),
    "v1-filters+v2-time": (
        V1_BATCH,
        f"{V1_FAMILY} or test_v1_top_k_takes_the_head_of_the_filtered_history "
        f"or test_v2_window_is_the_v1_window or ({V2_FAMILY} and (time or score)) "
        "or test_v1_per_page_pages_partition_the_window",
    ),
}


def _run_at(box: SiteBox, selection: str) -> SuiteOutcome:
    """The selection against the site box, as a user would run it against a real one."""
    return run_at(box, selection, "--no-configure-upload")


@pytest.mark.parametrize(
    "site_box", [BatchBox(variations=VARIATIONS)], indirect=True, ids=["clean+variations"]
)
def test_history_checks_pass_on_a_conforming_box(site_box: SiteBox) -> None:
    """Live traffic, µs timestamps, changing extra fields, reversed keys and ties: no history check fails."""
    outcome = _run_at(site_box, f"{HISTORY} or {PINNED}")
    assert outcome.exit_code == 0 and not outcome.failed_tests, outcome.describe()
    skipped = [node_name(nodeid) for nodeid in outcome.skipped]
    assert skipped == [f"{V1_FAMILY}[room]"], f"only room may go unexercised:\n{outcome.describe()}"
    assert len(outcome.passed) >= 25, outcome.describe()


@pytest.mark.parametrize(
    ("site_box", "batch"),
    [(BatchBox(tuple(faults)), name) for name, (faults, _) in BATCHES.items()],
    indirect=["site_box"],
    ids=list(BATCHES),
)
def test_each_fault_fails_its_history_check(site_box: SiteBox, batch: str) -> None:
    """Every fault of the batch fails the history check of its filter, naming the filter's requirement."""
    expected, selection = BATCHES[batch]
    assert_each_fault_caught(_run_at(site_box, selection), expected.items())
