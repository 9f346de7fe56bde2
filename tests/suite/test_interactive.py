"""Operator-guided mode: `--interactive` reaches the suite, the prompt is shown with capture suspended and
read from stdin, and a live wait that came up empty asks once and waits again (never without the option).
A session waits for a quiet box once: a full empty wait on every camera makes every later wait *not
exercised* at once with the same reason, unless a recognition was seen."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path
from typing import Any, cast

import pytest

from conformance.cli import run_cmd
from conformance.clients.ws_client import RecordingWebSocket, WsMessage
from conformance.suite.judgement import NotExercised
from conformance.suite.support.operator_prompt import OperatorPrompt
from conformance.suite.support.ws_live import Camera, LiveBox, LiveTraffic

pytest_plugins = ["pytester"]

PUSH = {"timestamp": 1_700_000_000_123, "device_id": "cam-1", "identity_id": "", "score": 40.0}


class FakeCapture:
    """pytest's capture manager as the prompt uses it: suspended around the question, resumed after."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def suspend_global_capture(self, in_: bool = False) -> None:
        self.calls.append(f"suspend(in_={in_})")

    def resume_global_capture(self) -> None:
        self.calls.append("resume")


class FakeConfig:
    """Just enough of pytest.Config: a plugin manager that knows the capture manager."""

    def __init__(self, capture: FakeCapture, worker: bool = False) -> None:
        self.pluginmanager = self
        self._capture = capture
        if worker:
            self.workerinput: dict[str, Any] = {}

    def getplugin(self, name: str) -> Any:
        return self._capture if name == "capturemanager" else None


class QuietSocket:
    """A box that pushes nothing until the operator walked past the camera."""

    def __init__(self, prompt: OperatorPrompt) -> None:
        self._prompt = prompt
        self._pushed = False

    def recv(self, timeout: float | None = None) -> WsMessage | None:
        if not self._prompt.asked or self._pushed:
            return None
        self._pushed = True
        return WsMessage("text", json.dumps(PUSH), b"")


def _prompt(answer: str, capture: FakeCapture | None = None) -> tuple[OperatorPrompt, io.StringIO]:
    out = io.StringIO()
    config = cast(pytest.Config, FakeConfig(capture or FakeCapture()))
    return OperatorPrompt(config, stdin=io.StringIO(answer), stdout=out), out


def test_the_prompt_is_shown_with_capture_suspended_and_read_from_stdin() -> None:
    capture = FakeCapture()
    prompt, out = _prompt("\n", capture)
    assert prompt.ask("please walk past camera Lobby (cam-1)") is True
    assert "walk past camera Lobby (cam-1)" in out.getvalue() and "press Enter" in out.getvalue()
    assert capture.calls == ["suspend(in_=True)", "resume"]


@pytest.mark.parametrize("answer", ["s\n", "skip\n", ""], ids=["s", "skip", "end-of-input"])
def test_the_operator_may_decline(answer: str) -> None:
    prompt, _ = _prompt(answer)
    assert prompt.ask("walk past camera cam-1") is False


def test_only_an_interactive_run_with_a_terminal_prompts() -> None:
    terminal, worker = (cast(pytest.Config, FakeConfig(FakeCapture(), worker=w)) for w in (False, True))
    assert OperatorPrompt.for_run(terminal, interactive=False) is None
    assert OperatorPrompt.for_run(worker, interactive=True) is None  # an xdist worker has no terminal
    assert OperatorPrompt.for_run(terminal, interactive=True) is not None


class CountingSocket:
    """A box that pushes `pushes` messages, then nothing; counts how often it was read."""

    def __init__(self, pushes: int = 0) -> None:
        self.left = pushes
        self.reads = 0

    def recv(self, timeout: float | None = None) -> WsMessage | None:
        self.reads += 1
        if self.left <= 0:
            return None
        self.left -= 1
        return WsMessage("text", json.dumps(PUSH), b"")


