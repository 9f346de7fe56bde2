"""A site-mode emulator on free 127.0.0.1 ports: the project's tests' stand-in for a real box.

No control plane; days of history; live recognitions at `live_rate` a second; faults and conforming
variations switched on at start, since a real box offers no way to switch them later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from conformance.emulator.server import EmulatorConfig, RunningEmulator, start_emulator_thread

BUSY_GATE = "var-live-5-per-second"
QUIET_BOX = "var-quiet-box"
#: Every real-box variation of issue 16 that can be on with the busy gate (the quiet box conflicts with it).
REAL_BOX_VARIATIONS = (
    BUSY_GATE,
    "var-microsecond-times",
    "var-gzip-answers",
    "var-undocumented-extras-change",
    "var-invalid-arguments-422",
    "var-keys-reversed",
)


@dataclass
class SiteBox:
    """A running site-mode box: its URLs, its database file, and stop()."""

    http_url: str
    ws_url: str
    version_url: str
    db_path: Path
    running: RunningEmulator

    def stop(self) -> None:
        """Stop serving and close the store; safe to call twice."""
        self.running.stop()

    def __enter__(self) -> SiteBox:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


def start_site_box(
    tmp_path: Path,
    live_rate: float = 2.0,
    history_days: float = 3,
    faults: Sequence[str] = (),
    seed: int = 0,
    *,
    variations: Sequence[str] = (),
    history_per_day: int = 3000,
) -> SiteBox:
    """Start a site-mode emulator in a thread; returns once its ports accept connections.

    `faults` and `variations` (conforming ones) are catalog names, active from the start.
    """
    db_path = tmp_path / f"site-box-{seed}.sqlite3"
    running = start_emulator_thread(
        EmulatorConfig(
            http_port=0,
            ws_port=0,
            version_port=0,
            db_path=db_path,
            faults=[*faults, *variations],
            seed=seed,
            site=True,
            live_rate=live_rate,
            history_days=history_days,
            history_per_day=history_per_day,
        )
    )
    return SiteBox(running.http_url, running.ws_url, running.version_url, db_path, running)
