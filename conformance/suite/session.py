"""The plugin's stateful part, registered only for conformance runs: preflight, markers, counts."""

from __future__ import annotations

import json
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from conformance.exit_codes import ExitCode
from conformance.suite.markers import marker_problems, requirement_ids
from conformance.suite.options import ConformanceOptions
from conformance.suite.uploads import WORKERINPUT_KEY, RunUploads, UploadSetupError
from conformance.target.preflight import TOTAL_DEADLINE_S, PreflightError, preflight
from conformance.target.target import Target

STATS_KEY = "sophon_conformance_stats"
REQUIREMENTS_SECTION = "sophon-conformance: requirements of this test"


class ExchangeCounter:
    """Counts HTTP exchanges made outside the recording clients (schemathesis calls)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.count = 0

    def add(self, amount: int = 1) -> None:
        """Count exchanges; thread-safe."""
        with self._lock:
            self.count += amount

    def hook(self, response: Any, *_args: Any, **_kwargs: Any) -> Any:
        """A requests response hook that counts every response."""
        self.add()
        return response


class ConformanceSession:
    """Per-process state of a conformance run; on an xdist controller it only aggregates the workers."""

    def __init__(self, config: pytest.Config, options: ConformanceOptions) -> None:
        self.config = config
        self.options = options
        self.target: Target | None = None
        self.extra = ExchangeCounter()
        self.logs: list[Any] = []  # ExchangeLogs of the recording clients created by fixtures
        self.worker_exchanges = 0
        self.started = time.monotonic()
        self.outcome = "ran"
        self.message = ""
        self.is_worker = hasattr(config, "workerinput")
        self.is_controller = not self.is_worker and config.pluginmanager.getplugin("dsession") is not None
        run_dir = Path(options.stats_path).parent if options.stats_path else None
        self.uploads = RunUploads(options, run_dir, is_worker=self.is_worker)
        self._previous_sigterm: Any = None
        if not self.is_worker and threading.current_thread() is threading.main_thread():
            # SIGTERM ends the run like Ctrl-C: fixtures tear down, the box's upload setting is restored
            self._previous_sigterm = signal.signal(signal.SIGTERM, _interrupt)

    @property
    def exchange_count(self) -> int:
        """HTTP exchanges made by this process, plus every worker's when this is the controller."""
        return self.extra.count + sum(int(log.total) for log in self.logs) + self.worker_exchanges

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        """Preflight a real box before any test; an unreachable one ends the run with exit code 3."""
        config = self.options.target
        if config is None or self.config.option.collectonly:
            return
        try:
            self.target = preflight(
                config, reach_window_s=self.options.preflight_timeout_s, total_deadline_s=TOTAL_DEADLINE_S
            )
        except PreflightError as exc:
            self.outcome = (
                "box_unreachable" if exc.exit_code == ExitCode.BOX_UNREACHABLE else "preflight_failed"
            )
            self.message = str(exc)
            self._write_stats(int(exc.exit_code))
            pytest.exit(f"sophon-conformance: {exc}", returncode=int(exc.exit_code))
        self._attach_receiver()

    def _attach_receiver(self) -> None:
        """Real box: the controlling process starts the receiver (and, under xdist, redirects the box)."""
        assert self.target is not None
        workerinput = getattr(self.config, "workerinput", {})
        if self.is_worker and WORKERINPUT_KEY in workerinput:
            self.target = self.uploads.adopt_controller(self.target, workerinput[WORKERINPUT_KEY])
            return
        try:
            self.target = self.uploads.start_receiver_for(self.target)
        except UploadSetupError as exc:
            self.outcome = "preflight_failed"
            self.message = str(exc)
            self._write_stats(int(ExitCode.USAGE_ERROR))
            pytest.exit(f"sophon-conformance: {exc}", returncode=int(ExitCode.USAGE_ERROR))
        if self.is_controller and self.uploads.refusal(self.target) is None:
            try:  # workers share the box: redirect once, here, before they start
                self.uploads.ensure_route(self.target)
            except UploadSetupError as exc:
                self.message = str(exc)

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        """Give each xdist worker the controller's receiver and redirect state (real box only)."""
        if self.options.target is not None:
            node.workerinput[WORKERINPUT_KEY] = self.uploads.for_workers(self.target)

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        """Refuse tests without requirement ids; mark what this target cannot run as skipped."""
        problems = marker_problems(items, _known_requirement_ids())
        if problems:
            raise pytest.UsageError(
                "sophon-conformance: every conformance test needs @pytest.mark.req(<requirement ids>):\n  "
                + "\n  ".join(problems)
            )
        no_control = pytest.mark.skip(
            reason="needs the emulator control plane: the target has none (give --control-url to run it)"
        )
        no_writes = pytest.mark.skip(
            reason="changes box settings: pass --allow-writes to run it on a real box"
        )
        for item in items:
            if item.get_closest_marker("needs_control") and not self.options.has_control:
                item.add_marker(no_control)
            if item.get_closest_marker("writes_box") and not (
                self.options.embedded or self.options.allow_writes
            ):
                item.add_marker(no_writes)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Any:
        """Count the test's HTTP exchanges and attach them to its Allure result as steps."""
        before = [int(log.total) for log in self.logs]
        try:
            return (yield)
        finally:
            self._record_evidence(item, before)

    def _record_evidence(self, item: pytest.Item, before: list[int]) -> None:
        from conformance.report.recorder import EXCHANGES_PROPERTY
        from conformance.suite.evidence import WS_SESSIONS, attach_exchanges, attach_ws_sessions

        made = 0
        exchanges: list[Any] = []
        for index, log in enumerate(self.logs):
            new = int(log.total) - (before[index] if index < len(before) else 0)
            made += new
            exchanges += log.recent(new)
        item.user_properties.append((EXCHANGES_PROPERTY, made))
        if self.config.pluginmanager.hasplugin("allure_pytest"):
            attach_exchanges(exchanges)
            sessions = item.stash.get(WS_SESSIONS, None)  # filled by the ws_connect fixture
            attach_ws_sessions(sessions or ())

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
        """Every failure names its requirement ids, also failures raised by schemathesis or plain asserts."""
        report = yield
        if report.failed and hasattr(report.longrepr, "addsection"):
            ids = requirement_ids(item)
            if ids and not any(name == REQUIREMENTS_SECTION for name, *_ in report.longrepr.sections):
                report.longrepr.addsection(REQUIREMENTS_SECTION, f"Requirements: {', '.join(ids)}")
        return report

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        """Add a finished xdist worker's exchange count to the run's total."""
        output = getattr(node, "workeroutput", {}) or {}
        self.worker_exchanges += int(output.get(STATS_KEY, {}).get("exchanges", 0))

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        """Hand the counts to the xdist controller, or write the run's statistics."""
        if not self.uploads.close():
            self.message = "the box's HistoryEventUrl setting could not be restored (see the log)"
        if self._previous_sigterm is not None:
            signal.signal(signal.SIGTERM, self._previous_sigterm)
            self._previous_sigterm = None
        if self.is_worker:
            workeroutput: dict[str, Any] = self.config.workeroutput  # type: ignore[attr-defined]
            workeroutput[STATS_KEY] = {"exchanges": self.exchange_count}
            return
        self._write_stats(int(exitstatus))

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """Print the HTTP exchange count and the target at the end of the run."""
        if self.is_worker:
            return
        where = "embedded emulator" if self.options.target is None else self.options.target.box_url
        terminalreporter.write_sep("-", "sophon-conformance")
        terminalreporter.write_line(
            f"HTTP exchanges: {self.exchange_count} against {where} (profile {self.options.profile})"
        )

    def _write_stats(self, exit_code: int) -> None:
        if not self.options.stats_path:
            return
        stats = {
            "outcome": self.outcome,
            "message": self.message,
            "exit_code": exit_code,
            "exchanges": self.exchange_count,
            "wall_s": round(time.monotonic() - self.started, 3),
            "profile": self.options.profile,
            "target": "emulator" if self.options.target is None else self.options.target.box_url,
            "firmware_version": None if self.target is None else self.target.firmware_version,
            "capabilities": None if self.target is None else self.target.capabilities.describe(),
        }
        path = Path(self.options.stats_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(stats, indent=2) + "\n", encoding="utf-8")


def _known_requirement_ids() -> tuple[str, ...] | None:
    """Requirement ids from the catalog; None (format check only) while the catalog is not there."""
    from conformance.paths import REQUIREMENTS_PATH

    if not REQUIREMENTS_PATH.exists():
        return None
    from conformance.spec.requirements import load_requirements

    return load_requirements().ids


def _interrupt(signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")
