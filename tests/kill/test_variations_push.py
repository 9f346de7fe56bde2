"""Push-side conforming variations (search, WebSocket, uploads): lenient passes, strict names the erratum.

One lenient run switches every push-side variation on over the tests they bend and must pass (no false
alarm). Strict runs switch them on in groups whose catching tests differ and must fail with the
requirement of each variation's implied fault on a `Requirements:` line and the bent field in the text.
Binary frames (E37) are conforming under both profiles: the strict run passes, and a direct check
proves the emulator really sends binary frames, so the passing runs are not vacuous.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
import requests
import websocket

from conformance.clients.ws_client import WsMessage
from conformance.emulator.faults import REGISTRY
from conformance.emulator.faults.variations_push import (
    VAR_E07_SEARCH_EXAMPLE_ANSWER,
    VAR_E10_SEARCH_STRANGER_NAME_EMPTY,
    VAR_E12_STRANGER_UPLOAD_ID,
    VAR_E14_WS_WITHOUT_IDS,
    VAR_E32_SEARCH_FAILURE_RETCODE_0,
    VAR_E33_EP_TYPE_FILE,
    VAR_WS_BINARY_FRAMES,
)
from conformance.emulator.server import EmulatorConfig, RunningEmulator, start_emulator_thread
from conformance.mutants.plan import build_plan
from tests.emulator.conftest import DEVICES
from tests.kill.runner import SuiteOutcome
from tests.kill.test_search_push_upload_faults import failure_requirements

Runner = Callable[..., SuiteOutcome]
TIMEOUT_S = 10.0
SETTLE_S = 0.5
LENIENT = ["--profile", "lenient"]
STRICT = ["--profile", "strict"]
# every test the push-side variations bend, plus the cross-interface check
BENT = "picture or websocket or upload or cross"
ANSWER = "test_answer_fields_follow_the_table"
PUSH_MESSAGES = "test_every_message_validates or test_the_seeds_sample_client_works"
UPLOAD_JSON = "(test_upload_payloads and json)"

# variation -> (the -k selection catching it under strict, the requirement named, a text in the failure)
STRICT_KILLS: dict[str, tuple[str, str, str]] = {
    VAR_E07_SEARCH_EXAMPLE_ANSWER: (ANSWER, "PS-SCHEMA-004", "have_more"),
    VAR_E10_SEARCH_STRANGER_NAME_EMPTY: (ANSWER, "PS-SCHEMA-009", "identity_name"),
    VAR_E33_EP_TYPE_FILE: (f"{ANSWER} or {UPLOAD_JSON}", "PS-SCHEMA-020", "ep_type"),
    VAR_E32_SEARCH_FAILURE_RETCODE_0: ("test_bad_images_are_refused", "PS-ERR-001", "HTTP 200"),
    VAR_E14_WS_WITHOUT_IDS: (PUSH_MESSAGES, "WS-WS-016", "event_id"),
    VAR_E12_STRANGER_UPLOAD_ID: (UPLOAD_JSON, "UP-SCHEMA-001", "identity_id"),
}
# variations of one strict run are caught by different tests
STRICT_GROUPS = (
    (VAR_E07_SEARCH_EXAMPLE_ANSWER, VAR_E14_WS_WITHOUT_IDS, VAR_E12_STRANGER_UPLOAD_ID),
    (VAR_E10_SEARCH_STRANGER_NAME_EMPTY, VAR_E32_SEARCH_FAILURE_RETCODE_0),
    (VAR_E33_EP_TYPE_FILE,),
)
PUSH_VARIATIONS = (VAR_WS_BINARY_FRAMES, *STRICT_KILLS)


def test_every_push_variation_is_registered_with_its_erratum() -> None:
    for name in PUSH_VARIATIONS:
        variation = REGISTRY.get(name)
        assert variation.kind == "variation" and variation.errata, name
    assert REGISTRY.get(VAR_WS_BINARY_FRAMES).implies == ()  # E37: conforming under strict too
    for name in STRICT_KILLS:
        assert REGISTRY.get(name).implies, f"{name} is a fault under strict and must imply one"


def test_groups_cover_every_strict_variation_once() -> None:
    grouped = [name for group in STRICT_GROUPS for name in group]
    assert sorted(grouped) == sorted(STRICT_KILLS)


def test_quick_plan_runs_the_areas_the_push_variations_bend() -> None:
    combined = next(m for m in build_plan([], None, quick=True) if m.kind == "variation")
    assert set(PUSH_VARIATIONS) <= set(combined.faults)
    assert {"PS-*", "WS-*", "UP-*"} <= set(combined.selection)
    assert "V2Q-*" in combined.selection  # the query variations still get their tests


def test_lenient_passes_with_every_push_variation(suite_runner: Runner) -> None:
    outcome = suite_runner(BENT, list(PUSH_VARIATIONS), run_args=LENIENT)
    assert outcome.exit_code == 0, outcome.describe()
    assert not outcome.failed_tests and len(outcome.passed) >= 30, outcome.describe()


@pytest.mark.parametrize("group", STRICT_GROUPS, ids=["+".join(g) for g in STRICT_GROUPS])
def test_strict_names_the_requirement_each_variation_bends(
    suite_runner: Runner, group: Sequence[str]
) -> None:
    selection = " or ".join(f"({STRICT_KILLS[name][0]})" for name in group)
    outcome = suite_runner(selection, list(group), run_args=STRICT)
    assert outcome.exit_code != 0, f"--fault {group}: the strict run passed\n{outcome.describe()}"
    for name in group:
        _, requirement, text = STRICT_KILLS[name]
        naming = [
            node
            for node, failure in outcome.failed_tests.items()
            if requirement in failure_requirements(failure) and text in failure
        ]
        assert naming, f"{name}: no failure names {requirement} and shows {text!r}\n{outcome.describe()}"


def test_strict_accepts_binary_frames(suite_runner: Runner) -> None:
    outcome = suite_runner("websocket or cross", [VAR_WS_BINARY_FRAMES], run_args=STRICT)
    assert outcome.exit_code == 0, outcome.describe()
    assert not outcome.failed_tests and outcome.passed, outcome.describe()


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
            faults=[VAR_WS_BINARY_FRAMES],
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
