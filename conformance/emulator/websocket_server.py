"""The seed 004 real-time push: a `websockets` server that forwards bus events to configured clients.

Policies (docs/emulator.md): nothing is sent before a valid configuration; a malformed
configuration closes that connection (1008, or 1003 for a binary frame; the reason says what is wrong);
each client has a send queue of QUEUE_LIMIT messages; bus batches are fed to the queues SLICE events
at a time, and a client whose queue is full and that takes nothing for SLOW_CONSUMER_S is closed with
1008 "slow consumer", so a bulk batch never drops a reader that drains and a stalled client delays the
others by at most SLOW_CONSUMER_S. No keepalive pings: the seed's sample client
calls `recv_data(4096)`, which returns control frames as data and would crash on a ping.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections import deque
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.frames import CloseCode

from conformance.emulator.event_bus import EventBus, Subscription
from conformance.emulator.faults.hooks import NO_FAULTS, WS_CONFIG, WS_FRAME, WS_TARGET, FaultHooks
from conformance.emulator.ws_config import (
    ProtocolState,
    WsConfig,
    WsConfigError,
    WsSession,
    parse_ws_config,
)

if TYPE_CHECKING:
    from conformance.emulator.app_state import AppState

LOG = logging.getLogger(__name__)

R = TypeVar("R")
R_contra = TypeVar("R_contra", contravariant=True)

QUEUE_LIMIT = 1000
SLICE = 100  # a bus batch reaches the queues this many events at a time, yielding between slices
SLOW_CONSUMER_S = 1.0  # a full queue that takes nothing for this long belongs to a slow consumer
MAX_FRAME_BYTES = 1024 * 1024  # larger frames are closed by websockets with 1009 (message too big)
CLOSE_TIMEOUT_S = 2.0
REAP_INTERVAL_S = 0.5
SLOW_CONSUMER_REASON = "slow consumer"
RECENT_KEPT = 16  # the latest events the server remembers (what a `ConfigReply.replay` may send again)
PushTarget = tuple[WsConfig, bool]  # (configuration, follows every device)


@dataclass(frozen=True)
class ConfigReply:
    """What the server does with one configuration frame (the `ws.config` hook point may bend it).

    `config` None ignores a valid frame; an `error` closes the client, or every client with the
    `close_everyone` reason when set; `follows_all` makes the client follow every device; `replay` sends
    it at once that many of the latest events already pushed (of its devices; 0: only new events).
    """

    config: WsConfig | None = None
    error: WsConfigError | None = None
    close_everyone: str = ""
    follows_all: bool = False
    replay: int = 0


class WsRenderer(Protocol[R_contra]):
    """Turns one stored record into the JSON text of a push message for one picture-flag combination."""

    def device_id(self, record: R_contra) -> str:
        """The device the event came from (matched against `event_list`)."""
        ...

    def render(self, record: R_contra, need_face: bool, need_register: bool) -> str:
        """The message text; pictures only as the flags ask."""
        ...


@dataclass(eq=False)
class _Client:
    connection: ServerConnection
    session: WsSession = field(default_factory=WsSession)
    # Bounded: the feeder waits (up to SLOW_CONSUMER_S per message) for room instead of growing it.
    queue: asyncio.Queue[str] = field(default_factory=lambda: asyncio.Queue(QUEUE_LIMIT))
    dropped: bool = False
    follows_all: bool = False  # follows every device whatever event_list says (see ConfigReply)


@dataclass
class WsStats:
    """Counters exposed through the control plane's stats."""

    clients: int = 0
    frames_received: int = 0
    messages_queued: int = 0
    config_errors: int = 0
    slow_consumers_closed: int = 0


