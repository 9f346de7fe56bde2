"""The plugin's stateful part, registered only for conformance runs: preflight, markers, counts."""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from conformance.clients.failures import ConformanceFailure
from conformance.exit_codes import ExitCode
from conformance.suite.markers import marker_problems, requirement_ids
from conformance.suite.options import ConformanceOptions
from conformance.suite.uploads import WORKERINPUT_KEY, RunUploads, UploadSetupError
from conformance.suite.worker_groups import WorkerGroups
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
        self.uploads = RunUploads(
            options,
            run_dir,
            is_worker=self.is_worker,
            start_receiver=config.hook.pytest_conformance_upload_receiver,
        )
        config.pluginmanager.register(WorkerGroups(), "sophon-conformance-worker-groups")
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
        """Real box: the controlling process starts the receiver; workers adopt it (and the run folder)."""
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
        # no redirect here: the first test that reads uploads asks for it (uploads.py), in any process

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
        """Count the test's HTTP exchanges (its evidence); put them and its failure into its Allure result."""
        before = [int(log.total) for log in self.logs]
        counted_before = self.extra.count  # schemathesis calls, counted by counted_session
        try:
            return (yield)
        except ConformanceFailure as failure:
            if self.config.pluginmanager.hasplugin("allure_pytest"):
                from conformance.suite.evidence import attach_failure

                attach_failure(failure)
            raise
        finally:
            self._record_evidence(item, before, self.extra.count - counted_before)

    def _record_evidence(self, item: pytest.Item, before: list[int], counted: int) -> None:
        from conformance.report.recorder import EXCHANGES_PROPERTY
        from conformance.suite.evidence import WS_SESSIONS, attach_exchanges, attach_ws_sessions

        made = counted
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
        """Every failure says which requirements it judged: only those its findings name (issue 16.4)."""
        report = yield
        sections = getattr(report.longrepr, "sections", None)
        if report.failed and sections is not None and REQUIREMENTS_SECTION not in (n for n, *_ in sections):
            error = None if call.excinfo is None else call.excinfo.value
            report.longrepr.addsection(REQUIREMENTS_SECTION, judged_text(requirement_ids(item), error))
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
        if self.uploads.silence_note:
            terminalreporter.write_line(f"uploads: {self.uploads.silence_note}")

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
            "control_plane": self.options.has_control,
            "firmware_version": None if self.target is None else self.target.firmware_version,
            "capabilities": None if self.target is None else self.target.capabilities.describe(),
        }
        path = Path(self.options.stats_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(stats, indent=2) + "\n", encoding="utf-8")


def judged_text(marker_ids: Sequence[str], error: BaseException | None) -> str:
    """What a failure judged: the ids its findings name; the other marker ids are counted, never listed.

    Listing them would let a reader (or a kill count) take a crash for a finding about those requirements.
    """
    from conformance.checks.findings import named_requirement_ids
    from conformance.report.recorder import carried_findings, failure_category

    findings = [] if error is None else carried_findings(error)
    named = named_requirement_ids(findings)
    others = len([rid for rid in marker_ids if rid not in named])
    not_judged = f"{others} other requirement(s) on the test's markers not judged by this failure"
    if named:
        return f"Judged by this failure's findings: {', '.join(named)} ({not_judged})"
    if error is not None and failure_category(error, "call", findings).value == "harness":
        return f"Harness error: no finding, so no requirement is judged (not a box defect; {not_judged})"
    return f"No finding names a requirement: none is judged ({not_judged})"


def _known_requirement_ids() -> tuple[str, ...] | None:
    """Requirement ids from the catalog; None (format check only) while the catalog is not there."""
    from conformance.paths import REQUIREMENTS_PATH

    if not REQUIREMENTS_PATH.exists():
        return None
    from conformance.spec.requirements import load_requirements

    return load_requirements().ids


def _interrupt(signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")
