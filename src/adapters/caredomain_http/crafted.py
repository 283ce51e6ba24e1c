"""A hostile platform on loopback, for fault campaigns against a platform client (the HopHop
and Penbase clients' tests, and yours): a real HTTP server that answers each request with
whatever a test crafts — any status, headers and bytes, late, a byte at a time, or not at
all — and keeps what it was sent::

    from caredomain_http.crafted import Answer, crafted_server

    with crafted_server() as platform:
        platform.serve(Answer(503, b"busy", {"Retry-After": "1"}))
        ...  # a client of platform.url asked, then platform.seen, platform.asked

``crafted_server(tls=context)`` serves HTTPS with a server-side :class:`ssl.SSLContext`.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from attrs import field, frozen

__all__ = ["Answer", "Crafted", "Seen", "crafted_server"]


@frozen
class Seen:
    """One request as the server read it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@frozen
class Answer:
    """What to answer: ``status``, ``headers`` and ``body`` (``Content-Length`` added unless
    given), after ``delay`` seconds, its body written ``trickle`` seconds a byte; or
    ``raw`` bytes written as they are (a byte every ``trickle`` seconds, if given: a status
    line and headers sent slowly); or, with ``drop``, the connection closed unanswered.
    ``reason`` replaces the status line's reason phrase."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(factory=dict)
    reason: str | None = None
    delay: float = 0.0
    trickle: float = 0.0
    raw: bytes | None = None
    drop: bool = False


class Crafted(ThreadingHTTPServer):
    """The server: set :attr:`answering` (or call :meth:`serve`); :attr:`seen` lists what
    came in since, :attr:`trickled` how many bytes were trickled (a client that gave up
    early stopped them)."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.scheme = "http"
        if tls is not None:
            self.socket = tls.wrap_socket(self.socket, server_side=True)
            self.scheme = "https"
        self.answering: Callable[[Seen], Answer] = lambda _: Answer()
        self.seen: list[Seen] = []
        self.trickled = 0
        self.stopping = threading.Event()

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.server_address[1]}/"

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet: a client that hung up on a slow or endless answer is the point."""

    def serve(self, answer: Answer | Callable[[Seen], Answer]) -> None:
        """Answer every request so from now on, and forget what was seen."""
        self.answering = answer if callable(answer) else (lambda _: answer)
        self.seen = []
        self.trickled = 0

    @property
    def asked(self) -> int:
        return len(self.seen)


class _Handler(BaseHTTPRequestHandler):
    server: Crafted
    protocol_version = "HTTP/1.0"

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        seen = Seen(self.command, self.path, dict(self.headers.items()), self.rfile.read(length))
        self.server.seen.append(seen)
        answer = self.server.answering(seen)
        if answer.delay and self.server.stopping.wait(answer.delay):
            return
        if answer.drop:
            self.close_connection = True
            return
        if answer.raw is not None:
            self._write(answer.raw, answer.trickle)
            return
        self.send_response(answer.status, answer.reason)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        if "Content-Length" not in answer.headers:
            self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        self._write(answer.body, answer.trickle)

    def _write(self, data: bytes, trickle: float) -> None:
        if not trickle:
            self.wfile.write(data)
            return
        self.wfile.flush()
        for byte in data:
            if self.server.stopping.wait(trickle):
                return
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            self.server.trickled += 1

    def do_GET(self) -> None:
        self._answer()

    def do_PUT(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def do_DELETE(self) -> None:
        self._answer()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def crafted_server(tls: ssl.SSLContext | None = None) -> Iterator[Crafted]:
    """A :class:`Crafted` server running in a thread until the block ends; HTTPS with
    ``tls``."""
    server = Crafted(tls)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join()
