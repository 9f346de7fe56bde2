"""The run's upload receiver and the box's HistoryEventUrl redirect: started once, restored once.

Embedded emulator: every pytest process (each xdist worker too) has its own emulator and receiver,
so each process points its own box at its own receiver, lazily, when an upload test first asks.
Real box: the box is shared, so only the controlling process (the single process, or the xdist
controller) starts the receiver and changes the box's setting; workers get the URLs through
`workerinput` and never touch the setting. Under xdist the controller redirects before the workers
start (it cannot know whether they will need it); without xdist the first upload test triggers it.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from conformance.suite.embedded import ReceiverUnavailableError, StartedReceiver, start_receiver
from conformance.suite.options import ConformanceOptions
from conformance.target.target import Target
from conformance.target.upload_config import HistoryEventUrlClient, UploadConfigError, UploadRedirect

log = logging.getLogger(__name__)

WORKERINPUT_KEY = "sophon_conformance_uploads"
SAVED_SETTING_FILE = "history-event-url.saved.json"
NEEDS_WRITES = (
    "pointing the box's uploads at the receiver changes its HistoryEventUrl setting: pass --allow-writes "
    "(it is restored at the end), or point it yourself and pass --no-configure-upload"
)


class UploadSetupError(Exception):
    """The receiver or the redirect could not be set up; the message is for the user."""


class UploadRefusedError(UploadSetupError):
    """This run may not redirect the box's uploads (options, capabilities); upload tests skip."""


@dataclass(frozen=True)
class UploadRoute:
    """Where the box uploads during this run and who arranged it (this process, the controller, the user)."""

    receiver_url: str
    arranged_by: str
    previous: dict[str, Any] | None = None


@dataclass
class RunUploads:
    """Per-process owner of the receiver (real box) and of the redirect; `close()` restores and stops."""

    options: ConformanceOptions
    run_dir: Path | None  # the run folder (receiver log, saved setting); a temp folder when None
    is_worker: bool = False
    receiver: StartedReceiver | None = None
    redirect: UploadRedirect | None = None
    from_controller: dict[str, Any] = field(default_factory=dict)
    error: str | None = None  # why the redirect failed, once it did (not retried)

    @property
    def workdir(self) -> Path:
        """The run folder, or a temp folder made on first use."""
        if self.run_dir is None:
            self.run_dir = Path(tempfile.mkdtemp(prefix="sophon-conformance-"))
        return self.run_dir

    def start_receiver_for(self, target: Target) -> Target:
        """Real box, controlling process: start the receiver on --receiver-bind; the target gets its URLs."""
        host, port = self.options.receiver_bind
        if self.options.receiver_advertise_url is None and host in ("0.0.0.0", "::", ""):
            raise UploadSetupError(
                f"--receiver-bind {host}:{port} listens on every interface: give --receiver-advertise-url, "
                "the URL the box can reach this machine at"
            )
        try:
            self.receiver = start_receiver(
                self.workdir / "uploads.jsonl", host=host, port=port, profile=self.options.profile
            )
        except ReceiverUnavailableError as exc:
            raise UploadSetupError(str(exc)) from None
        url = advertised_url(self.options.receiver_advertise_url, self.receiver.url)
        log.info("upload receiver listens on %s; the box is told to upload to %s", self.receiver.url, url)
        return target.with_receiver(url, self.receiver.api_url)

    def adopt_controller(self, target: Target, data: dict[str, Any]) -> Target:
        """xdist worker on a real box: use the controller's receiver and its redirect state."""
        self.from_controller = data
        return target.with_receiver(data.get("receiver_url"), data.get("receiver_api_url"))

    def for_workers(self, target: Target | None) -> dict[str, Any]:
        """What a worker needs: the receiver's URLs and whether (and why not) the box was redirected."""
        return {
            "receiver_url": None if target is None else target.receiver_url,
            "receiver_api_url": None if target is None else target.receiver_api_url,
            "applied": self.redirect is not None and self.redirect.applied,
            "previous": None if self.redirect is None else self.redirect.previous,
            "skip_reason": None if target is None else self.refusal(target),
            "error": self.error,
        }

    def refusal(self, target: Target) -> str | None:
        """Why this run must not redirect the box's uploads; None when it may."""
        if target.receiver_url is None:
            return "no upload receiver in this run"
        if not self.options.configure_upload:
            return None
        if not target.capabilities.history_event_url:
            return "the box has no HistoryEventUrl interface to point its uploads at the receiver"
        if not (self.options.embedded or self.options.allow_writes):
            return NEEDS_WRITES
        return None

    def ensure_route(self, target: Target) -> UploadRoute:
        """The redirect for tests: done here if this process owns the box's setting; raises on refusal."""
        reason = self.from_controller.get("skip_reason") if self.from_controller else self.refusal(target)
        if reason:
            raise UploadRefusedError(reason)
        error = self.from_controller.get("error") if self.from_controller else self.error
        if error:
            raise UploadSetupError(error)
        assert target.receiver_url is not None  # refusal() checked it
        if not self.options.configure_upload:
            return UploadRoute(target.receiver_url, "user")
        if self.from_controller:
            return UploadRoute(target.receiver_url, "controller", self.from_controller.get("previous"))
        redirect = self._redirect(target)
        try:
            redirect.apply()
        except UploadConfigError as exc:
            self.error = f"could not point the box's uploads at the receiver: {exc}"
            raise UploadSetupError(self.error) from None
        return UploadRoute(target.receiver_url, "this process", redirect.previous)

    def _redirect(self, target: Target) -> UploadRedirect:
        if self.redirect is None:
            assert target.receiver_url is not None
            client = HistoryEventUrlClient(target.box_url, cookies=target.auth_cookies)
            saved = None if self.options.embedded else self.workdir / SAVED_SETTING_FILE
            self.redirect = UploadRedirect(client, target.receiver_url, saved_path=saved)
        return self.redirect

    def restore(self) -> bool:
        """Put the box's upload setting back (idempotent); False when the box refused."""
        return True if self.redirect is None else self.redirect.restore()

    def close(self) -> bool:
        """Restore the setting, then stop the receiver; False when the restore failed."""
        restored = self.restore()
        if self.receiver is not None:
            self.receiver.stop()
            self.receiver = None
        return restored


def advertised_url(advertise: str | None, listening_url: str) -> str:
    """The URL given to the box: --receiver-advertise-url (the receiver's path added when it has none)."""
    if not advertise:
        return listening_url
    parts = urlsplit(advertise)
    if parts.path in ("", "/"):
        path = urlsplit(listening_url).path
        return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))
    return advertise
