"""A warm fork server for the child runs of the project's own tests (docs/ci.md, "Warm child runs").

Every child run is `python -m conformance run …`, which starts `python -m pytest …`: two interpreters that
import pytest, its plugins, schemathesis, hypothesis, the emulator and the conformance package, and load
the requirement catalog and the spec — about two CPU-seconds before the first test, paid ~150 times per
session. This process pays it once: it imports all that the way the inner pytest would (through pytest's
assertion-rewriting hook, so the run's modules are rewritten exactly as in a fresh pytest and pytest sees
them as rewritten), then forks one child per request. The child runs `python -m conformance …` with the
request's environment, working folder and log, in its own session (process group); its `run` forks the
inner pytest the same way (`run_cmd.PYTEST_LAUNCHER`) instead of starting an interpreter.

Started by `conformance/mutants/warm_launch.py` (one per process that makes child runs) when
`SOPHON_WARM_LAUNCHER` names this file, which tests/conftest.py does for a test session; the
user-facing commands never use it. Protocol: JSON lines. stdin: {"id", "argv", "env", "log"}; stdout:
{"ready"} once, then {"id", "pid"} when a child started and {"id", "exit", "cpu"} when it ended (or
{"id", "error"}). Test modules and conftest files are never imported here: pytest imports them in each run.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import importlib
import json
import os
import pkgutil
import runpy
import select
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SUITE_DIR = PROJECT_ROOT / "conformance" / "suite" / "interfaces"
SERVERS_PLUGIN = "conformance.cli.embedded_box"
POLL_S = 0.05  # how often ended children are reaped while no request arrives


def warm_up() -> None:
    """Import what a run imports, through pytest's rewriting hook, and load the cached spec data."""
    import _pytest.config
    from _pytest.assertion.rewrite import AssertionRewritingHook

    args = [str(SUITE_DIR), "-p", SERVERS_PLUGIN, "--conformance", f"--rootdir={PROJECT_ROOT}"]
    _pytest.config._prepareconfig([*args, "-p", "no:cacheprovider", "--capture=no"])
    import conformance

    for info in pkgutil.walk_packages(conformance.__path__, "conformance."):
        leaf = info.name.rsplit(".", 1)[-1]
        if not (leaf.startswith("test_") or leaf in ("conftest", "__main__")):
            importlib.import_module(info.name)
    from conformance.cli import run_cmd
    from conformance.emulator.faces.identity_code import projection
    from conformance.spec.catalog import load_spec
    from conformance.spec.requirements import load_requirements

    assert (run_cmd.SUITE_DIR, run_cmd.SERVERS_PLUGIN) == (SUITE_DIR, SERVERS_PLUGIN), "run_cmd moved"
    load_requirements()
    for profile in ("strict", "lenient"):
        load_spec(profile)
    projection()
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, AssertionRewritingHook)]
    run_cmd.PYTEST_LAUNCHER = fork_pytest
    if threading.active_count() != 1:
        raise RuntimeError(f"{threading.active_count()} threads after warm-up: forking is unsafe")
    # the warm heap never becomes garbage: frozen, no child's collection (pytest's last ones too) walks it
    gc.collect()
    gc.freeze()