class WsPushServer(Generic[R]):
    """Accepts WebSocket clients and pushes each bus batch to the clients whose configuration wants it."""

    def __init__(
        self,
        bus: EventBus[R],
        renderer: WsRenderer[R],
        faults: FaultHooks = NO_FAULTS,
        *,
        slow_consumer_s: float = SLOW_CONSUMER_S,
    ) -> None:
        self._bus = bus
        self._renderer = renderer
        self._faults = faults
        self._slow_consumer_s = slow_consumer_s
        self._clients: set[_Client] = set()
        self._server: Server | None = None
        self._subscription: Subscription[R] | None = None
        self._background: set[asyncio.Task[None]] = set()
        self._batches: deque[Sequence[R]] = deque()
        self._batch_ready = asyncio.Event()
        self._recent: deque[R] = deque(maxlen=RECENT_KEPT)
        self._latest: WsConfig | None = None  # the configuration most recently accepted on any connection
        self.stats = WsStats()

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Listen and subscribe to the bus; returns the bound port."""
        self._server = await serve(
            self._handle,
            host,
            port,
            compression=None,
            ping_interval=None,
            max_size=MAX_FRAME_BYTES,
            close_timeout=CLOSE_TIMEOUT_S,
        )
        self._subscription = self._bus.subscribe(self._on_batch)
        self._spawn(self._reap_loop())
        self._spawn(self._feed_loop())
        return int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        """Unsubscribe, close every connection (1001 going away) and stop listening."""
        if self._subscription is not None:
            self._subscription.close()
            self._subscription = None
        if self._server is not None:
            self._server.close()
            try:
                async with asyncio.timeout(CLOSE_TIMEOUT_S * 2):
                    await self._server.wait_closed()
            except TimeoutError:  # peers that never answer the close: drop them
                for client in list(self._clients):
                    client.connection.transport.abort()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(CLOSE_TIMEOUT_S):
                        await self._server.wait_closed()
            self._server = None
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _reap_loop(self) -> None:
        """Abort connections stuck in the closing handshake past their deadline.

        websockets sets a close deadline when the protocol fails (e.g. a frame over max_size) but only
        enforces it for a coroutine that is sending; a peer that then neither reads nor closes would
        keep its socket forever.
        """
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(REAP_INTERVAL_S)
            now = loop.time()
            for client in list(self._clients):
                deadline = client.connection.close_deadline
                if deadline is not None and now > deadline:
                    client.connection.transport.abort()

    @property
    def client_count(self) -> int:
        """Connected clients (configured or not)."""
        return len(self._clients)

    async def _handle(self, connection: ServerConnection) -> None:
        client = _Client(connection)
        self._clients.add(client)
        self.stats.clients = len(self._clients)
        writer = asyncio.create_task(self._write_loop(client))
        try:
            async for frame in connection:
                self._on_frame(client, frame)
        except ConnectionClosed:
            pass
        finally:
            client.session.close()
            self._clients.discard(client)
            self.stats.clients = len(self._clients)
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer

    async def _write_loop(self, client: _Client) -> None:
        try:
            while True:
                message = await client.queue.get()
                # E37: the documents name no opcode; the `ws.frame` hook may send the UTF-8 JSON as binary
                frame: str | bytes = message
                await client.connection.send(self._faults.apply(WS_FRAME, frame))
        except ConnectionClosed:
            return

    def _on_frame(self, client: _Client, frame: str | bytes) -> None:
        self.stats.frames_received += 1
        try:
            reply = ConfigReply(config=parse_ws_config(frame))
        except WsConfigError as exc:
            reply = ConfigReply(error=exc)
        configured = client.session.config is not None
        reply = self._faults.apply(WS_CONFIG, reply, frame=frame, configured=configured)
        if reply.error is not None:
            self.stats.config_errors += 1
            if reply.close_everyone:
                for other in list(self._clients):
                    self._close(other, CloseCode.INTERNAL_ERROR, reply.close_everyone)
                return
            self._close(client, reply.error.close_code, reply.error.close_reason)
            return
        if reply.config is None:
            return
        client.session.configure(reply.config)
        client.follows_all = reply.follows_all
        self._latest = reply.config
        if reply.replay:
            self._replay(client, list(self._recent)[-reply.replay :])

    def _replay(self, client: _Client, records: Sequence[R]) -> None:
        """Queue earlier events for one client as its configuration decides (see `ConfigReply.replay`)."""
        target = self._target(client)
        if target is None:
            return
        config, every_device = target
        texts = [
            self._renderer.render(record, *config.picture_flags)
            for record in records
            if every_device or config.wants(self._renderer.device_id(record))
        ]
        if texts:
            self._spawn(self._deliver(client, texts))

    def _target(self, client: _Client) -> PushTarget | None:
        """(configuration, follows every device) deciding this client's pushes; None: it gets nothing."""
        if client.dropped:
            return None
        state = client.session.state
        target = None
        if state is ProtocolState.CONFIGURED:
            target = (client.session.push_config(), client.follows_all)
        return self._faults.apply(WS_TARGET, target, state=state, latest=self._latest)

    def _on_batch(self, batch: Sequence[R]) -> None:
        """Runs on the loop thread: hand the batch to the feeder, which keeps bus order."""
        self._batches.append(batch)
        self._recent.extend(batch)
        self._batch_ready.set()

    async def _feed_loop(self) -> None:
        """Feed batches SLICE events at a time so a bulk batch paces itself to the readers' queues."""
        while True:
            await self._batch_ready.wait()
            self._batch_ready.clear()
            while self._batches:
                batch = self._batches.popleft()
                for start in range(0, len(batch), SLICE):
                    await self._feed_slice(batch[start : start + SLICE])
                    await asyncio.sleep(0)  # let writers and HTTP run between slices

    async def _feed_slice(self, records: Sequence[R]) -> None:
        """Render each event once per flag combination, queue it per client, wait for full queues."""
        targets = [
            (client, target) for client in self._clients if (target := self._target(client)) is not None
        ]
        if not targets:
            return
        outgoing: dict[_Client, list[str]] = {}
        for record in records:
            device = self._renderer.device_id(record)
            rendered: dict[tuple[bool, bool], str] = {}
            for client, (config, every_device) in targets:
                if not (every_device or config.wants(device)):
                    continue
                flags = config.picture_flags
                text = rendered.get(flags)
                if text is None:
                    try:
                        text = rendered[flags] = self._renderer.render(record, *flags)
                    except Exception:  # one unrenderable event must not stop the others
                        LOG.exception("cannot render event for WebSocket push")
                        break
                outgoing.setdefault(client, []).append(text)
        waits = [self._deliver(client, texts) for client, texts in outgoing.items()]
        await asyncio.gather(*waits)

    async def _deliver(self, client: _Client, texts: list[str]) -> None:
        """Queue texts in order; at a full queue wait for the writer to take one, else close it as slow."""
        closed: asyncio.Future[None] | None = None
        try:
            for text in texts:
                if client.dropped:
                    return
                if not client.queue.full():
                    client.queue.put_nowait(text)
                    self.stats.messages_queued += 1
                    continue
                if closed is None:
                    closed = asyncio.ensure_future(client.connection.wait_closed())
                put = asyncio.ensure_future(client.queue.put(text))
                done, _ = await asyncio.wait(
                    (put, closed), timeout=self._slow_consumer_s, return_when=asyncio.FIRST_COMPLETED
                )
                if put in done:
                    self.stats.messages_queued += 1
                    continue
                put.cancel()
                if closed not in done and not client.dropped:
                    self.stats.slow_consumers_closed += 1
                    self._close(client, CloseCode.POLICY_VIOLATION, SLOW_CONSUMER_REASON)
                return
        finally:
            if closed is not None:
                closed.cancel()

    def _close(self, client: _Client, code: int, reason: str) -> None:
        """Close without waiting on the caller's path; a peer that never reads is aborted after a timeout."""
        client.dropped = True
        self._spawn(self._close_connection(client.connection, code, reason))

    @staticmethod
    async def _close_connection(connection: ServerConnection, code: int, reason: str) -> None:
        try:
            async with asyncio.timeout(CLOSE_TIMEOUT_S):
                await connection.close(code, reason)
        except TimeoutError:
            connection.transport.abort()


