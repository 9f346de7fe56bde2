"""Our tools' security: loopback by default, a closed control plane, no path escapes, no leaked secrets."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from conformance.emulator.server import EmulatorConfig, RunningEmulator, start_emulator_thread
from conformance.receiver.config import ReceiverConfig
from conformance.receiver.server import warn_if_exposed
from tests.reliability.cli_runs import run_cli

TIMEOUT = (5.0, 30.0)
TOKEN = "reliability-token-7f3a"
BOX_LOGIN = ("admin", "admin")  # the emulator's only account (routes_v2.login)
ESCAPES = (
    "..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "%2Fetc%2Fpasswd",
    "..%5C..%5Cwindows%5Cwin.ini",
    "....%2F%2F....%2F%2Fetc%2Fpasswd",
    "%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
)


def _emulator(tmp_path: Path, **changes: object) -> RunningEmulator:
    config = EmulatorConfig(http_port=0, ws_port=0, version_port=-1, db_path=tmp_path / "box.sqlite3")
    for name, value in changes.items():
        setattr(config, name, value)
    return start_emulator_thread(config)


@pytest.fixture
def closed_emulator(tmp_path: Path) -> Iterator[RunningEmulator]:
    running = _emulator(tmp_path)
    yield running
    running.stop()


def test_servers_bind_loopback_by_default() -> None:
    assert EmulatorConfig().host == "127.0.0.1"
    assert ReceiverConfig().host == "127.0.0.1"


def test_receiver_says_so_when_bound_wider(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="conformance.receiver")
    assert warn_if_exposed(ReceiverConfig(host="0.0.0.0")) is True
    assert "0.0.0.0" in caplog.text
    caplog.clear()
    assert warn_if_exposed(ReceiverConfig(host="127.0.0.1")) is False
    assert caplog.text == ""


def test_control_plane_is_off_by_default(closed_emulator: RunningEmulator) -> None:
    for path in ("stats", "reset", "events"):
        response = requests.post(f"{closed_emulator.control_url}/{path}", json={}, timeout=TIMEOUT)
        assert response.status_code in (404, 405), (path, response.status_code)
    assert requests.get(f"{closed_emulator.control_url}/stats", timeout=TIMEOUT).status_code == 404


def test_control_plane_token_is_required_when_set(tmp_path: Path) -> None:
    running = _emulator(tmp_path, control=True, control_token=TOKEN)
    try:
        url = f"{running.control_url}/stats"
        assert requests.get(url, timeout=TIMEOUT).status_code == 401
        wrong = {"Authorization": "Bearer not-the-token"}
        assert requests.get(url, headers=wrong, timeout=TIMEOUT).status_code == 401
        right = {"Authorization": f"Bearer {TOKEN}"}
        assert requests.get(url, headers=right, timeout=TIMEOUT).status_code == 200
    finally:
        running.stop()


@pytest.mark.parametrize("image_id", ESCAPES)
def test_image_ids_cannot_escape(closed_emulator: RunningEmulator, image_id: str) -> None:
    url = f"{closed_emulator.http_url}/sophon/v2/face/getspotimage/{image_id}?timestamp=1"
    response = requests.get(url, timeout=TIMEOUT)
    assert 400 <= response.status_code < 500, response.status_code
    assert b"root:" not in response.content and b"[fonts]" not in response.content


def secrets_in(folder: Path, secrets: tuple[str, ...]) -> list[str]:
    """Files under `folder` (and their names) that contain any of the secrets."""
    hits: list[str] = []
    for path in sorted(folder.rglob("*")):
        text = path.name if path.is_dir() else path.name + "\n" + path.read_bytes().decode("utf-8", "replace")
        if any(secret in text for secret in secrets):
            hits.append(str(path.relative_to(folder)))
    return hits


def test_secret_grep_finds_a_planted_secret(tmp_path: Path) -> None:
    """Negative case for the grep below."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "junit.xml").write_text('<property value="--password=hunter2"/>', encoding="utf-8")
    assert secrets_in(tmp_path, ("hunter2",)) == ["sub/junit.xml"]


def test_box_login_never_reaches_reports_or_output(closed_emulator: RunningEmulator, tmp_path: Path) -> None:
    username, password = BOX_LOGIN
    run = run_cli(
        closed_emulator.http_url,
        tmp_path / "reports",
        ["--username", username, "--password", password, "--", "-k", "Devices"],
    )
    assert run.run_dir is not None, run.describe()  # the login worked and the run wrote its folder
    assert secrets_in(tmp_path / "reports", (password,)) == []
    assert f"--password={password}" not in run.output and f"'{password}'" not in run.output
