"""Acknowledged events survive a restart and `kill -9`; the CLI refuses bad flags; SIGTERM stops cleanly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from conformance.emulator.server import EmulatorConfig, start_emulator_thread
from tests.emulator.conftest import DEVICES

TIMEOUT = 10


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _spawn(db: Path, port: int, *extra: str) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "conformance", "emulator", "--http-port", str(port), "--ws-port", "0"]
    cmd += ["--version-port", "-1", "--db", str(db), "--control", *extra]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait_up(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else "exited"
        try:
            requests.get(f"{url}/_emulator/stats", timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise AssertionError("emulator did not start")


def test_restart_keeps_everything(tmp_path: Path) -> None:
    db = tmp_path / "keep.db"
    first = start_emulator_thread(
        EmulatorConfig(http_port=0, ws_port=0, version_port=-1, db_path=db, control=True)
    )
    requests.post(f"{first.control_url}/devices", json={"devices": DEVICES}, timeout=TIMEOUT)
    ids = requests.post(
        f"{first.control_url}/events", json={"events": [{"device_id": "cam-a", "score": 40}]}, timeout=TIMEOUT
    ).json()["event_ids"]
    first.stop()
    second = start_emulator_thread(
        EmulatorConfig(http_port=0, ws_port=0, version_port=-1, db_path=db, control=True)
    )
    try:
        body = requests.post(f"{second.http_url}/sophon/v2/face/getevents", json={}, timeout=TIMEOUT).json()
        assert [e["event_id"] for e in body["events"]] == ids
    finally:
        second.stop()


def test_acknowledged_events_survive_kill_9(tmp_path: Path) -> None:
    db, port = tmp_path / "k9.db", _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = _spawn(db, port)
    acknowledged: list[str] = []
    try:
        _wait_up(url, proc)
        requests.post(
            f"{url}/_emulator/devices", json={"devices": DEVICES}, timeout=TIMEOUT
        ).raise_for_status()
        for n in range(20):
            events = [{"device_id": "cam-b", "score": 10 + n, "timestamp_ms": 1_600_000_000_000 + n * 100 + k}
                      for k in range(25)]  # fmt: skip
            answer = requests.post(f"{url}/_emulator/events", json={"events": events}, timeout=TIMEOUT)
            acknowledged += answer.json()["event_ids"]
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(TIMEOUT)
        if proc.stderr:
            proc.stderr.close()
    assert len(acknowledged) == 500
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = _spawn(db, port)
    try:
        _wait_up(url, proc)
        body = requests.get(f"{url}/SophonFace/api/events", params={"per_page": 1000}, timeout=TIMEOUT).json()
        assert {e["_id"] for e in body["data"]} == set(acknowledged)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(TIMEOUT) == 0  # SIGTERM is a clean stop
        if proc.stderr:
            proc.stderr.close()


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [sys.executable, "-m", "conformance", "emulator", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )


def test_cli_refuses_bad_flags(tmp_path: Path) -> None:
    for args, fragment in [
        (["--clock", "sometime"], "bad clock"),
        (["--fault", "nope"], "unknown fault"),
        (["--db", ":memory:"], ":memory:"),
        (["--http-port", "70000"], "port"),
    ]:
        base = ["--http-port", "0", "--ws-port", "0", "--version-port", "-1", "--db", str(tmp_path / "x.db")]
        result = _cli(*base, *args)  # the later flag wins
        assert result.returncode == 2, result.stderr
        assert fragment in result.stderr
        assert "Traceback" not in result.stderr


def test_cli_refuses_a_bad_scenario(tmp_path: Path) -> None:
    scenario = tmp_path / "bad.yaml"
    scenario.write_text(
        "scenario: t\nclock: {origin_ms: 1700000000000}\ndevices:\n  - device_id: d1\n    device_type: usb\n",
        encoding="utf-8",
    )
    base = ["--http-port", "0", "--ws-port", "0", "--version-port", "-1", "--db", str(tmp_path / "s.db")]
    result = _cli(*base, "--scenario", str(scenario))
    assert result.returncode == 2
    assert "device_type" in result.stderr and "Traceback" not in result.stderr
