"""WebSocket push: a client that stops reading never delays others; connect/disconnect churn leaks nothing."""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Iterator
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


class _Renderer:
    """Records are ints; each renders as a JSON push carrying its number."""

    def device_id(self, record: int) -> str:
        return DEVICE

    def render(self, record: int, need_face: bool, need_register: bool) -> str:
        return json.dumps({"n": record, "device_id": DEVICE, "pad": PADDING})


@pytest.fixture
def push() -> Iterator[WsThread[int]]:
    server: WsThread[int] = WsThread(_Renderer()).start()
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
            into.append(json.loads(ws.recv())["n"])


def test_slow_reader_is_dropped_and_fast_reader_gets_everything(push: WsThread[int]) -> None:
    slow, fast = _configured(push.url), _configured(push.url)
    _wait_configured(push, 2)
    received: list[int] = []
    reader = threading.Thread(target=_read_all, args=(fast, MESSAGES, received))
    reader.start()
    for first in range(
        0, MESSAGES, CHUNK
    ):  # site pace: many small batches (one batch > QUEUE_LIMIT drops all)
        push.publish(list(range(first, min(first + CHUNK, MESSAGES))))
        time.sleep(0.01)
    reader.join(30)
    assert received == list(range(MESSAGES))
    assert push.server.stats.slow_consumers_closed == 1
    slow.settimeout(10)
    opcode, data = None, b""
    with contextlib.suppress(websocket.WebSocketConnectionClosedException):
        while opcode != websocket.ABNF.OPCODE_CLOSE:  # drain what was buffered, then the close frame
            opcode, data = slow.recv_data(control_frame=True)
    # policy: close 1008 "slow consumer"; a peer that still does not read is aborted after 2 s (no frame)
    if opcode == websocket.ABNF.OPCODE_CLOSE:
        assert int.from_bytes(data[:2], "big") == 1008 and SLOW_CONSUMER_REASON.encode() in data
    for ws in (fast, slow):
        ws.close()
        ws.shutdown()


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
