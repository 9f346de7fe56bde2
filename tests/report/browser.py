"""Headless Chromium behind a recording proxy: what a page loads from disk, and what it shows."""

from __future__ import annotations

import re
import socket
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from conformance.paths import PROJECT_ROOT

INSTALL_SCRIPT = PROJECT_ROOT / "scripts" / "install-chromium.sh"
# Chromium's own background traffic is switched off, so any request the proxy sees comes from the page.
# The generic switches are not enough for Chromium 156 (Debian): two services call Google regardless.
NO_MODEL_MANIFEST = "--optimization-guide-manifest-override=/nonexistent"  # on-device AI model manifest
# (else an update2 check for component ceofaddefefcbblgcgnibnonglccbfja goes to update.googleapis.com)
NO_ACCOUNT_LISTING = "--gaia-url=http://127.0.0.1:9/"  # Chromium refuses port 9 (ERR_UNSAFE_PORT)
# (else each profile POSTs accounts.google.com/ListAccounts when its network is up; no switch turns it off)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--no-pings",
    "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,MediaRouter,Translate",
    "--metrics-recording-only",
    NO_MODEL_MANIFEST,
    NO_ACCOUNT_LISTING,
    "--proxy-bypass-list=<-loopback>",
    "--virtual-time-budget=15000",
)
REQUEST_HOST = re.compile(rb"^(?:CONNECT ([^:\s]+)|[A-Z]+ https?://([^/:\s]+))")


@dataclass
class PageVisit:
    """The DOM after the page ran, and the hosts every request tried to reach."""

    dom: str
    hosts: list[str]


def install_chromium() -> str | None:
    """The chromium path, installing it with apt when absent; None when that is impossible here."""
    done = subprocess.run(
        ["bash", str(INSTALL_SCRIPT)], capture_output=True, text=True, timeout=900, check=False
    )
    return done.stdout.strip().splitlines()[-1] if done.returncode == 0 and done.stdout.strip() else None


class RecordingProxy:
    """A TCP listener standing in for every remote host: it records the first line of each request."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.hosts: list[str] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            with connection:
                connection.settimeout(2)
                try:
                    head = connection.recv(4096)
                except OSError:
                    head = b""
                match = REQUEST_HOST.match(head)
                self.hosts.append((match.group(1) or match.group(2)).decode() if match else "<unparsed>")

    def close(self) -> None:
        self.server.close()


def visit(chromium: str, page: Path, fragment: str = "") -> PageVisit:
    """Open a file in headless Chromium with every request routed to a RecordingProxy."""
    proxy = RecordingProxy()
    try:
        with tempfile.TemporaryDirectory() as profile:
            argv = [
                chromium,
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--proxy-server=http://127.0.0.1:{proxy.port}",
                "--dump-dom",
                page.resolve().as_uri() + fragment,
            ]
            done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    finally:
        proxy.close()
    return PageVisit(done.stdout, list(proxy.hosts))
