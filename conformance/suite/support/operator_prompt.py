"""Operator-guided mode (`--interactive`): when a test needs a recognition and none came, ask a person.

Certification harnesses prompt for manual steps the same way. The prompt goes to the terminal with pytest's
output capture suspended (`capturemanager`), so it is visible while a test runs and the answer is read from
the real stdin. Without `--interactive`, or in an xdist worker (no terminal), nobody is asked and the test
waits for natural traffic only (CI).
"""

from __future__ import annotations

import sys
from typing import IO, Any

import pytest

SKIP_ANSWERS = frozenset({"s", "skip", "n", "no"})


class OperatorPrompt:
    """Asks the operator, on the terminal, to walk past a camera; `ask` says whether to wait once more."""

    def __init__(
        self, config: pytest.Config, stdin: IO[str] | None = None, stdout: IO[str] | None = None
    ) -> None:
        self._config = config
        self._stdin = stdin
        self._stdout = stdout
        self.asked: list[str] = []  # the requests made, for the test's evidence

    @staticmethod
    def for_run(config: pytest.Config, interactive: bool) -> OperatorPrompt | None:
        """A prompt when the run is interactive and this process owns the terminal, else None."""
        if not interactive or hasattr(config, "workerinput"):  # xdist workers have no terminal
            return None
        return OperatorPrompt(config)

    def ask(self, request: str) -> bool:
        """Show `request`, wait for Enter; False when the operator declines (s/skip/n) or stdin is closed."""
        self.asked.append(request)
        capture: Any = self._config.pluginmanager.getplugin("capturemanager")
        if capture is not None:
            capture.suspend_global_capture(in_=True)
        try:
            out = self._stdout or sys.stdout
            out.write(
                f"\n[sophon-conformance] operator: {request}\n  press Enter when done (s + Enter: skip) > "
            )
            out.flush()
            answer = (self._stdin or sys.stdin).readline()
        finally:
            if capture is not None:
                capture.resume_global_capture()
        return answer != "" and answer.strip().lower() not in SKIP_ANSWERS
