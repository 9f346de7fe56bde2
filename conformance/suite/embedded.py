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


def _start_receiver(box: EmbeddedBox, workdir: Path, profile: str) -> None:
    """Start the upload receiver; a build without it leaves upload tests to skip."""
    try:
        receiver = importlib.import_module("conformance.receiver.server")
        config_module = importlib.import_module("conformance.receiver.config")
    except ModuleNotFoundError:
        log.warning("no upload receiver in this build; upload tests will skip")
        return
    starter = getattr(receiver, "start_receiver_thread", None)
    if starter is None:
        log.warning("conformance.receiver has no start_receiver_thread; upload tests will skip")
        return
    config = config_module.ReceiverConfig(
        host="127.0.0.1", port=0, log_path=workdir / "uploads.jsonl", profile=profile
    )
    running = starter(config)
    box._stoppers.append(running)
    box.receiver_url = getattr(running, "upload_url", None) or getattr(running, "url", None)
    box.receiver_api_url = getattr(running, "base_url", None) or getattr(running, "url", None)
