"""Child runs forked from a warm process instead of started as new interpreters, when a test session asks.

A child run's fixed cost is mostly start-up: two interpreters (`run` and its pytest) importing pytest, its
plugins and the package, and loading the spec, for every run. When `WARM_LAUNCHER_ENV` names a fork server
script (the project's tests/conftest.py names tests/warm_launcher.py), `run_child` sends its command line
there: one server per process, started on first use, forks a child per run. The child's log, exit code,
process group and stop signals are those of a `subprocess.Popen` child. Without the variable, or when the
server cannot start, runs start as new interpreters (child_run.py); the outcome of a run is the same.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import subprocess
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from conformance.paths import PROJECT_ROOT

WARM_LAUNCHER_ENV = "SOPHON_WARM_LAUNCHER"
READY_TIMEOUT_S = 180.0  # the server imports everything a run imports before it answers
CLOSE_TIMEOUT_S = 60.0  # at exit: time the server gets to see its last children end
LOST = -1  # exit code reported when the server died before the child's end was known


@dataclass
class _Pending:
    """What the server said about one request."""

    started: threading.Event = field(default_factory=threading.Event)
    ended: threading.Event = field(default_factory=threading.Event)
    pid: int = 0
    exit_code: int = LOST
    cpu_s: float = 0.0  # CPU seconds of the child and its waited-for children, as the server measured
    error: str = ""


class WarmChild:
    """A child run forked by the server: its pid (a process group leader) and Popen's wait."""

    def __init__(self, pid: int, pending: _Pending, argv: list[str]) -> None:
        self.pid = pid
        self._pending = pending
        self._argv = argv

    def wait(self, timeout: float | None = None) -> int:
        """The exit code (-N after signal N); subprocess.TimeoutExpired after `timeout` seconds."""
        if not self._pending.ended.wait(timeout):
            raise subprocess.TimeoutExpired(self._argv, timeout or 0.0)
        return self._pending.exit_code

    @property
    def cpu_s(self) -> float:
        """CPU seconds of the ended child and its children (0 before it ended)."""
        return self._pending.cpu_s


class WarmLauncher:
    """One fork server and the requests this process sent it (thread-safe: `mutants --jobs` uses threads)."""

    def __init__(self, script: Path, env: Mapping[str, str]) -> None:
        self._lock = threading.Lock()
        self._pending: dict[int, _Pending] = {}
        self._next_id = 0
        self._alive = True
        self._server = subprocess.Popen(
            [sys.executable, str(script)],
            cwd=PROJECT_ROOT,
            env=dict(env),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl-C of the session reaches the runs through their own groups
        )
        assert self._server.stdout is not None
        ready = b""  # the server's first line: ready, or why not
        if select.select([self._server.stdout], [], [], READY_TIMEOUT_S)[0]:
            ready = self._server.stdout.readline()
        message = json.loads(ready) if ready.strip() else {"error": "no answer from the fork server"}
        if "ready" not in message:
            self._server.kill()
            self._server.communicate()  # reaps it and closes its pipes
            raise OSError(str(message.get("error")))
        self._reader = threading.Thread(target=self._read, args=(self._server.stdout,), daemon=True)
        self._reader.start()
        atexit.register(self.close)

    def close(self) -> None:
        """End the server (it waits for its running children) and reap it."""
        assert self._server.stdin is not None
        with contextlib.suppress(OSError):
            self._server.stdin.close()
        try:
            self._server.wait(timeout=CLOSE_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self._server.kill()
            self._server.wait()

    def _read(self, stream: IO[bytes]) -> None:
        for line in stream:
            message: dict[str, Any] = json.loads(line)
            with self._lock:
                pending = self._pending.get(int(message["id"]))
            if pending is None:
                continue
            if "pid" in message:
                pending.pid = int(message["pid"])
                pending.started.set()
            elif "exit" in message or "error" in message:
                pending.exit_code = int(message.get("exit", LOST))
                pending.cpu_s = float(message.get("cpu", 0.0))
                pending.error = str(message.get("error", ""))
                pending.started.set()
                pending.ended.set()
        with self._lock:  # the server is gone: nobody will report the runs still pending
            self._alive = False
            for pending in self._pending.values():
                pending.error = pending.error or "the fork server ended"
                pending.started.set()
                pending.ended.set()

    def start(self, argv: list[str], env: Mapping[str, str], log: Path) -> WarmChild | None:
        """Fork `argv` (`python -m conformance …`) with its output appended to `log`; None if refused."""
        pending = _Pending()
        with self._lock:
            if not self._alive:
                return None
            self._next_id += 1
            request_id = self._next_id
            self._pending[request_id] = pending
            request = {"id": request_id, "argv": argv, "env": dict(env), "log": str(log)}
            assert self._server.stdin is not None
            try:
                self._server.stdin.write((json.dumps(request) + "\n").encode())
                self._server.stdin.flush()
            except OSError:
                self._alive = False
                return None
        pending.started.wait()
        if not pending.pid:
            return None
        return WarmChild(pending.pid, pending, argv)


_LAUNCHERS: dict[int, WarmLauncher | None] = {}  # per process id: a forked process needs its own server
_STARTING = threading.Lock()


def warm_launcher(env: Mapping[str, str]) -> WarmLauncher | None:
    """This process's fork server when `env` names one (started on first use); None otherwise."""
    script = env.get(WARM_LAUNCHER_ENV, "")
    if not script:
        return None
    with _STARTING:
        if os.getpid() not in _LAUNCHERS:
            try:
                _LAUNCHERS[os.getpid()] = WarmLauncher(Path(script), env)
            except (OSError, ValueError):
                _LAUNCHERS[os.getpid()] = None  # new interpreters then, as without the variable
        return _LAUNCHERS[os.getpid()]