class ForkedChild:
    """A child forked by this process, with the part of Popen's interface `run` uses."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def wait(self, timeout: float | None = None) -> int:
        """Its exit code (-N after signal N); subprocess.TimeoutExpired after `timeout` seconds."""
        import subprocess
        import time

        deadline = None if timeout is None else time.monotonic() + timeout
        while self.returncode is None:
            pid, status = os.waitpid(self.pid, 0 if deadline is None else os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
            elif deadline is not None and time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired(["pytest"], timeout or 0.0)
            else:
                time.sleep(POLL_S)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        """Signal the child (not its group), as Popen.send_signal."""
        if self.returncode is None:
            os.kill(self.pid, sig)

    def kill(self) -> None:
        """SIGKILL the child."""
        self.send_signal(signal.SIGKILL)


def fork_pytest(argv: list[str], env: dict[str, str], stdout: int | None) -> ForkedChild | Any:
    """`run`'s inner pytest (`python -m pytest …`) as a fork of this warm process, in its own session.

    A run that started threads first (a hosted site box) gets a new interpreter: forking beside running
    threads could copy a lock one of them holds.
    """
    if threading.active_count() != 1:
        import subprocess

        return subprocess.Popen(argv, cwd=PROJECT_ROOT, env=env, stdout=stdout, start_new_session=True)
    devnull = stdout is not None
    return ForkedChild(fork_module(argv, env, lambda: _quiet() if devnull else None))


def _quiet() -> None:
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.close(null)


def fork_module(argv: list[str], env: dict[str, str], redirect: Callable[[], None]) -> int:
    """Fork a child that runs `argv` (`<python> -m <module> args…`) like a new interpreter would."""
    if len(argv) < 3 or argv[1] != "-m":
        raise ValueError(f"not a `python -m module` command: {argv[:3]}")
    sys.stdout.flush()
    sys.stderr.flush()
    leader_r, leader_w = os.pipe()  # closed by the child once it leads its own process group
    pid = os.fork()
    if pid:
        os.close(leader_w)
        os.read(leader_r, 1)  # so a caller may signal the group `pid` as soon as it has the pid
        os.close(leader_r)
        return pid
    code = 1
    try:
        os.close(leader_r)
        os.setsid()
        os.close(leader_w)
        redirect()
        os.chdir(PROJECT_ROOT)
        os.environ.clear()
        os.environ.update(env)
        sys.dont_write_bytecode = bool(env.get("PYTHONDONTWRITEBYTECODE"))
        sys.pycache_prefix = env.get("PYTHONPYCACHEPREFIX") or None
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for sig in (signal.SIGTERM, signal.SIGCHLD, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        sys.argv = [argv[0], *argv[3:]]
        code = _run_module(argv[2])
    except BaseException:  # the child must never return into the caller's stack
        traceback.print_exc()
    _exit(code)


def _run_module(module: str) -> int:
    """`python -m module` in this process; its exit code as the interpreter would report it."""
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        print(exc.code, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        traceback.print_exc()
        _flush()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)  # an interpreter ends by SIGINT on an unhandled Ctrl-C
        return 130
    except BaseException:
        traceback.print_exc()
        return 1
    return 0


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()


def _exit(code: int) -> NoReturn:
    """End a child as the interpreter does: join non-daemon threads, run atexit, flush; then _exit."""
    try:
        threading._shutdown()  # type: ignore[attr-defined]
        atexit._run_exitfuncs()
    finally:
        _flush()
        os._exit(code & 0xFF)


class Server:
    """Reads requests, forks children, reports their pids and exit codes."""

    def __init__(self) -> None:
        self.running: dict[int, Any] = {}  # pid -> request id
        self.buffer = b""

    def reply(self, message: dict[str, Any]) -> None:
        os.write(1, (json.dumps(message) + "\n").encode())

    def start(self, request: dict[str, Any]) -> None:
        log = str(request["log"])

        def to_log() -> None:
            fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            os.close(fd)
            os.close(null)

        try:
            pid = fork_module(list(request["argv"]), dict(request["env"]), to_log)
        except (OSError, ValueError, KeyError) as exc:
            self.reply({"id": request.get("id"), "error": f"{type(exc).__name__}: {exc}"})
            return
        self.running[pid] = request["id"]
        self.reply({"id": request["id"], "pid": pid})

    def reap(self) -> None:
        while self.running:
            pid, status, usage = os.wait4(-1, os.WNOHANG)
            if not pid:
                return
            request_id = self.running.pop(pid, None)
            if request_id is not None:  # cpu: the child's and its waited-for children's (benchmarks)
                cpu = round(usage.ru_utime + usage.ru_stime, 3)
                self.reply({"id": request_id, "exit": os.waitstatus_to_exitcode(status), "cpu": cpu})

    def serve(self) -> None:
        """Until stdin closes; then wait for the children still running."""
        while True:
            readable, _, _ = select.select([0], [], [], POLL_S)
            if readable:
                chunk = os.read(0, 65536)
                if not chunk:
                    break
                self.buffer += chunk
                while b"\n" in self.buffer:
                    line, self.buffer = self.buffer.split(b"\n", 1)
                    if line.strip():
                        self.start(json.loads(line))
            self.reap()
        while self.running:
            pid, _ = os.waitpid(-1, 0)
            self.running.pop(pid, None)


def main() -> None:
    """Warm up (or say why not), then serve."""
    sys.path[0] = str(PROJECT_ROOT)  # as for `python -m …` started in the project folder
    os.chdir(PROJECT_ROOT)
    server = Server()
    try:
        warm_up()
    except BaseException as exc:
        server.reply({"error": f"warm-up failed: {type(exc).__name__}: {exc}"})
        raise
    server.reply({"ready": os.getpid()})
    server.serve()


if __name__ == "__main__":
    main()
