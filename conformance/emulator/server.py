"""Start the emulator: HTTP (:5555), version service (:8888) and background services on one asyncio loop.

`start_emulator_thread` runs it in a thread for tests and the harness; `run_emulator` blocks (the CLI)
and stops cleanly on SIGINT/SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import threading
from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn

from conformance.emulator.app import build_app, build_version_app
from conformance.emulator.app_state import AppState, BackgroundService
from conformance.emulator.clock import ClockSetting, EmulatorClock
from conformance.emulator.faults.hooks import ActiveFaults
from conformance.emulator.live_recognitions import live_recognition_service, now_us
from conformance.emulator.scenario import load_scenario
from conformance.emulator.site_history import HistoryPlan, record_history, register_site
from conformance.emulator.store.database import Store
from conformance.emulator.uploader import start_upload_service
from conformance.emulator.websocket_server import start_websocket_service

LOG = logging.getLogger("conformance.emulator")
STARTUP_TIMEOUT_S = 30.0

# Background services started on the emulator's loop once HTTP is up; each returns an async stop.
_start_background_services: list[BackgroundService] = [start_websocket_service, start_upload_service]


@dataclass
class EmulatorConfig:
    """Everything needed to start one emulator; ports 0 mean "pick a free port".

    `site` makes it the stand-in for a box on site: no control plane, `history_days` of recorded
    recognitions (about `history_per_day` a day, or a scenario's events) and `live_rate` new
    recognitions a second (0: a quiet box), all drawn from `seed`.
    """

    host: str = "127.0.0.1"
    http_port: int = 5555
    ws_port: int = 5679
    version_port: int = 8888
    db_path: str | Path = "./emulator.sqlite3"
    control: bool = False
    control_token: str | None = None
    faults: list[str] = field(default_factory=list)
    clock: ClockSetting = field(default_factory=ClockSetting)
    dev_sno: str = ""
    seed: int = 0
    scenario: str | Path | None = None
    site: bool = False
    live_rate: float = 2.0
    history_days: float = 3.0
    history_per_day: int = 3000


@dataclass
class RunningEmulator:
    """A started emulator: its URLs and a stop() that returns when everything is closed."""

    http_url: str
    ws_url: str
    control_url: str
    version_url: str
    state: AppState
    _stop: Callable[[], None]

    def stop(self) -> None:
        """Stop serving and close the store; safe to call twice."""
        self._stop()


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signal handling to us (several servers share one process)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    # Accepted sockets inherit TCP_NODELAY: without it a keep-alive response written as headers +
    # body meets the client's delayed ACK and every request on a reused connection costs ~40 ms.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.listen(128)
    sock.setblocking(False)
    return sock


def _url(scheme: str, host: str, sock: socket.socket) -> str:
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}:{port}"


def build_state(config: EmulatorConfig) -> AppState:
    """Open the store and set up clock and faults (unknown fault names raise UnknownFaultError)."""
    if str(config.db_path) == ":memory:":
        raise ValueError("db_path ':memory:' is not supported; use a temporary file")
    if config.site:
        check_site_config(config)
    faults = ActiveFaults(config.faults)
    state = AppState(
        store=Store(config.db_path),
        clock=EmulatorClock(config.clock),
        faults=faults,
        default_clock=config.clock,
        default_faults=tuple(config.faults),
        dev_sno=config.dev_sno,
        seed=config.seed,
        ws_host=config.host,
        control=config.control,
        control_token=config.control_token,
    )
    try:
        if config.scenario is not None:
            load_scenario(config.scenario, state)
        if config.site:
            _record_site_history(config, state)
    except BaseException:
        state.store.close()
        raise
    return state


def check_site_config(config: EmulatorConfig) -> None:
    """Refuse what a site-mode box cannot be (ValueError with a message for the user)."""
    if config.control:
        raise ValueError("site mode has no control plane: drop --control")
    if not config.live_rate >= 0:
        raise ValueError(f"live rate must be >= 0 recognitions a second, got {config.live_rate}")
    if not config.history_days >= 0:
        raise ValueError(f"history days must be >= 0, got {config.history_days}")
    if config.history_per_day < 0:
        raise ValueError(f"history per day must be >= 0, got {config.history_per_day}")


def _record_site_history(config: EmulatorConfig, state: AppState) -> None:
    """The site's cameras and people, and its past (unless a scenario brought one)."""
    if config.scenario is not None:
        return
    cast = register_site(state.store, config.seed)
    plan = HistoryPlan(config.history_days, config.history_per_day, now_us(state))
    record_history(state.store, cast, plan)


def _services(config: EmulatorConfig) -> list[BackgroundService]:
    """The background services of this configuration, live recognitions included: at site mode's live rate,
    at none with a control plane (unless a variation sets one, see faults/hooks.py LIVE_RATE)."""
    base_rate = config.live_rate if config.site else 0.0
    return [*_start_background_services, live_recognition_service(base_rate, config.seed)]


def _uvicorn_config(app: object, host: str) -> uvicorn.Config:
    return uvicorn.Config(
        app,  # type: ignore[arg-type]
        host=host,
        log_config=None,
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=3,
        timeout_keep_alive=5,
    )


class _Runtime:
    """The loop-side part: serve until told to stop, then shut down services and servers."""

    def __init__(
        self,
        state: AppState,
        http_sock: socket.socket,
        version_sock: socket.socket | None,
        services: list[BackgroundService],
    ) -> None:
        self.state = state
        self.services = services
        self.http_sock = http_sock
        self.version_sock = version_sock
        self.servers: list[_Server] = [_Server(_uvicorn_config(build_app(state), state.ws_host))]
        if version_sock is not None:
            self.servers.append(_Server(_uvicorn_config(build_version_app(state), state.ws_host)))
        self.started = threading.Event()
        self.failed: BaseException | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    def request_stop(self) -> None:
        """Ask every server to exit (thread-safe)."""
        for server in self.servers:
            server.should_exit = True

    async def main(self) -> None:
        self.loop = asyncio.get_running_loop()
        self._attach_event_bus()
        socks = [self.http_sock] + ([self.version_sock] if self.version_sock else [])
        tasks = [
            asyncio.create_task(s.serve(sockets=[sock])) for s, sock in zip(self.servers, socks, strict=True)
        ]
        stops: list[Callable[[], Awaitable[None]]] = []
        try:
            while not all(s.started for s in self.servers):
                if any(t.done() for t in tasks):
                    break
                await asyncio.sleep(0.01)
            for service in self.services:
                stops.append(await service(self.state))
        except BaseException as exc:
            self.failed = exc
            self.request_stop()
        finally:
            self.started.set()
        try:
            await asyncio.gather(*tasks)
        finally:
            for stop in reversed(stops):
                try:
                    await stop()
                except Exception:
                    LOG.exception("background service failed to stop")

    def _attach_event_bus(self) -> None:
        try:
            from conformance.emulator.event_bus import EventBus
        except ModuleNotFoundError:
            return
        assert self.loop is not None
        self.state.event_bus = EventBus(self.loop)


def _prepare(config: EmulatorConfig) -> tuple[_Runtime, dict[str, str]]:
    state = build_state(config)
    socks: list[socket.socket] = []
    try:
        http_sock = _bind(config.host, config.http_port)
        socks.append(http_sock)
        version_sock = _bind(config.host, config.version_port) if config.version_port >= 0 else None
        if version_sock is not None:
            socks.append(version_sock)
        state.ws_port = config.ws_port
        if config.ws_port == 0:
            probe = _bind(config.host, 0)  # reserve a free port number for the WebSocket service
            state.ws_port = probe.getsockname()[1]
            probe.close()
    except BaseException:
        for sock in socks:
            sock.close()
        state.store.close()
        raise
    http_url = _url("http", config.host, http_sock)
    shown = f"[{config.host}]" if ":" in config.host else config.host
    urls = {
        "http_url": http_url,
        "ws_url": f"ws://{shown}:{state.ws_port}",
        "control_url": f"{http_url}/_emulator",
        "version_url": _url("http", config.host, version_sock) if version_sock else "",
    }
    return _Runtime(state, http_sock, version_sock, _services(config)), urls


def start_emulator_thread(config: EmulatorConfig) -> RunningEmulator:
    """Start the emulator in a daemon thread with its own loop; returns once the ports accept connections."""
    runtime, urls = _prepare(config)
    thread = threading.Thread(target=lambda: asyncio.run(runtime.main()), name="sophon-emulator", daemon=True)
    thread.start()
    if not runtime.started.wait(STARTUP_TIMEOUT_S) or runtime.failed is not None:
        runtime.request_stop()
        thread.join(STARTUP_TIMEOUT_S)
        runtime.state.store.close()
        raise RuntimeError(f"emulator failed to start: {runtime.failed!r}")
    stopped = threading.Event()

    def stop() -> None:
        if stopped.is_set():
            return
        stopped.set()
        runtime.request_stop()
        thread.join(STARTUP_TIMEOUT_S)
        runtime.state.store.close()

    LOG.info("emulator serving %s (control %s)", urls["http_url"], "on" if config.control else "off")
    return RunningEmulator(state=runtime.state, _stop=stop, **urls)


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def wide_bind_warning(host: str) -> str | None:
    """The warning to log when the box would be reachable from other machines, else None."""
    if host in LOOPBACK_HOSTS or host.startswith("127."):
        return None
    return (
        f"emulator bound to {host}: reachable from other machines on the network "
        "(the default is 127.0.0.1; the control plane, when on, lets anyone reset the box)"
    )


def run_emulator(config: EmulatorConfig) -> None:
    """Serve in the calling (main) thread until SIGINT or SIGTERM."""
    runtime, urls = _prepare(config)
    warning = wide_bind_warning(config.host)
    if warning is not None:
        LOG.warning(warning)

    def handle(signum: int, frame: object) -> None:
        LOG.info("signal %d received; stopping", signum)
        runtime.request_stop()

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGINT, signal.SIGTERM)}
    LOG.info(
        "emulator serving %s, websocket %s, version %s, control %s, db %s",
        urls["http_url"],
        urls["ws_url"],
        urls["version_url"] or "off",
        "on" if config.control else "off",
        config.db_path,
    )
    try:
        asyncio.run(runtime.main())
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        runtime.state.store.close()
    if runtime.failed is not None:
        raise RuntimeError(f"emulator failed: {runtime.failed!r}")
