"""pytest plugin of `sophon-conformance run` (`-p conformance.cli.embedded_box`): starts the servers the suite
talks to over sockets — the embedded emulator and upload receiver of one pytest process, or the receiver of a
real-box run — and hands the suite their URLs through the hooks of `conformance/suite/hookspecs.py`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from conformance.receiver.config import ReceiverConfig, ReceiverConfigError
from conformance.receiver.server import ReceiverStartError, start_receiver_thread
from conformance.suite.hookspecs import EmbeddedBox, ReceiverUnavailableError, StartedReceiver
from conformance.target.control_client import ControlClient
from conformance.target.target import VERSION_PATH, TargetConfig

log = logging.getLogger(__name__)

FROZEN_EPOCH_MS = 1_700_000_000_000  # the embedded box's clock, frozen: runs are reproducible
WILDCARD_HOSTS = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "[::1]"}


class _Stoppers:
    """Everything started for one box, stopped newest first; a failing stop does not hide the others."""

    def __init__(self) -> None:
        self.stops: list[Callable[[], None]] = []

    def stop(self) -> None:
        while self.stops:
            stop = self.stops.pop()
            try:
                stop()
            except Exception as exc:  # stopping must not mask a test failure
                log.warning("stopping %s failed: %s", getattr(stop, "__qualname__", stop), exc)


@pytest.hookimpl
def pytest_conformance_embedded_box(workdir: Path, profile: str, faults: tuple[str, ...]) -> EmbeddedBox:
    """Start emulator (control plane on, temp DB, frozen clock) and receiver on free 127.0.0.1 ports."""
    from conformance.emulator.server import EmulatorConfig, start_emulator_thread  # only when a box is asked

    emulator_config = EmulatorConfig(
        http_port=0, ws_port=0, version_port=0, db_path=workdir / "emulator.sqlite3", control=True
    )
    running = start_emulator_thread(emulator_config)
    stoppers = _Stoppers()
    stoppers.stops.append(running.stop)
    config = TargetConfig(
        box_url=running.http_url,
        ws_url=running.ws_url,
        control_url=running.control_url,
        version_url=(running.version_url + VERSION_PATH) if running.version_url else None,
        profile=profile,
        embedded=True,
        faults=faults,
    )
    try:
        with ControlClient(running.control_url) as control:
            control.set_clock("frozen", now_ms=FROZEN_EPOCH_MS)
            if faults:
                control.set_faults(enable=faults)
        receiver = _local_receiver(workdir, profile)
    except BaseException:
        stoppers.stop()
        raise
    if receiver is None:
        return EmbeddedBox(config, None, None, stoppers.stop)
    stoppers.stops.append(receiver.stop)
    return EmbeddedBox(config, receiver.url, receiver.api_url, stoppers.stop)


@pytest.hookimpl
def pytest_conformance_upload_receiver(log_path: Path, host: str, port: int, profile: str) -> StartedReceiver:
    """Start the upload receiver in this process on host:port (0 = a free port)."""
    config = ReceiverConfig(host=host, port=port, log_path=log_path, profile=profile)
    try:
        running = start_receiver_thread(config)
    except (ReceiverStartError, ReceiverConfigError) as exc:
        raise ReceiverUnavailableError(f"upload receiver on {host}:{port}: {exc}") from None
    # the suite reads the receiver's API locally, also when it listens on every interface
    local = WILDCARD_HOSTS.get(host)
    api_url = f"http://{local}:{running.port}" if local else str(running.base_url)
    return StartedReceiver(url=str(running.url), api_url=api_url, stop=running.stop)


def _local_receiver(workdir: Path, profile: str) -> StartedReceiver | None:
    """The embedded box's receiver on 127.0.0.1:0; one that cannot start leaves upload tests to skip."""
    try:
        return pytest_conformance_upload_receiver(workdir / "uploads.jsonl", "127.0.0.1", 0, profile)
    except ReceiverUnavailableError as exc:
        log.warning("%s; upload tests will skip", exc)
        return None
