"""Process wiring: start the embedded emulator and upload receiver on free ports for one pytest process.

This is the only suite module that touches `conformance.emulator` or `conformance.receiver`, and only
inside the functions that start them; tests talk to both over sockets through the URLs returned here.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.target.control_client import ControlClient
from conformance.target.target import VERSION_PATH, TargetConfig

log = logging.getLogger(__name__)

FROZEN_EPOCH_MS = 1_700_000_000_000  # the embedded box's clock, frozen: runs are reproducible
WILDCARD_HOSTS = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "[::1]"}


@dataclass
class EmbeddedBox:
    """A running emulator (and receiver) with the target configuration that points at it."""

    config: TargetConfig
    receiver_url: str | None = None
    receiver_api_url: str | None = None
    _stoppers: list[Any] = field(default_factory=list)

    def stop(self) -> None:
        """Stop everything that was started, newest first; a failing stop does not hide the others."""
        while self._stoppers:
            running = self._stoppers.pop()
            try:
                running.stop()
            except Exception as exc:  # stopping must not mask a test failure
                log.warning("stopping %s failed: %s", type(running).__name__, exc)


def start_embedded_box(workdir: Path, *, profile: str, faults: tuple[str, ...] = ()) -> EmbeddedBox:
    """Start emulator (control plane on, temp DB, frozen clock) and receiver on free 127.0.0.1 ports."""
    server = importlib.import_module("conformance.emulator.server")
    emulator_config = server.EmulatorConfig(
        http_port=0, ws_port=0, version_port=0, db_path=workdir / "emulator.sqlite3", control=True
    )
    running = server.start_emulator_thread(emulator_config)
    box = EmbeddedBox(
        config=TargetConfig(
            box_url=running.http_url,
            ws_url=running.ws_url,
            control_url=running.control_url,
            version_url=(running.version_url + VERSION_PATH) if running.version_url else None,
            profile=profile,
            embedded=True,
            faults=faults,
        )
    )
    box._stoppers.append(running)
    try:
        with ControlClient(running.control_url) as control:
            control.set_clock("frozen", now_ms=FROZEN_EPOCH_MS)
            if faults:
                control.set_faults(enable=faults)
        _start_receiver(box, workdir, profile)
    except BaseException:
        box.stop()
        raise
    return box


@dataclass
class StartedReceiver:
    """A running upload receiver: the URL it listens on (upload path included), its API base, stop()."""

    url: str
    api_url: str
    running: Any

    def stop(self) -> None:
        """Stop serving and close its log."""
        self.running.stop()


class ReceiverUnavailableError(Exception):
    """The receiver cannot start (port in use, no receiver in this build); the message says why."""


def start_receiver(log_path: Path, *, host: str, port: int, profile: str) -> StartedReceiver:
    """Start the upload receiver in this process on host:port (0 = a free port)."""
    try:
        receiver = importlib.import_module("conformance.receiver.server")
        config_module = importlib.import_module("conformance.receiver.config")
    except ModuleNotFoundError as exc:
        raise ReceiverUnavailableError(f"no upload receiver in this build ({exc.name})") from None
    config = config_module.ReceiverConfig(host=host, port=port, log_path=log_path, profile=profile)
    try:
        running = receiver.start_receiver_thread(config)
    except (receiver.ReceiverStartError, config_module.ReceiverConfigError) as exc:
        raise ReceiverUnavailableError(f"upload receiver on {host}:{port}: {exc}") from None
    # the suite reads the receiver's API locally, also when it listens on every interface
    local = WILDCARD_HOSTS.get(host)
    api_url = f"http://{local}:{running.port}" if local else str(running.base_url)
    return StartedReceiver(url=str(running.url), api_url=api_url, running=running)


def _start_receiver(box: EmbeddedBox, workdir: Path, profile: str) -> None:
    """Start the upload receiver on 127.0.0.1:0; a build without it leaves upload tests to skip."""
    try:
        started = start_receiver(workdir / "uploads.jsonl", host="127.0.0.1", port=0, profile=profile)
    except ReceiverUnavailableError as exc:
        log.warning("%s; upload tests will skip", exc)
        return
    box._stoppers.append(started)
    box.receiver_url = started.url
    box.receiver_api_url = started.api_url
