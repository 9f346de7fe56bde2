"""pytest plugin class printing `progress: 12/40 tests done, 1 failing` while a run goes; silent with -q."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any, TextIO

import pytest

LINES_WHEN_NOT_A_TERMINAL = 10  # a log file gets about ten lines per run, not one per test


class ProgressReporter:
    """Counts finished tests on the controller; a terminal gets one rewritten line, a log file a few lines."""

    def __init__(self, stream: TextIO | None = None, *, quiet: bool = False) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.quiet = quiet
        self.total = 0
        self.done = 0
        self.failing = 0
        self._next_line_at = 0
        self._printed_at = -1
        self._failed_nodes: set[str] = set()
        self._is_tty = bool(getattr(self.stream, "isatty", lambda: False)())

    @classmethod
    def for_config(cls, config: pytest.Config, stream: TextIO | None = None) -> ProgressReporter:
        """A reporter that is quiet when pytest runs with -q (or -qq)."""
        return cls(stream, quiet=int(config.get_verbosity()) < 0)

    def line(self) -> str:
        """The progress line as it stands."""
        total = f"/{self.total}" if self.total else ""
        return f"progress: {self.done}{total} tests done, {self.failing} failing"

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Without xdist: the total is what was collected."""
        self._set_total(len(session.items))

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: Sequence[str]) -> None:
        """With xdist: every worker collects the same tests; the total is one worker's count."""
        self._set_total(len(ids))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Count a test once, at teardown; it is failing if any phase failed."""
        if report.failed and report.nodeid not in self._failed_nodes:
            self._failed_nodes.add(report.nodeid)
            self.failing += 1
        if report.when == "teardown":
            self.done += 1
            self._emit()

    def pytest_sessionfinish(self) -> None:
        """End the rewritten terminal line so pytest's summary starts on a fresh one."""
        if self.quiet or self.done == 0:
            return
        if self._is_tty:
            self.stream.write("\n")
        elif self._printed_at != self.done:
            self.stream.write(self.line() + "\n")
        self.stream.flush()

    def _set_total(self, total: int) -> None:
        self.total = max(self.total, total)
        self._next_line_at = self._step()

    def _step(self) -> int:
        return max(1, -(-self.total // LINES_WHEN_NOT_A_TERMINAL)) if self.total else 1

    def _emit(self) -> None:
        if self.quiet:
            return
        if self._is_tty:
            self.stream.write("\r" + self.line())
        elif self.done >= self._next_line_at or self.done == self.total:
            self.stream.write(self.line() + "\n")
            self._printed_at = self.done
            self._next_line_at = self.done + self._step()
        else:
            return
        self.stream.flush()
