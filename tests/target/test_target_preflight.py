"""Target configuration checks and preflight against a dead box; the control client's error path."""

from __future__ import annotations

import socket

import pytest

from conformance.exit_codes import ExitCode
from conformance.target.control_client import ControlClient, ControlPlaneError
from conformance.target.preflight import PreflightError, preflight
from conformance.target.target import TargetConfig


def _dead_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_dead_box_raises_box_unreachable() -> None:
    config = TargetConfig(box_url=_dead_url(), ws_url="ws://127.0.0.1:5679")
    with pytest.raises(PreflightError) as caught:
        preflight(config, reach_window_s=0.6, total_deadline_s=3)
    assert caught.value.exit_code == ExitCode.BOX_UNREACHABLE
    assert "box unreachable" in str(caught.value) and "Connection refused" in str(caught.value)


@pytest.mark.parametrize(
    ("box_url", "ws_url", "profile", "fragment"),
    [
        ("ftp://box", "ws://box:5679", "strict", "box URL"),
        ("http://box:5555", "http://box:5679", "strict", "WebSocket URL"),
        ("http://box:99999", "ws://box:5679", "strict", "invalid port"),
        ("http://box:5555", "ws://box:5679", "loose", "profile"),
    ],
)
def test_bad_target_config_is_refused(box_url: str, ws_url: str, profile: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        TargetConfig(box_url=box_url, ws_url=ws_url, profile=profile)


def test_target_names_and_version_url() -> None:
    config = TargetConfig(box_url="http://192.168.1.180:5555", ws_url="ws://192.168.1.180:5679")
    assert config.name == "192-168-1-180"
    assert config.default_version_url == "http://192.168.1.180:8888/sophon/v2/system/getsoftwareversion"
    assert (
        TargetConfig(box_url="http://127.0.0.1:1", ws_url="ws://127.0.0.1:2", embedded=True).name
        == "emulator"
    )


def test_control_client_names_the_failed_call() -> None:
    with (
        ControlClient(_dead_url() + "/_emulator", timeout_s=2) as control,
        pytest.raises(ControlPlaneError) as caught,
    ):
        control.reset()
    assert "POST" in str(caught.value) and "/_emulator/reset" in str(caught.value)
