"""The emulator as a child process (so it can be SIGKILLed), its URLs read from its startup log line."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

from conformance.paths import PROJECT_ROOT

START_DEADLINE_S = 30.0
TIMEOUT = (5.0, 30.0)
SERVING = re.compile(r"emulator serving (http://\S+), websocket (ws://\S+),")


class EmulatorProcess:
    """`sophon-conformance emulator --control` on free loopback ports with a given database file."""

    def __init__(self, db_path: Path, log_path: Path, token: str | None = None) -> None:
        self.db_path = db_path
        self.log_path = log_path
        self.token = token
        self.http_url = ""
        self.ws_url = ""
        self._process: subprocess.Popen[bytes] | None = None
        self.session = requests.Session()
        self.session.trust_env = False
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def start(self) -> EmulatorProcess:
        """Start and wait for the serving line; raises RuntimeError with the log when it does not come."""
        argv = [sys.executable, "-m", "conformance", "emulator", "--control", "--db", str(self.db_path)]
        argv += ["--http-port", "0", "--ws-port", "0", "--version-port", "-1"]
        if self.token:
            argv += ["--control-token", self.token]
        before = len(self._serving_lines())
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(argv, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_DEADLINE_S
        while time.monotonic() < deadline:
            found = self._serving_lines()
            if len(found) > before and self._process.poll() is None:
                self.http_url, self.ws_url = found[-1].group(1), found[-1].group(2)
                return self
            if self._process.poll() is not None:
                break
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"emulator did not start:\n{self.log_path.read_text(encoding='utf-8')[-2000:]}")

    @property
    def pid(self) -> int:
        """The running emulator's process id (to read its /proc entries)."""
        if self._process is None:
            raise RuntimeError("emulator not started")
        return self._process.pid

    def _serving_lines(self) -> list[re.Match[str]]:
        """Serving lines so far (a restart appends to the same log, so count them)."""
        if not self.log_path.exists():
            return []
        return list(SERVING.finditer(self.log_path.read_text(encoding="utf-8", errors="replace")))

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGKILL)
            self._process.wait(10)

    def stop(self) -> None:
        """SIGTERM and wait; SIGKILL when it does not stop in time."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.session.close()

    def control(self, path: str, body: Any = None) -> requests.Response:
        """POST (with a body) or GET a control-plane path."""
        url = f"{self.http_url}/_emulator/{path}"
        if body is None:
            return self.session.get(url, timeout=TIMEOUT)
        return self.session.post(url, json=body, timeout=TIMEOUT)

    def post(self, path: str, body: Any) -> requests.Response:
        """POST JSON to a box path."""
        return self.session.post(f"{self.http_url}{path}", json=body, timeout=TIMEOUT)