def _live_box(
    prompt: OperatorPrompt | None, traffic: LiveTraffic | None = None, cameras: tuple[str, ...] = ("cam-1",)
) -> LiveBox:
    known = tuple(Camera(c, "Lobby" if c == "cam-1" else "") for c in cameras)
    box = LiveBox(http_client=cast(Any, None), cameras=known, wait_s=0.3, prompt=prompt)
    box.traffic = traffic or LiveTraffic()
    return box


def test_an_empty_live_wait_asks_the_operator_once_and_waits_again() -> None:
    prompt, out = _prompt("\n")
    socket = cast(RecordingWebSocket, QuietSocket(prompt))
    received = _live_box(prompt).wait_for_pushes(socket, 1, devices=["cam-1"])
    assert [m["device_id"] for m in received.events] == ["cam-1"]
    assert len(prompt.asked) == 1 and "Lobby (cam-1)" in prompt.asked[0]
    assert "0 of 1 live recognition(s) came within 0.3 s" in out.getvalue()


def test_without_interactive_the_wait_is_for_natural_traffic_only() -> None:
    prompt, _ = _prompt("\n")
    socket = cast(RecordingWebSocket, QuietSocket(prompt))
    with pytest.raises(NotExercised, match="--live-wait"):  # nothing came on every camera: a quiet box
        _live_box(None).wait_for_pushes(socket, 1, devices=["cam-1"])
    assert prompt.asked == []


def test_a_declined_prompt_does_not_wait_again() -> None:
    prompt, _ = _prompt("s\n")
    socket = cast(RecordingWebSocket, QuietSocket(prompt))
    box = _live_box(prompt)
    with pytest.raises(NotExercised):
        box.wait_for_pushes(socket, 1)
    assert len(prompt.asked) == 1 and box.waited_s < 0.3 + 0.3


def test_a_quiet_box_is_waited_for_once_per_session() -> None:
    """The first empty wait on every camera ends not exercised; later waits end so at once, same reason."""
    traffic = LiveTraffic()
    first, later = CountingSocket(), CountingSocket()
    with pytest.raises(NotExercised) as waited:
        _live_box(None, traffic).wait_for_pushes(cast(RecordingWebSocket, first), 1)
    assert first.reads > 0 and "the session waited once" in str(waited.value)
    with pytest.raises(NotExercised) as at_once:
        _live_box(None, traffic).wait_for_pushes(cast(RecordingWebSocket, later), 1, devices=["cam-1"])
    assert later.reads == 0 and str(at_once.value) == str(waited.value)


def test_a_recognition_seen_keeps_the_session_waiting() -> None:
    """Once any test saw a push, an empty wait is that test's own lack of data, not a quiet box."""
    traffic = LiveTraffic()
    got = _live_box(None, traffic).wait_for_pushes(cast(RecordingWebSocket, CountingSocket(1)), 1)
    assert len(got.events) == 1 and traffic.seen
    empty = _live_box(None, traffic).wait_for_pushes(cast(RecordingWebSocket, CountingSocket()), 1)
    assert empty.events == [] and not traffic.quiet_reason


def test_an_empty_wait_on_some_cameras_proves_no_quiet_box() -> None:
    """A client following part of the cameras may wait in vain while the others record: not a quiet box."""
    traffic = LiveTraffic()
    box = _live_box(None, traffic, cameras=("cam-1", "cam-2"))
    empty = box.wait_for_pushes(cast(RecordingWebSocket, CountingSocket()), 1, devices=["cam-1"])
    assert empty.events == [] and not traffic.quiet_reason


def test_run_passes_interactive_to_the_suite(tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    run_cmd.add_parser(parser.add_subparsers())
    assert "--interactive" in run_cmd._pytest_argv(parser.parse_args(["run", "--interactive"]), tmp_path, [])
    assert "--interactive" not in run_cmd._pytest_argv(parser.parse_args(["run"]), tmp_path, [])


def test_the_suite_reads_interactive(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        "from conformance.suite.options import read_options\n"
        "def pytest_configure(config):\n"
        "    print('interactive=%s' % read_options(config).interactive)\n"
    )
    result = pytester.runpytest_subprocess("--interactive", "-p", "no:randomly", "-s", "--co")
    result.stdout.fnmatch_lines(["interactive=True"])
