"""WebSocket push: a client that stops reading never delays others; connect/disconnect churn leaks nothing."""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import websocket

from conformance.emulator.websocket_server import QUEUE_LIMIT, SLOW_CONSUMER_REASON, WsThread

DEVICE = "cam-ws"
MESSAGES = QUEUE_LIMIT + 1500
PADDING = "x" * 8_000  # 8 KB per message: the slow client's socket buffers fill long before the queue does
CHURN_CLIENTS = 200  # benchmarks/reliability_ws_churn.py runs the 60 s loop
FD_SLACK = 5
CHUNK = 10
BULK = 4 * QUEUE_LIMIT
BULK_PADDING = "x" * 4_000  # 5,000 x 4 KB still overflows the stalled client's socket buffers and queue
# The reading client is a thread of this test process: on a busy machine (CI packs workers onto 2 cores) it
# can be off the CPU for longer than the emulator's 1 s, so the server here waits longer before calling a
# full queue slow; the stalled client never reads and is closed all the same.
SLOW_CONSUMER_S = 5.0


class _Renderer:
    """Records are ints; each renders as a JSON push carrying its number and `padding`."""

    def __init__(self, padding: str = PADDING) -> None:
        self.padding = padding

    def device_id(self, record: int) -> str:
        return DEVICE

    def render(self, record: int, need_face: bool, need_register: bool) -> str:
        return json.dumps({"n": record, "device_id": DEVICE, "pad": self.padding})


@pytest.fixture
def push() -> Iterator[WsThread[int]]:
    server: WsThread[int] = WsThread(_Renderer(), slow_consumer_s=SLOW_CONSUMER_S).start()
    yield server
    server.stop()


def _configured(url: str) -> Any:
    ws: Any = websocket.WebSocket()  # websocket-client ships no annotations
    ws.connect(url, timeout=5)
    ws.send(json.dumps({"need_face": False, "need_register": False, "event_list": [DEVICE]}))
    return ws


def _wait_configured(push: WsThread[int], clients: int) -> None:
    """Configuration frames are handled asynchronously; give them a moment to land."""
    deadline = time.monotonic() + 5
    while push.server.stats.frames_received < clients and time.monotonic() < deadline:
        time.sleep(0.01)


def _read_all(ws: websocket.WebSocket, count: int, into: list[int]) -> None:
    ws.settimeout(10)
    with contextlib.suppress(websocket.WebSocketException, OSError):
        for _ in range(count):
            message = ws.recv()
            if not message:  # the server closed this client
                return
            into.append(json.loads(message)["n"])


def _ending(ws: websocket.WebSocket) -> tuple[int | None, bytes]:
    """Drain what the server buffered until the connection ends: (close code, reason), (None, b"") if aborted.

    Policy: close 1008 "slow consumer"; a peer that still does not read is aborted after 2 s, so its close
    frame may never get through. A connection left open fails here with a receive timeout.
    """
    ws.settimeout(10)
    opcode, data = None, b""
    with contextlib.suppress(websocket.WebSocketConnectionClosedException):
        while opcode != websocket.ABNF.OPCODE_CLOSE:
            opcode, data = ws.recv_data(control_frame=True)
    if opcode != websocket.ABNF.OPCODE_CLOSE:
        return None, b""
    return int.from_bytes(data[:2], "big"), data[2:]


def _fast_beside_stalled(push: WsThread[int], publish: Callable[[], None], count: int) -> list[int]:
    """Run `publish` with one reading and one stalled client; the stalled one must end as slow."""
    slow, fast = _configured(push.url), _configured(push.url)
    _wait_configured(push, 2)
    received: list[int] = []
    reader = threading.Thread(target=_read_all, args=(fast, count, received))
    reader.start()
    try:
        publish()
        reader.join(60)
        assert push.call(lambda: push.server.stats.slow_consumers_closed) == 1
        code, reason = _ending(slow)
        assert code is None or (code, reason) == (1008, SLOW_CONSUMER_REASON.encode())
    finally:
        for ws in (fast, slow):
            ws.close()
            ws.shutdown()
    return received


def test_slow_reader_is_dropped_and_fast_reader_gets_everything(push: WsThread[int]) -> None:
    def site_pace() -> None:  # many small batches
        for first in range(0, MESSAGES, CHUNK):
            push.publish(list(range(first, min(first + CHUNK, MESSAGES))))
            time.sleep(0.01)

    assert _fast_beside_stalled(push, site_pace, MESSAGES) == list(range(MESSAGES))


def test_bulk_batches_larger_than_the_queue_never_drop_a_fast_reader() -> None:
    """One 4,000-event batch and a 1,000-event one right behind it: only the stalled client is closed."""
    push: WsThread[int] = WsThread(_Renderer(BULK_PADDING), slow_consumer_s=SLOW_CONSUMER_S).start()

    def bulk() -> None:
        push.publish(list(range(BULK)))
        push.publish(list(range(BULK, BULK + QUEUE_LIMIT)))

    try:
        received = _fast_beside_stalled(push, bulk, BULK + QUEUE_LIMIT)
    finally:
        push.stop()
    assert received == list(range(BULK + QUEUE_LIMIT))


def test_a_reading_client_is_never_dropped(push: WsThread[int]) -> None:
    """Negative case: below the queue limit nobody is closed as slow."""
    client = _configured(push.url)
    _wait_configured(push, 1)
    push.publish(list(range(100)))
    client.settimeout(10)
    assert [json.loads(client.recv())["n"] for _ in range(100)] == list(range(100))
    assert push.server.stats.slow_consumers_closed == 0
    client.close()
    client.shutdown()


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc to count descriptors")
def test_connect_disconnect_churn_leaks_no_descriptors(push: WsThread[int]) -> None:
    warm = _configured(push.url)
    warm.close()
    warm.shutdown()
    before = _open_fds()
    for _ in range(CHURN_CLIENTS):
        client = _configured(push.url)
        client.close()
        client.shutdown()  # close() skips releasing the socket when the server closed first
    deadline = time.monotonic() + 10
    while push.call(lambda: push.server.client_count) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert push.call(lambda: push.server.client_count) == 0
    assert _open_fds() <= before + FD_SLACK
