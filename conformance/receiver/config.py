"""Settings of the upload receiver; defaults match the vendor's own receiver (port 9528, /HistoryEvent)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from conformance.paths import REPORTS_DIR

DEFAULT_PORT = 9528
DEFAULT_PATH = "/HistoryEvent"
DEFAULT_MAX_BODY = 20 * 1024 * 1024
CONTROL_PREFIX = "/_receiver"
PROFILES = ("strict", "lenient")
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class ReceiverConfigError(ValueError):
    """A receiver setting that cannot work; the message names the setting."""


@dataclass(frozen=True)
class ReceiverConfig:
    """Where the receiver listens and logs, and how it judges uploads (`profile=None`: no schema check)."""

    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    path: str = DEFAULT_PATH
    log_path: Path = field(default_factory=lambda: REPORTS_DIR / "receiver" / "uploads.jsonl")
    profile: str | None = "strict"
    max_body: int = DEFAULT_MAX_BODY
    # answer 400 to uploads with schema findings (undecodable ones always get 4xx)
    reject_invalid: bool = True

    def check(self) -> ReceiverConfig:
        """Raise ReceiverConfigError for settings that cannot work; return self for chaining."""
        if not 0 <= self.port <= 65535:
            raise ReceiverConfigError(f"port must be 0-65535, got {self.port}")
        if not self.path.startswith("/") or self.path.startswith(CONTROL_PREFIX):
            raise ReceiverConfigError(
                f"upload path must start with '/' and not with {CONTROL_PREFIX!r}, got {self.path!r}"
            )
        if self.profile is not None and self.profile not in PROFILES:
            raise ReceiverConfigError(
                f"profile must be one of {', '.join(PROFILES)} or none, got {self.profile!r}"
            )
        if self.max_body < 1024:
            raise ReceiverConfigError(f"max_body must be at least 1024 bytes, got {self.max_body}")
        return self

    @property
    def exposed(self) -> bool:
        """True when bound beyond the loopback interface."""
        return self.host not in LOOPBACK_HOSTS
