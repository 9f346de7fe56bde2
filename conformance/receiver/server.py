"""Run uvicorn in a thread on a pre-bound socket, so port 0 and bind errors are known at once."""

from __future__ import annotations

import logging
import socket
import threading
import time
from dataclasses import dataclass

import uvicorn

from conformance.receiver.app import create_app
from conformance.receiver.config import ReceiverConfig
from conformance.receiver.store import UploadStore
from conformance.receiver.validation import UploadJudge, catalog_judge, no_validation

STARTUP_DEADLINE_S = 10.0
GRACEFUL_SHUTDOWN_S = 1

logger = logging.getLogger("conformance.receiver")


class ReceiverStartError(RuntimeError):
    """The receiver could not start; the message says why (port in use, log not writable, no catalog)."""


def warn_if_exposed(config: ReceiverConfig) -> bool:
    """Log a warning when the receiver listens beyond loopback; True when it did."""
    if config.exposed:
        logger.warning(
            "receiver bound to %s: it accepts uploads from other machines; "
            "use 127.0.0.1 unless a real box must reach it",
            config.host,
        )
        return True
    return False


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ReceiverStartError(f"cannot bind {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


@dataclass
class RunningReceiver:
    """A started receiver: the URL to give the box, the API base for the suite, and stop()."""

    config: ReceiverConfig
    host: str
    port: int
    _server: uvicorn.Server
    _thread: threading.Thread
    _store: UploadStore

    @property
    def base_url(self) -> str:
        """scheme://host:port of the receiver (for ReceiverClient)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def url(self) -> str:
        """The upload URL to configure on the box."""
        return f"{self.base_url}{self.config.path}"

    @property
    def alive(self) -> bool:
        """True while the server thread runs."""
        return self._thread.is_alive()

    def stop(self) -> None:
        """Stop serving, finish pending log writes, close the file (idempotent)."""
        self._server.should_exit = True
        self._thread.join(timeout=STARTUP_DEADLINE_S)
        self._store.close()


def _judge_for(config: ReceiverConfig) -> UploadJudge:
    if config.profile is None:
        return no_validation()
    try:
        return catalog_judge(config.profile)
    except RuntimeError as exc:
        raise ReceiverStartError(str(exc)) from None


def start_receiver_thread(config: ReceiverConfig, *, judge: UploadJudge | None = None) -> RunningReceiver:
    """Start the receiver and return once it accepts connections; `judge` overrides the catalog validator."""
    config.check()
    judge = judge if judge is not None else _judge_for(config)
    warn_if_exposed(config)
    sock = _bind(config.host, config.port)
    port = int(sock.getsockname()[1])
    try:
        store = UploadStore(config.log_path)
    except OSError as exc:
        sock.close()
        raise ReceiverStartError(f"cannot open upload log {config.log_path}: {exc.strerror or exc}") from None
    app = create_app(config, judge, store)
    uv_config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        backlog=2048,
    )
    server = uvicorn.Server(uv_config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="receiver", daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_DEADLINE_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            store.close()
            sock.close()
            raise ReceiverStartError("receiver did not start within its deadline")
        time.sleep(0.01)
    logger.info(
        "receiver listening on %s:%d%s, logging to %s", config.host, port, config.path, config.log_path
    )
    return RunningReceiver(config, config.host, port, server, thread, store)
