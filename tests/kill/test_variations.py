"""Kill tests of the conforming variations (conformance/emulator/faults/variations.py): under `lenient` the
suite passes with them on (no false alarm: the whole-suite runs of tests/mutants/test_mutants_quick.py's
control case judge it, and a test here pins that they switch every variation on); under `strict` each
variation with a `caught_by` fails that selection with its implied fault's requirement and the bent field
in the failure; the readings that break nothing (tie order, binary frames) pass under strict too. The
shared clean run passes under lenient.

Every case runs `sophon-conformance run` in a child process against a fresh emulator (see catalog_kills.py).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path

import pytest
import requests
import websocket

from conformance.clients.ws_client import WsMessage
from conformance.emulator.faults.catalog import CATALOG, FAMILIES
from conformance.emulator.faults.model import FAULT, VARIATION, Fault
from conformance.emulator.server import EmulatorConfig, RunningEmulator, start_emulator_thread
from conformance.exit_codes import ExitCode
from conformance.mutants.child_run import SuiteOutcome, run_suite
from conformance.mutants.plan import build_plan
from tests.emulator.conftest import DEVICES
from tests.kill.catalog_kills import (
    LENIENT,
    QUERY_MODULES,
    STRICT,
    assert_clean,
    catching,
    names,
    selected_tests,
)

TIMEOUT_S = 10.0
SETTLE_S = 0.5
QUERY_TESTS = f"{QUERY_MODULES} or test_query_event_fields.py"
# every test the push-side variations bend, plus the cross-interface check
BENT = (
    "test_picture_search.py or test_ws_push.py or test_ws_routing.py or test_ws_silence.py or upload or "
    "test_cross_interface_event.py"
)
PUSH_AREAS = {"picture-search", "websocket", "uploads"}
# What a strict failure must show for a variation, besides a failure of its selection: the requirement
# (default: the first of its first implied fault) and, for the push side, the bent field in the text.
SHOWN: dict[str, tuple[str, str]] = {
    "var-e07-search-example-answer": ("PS-SCHEMA-004", "have_more"),
    "var-e10-search-stranger-name-empty": ("PS-SCHEMA-009", "identity_name"),
    "var-e33-ep-type-file": ("PS-SCHEMA-020", "ep_type"),
    "var-e32-search-failure-retcode-0": ("PS-ERR-001", "HTTP 200"),
    "var-e14-ws-without-ids": ("WS-WS-016", "event_id"),
    "var-e12-stranger-upload-id": ("UP-SCHEMA-001", "identity_id"),
}


def _is_push(variation: Fault) -> bool:
    return variation.area in PUSH_AREAS


STRICT_VARIATIONS = [v for v in CATALOG.variations() if v.caught_by]
# the query-side errata readings and the other tie order (E01 runs alone below)
QUERY_VARIATIONS = ["var-ties-reversed", *(v.name for v in STRICT_VARIATIONS if not _is_push(v))]
PUSH_VARIATIONS = [v.name for v in CATALOG.variations() if _is_push(v)]


@cache
def strict_groups() -> tuple[tuple[Fault, ...], ...]:
    """Variations with a selection, in strict runs where no two are caught by the same test."""
    groups: list[list[Fault]] = []
    for variation in STRICT_VARIATIONS:
        tests = set(selected_tests(variation.caught_by))
        for group in groups:
            if not tests & {t for v in group for t in selected_tests(v.caught_by)}:
                group.append(variation)
                break
        else:
            groups.append([variation])
    return tuple(tuple(group) for group in groups)


def test_every_variation_is_registered_with_its_erratum() -> None:
    for variation in CATALOG.variations():
        assert variation.kind == VARIATION and variation.errata, variation.name
    assert CATALOG.get("var-ws-binary-frames").implies == ()  # E37: conforming under strict too
    for variation in STRICT_VARIATIONS:
        assert variation.implies, f"{variation.name} is a fault under strict and must imply one"
        assert all(CATALOG.get(name).kind == FAULT for name in variation.implies)


def test_groups_cover_every_strict_variation_once() -> None:
    grouped = [v.name for group in strict_groups() for v in group]
    assert sorted(grouped) == sorted(v.name for v in STRICT_VARIATIONS)
    assert set(SHOWN) <= set(grouped)


def test_quick_plan_runs_the_areas_the_push_variations_bend() -> None:
    combined = next(m for m in build_plan([], None, quick=True) if m.kind == "variation")
    assert set(PUSH_VARIATIONS) <= set(combined.faults)
    covered = set(combined.selection)  # () is the whole suite (a variation probing every check, must_pass *)
    assert not covered or {"PS-*", "WS-*", "UP-*", "V2Q-*"} <= covered  # the query variations get their tests


def test_the_quick_control_sweep_runs_every_query_and_push_variation_over_the_whole_suite() -> None:
    """No query, search, push or upload test raises a false alarm under `lenient` with the query and push-side
    variations on: tests/mutants/test_mutants_quick.py's control case judges it (and fails on any failure),
    its combined runs switching each of them on over the whole suite. This pins that plan, so CI makes that
    judgement once; `mutants --variations NAME` isolates one variation."""
    combined = [m for m in build_plan([], None, quick=True) if m.kind == VARIATION]
    whole_suite = {name for m in combined if not m.selection and m.profile == "lenient" for name in m.faults}
    assert set(QUERY_VARIATIONS) | set(PUSH_VARIATIONS) <= whole_suite, sorted(whole_suite)


def test_lenient_profile_accepts_the_filters_in_seconds() -> None:
    """Under `lenient`, a box reading v2 filters in seconds (E01) passes every query test (it is probed)."""
    outcome = run_suite(QUERY_MODULES, ["var-e01-filters-in-seconds"], run_args=LENIENT)
    assert outcome.exit_code == 0, outcome.describe()


def _shows(outcome: SuiteOutcome, variation: Fault) -> bool:
    implied = CATALOG.get(variation.implies[0])
    requirement, text = SHOWN.get(variation.name, (implied.requirements[0], ""))
    return any(
        names(test, requirement) and (text in test.text or not _is_push(variation))
        for test in catching(outcome, variation)
    )


@pytest.mark.parametrize("group", strict_groups(), ids=["+".join(v.name for v in g) for g in strict_groups()])
def test_strict_names_the_requirement_each_variation_bends(group: Sequence[Fault]) -> None:
    """Under `strict` each variation is its implied fault: its selection fails, naming the bent field."""
    selection = " or ".join(f"({v.caught_by})" for v in group)
    outcome = run_suite(selection, [v.name for v in group], run_args=STRICT)
    assert outcome.exit_code == ExitCode.CHECKS_FAILED, outcome.describe()
    for variation in group:
        assert _shows(outcome, variation), f"{variation.name}: no failure shows it\n{outcome.describe()}"


def test_ties_broken_the_other_way_pass_under_strict_too() -> None:
    """The documents fix no tie order, so the paging tests pass on it under `strict` as well."""
    outcome = run_suite("test_query_paging.py or test_query_model.py", ["var-ties-reversed"], run_args=STRICT)
    assert outcome.exit_code == 0, outcome.describe()
    assert not outcome.failed_tests and outcome.passed, outcome.describe()


def test_strict_accepts_binary_frames() -> None:
    selection = "test_ws_push.py or test_ws_routing.py or test_ws_silence.py or test_cross_interface_event.py"
    outcome = run_suite(selection, ["var-ws-binary-frames"], run_args=STRICT)
    assert outcome.exit_code == 0, outcome.describe()
    assert not outcome.failed_tests and outcome.passed, outcome.describe()


@pytest.mark.parametrize("family", [f.name for f in FAMILIES])
def test_clean_run_passes_under_lenient(family: str) -> None:
    """Without faults, under lenient, every catching test of each family passes (one shared run)."""
    assert_clean(family, LENIENT)


def test_a_data_frame_is_read_as_text_when_it_is_utf8() -> None:
    """E37: the client reads a binary frame's UTF-8 payload like a text frame's; other bytes stay opaque."""
    assert WsMessage("binary", None, '{"name":"小明"}'.encode()).payload_text == '{"name":"小明"}'
    assert WsMessage("binary", None, b"\xff\xfe{").payload_text is None
    assert WsMessage("text", "{}", b"{}").payload_text == "{}"
    assert WsMessage("close", "status 1000", b"\x03\xe8").payload_text is None


@pytest.fixture
def binary_box(tmp_path: Path) -> Iterator[RunningEmulator]:
    """An emulator sending its pushes as binary frames."""
    running = start_emulator_thread(
        EmulatorConfig(
            http_port=0,
            ws_port=0,
            version_port=-1,
            db_path=tmp_path / "box.sqlite3",
            control=True,
            faults=["var-ws-binary-frames"],
        )
    )
    try:
        yield running
    finally:
        running.stop()


def test_the_binary_variation_sends_utf8_json_in_binary_frames(binary_box: RunningEmulator) -> None:
    requests.post(f"{binary_box.control_url}/devices", json={"devices": DEVICES}, timeout=TIMEOUT_S)
    device = DEVICES[0]["device_id"]
    client = websocket.WebSocket()
    client.connect(binary_box.ws_url, timeout=TIMEOUT_S)  # type: ignore[no-untyped-call]
    try:
        client.send(json.dumps({"event_list": [device]}))
        time.sleep(SETTLE_S)  # the box acknowledges no configuration
        stored = requests.post(
            f"{binary_box.control_url}/events",
            json={"events": [{"device_id": device, "score": 50}]},
            timeout=TIMEOUT_S,
        ).json()["event_ids"]
        client.settimeout(TIMEOUT_S)
        opcode, data = client.recv_data()
    finally:
        client.close()
    assert opcode == websocket.ABNF.OPCODE_BINARY
    assert json.loads(data.decode("utf-8"))["event_id"] == stored[0]
