"""The hooks through which the suite gets the servers it talks to, so it receives URLs and never imports them.

The suite declares these hooks; the process wiring implements them (`conformance/cli/embedded_box.py`,
loaded by `sophon-conformance run` with `-p`, in every pytest process, so each xdist worker starts its
own embedded box). A pytest run without that plugin has no embedded box and no upload receiver.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conformance.target.target import TargetConfig


@dataclass
class EmbeddedBox:
    """A box started for this process: where it listens, where its uploads go, and how to stop it all."""

    config: TargetConfig
    receiver_url: str | None
    receiver_api_url: str | None
    stop: Callable[[], None]


@dataclass
class StartedReceiver:
    """A running upload receiver: the URL it listens on (upload path included), its API base, and stop()."""

    url: str
    api_url: str
    stop: Callable[[], None]


class ReceiverUnavailableError(Exception):
    """The receiver cannot start (port in use, bad address, none in this build); the message says why."""


@pytest.hookspec(firstresult=True)
def pytest_conformance_embedded_box(
    workdir: Path, profile: str, faults: tuple[str, ...]
) -> EmbeddedBox | None:
    """Start an emulator (control plane on, clock frozen, `faults` on) and an upload receiver on free
    127.0.0.1 ports for this process, with `workdir` for their files; None when this process cannot."""


@pytest.hookspec(firstresult=True)
def pytest_conformance_upload_receiver(
    log_path: Path, host: str, port: int, profile: str
) -> StartedReceiver | None:
    """Start the upload receiver on host:port (0 = a free port) for a real box; raise
    ReceiverUnavailableError when it cannot start, return None when this process has no receiver."""
