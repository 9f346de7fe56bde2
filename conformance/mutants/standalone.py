"""A standalone emulator subprocess on free ports (for tools that need a URL, like the schemathesis CLI)."""

from __future__ import annotations

import queue
import re
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from conformance.mutants.child_run import child_env
from conformance.paths import PROJECT_ROOT

STARTUP_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0
SERVING = re.compile(r"emulator serving (http://[0-9.]+:\d+)")
SCENARIO = PROJECT_ROOT / "scenarios" / "small-office.yaml"
SCENARIO_CLOCK = "frozen:1700000600000"  # the clock small-office.yaml is written for
# site mode (no control plane, history, live recognitions), as the blind child runs meet it
SITE_ARGS = ("--site", "--live-rate", "5", "--history-days", "2", "--history-per-day", "1500")


class EmulatorStartError(RuntimeError):
    """The emulator subprocess exited or stayed silent instead of serving."""


class StandaloneEmulator:
    """`sophon-conformance emulator` in a child process; the URL is read from its startup log line."""

    def __init__(self, workdir: Path, faults: Sequence[str] = (), *, site: bool = False) -> None:
        self.workdir = workdir
        self.faults = tuple(faults)
        self.site = site
        self.url = ""
        self._process: subprocess.Popen[str] | None = None
        self._pumper: threading.Thread | None = None
        self._log = workdir / "emulator.log"

    def argv(self) -> list[str]:
        """The child command line: free ports, own database, small-office scenario and frozen clock (or site
        mode: recorded history, live recognitions, real clock)."""
        argv = [sys.executable, "-m", "conformance", "emulator", "--http-port", "0", "--ws-port", "0"]
        argv += ["--version-port", "-1", "--db", str(self.workdir / "emulator.sqlite3")]
        argv += list(SITE_ARGS) if self.site else ["--scenario", str(SCENARIO), "--clock", SCENARIO_CLOCK]
        for name in self.faults:
            argv += ["--fault", name]
        return argv

    def __enter__(self) -> StandaloneEmulator:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._process = subprocess.Popen(
            self.argv(),
            cwd=PROJECT_ROOT,
            env=child_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        lines: queue.Queue[str | None] = queue.Queue()
        self._pumper = threading.Thread(target=self._pump, args=(lines,), daemon=True)
        self._pumper.start()
        while True:
            try:
                line = lines.get(timeout=STARTUP_TIMEOUT_S)
            except queue.Empty:
                self.stop()
                raise EmulatorStartError(
                    f"emulator silent for {STARTUP_TIMEOUT_S:.0f} s; see {self._log}"
                ) from None
            if line is None:
                self.stop()
                raise EmulatorStartError(f"emulator exited before serving; see {self._log}")
            found = SERVING.search(line)
            if found:
                self.url = found.group(1)
                return self

    def _pump(self, lines: queue.Queue[str | None]) -> None:
        """Copy the child's output to its log file, handing each line to the startup wait."""
        assert self._process is not None and self._process.stdout is not None
        with self._log.open("w", encoding="utf-8") as log, self._process.stdout as stream:
            for line in stream:
                log.write(line)
                log.flush()
                lines.put(line)
        lines.put(None)

    def stop(self) -> None:
        """Terminate the child (SIGTERM, then SIGKILL); safe to call twice."""
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(STOP_TIMEOUT_S)
        if self._pumper is not None:
            self._pumper.join(STOP_TIMEOUT_S)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
