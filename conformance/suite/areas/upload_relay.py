"""A TCP relay in front of the upload receiver that the suite can take down and bring back on the same URL.

While down nothing listens on the relay's port (connections are refused); while up every connection
is forwarded byte for byte to the receiver. The box is pointed at the relay's URL, so "the receiver
was unreachable" happens without touching the receiver and works for a real box that can reach the
harness machine.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from urllib.parse import urlsplit, urlunsplit

CHUNK = 65_536
IO_TIMEOUT_S = 30.0
ACCEPT_POLL_S = 0.2


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(CHUNK):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


class ReceiverRelay:
    """Forwards `bind_host:<port>` to the receiver at `upstream_url`; `down()` refuses, `up()` forwards."""

    def __init__(self, upstream_url: str, bind_host: str = "127.0.0.1") -> None:
        parts = urlsplit(upstream_url)
        if not parts.hostname or not parts.port:
            raise ValueError(f"receiver URL {upstream_url!r} has no host:port")
        self._upstream = (parts.hostname, parts.port)
        self._parts = parts
        self._host = bind_host
        with socket.socket() as probe:  # reserve a free port number; nothing listens until up()
            probe.bind((bind_host, 0))
            self.port = int(probe.getsockname()[1])
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    @property
    def url(self) -> str:
        """The receiver's URL with the relay's port: what the box is told to upload to."""
        return urlunsplit(self._parts._replace(netloc=f"{self._host}:{self.port}"))

    def up(self) -> None:
        """Start listening and forwarding (idempotent)."""
        if self._listener is not None:
            return
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self._host, self.port))
        listener.listen(64)
        listener.settimeout(ACCEPT_POLL_S)
        self._listener = listener
        self._stop.clear()
        self._thread = threading.Thread(target=self._accept_loop, name="receiver-relay", daemon=True)
        self._thread.start()

    def down(self) -> None:
        """Stop listening: new connections are refused (idempotent)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5.0)
        if self._listener is not None:
            self._listener.close()
        self._listener, self._thread = None, None

    def _accept_loop(self) -> None:
        assert self._listener is not None
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self._upstream, timeout=IO_TIMEOUT_S)
        except OSError:
            client.close()
            return
        client.settimeout(IO_TIMEOUT_S)
        back = threading.Thread(target=_pump, args=(upstream, client), daemon=True)
        back.start()
        _pump(client, upstream)
        back.join(timeout=IO_TIMEOUT_S)
        client.close()
        upstream.close()

    def __enter__(self) -> ReceiverRelay:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.down()