async def start_websocket_service(state: AppState) -> Callable[[], Coroutine[Any, Any, None]]:
    """The emulator's BackgroundService: serve seed 004 on state.ws_host:ws_port from state.event_bus."""
    from conformance.emulator.render_ws import EventRecordWsRenderer

    if state.event_bus is None:
        state.event_bus = EventBus(asyncio.get_running_loop())
    renderer = EventRecordWsRenderer(faults=state.faults)
    server = WsPushServer(state.event_bus, renderer, state.faults)
    state.ws_port = await server.start(state.ws_host, state.ws_port)
    state.stats_providers["ws_clients"] = lambda: server.client_count
    state.stats_providers["ws_slow_consumers_closed"] = lambda: server.stats.slow_consumers_closed
    return server.stop


class WsThread(Generic[R]):
    """A push server on its own loop in a daemon thread, for tests and benchmarks without the emulator."""

    def __init__(
        self,
        renderer: WsRenderer[R],
        faults: FaultHooks = NO_FAULTS,
        *,
        slow_consumer_s: float = SLOW_CONSUMER_S,
    ) -> None:
        self._renderer = renderer
        self._faults = faults
        self.loop = asyncio.new_event_loop()
        self.bus: EventBus[R] = EventBus(self.loop)
        self.server: WsPushServer[R] = WsPushServer(
            self.bus, renderer, faults, slow_consumer_s=slow_consumer_s
        )
        self._thread = threading.Thread(target=self.loop.run_forever, name="ws-push", daemon=True)
        self.port = 0

    @property
    def url(self) -> str:
        """The ws:// address clients connect to."""
        return f"ws://127.0.0.1:{self.port}"

    def start(self, timeout: float = 10.0) -> WsThread[R]:
        """Start the loop thread and the server; returns self once the port is bound."""
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self.server.start(), self.loop)
        self.port = future.result(timeout)
        return self

    def publish(self, records: Sequence[R]) -> None:
        """Publish from the calling thread, as the store's insert path does."""
        self.bus.publish(records)

    def call(self, function: Callable[[], int], timeout: float = 5.0) -> int:
        """Run a small read on the loop thread (e.g. a client count) and return its result."""

        async def run() -> int:
            return function()

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server, the loop and the thread."""
        if not self._thread.is_alive():
            return
        asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(timeout)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout)
        self.loop.close()
