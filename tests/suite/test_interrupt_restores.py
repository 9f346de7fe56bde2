"""Ctrl-C or SIGTERM in the middle of `sophon-conformance run` still puts the box's HistoryEventUrl setting
back, every key as it was read.

A standalone emulator (its own process, so it outlives the run) plays the real box; the run gets
--box-url/--control-url/--allow-writes and one probe test that holds the redirect, changes every key of the
setting (as the live-upload tests do) and sleeps.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from conformance.exit_codes import ExitCode
from conformance.paths import PROJECT_ROOT
from conformance.target.target import HISTORY_EVENT_URL_PATH

TIMEOUT = 5.0
START_DEADLINE_S = 30.0
ORIGINAL = {
    "history_upload_event_url": ["http://192.0.2.10:9528/platform/original", "http://192.0.2.11:80/b"],
    "history_need_reg_pic": False,
    "history_need_spot_pic": True,
    "history_need_recognize_face": False,
    "content-type": "form-data",
    "reported_peroid": 45,
}
CHANGED = {
    "history_upload_event_url": ["http://127.0.0.1:9/elsewhere"],
    "history_need_reg_pic": True,
    "history_need_spot_pic": False,
    "history_need_recognize_face": True,
    "content-type": "json",
    "reported_peroid": 60,
}
PROBE = """
import time
import pytest
import requests

@pytest.mark.req("UPC-CONFIG-001")
def test_holds_the_redirect(box_uploads_to_receiver, target):
    time.sleep(1.5)  # the harness sees the redirect first
    requests.post(target.box_url + "/SophonFogSys/api/HistoryEventUrl", json={changed!r}, timeout=5)
    time.sleep(120)
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until(condition: Any, deadline_s: float, what: str) -> None:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        try:
            if condition():
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def standalone_box(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    argv = [sys.executable, "-m", "conformance", "emulator", "--control", "--http-port", str(port)]
    argv += ["--ws-port", "0", "--version-port", "-1", "--db", str(tmp_path / "box.sqlite3")]
    argv += ["--log-level", "warning"]
    box = subprocess.Popen(argv, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until(lambda: requests.get(url + HISTORY_EVENT_URL_PATH, timeout=1).ok, START_DEADLINE_S, "box")
        assert requests.post(url + HISTORY_EVENT_URL_PATH, json=ORIGINAL, timeout=TIMEOUT).ok
        yield url
    finally:
        box.terminate()
        box.wait(timeout=10)


def _urls(box_url: str) -> list[str]:
    data = requests.get(box_url + HISTORY_EVENT_URL_PATH, timeout=TIMEOUT).json()["data"]
    return list(data["history_upload_event_url"])


def _setting(box_url: str) -> dict[str, Any]:
    data: dict[str, Any] = requests.get(box_url + HISTORY_EVENT_URL_PATH, timeout=TIMEOUT).json()["data"]
    return data


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
def test_interrupt_mid_run_restores_every_key_of_the_upload_setting(
    standalone_box: str, tmp_path: Path, stop: signal.Signals
) -> None:
    probe = tmp_path / "probe_redirect.py"
    probe.write_text(PROBE.format(changed=CHANGED), encoding="utf-8")
    argv = [sys.executable, "-m", "conformance", "run", "--box-url", standalone_box]
    argv += ["--control-url", f"{standalone_box}/_emulator", "--allow-writes", "-q"]
    argv += ["--reports-dir", str(tmp_path / "reports"), "--", str(probe), "-k", "test_holds_the_redirect"]
    argv += ["-p", "no:randomly"]
    run = subprocess.Popen(
        argv, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        _wait_until(
            lambda: _urls(standalone_box) != ORIGINAL["history_upload_event_url"], 60.0, "the redirect"
        )
        assert _urls(standalone_box)[0].endswith("/HistoryEvent")  # pointed at the run's receiver
        _wait_until(lambda: _urls(standalone_box) == CHANGED["history_upload_event_url"], 30.0, "the change")
        run.send_signal(stop)
        # generous: after the restore the run still writes its report (Allure HTML) on a busy machine
        output, _ = run.communicate(timeout=240)
    finally:
        if run.poll() is None:
            run.kill()
            run.communicate()  # reap it and close the pipe, so no file handle leaks into later tests
    assert run.returncode == ExitCode.INTERRUPTED, output[-2000:]
    after = _setting(standalone_box)
    assert {key: after.get(key) for key in ORIGINAL} == ORIGINAL, output[-2000:]
