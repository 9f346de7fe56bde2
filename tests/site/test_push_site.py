"""The WebSocket checks judge a box with no control plane: against the emulator in site mode (live
recognitions pushed as they happen, the v2 history as the only oracle) every push test — the live ones of
test_ws_live.py and the real-box paths of the others — passes on the clean box, fails under the faults it
exists to catch, and a quiet box gives *not exercised*, having waited for live traffic once per session.

Faults share a site box and a child run only when their selections share no test and no fault of the batch
acts on another's test; each failure must name the fault's requirement id in its findings.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.mutants.child_run import SuiteOutcome, TestOutcome, run_suite
from tests.site_box import SiteBox, start_site_box

PUSH_AREA = "test_ws_"  # every module of conformance/suite/interfaces/push is test_ws_*.py
LIVE_RATE = 20.0  # recognitions a second: every wait for pushes (4 on 5 cameras) ends within a second
LIVE_WAIT = "10"
QUIET_WAIT = "2"
# the live tests (test_ws_live.py)
HISTORY = "test_live_pushes_are_in_the_history"
FOLLOW = "test_live_pushes_follow_event_list"
PICTURES = "test_live_pictures_follow_the_flags"
SECOND = "test_live_second_configuration_takes_effect"
BEFORE = "test_live_nothing_before_the_configuration"
MALFORMED = "test_live_malformed_configuration_disturbs_no_one"
OWN_STREAMS = "test_live_clients_get_their_own_streams"
# the tests that inject with a control plane and judge live pushes without one
DEFAULTS = "test_omitted_keys_take_their_defaults"
LISTED = "test_only_listed_devices_are_pushed"
FLAGS = "test_pictures_follow_the_flags"
RECONFIG = "test_a_second_configuration_replaces_the_first"
CLIENTS = "test_each_client_gets_exactly_its_events"
VALIDATES = "test_every_message_validates"
SAMPLE = "test_the_seeds_sample_client_works"
SPOT = "test_pushed_spot_pic_is_a_base64_jpeg"
SILENT = "test_nothing_arrives_before_the_configuration"
BAD_CONFIG = "test_malformed_configurations_disturb_no_one"
#: batch -> fault -> (the tests it must fail, as node names, and the requirement id their findings name)
BATCHES: dict[str, dict[str, tuple[tuple[str, ...], str]]] = {
    "score+face+bad-config+defaults+empty-list+ids+replay": {
        "ws-score-is-pose-score": ((HISTORY,), "WS-SCHEMA-007"),
        "ws-need-face-ignored": ((PICTURES,), "WS-WS-004"),
        "ws-dies-on-bad-config": ((MALFORMED,), "WS-WS-011"),
        "ws-no-event-list-all": ((f"{DEFAULTS}[without-event-list]",), "WS-WS-012"),
        "ws-empty-event-list-all": ((f"{LISTED}[empty]",), "WS-WS-006"),
        "ws-without-event-ids": ((SAMPLE,), "WS-WS-016"),
        "ws-replays-recent-events": ((SILENT, BEFORE), "WS-WS-009"),
    },
    "identity+register+before-config+reconfig": {
        "ws-identity-is-image-id": ((VALIDATES,), "WS-SCHEMA-001"),
        "ws-need-register-ignored": ((PICTURES,), "WS-WS-005"),
        "ws-push-before-config": ((SILENT, BEFORE), "WS-WS-002"),
        "ws-reconfig-ignored": ((RECONFIG, SECOND), "WS-WS-010"),
    },
    "spot-pic+unrequested+whole-seconds": {
        "ws-spot-pic-path": ((SPOT,), "WS-SCHEMA-011"),
        "ws-pictures-unrequested": ((f"{FLAGS}[off]",), "WS-WS-004"),
        "ws-timestamp-whole-seconds": ((HISTORY,), "WS-TIME-001"),
    },
    "flags-swapped+event-list-ignored+malformed": {
        "ws-flags-swapped": ((f"{FLAGS}[face]", f"{FLAGS}[register]"), "WS-WS-004"),
        "ws-ignore-event-list": ((f"{LISTED}[gate]", FOLLOW), "WS-WS-007"),
        "ws-malformed-follows-all": ((BAD_CONFIG, MALFORMED), "WS-WS-011"),
    },
    "first-device-only": {
        "ws-event-list-first-only": ((HISTORY,), "WS-WS-008"),
    },
    "one-event-list": {  # alone: a fault acting on pictures or on what a first configuration gets masks it
        "ws-one-event-list": ((CLIENTS, OWN_STREAMS), "WS-WS-013"),
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


def _run(box: SiteBox, selection: str = PUSH_AREA, live_wait: str = LIVE_WAIT) -> SuiteOutcome:
    """The push tests against the site box, as a user would run them against a real one."""
    return run_suite(selection, [], ["-rs"], run_args=_run_args(box, live_wait))


def _node(nodeid: str) -> str:
    return nodeid.rsplit("::", 1)[-1]


def _site_box(tmp_path: Path, faults: tuple[str, ...] = (), live_rate: float = LIVE_RATE) -> SiteBox:
    return start_site_box(
        tmp_path, live_rate=live_rate, history_days=0.2, faults=faults, history_per_day=1000
    )


def _selection(tests: set[str]) -> str:
    """A -k expression selecting exactly these node names (a case by its id in brackets)."""
    return " or ".join(sorted(tests))


def _names(test: TestOutcome, requirement: str) -> bool:
    return requirement in test.finding_requirements


def test_push_checks_pass_on_a_busy_conforming_box(tmp_path: Path) -> None:
    """Live traffic on every camera, µs history times: every push test judges live pushes and passes."""
    with _site_box(tmp_path) as box:
        outcome = _run(box)
    assert outcome.exit_code == 0 and not outcome.failed(), outcome.describe()
    ran = {_node(n).split("[")[0] for n in outcome.passed}
    every = {HISTORY, FOLLOW, PICTURES, SECOND, BEFORE, MALFORMED, OWN_STREAMS}
    every |= {DEFAULTS, LISTED, FLAGS, RECONFIG, CLIENTS, VALIDATES, SAMPLE, SPOT, SILENT, BAD_CONFIG}
    assert ran == every and not outcome.skipped, outcome.describe()


def test_a_quiet_box_gives_not_exercised_after_one_wait(tmp_path: Path) -> None:
    """`--live-rate 0`: every push test is *not exercised*, with the session's one reason; none passes."""
    with _site_box(tmp_path, live_rate=0.0) as box:
        outcome = _run(box, live_wait=QUIET_WAIT)
    assert not outcome.failed() and not outcome.passed, outcome.describe()
    assert len(outcome.skipped) >= 23, outcome.describe()
    reasons = [line for line in outcome.output.splitlines() if line.startswith("SKIPPED")]
    assert reasons and all("not exercised" in line for line in reasons), outcome.output[-3000:]
    session = f"no live recognition came within {QUIET_WAIT} s (--live-wait) on any of the box's cameras"
    assert all(session in line for line in reasons), "\n".join(reasons)


@pytest.mark.parametrize("batch", list(BATCHES))
def test_each_fault_fails_its_push_check(tmp_path: Path, batch: str) -> None:
    """Every fault of the batch fails its tests, whose findings name the fault's requirement id."""
    expected = BATCHES[batch]
    tests = {test for wanted, _ in expected.values() for test in wanted}
    assert sum(len(wanted) for wanted, _ in expected.values()) == len(tests), "a test shared by two faults"
    with _site_box(tmp_path, tuple(expected)) as box:
        outcome = _run(box, _selection(tests))
    failed = {_node(t.nodeid): t for t in outcome.failed()}
    for fault, (wanted, requirement) in expected.items():
        for test in wanted:
            assert test in failed, f"--fault {fault}: {test} did not fail\n{outcome.describe()}"
            assert _names(failed[test], requirement), (
                f"--fault {fault}: {test} names {failed[test].finding_requirements}, not {requirement}:\n"
                f"{failed[test].text[:3000]}"
            )
