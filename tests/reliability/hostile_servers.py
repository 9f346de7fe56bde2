"""Boxes that misbehave on purpose (hang, reset, bad JSON, huge body, broken WebSocket) on 127.0.0.1:0.

Each `HostileServer` runs an asyncio loop in a daemon thread and serves one `Behaviour` to every
connection until `stop()`. Start by hand for a manual run: `python -m tests.reliability.hostile_servers hang`.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import enum
import hashlib
import json
import socket
import struct
import sys
import threading
from types import TracebackType

HUGE_BODY_BYTES = 50 * 1024 * 1024
HUGE_CHUNK = b"a" * (1024 * 1024)
HEADER_LIMIT = 64 * 1024
READ_TIMEOUT_S = 30.0
WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
DEVICES_PATH = "/SophonDevice/api/Devices"
DEVICES_BODY = json.dumps(
    {"data": {"devices_list": [{"device_id": "0f4f4f4f-0000-4000-8000-000000000001", "device_name": "cam"}]}}
).encode()


class Behaviour(enum.Enum):
    """What the server does after reading a request (or, for WebSocket modes, the handshake)."""

    HANG = "hang"  # accept, read, never answer
    RESET = "reset"  # read the request, then close with RST
    INVALID_JSON = "invalid-json"  # 200 application/json with a body that is not JSON
    HUGE_BODY = "huge-body"  # 200 with a 50 MB body that never becomes JSON
    DEVICES_THEN_HANG = "devices-then-hang"  # a valid device list (preflight passes), every other call hangs
    DEVICES_THEN_RESET = "devices-then-reset"  # a valid device list, every other call is reset
    WS_NO_HANDSHAKE = "ws-no-handshake"  # accept the TCP connection, never answer the upgrade
    WS_SILENT = "ws-silent"  # complete the WebSocket handshake, then never send a frame
    WS_GARBAGE_HANDSHAKE = "ws-garbage-handshake"  # answer the upgrade with bytes that are not HTTP
    WS_GARBAGE_FRAMES = "ws-garbage-frames"  # complete the handshake, then send bytes that are not frames


class HostileServer:
    """One misbehaving TCP server on a free loopback port, served from a daemon thread."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.port = 0
        self.connections = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name=f"hostile-{behaviour.value}", daemon=True
        )
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._handlers: set[asyncio.Task[None]] = set()

    @property
    def http_url(self) -> str:
        """http:// base URL of the server."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        """ws:// URL of the server."""
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> HostileServer:
        """Bind 127.0.0.1:0 and serve; returns once the port is known."""
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._start(), self._loop)
        self.port = future.result(10.0)
        return self

    async def _start(self) -> int:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0, limit=HEADER_LIMIT)
        return int(self._server.sockets[0].getsockname()[1])

    def stop(self) -> None:
        """Abort every connection, stop listening, end the thread."""
        if not self._thread.is_alive():
            return
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(10.0)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10.0)
        self._loop.close()

    async def _stop(self) -> None:
        for writer in list(self._writers):
            writer.transport.abort()
        for task in list(self._handlers):
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(5.0):
                    await self._server.wait_closed()

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.add(writer)
        task = asyncio.current_task()
        if task is not None:
            self._handlers.add(task)
            task.add_done_callback(self._handlers.discard)
        try:
            await self._serve(reader, writer)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            pass
        except asyncio.CancelledError:  # stop(): end quietly (start_server's callback reads the result)
            pass
        finally:
            self._writers.discard(writer)
            writer.transport.abort()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.behaviour is Behaviour.WS_NO_HANDSHAKE:
            await _forever()
        while True:  # keep-alive: one request after another on the same connection
            async with asyncio.timeout(READ_TIMEOUT_S):
                head = await reader.readuntil(b"\r\n\r\n")
            request_line, headers = _parse_head(head)
            await _skip_body(reader, headers)
            if not await self._answer(request_line, headers, writer):
                return

    async def _answer(self, request_line: str, headers: dict[str, str], writer: asyncio.StreamWriter) -> bool:
        """Misbehave for one request; False ends the connection."""
        behaviour = self.behaviour
        path = request_line.split(" ")[1] if request_line.count(" ") >= 2 else "/"
        if behaviour in (Behaviour.DEVICES_THEN_HANG, Behaviour.DEVICES_THEN_RESET) and path.startswith(
            DEVICES_PATH
        ):
            await _respond(writer, 200, DEVICES_BODY)
            return True
        if behaviour in (Behaviour.HANG, Behaviour.DEVICES_THEN_HANG, Behaviour.WS_SILENT) and not (
            behaviour is Behaviour.WS_SILENT and "sec-websocket-key" in headers
        ):
            await _forever()
        if behaviour in (Behaviour.RESET, Behaviour.DEVICES_THEN_RESET):
            _reset(writer)
            return False
        if behaviour is Behaviour.INVALID_JSON:
            await _respond(writer, 200, b'{"data": {"devices_list": [ not json')
            return True
        if behaviour is Behaviour.HUGE_BODY:
            await _huge_response(writer)
            return False
        if behaviour is Behaviour.WS_GARBAGE_HANDSHAKE:
            writer.write(b"\x00\xff garbage that is not an HTTP response \xfe\r\n\r\n")
            await writer.drain()
            await _forever()
        await _ws_accept(writer, headers.get("sec-websocket-key", ""))
        if behaviour is Behaviour.WS_GARBAGE_FRAMES:
            writer.write(b"\x8f\x05hello" + bytes(range(256)))  # reserved opcode 0xF, then noise
            await writer.drain()
        await _forever()
        return False


async def _forever() -> None:
    await asyncio.Event().wait()


def _parse_head(head: bytes) -> tuple[str, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name:
            headers[name.strip().lower()] = value.strip()
    return lines[0], headers


async def _skip_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> None:
    length = headers.get("content-length", "0")
    if length.isdigit() and int(length) > 0:
        async with asyncio.timeout(READ_TIMEOUT_S):
            await reader.readexactly(int(length))


async def _respond(writer: asyncio.StreamWriter, status: int, body: bytes) -> None:
    writer.write(
        f"HTTP/1.1 {status} OK\r\nContent-Type: application/json\r\n".encode()
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    await writer.drain()


async def _huge_response(writer: asyncio.StreamWriter) -> None:
    writer.write(
        f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {HUGE_BODY_BYTES}\r\n"
        "Connection: close\r\n\r\n".encode()
    )
    writer.write(b'{"data": "')
    sent = 10
    while sent < HUGE_BODY_BYTES:
        chunk = HUGE_CHUNK[: HUGE_BODY_BYTES - sent]
        writer.write(chunk)
        await writer.drain()
        sent += len(chunk)


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with RST instead of FIN: SO_LINGER on, timeout 0."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def _ws_accept(writer: asyncio.StreamWriter, key: str) -> None:
    accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
    writer.write(
        (
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Accept: {accept}\r\n\r\n"
        ).encode()
    )
    await writer.drain()


def main(argv: list[str]) -> int:
    """Serve one behaviour until Ctrl-C, for manual runs."""
    names = [b.value for b in Behaviour]
    if len(argv) != 1 or argv[0] not in names:
        print(f"usage: python -m tests.reliability.hostile_servers {{{','.join(names)}}}", file=sys.stderr)
        return 2
    with HostileServer(Behaviour(argv[0])) as server:
        print(f"{argv[0]} on {server.http_url}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
