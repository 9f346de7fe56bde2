"""The run's upload receiver and the box's HistoryEventUrl redirect: started once, restored once.

Embedded emulator: every pytest process (each xdist worker too) has its own emulator and receiver,
so each process points its own box at its own receiver, lazily, when an upload test first asks.
Real box: the box is shared, so only the controlling process (the single process, or the xdist
controller) starts the receiver; workers get its URLs and the run folder through `workerinput`. The
box's setting is redirected only when a test that reads uploads runs (the first request of the
`box_uploads_to_receiver` fixture), in whichever process that is: under xdist the first worker that needs
it applies it under a file lock in the run folder, the others adopt it, and the controlling process
restores it at the end (also after Ctrl-C or SIGTERM). A run without upload tests never touches it.

Reachability: a receiver on loopback cannot be reached by a box on another machine. When the box is not
on loopback and no --receiver-advertise-url is given, a loopback --receiver-bind (the default) becomes
the local address the operating system routes to the box from, on the same port.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from conformance.clients.failures import ConformanceFailure
from conformance.clients.receiver_client import ReceiverClient
from conformance.suite.hookspecs import ReceiverUnavailableError, StartedReceiver
from conformance.suite.options import ConformanceOptions
from conformance.target.target import Target
from conformance.target.upload_config import (
    HistoryEventUrlClient,
    UploadConfigError,
    UploadRedirect,
    file_lock,
)

log = logging.getLogger(__name__)

WORKERINPUT_KEY = "sophon_conformance_uploads"
SAVED_SETTING_FILE = "history-event-url.saved.json"
TURN_LOCK_FILE = "history-event-url.turn"  # held by the module whose tests change the box's uploads
NEEDS_WRITES = (
    "pointing the box's uploads at the receiver changes its HistoryEventUrl setting: pass --allow-writes "
    "(it is restored at the end), or point it yourself and pass --no-configure-upload"
)

NO_RECEIVER = (
    "no upload receiver in this process: run the suite with `sophon-conformance run` "
    "(or pass -p conformance.cli.embedded_box to pytest)"
)


LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", ""})
ROUTE_PROBE_PORT = 9  # discard; a UDP connect only picks the route, nothing is sent


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def route_address(box_host: str) -> str:
    """The local address the operating system routes to `box_host` from (a UDP socket connected to the box
    and read with getsockname(); no packet is sent). Raises OSError when there is no route."""
    found = socket.getaddrinfo(box_host, ROUTE_PROBE_PORT, type=socket.SOCK_DGRAM)
    family, kind, proto, _, address = found[0]
    with socket.socket(family, kind, proto) as probe:
        probe.connect(address)
        return str(probe.getsockname()[0])


def receiver_bind_for(
    bind: tuple[str, int],
    box_url: str,
    advertise_url: str | None,
    route: Callable[[str], str] = route_address,
) -> tuple[str, int]:
    """Where the receiver listens: a loopback bind for a box off loopback becomes the route to the box."""
    host, port = bind
    box_host = urlsplit(box_url).hostname or ""
    if advertise_url or not is_loopback(host) or is_loopback(box_host):
        return bind
    try:
        local = route(box_host)
    except OSError as exc:
        raise UploadSetupError(
            f"no route from this machine to the box at {box_host} ({exc}): give --receiver-bind with an "
            "address the box can reach, or --receiver-advertise-url"
        ) from None
    log.info("the box %s is reached from %s: the upload receiver listens there", box_host, local)
    return local, port


class ReceiverStarter(Protocol):
    """Starts the upload receiver (the `pytest_conformance_upload_receiver` hook); None when none can run."""

    def __call__(self, *, log_path: Path, host: str, port: int, profile: str) -> StartedReceiver | None: ...


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
    start_receiver: ReceiverStarter | None = None  # the `pytest_conformance_upload_receiver` hook
    no_receiver: str = "no upload receiver in this run"  # why upload tests skip when there is none
    target_for_restore: Target | None = None  # the box whose setting a worker may have redirected
    silence_note: str = ""  # set at close(): the box was redirected and uploaded nothing
    redirected: bool = False  # this process pointed the box at the receiver (restored or not since)

    @property
    def workdir(self) -> Path:
        """The run folder, or a temp folder made on first use."""
        if self.run_dir is None:
            self.run_dir = Path(tempfile.mkdtemp(prefix="sophon-conformance-"))
        return self.run_dir

    def start_receiver_for(self, target: Target) -> Target:
        """Real box, controlling process: start the receiver on --receiver-bind; the target gets its URLs.

        Without a receiver in this process (pytest without the CLI's plugin) the target has none: upload
        tests skip.
        """
        host, port = receiver_bind_for(
            self.options.receiver_bind, target.box_url, self.options.receiver_advertise_url
        )
        if self.options.receiver_advertise_url is None and host in ("0.0.0.0", "::", ""):
            raise UploadSetupError(
                f"--receiver-bind {host}:{port} listens on every interface: give --receiver-advertise-url, "
                "the URL the box can reach this machine at"
            )
        if self.start_receiver is None:
            return self._without_receiver(target)
        try:
            self.receiver = self.start_receiver(
                log_path=self.workdir / "uploads.jsonl", host=host, port=port, profile=self.options.profile
            )
        except ReceiverUnavailableError as exc:
            raise UploadSetupError(str(exc)) from None
        if self.receiver is None:
            return self._without_receiver(target)
        url = advertised_url(self.options.receiver_advertise_url, self.receiver.url)
        log.info("upload receiver listens on %s; the box is told to upload to %s", self.receiver.url, url)
        routed = target.with_receiver(url, self.receiver.api_url)
        self.target_for_restore = routed
        return routed

    def _without_receiver(self, target: Target) -> Target:
        self.no_receiver = NO_RECEIVER
        log.warning("%s; upload tests will skip", NO_RECEIVER)
        return target

    def adopt_controller(self, target: Target, data: dict[str, Any]) -> Target:
        """xdist worker on a real box: use the controller's receiver and run folder (the shared redirect)."""
        self.from_controller = data
        if data.get("workdir"):
            self.run_dir = Path(data["workdir"])
        return target.with_receiver(data.get("receiver_url"), data.get("receiver_api_url"))

    def for_workers(self, target: Target | None) -> dict[str, Any]:
        """What a worker needs: the receiver's URLs, the run folder, and why (if so) it may not redirect."""
        return {
            "receiver_url": None if target is None else target.receiver_url,
            "receiver_api_url": None if target is None else target.receiver_api_url,
            "workdir": str(self.workdir),
            "skip_reason": None if target is None else self.refusal(target),
            "error": self.error,
        }

    def refusal(self, target: Target) -> str | None:
        """Why this run must not redirect the box's uploads; None when it may."""
        if target.receiver_url is None:
            return self.no_receiver
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
        redirect = self._redirect(target)
        try:
            redirect.apply()  # under xdist: once for the run, by the first worker that needs it
        except UploadConfigError as exc:
            self.error = f"could not point the box's uploads at the receiver: {exc}"
            raise UploadSetupError(self.error) from None
        self.redirected = True
        arranged_by = "controller" if self.from_controller else "this process"  # who restores it
        return UploadRoute(target.receiver_url, arranged_by, redirect.previous)

    def _redirect(self, target: Target) -> UploadRedirect:
        if self.redirect is None:
            assert target.receiver_url is not None
            client = HistoryEventUrlClient(target.box_url, cookies=target.auth_cookies)
            saved = None if self.options.embedded else self.workdir / SAVED_SETTING_FILE
            self.redirect = UploadRedirect(client, target.receiver_url, saved_path=saved)
        return self.redirect

    def restore(self) -> bool:
        """Put the box's upload setting back (idempotent); False when the box refused.

        An xdist worker leaves it to the controlling process, which restores what any worker applied.
        """
        if self.from_controller:
            return True
        if self.redirect is None and self.saved_path is not None and self.saved_path.exists():
            assert self.target_for_restore is not None
            self._redirect(self.target_for_restore)
        return True if self.redirect is None else self.redirect.restore()

    @contextmanager
    def in_turn(self) -> Iterator[None]:
        """Held while tests change the shared box's upload setting or read its uploads: xdist workers take
        turns (a real box only; each embedded box is its own process's)."""
        with file_lock(None if self.options.embedded else self.workdir / TURN_LOCK_FILE):
            yield

    def _silence(self) -> str:
        """One line when the box was pointed at the receiver and uploaded nothing all run ("" otherwise)."""
        redirected = self.redirected or bool(self.saved_path is not None and self.saved_path.exists())
        if self.receiver is None or self.target_for_restore is None or not redirected:
            return ""
        try:
            received = int(ReceiverClient(self.receiver.api_url).stats().get("received", 0))
        except (ConformanceFailure, ValueError, OSError):  # a note must never fail the run
            return ""
        if received:
            return ""
        return (
            f"the box uploaded nothing to {self.target_for_restore.receiver_url} during this run: a quiet "
            "box records nothing; a box that cannot reach that address (firewall, other network) uploads "
            "nothing (see --receiver-bind / --receiver-advertise-url)"
        )

    @property
    def saved_path(self) -> Path | None:
        """The run's saved setting (real box only): written by whichever process applied the redirect."""
        if self.options.embedded or self.target_for_restore is None:
            return None
        return self.workdir / SAVED_SETTING_FILE

    def close(self) -> bool:
        """Restore the setting, then stop the receiver; False when the restore failed."""
        self.silence_note = self._silence()
        if self.silence_note:
            log.warning("%s", self.silence_note)
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
