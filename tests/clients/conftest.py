"""A tiny local HTTP + WebSocket app on a free loopback port, for exercising the recording clients."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4


async def echo(request: Request) -> JSONResponse:
    body = await request.body()
    form: dict[str, str] = {}
    kind = request.headers.get("content-type", "")
    if kind.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        async with request.form() as parsed:
            for key, value in parsed.multi_items():
                form[key] = value if isinstance(value, str) else f"<file {value.filename}>"
    return JSONResponse(
        {
            "method": request.method,
            "path": request.url.path,
            "query": list(request.query_params.multi_items()),
            "content_type": kind,
            "authorization": request.headers.get("authorization"),
            "body_size": len(body),
            "form": form,
        }
    )


async def text(request: Request) -> PlainTextResponse:
    return PlainTextResponse("plain words, not JSON", status_code=503)


async def image(request: Request) -> Response:
    return Response(JPEG_HEAD, media_type="image/jpeg")


async def ws_echo(websocket: WebSocket) -> None:
    await websocket.accept()
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        if message.get("text") == "silence":
            continue  # say nothing: the client must time out
        if message.get("text") == "garbage":
            await websocket.send_text("not json {")
            continue
        if message.get("text") is not None:
            await websocket.send_text(message["text"])
        else:
            await websocket.send_bytes(message["bytes"])


APP = Starlette(
    routes=[
        Route("/echo", echo, methods=["GET", "POST"]),
        Route("/text", text),
        Route("/image", image),
        WebSocketRoute("/ws", ws_echo),
    ]
)


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """Base URL (http://127.0.0.1:<port>) of the tiny app, started once per session."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(APP, log_level="warning", lifespan="off", ws="websockets-sansio"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.started, "test app did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    yield sock.getsockname()[1]
    sock.close()


@pytest.fixture
def closed_port() -> int:
    """A port nothing listens on."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    sock.close()
    return port
