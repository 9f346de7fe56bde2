"""A TCP relay in front of the upload receiver that the suite can take down and bring back on the same URL.

While down nothing listens on the relay's port (connections are refused); while up every connection
is forwarded byte for byte to the receiver. The box is pointed at the relay's URL, so "the receiver
was unreachable" happens without touching the receiver and works for a real box that can reach the
harness machine. `failing(status)` keeps the port open but answers every upload with that status (a 5xx:
the receiver is there but cannot take uploads), without forwarding it.
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
        self._failing_status: int | None = None
        self._open: set[socket.socket] = set()  # established connections (kept alive by the sender)
        self._open_lock = threading.Lock()
        self.refused = 0  # uploads answered with the failing status

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

    def failing(self, status: int = 503) -> None:
        """Listen, but answer every upload with `status` instead of forwarding it."""
        self._failing_status = status
        self._drop_connections()  # a kept-alive connection would still forward
        self.up()

    def forwarding(self) -> None:
        """Listen and forward to the receiver again (after `failing` or `down`)."""
        self._failing_status = None
        self.up()

    def down(self) -> None:
        """Stop listening: new connections are refused (idempotent)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5.0)
        if self._listener is not None:
            self._listener.close()
        self._listener, self._thread = None, None
        self._drop_connections()

    def _drop_connections(self) -> None:
        """Cut every established connection: a sender that kept one alive must connect again."""
        with self._open_lock:
            sockets, self._open = list(self._open), set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()

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
        status = self._failing_status
        if status is not None:
            self._answer(client, status)
            return
        try:
            upstream = socket.create_connection(self._upstream, timeout=IO_TIMEOUT_S)
        except OSError:
            client.close()
            return
        with self._open_lock:
            self._open.update((client, upstream))
        client.settimeout(IO_TIMEOUT_S)
        back = threading.Thread(target=_pump, args=(upstream, client), daemon=True)
        back.start()
        _pump(client, upstream)
        back.join(timeout=IO_TIMEOUT_S)
        with self._open_lock:
            self._open.difference_update((client, upstream))
        client.close()
        upstream.close()

    def _answer(self, client: socket.socket, status: int) -> None:
        """Read one request (headers and Content-Length body) and answer `status` with no body."""
        client.settimeout(IO_TIMEOUT_S)
        data = b""
        try:
            while b"\r\n\r\n" not in data and len(data) < CHUNK * 4:
                chunk = client.recv(CHUNK)
                if not chunk:
                    break
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length" and value.strip().isdigit():
                    length = int(value.strip())
            while len(body) < length:
                chunk = client.recv(CHUNK)
                if not chunk:
                    break
                body += chunk
            client.sendall(
                f"HTTP/1.1 {status} Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode()
            )
            self.refused += 1
        except OSError:
            pass
        finally:
            client.close()

    def __enter__(self) -> ReceiverRelay:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.down()
