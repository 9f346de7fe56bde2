"""The live WebSocket checks judge a box with no control plane: against the emulator in site mode (live
recognitions pushed as they happen, the v2 history as the only oracle) every test of test_ws_live.py passes
on the clean box, fails under the faults it exists to catch, and a quiet box gives *not exercised*.

Faults share one site box and one child run per batch; each failure must carry the words of the finding its
own fault causes (a foreign device, a missing face crop, a push outside the history), which no other fault of
its batch produces, so a batch cannot pass on another fault's failure.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.mutants.child_run import ChildRunSpec, SuiteOutcome, run_child, run_suite
from conformance.report.records import RECORDS_FILE, Outcome, read_records
from tests.site_box import SiteBox, start_site_box

MODULE = "test_ws_live.py"
LIVE_TESTS = (
    "test_live_pushes_are_in_the_history",
    "test_live_pushes_follow_event_list",
    "test_live_pictures_follow_the_flags",
    "test_live_second_configuration_takes_effect",
    "test_live_nothing_before_the_configuration",
    "test_live_clients_get_their_own_streams",
    "test_live_malformed_configuration_disturbs_no_one",
)
HISTORY, FOLLOW, PICTURES, SECOND, BEFORE, OWN, MALFORMED = LIVE_TESTS
LIVE_RATE = 8.0  # recognitions a second: the tests have their pushes within a second or two
LIVE_WAIT = "10"
#: batch -> fault -> (the test it must fail, words of the finding it causes)
BATCHES: dict[str, dict[str, tuple[str, str]]] = {
    "history-fields+pictures+bad-config": {
        "ws-score-is-pose-score": (HISTORY, "score differs"),
        "ws-identity-is-image-id": (HISTORY, "identity_id differs"),
        "ws-need-face-ignored": (PICTURES, "lack ext_data.recognize_face though need_face is true"),
        "ws-need-register-ignored": (PICTURES, "lack reg_pic though need_register is true"),
        "ws-dies-on-bad-config": (MALFORMED, "the configured client was closed"),
    },
    "first-device-only+before-config": {
        "ws-event-list-first-only": (HISTORY, "were never pushed"),
        "ws-push-before-config": (BEFORE, "arrived before the configuration was sent"),
    },
    "event-list-ignored+reconfig-ignored+whole-seconds": {
        "ws-ignore-event-list": (FOLLOW, "outside event_list were pushed"),
        "ws-reconfig-ignored": (SECOND, "lack ext_data.recognize_face though need_face is true"),
        "ws-timestamp-whole-seconds": (HISTORY, "not found in the v2 history"),
    },
}


def _run_args(box: SiteBox, live_wait: str = LIVE_WAIT) -> list[str]:
    return [
        f"--box-url={box.http_url}",
        f"--ws-url={box.ws_url}",
        f"--version-url={box.version_url}/sophon/v2/system/getsoftwareversion",
        f"--live-wait={live_wait}",
        "--no-configure-upload",
    ]


def _node(nodeid: str) -> str:
    return nodeid.rsplit("::", 1)[-1]


def _site_box(tmp_path: Path, faults: tuple[str, ...] = (), live_rate: float = LIVE_RATE) -> SiteBox:
    return start_site_box(
        tmp_path, live_rate=live_rate, history_days=0.2, faults=faults, history_per_day=1000
    )


def test_live_checks_pass_on_a_busy_conforming_box(tmp_path: Path) -> None:
    """Live traffic on every camera, µs history times: every live test judges something and passes."""
    with _site_box(tmp_path) as box:
        outcome: SuiteOutcome = run_suite(MODULE, [], run_args=_run_args(box))
    assert outcome.exit_code == 0 and not outcome.failed_tests, outcome.describe()
    assert sorted(_node(n) for n in outcome.passed) == sorted(LIVE_TESTS), outcome.describe()


def test_a_quiet_box_gives_not_exercised(tmp_path: Path) -> None:
    """`--live-rate 0`: every live test is *not exercised*, with its reason; none passes, none fails."""
    with _site_box(tmp_path, live_rate=0.0) as box:
        spec = ChildRunSpec(k_expr=MODULE, run_args=tuple(_run_args(box, live_wait="1")))
        outcome = run_child(spec, tmp_path / "quiet")
    assert not outcome.failed_tests and not outcome.passed, outcome.describe()
    records = read_records(next((tmp_path / "quiet" / "runs").glob(f"*/{RECORDS_FILE}")))
    ends = {_node(r.nodeid): (r.outcome, r.skip_reason) for r in records}
    assert sorted(ends) == sorted(LIVE_TESTS), ends
    for test, (end, reason) in ends.items():
        assert end == Outcome.NOT_EXERCISED and "--live-wait" in reason, f"{test}: {end} {reason!r}"


@pytest.mark.parametrize("batch", list(BATCHES))
def test_each_fault_fails_its_live_check(tmp_path: Path, batch: str) -> None:
    """Every fault of the batch fails its live test with its own finding; a quiet wait would not do."""
    expected = BATCHES[batch]
    tests = sorted({test for test, _ in expected.values()})
    with _site_box(tmp_path, tuple(expected)) as box:
        outcome = run_suite(" or ".join(tests), [], run_args=_run_args(box))
    failed = {_node(nodeid): text for nodeid, text in outcome.failed_tests.items()}
    for fault, (test, words) in expected.items():
        assert test in failed, f"{fault}: {test} did not fail\n{outcome.describe()}"
        assert words in failed[test], f"{fault}: {test} failed without {words!r}:\n{failed[test][:3000]}"
