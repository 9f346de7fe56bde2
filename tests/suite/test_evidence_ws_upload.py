"""A real run puts each WebSocket session and each received upload into the test's Allure result as a step."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.suite.evidence_run import run_selection

WS_TEST = "test_only_listed_devices_are_pushed[cam-door]"  # pushes events of dev-live-cam / dev-live-door
UPLOAD_TEST = "test_upload_payloads[form-data]"
MAX_ATTACHMENT_BYTES = 30_000  # pictures and features abbreviated: a few KB each


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, Any]]]:
    """One child run of the two tests: the allure-results folder and each test's result by name."""
    run = run_selection(
        tmp_path_factory.mktemp("reports"),
        "--",
        "-k",
        "test_only_listed_devices_are_pushed and cam-door or test_upload_payloads and form-data",
    )
    assert run.exit_code == 0, run.output
    by_name = {result["name"]: result for result in run.results()}
    assert set(by_name) == {WS_TEST, UPLOAD_TEST}, sorted(by_name)
    return run.allure_results, by_name


def _attachments(folder: Path, result: dict[str, Any], step_prefix: str, name: str) -> list[str]:
    """The text of every attachment `name` in the result's top-level steps whose name starts so."""
    texts = []
    for step in result.get("steps", []):
        if not step["name"].startswith(step_prefix):
            continue
        for attachment in step.get("attachments", []):
            if attachment["name"] == name:
                path = folder / attachment["source"]
                assert path.stat().st_size < MAX_ATTACHMENT_BYTES, (path, path.stat().st_size)
                texts.append(path.read_text(encoding="utf-8"))
    return texts


def _pushed(transcript: str) -> list[dict[str, Any]]:
    """The JSON events of the transcript's received text frames."""
    marker = " received text "
    return [json.loads(line.split(marker, 1)[1]) for line in transcript.splitlines() if marker in line]


def test_websocket_session_is_a_step_with_its_transcript(
    results: tuple[Path, dict[str, dict[str, Any]]],
) -> None:
    folder, by_name = results
    transcripts = _attachments(folder, by_name[WS_TEST], "WebSocket session", "WebSocket transcript")
    assert len(transcripts) == 1
    pushed = _pushed(transcripts[0])
    assert pushed, transcripts[0]
    assert {event["device_id"] for event in pushed} <= {"dev-live-cam", "dev-live-door"}
    assert all(event["event_id"] for event in pushed)
    assert any(" sent " in line and "event_list" in line for line in transcripts[0].splitlines())


def test_received_upload_is_a_step_with_payload_and_form_fields(
    results: tuple[Path, dict[str, dict[str, Any]]],
) -> None:
    folder, by_name = results
    result = by_name[UPLOAD_TEST]
    texts = _attachments(folder, result, "Received upload #", "upload payload")
    payloads = [json.loads(text) for text in texts]
    assert payloads
    for payload in payloads:
        assert payload["ep_info"]["device_id"].startswith("dev-live-") and payload["timestamp"] > 0
        assert payload["spot_pic"].endswith("characters>")  # the picture, abbreviated
    as_received = _attachments(folder, result, "Received upload #", "upload as received")
    assert len(as_received) == len(payloads)
    fields = as_received[0].split("Form fields as received", 1)[1]
    assert "\n  timestamp = " in fields and "\n  ep_info = {" in fields


def test_a_failing_websocket_test_shows_the_deviating_push(tmp_path: Path) -> None:
    """The box pushes a device outside event_list: the failed result's transcript holds that push."""
    run = run_selection(
        tmp_path,
        "--fault",
        "ws-ignore-event-list",
        "--",
        "-k",
        "test_only_listed_devices_are_pushed and cam-door",
    )
    assert run.exit_code == 1, run.output
    (result,) = run.results()
    assert result["status"] == "failed"
    (transcript,) = _attachments(run.allure_results, result, "WebSocket session", "WebSocket transcript")
    assert "dev-live-gate" in {event["device_id"] for event in _pushed(transcript)}, transcript
