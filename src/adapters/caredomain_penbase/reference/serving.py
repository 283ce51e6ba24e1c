"""The HTTP side of the reference server: every request gets an answer.

A request is read into a :class:`Request` and handed to the application; whatever happens,
the client gets an HTTP answer with a JSON ``{"error": {...}}`` body, never a dropped
connection:

* the body is read only when its ``Content-Length`` is a plain number of at most
  :data:`~caredomain_penbase.limits.MAX_REQUEST_BYTES`; otherwise 400 (not a number,
  two different lengths), 411 (``Transfer-Encoding`` without a length) or 413 (too large),
  without reading it;
* a body that does not arrive within :data:`READ_TIMEOUT` seconds: 408;
* a malformed request line or header (the standard library's own checks): its 4xx, in JSON;
* an error the application did not expect: 500, logged, rather than a closed socket.

When the body was not read, the server shuts its side down and drains what the client still
sends (at most :data:`MAX_DRAIN_BYTES`, for :data:`LINGER` seconds) before closing, so that
the client reads the answer instead of a reset connection.
"""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Mapping
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from attrs import frozen

from caredomain_penbase.limits import MAX_REQUEST_BYTES

__all__ = ["Answer", "Application", "HttpServer", "Request", "error"]

log = logging.getLogger("caredomain_penbase.reference.server")

READ_TIMEOUT = 10.0
LINGER = 2.0
MAX_DRAIN_BYTES = 8 * MAX_REQUEST_BYTES
_STATUS_CODES = {
    400: "invalid",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    408: "timeout",
    411: "length_required",
    413: "too_large",
}


@frozen
class Answer:
    """An HTTP answer: status, JSON body (``None``: no body) and extra headers."""

    status: int
    body: Any = None
    headers: tuple[tuple[str, str], ...] = ()


def error(
    status: int, message: str, *, code: str | None = None, field: str | None = None
) -> Answer:
    """The ``{"error": {"code", "message", "field"}}`` answer."""
    content = {"code": code or _STATUS_CODES.get(status, "error"), "message": message}
    if field is not None:
        content["field"] = field
    return Answer(status, {"error": content})


@frozen
class Request:
    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    body: bytes


class Application(Protocol):
    def handle(self, request: Request) -> Answer: ...


class _Unread(Exception):
    """The body is refused before it is read."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(answer.status)
        self.answer = answer


def _content_length(headers: Message) -> int:
    """The length of the body to read, or :class:`_Unread` with the refusal."""
    if headers.get("Transfer-Encoding") is not None:
        raise _Unread(error(411, "send the body with a Content-Length", field="Content-Length"))
    values = {value.strip() for value in headers.get_all("Content-Length") or []}
    if not values:
        return 0
    if len(values) > 1:
        raise _Unread(error(400, "two different Content-Length", field="Content-Length"))
    raw = values.pop()
    if not (raw.isascii() and raw.isdigit()):
        raise _Unread(error(400, "Content-Length is not a number", field="Content-Length"))
    if len(raw) > len(str(MAX_REQUEST_BYTES)) or int(raw) > MAX_REQUEST_BYTES:
        message = f"a body is at most {MAX_REQUEST_BYTES} bytes"
        raise _Unread(error(413, message, field="Content-Length"))
    return int(raw)


class HttpServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], app: Application) -> None:
        super().__init__(address, _Handler)
        self.app = app

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (a timeout test) is not the server's error."""
        log.debug("Penbase reference server: a connection ended early", exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    server: HttpServer
    protocol_version = "HTTP/1.0"
    default_request_version = "HTTP/1.0"  # a refusal always has a status line and headers
    timeout = READ_TIMEOUT

    def do_GET(self) -> None:
        self._serve("GET")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def _serve(self, method: str) -> None:
        try:
            answer = self._answer(method, _content_length(self.headers))
        except _Unread as unread:
            self._send(unread.answer)
            self._linger()
        else:
            self._send(answer)

    def _answer(self, method: str, length: int) -> Answer:
        try:
            body = self.rfile.read(length) if length else b""
        except TimeoutError:
            return error(408, f"the body did not arrive within {READ_TIMEOUT:g} s", field="body")
        if len(body) < length:
            return error(400, "the body is shorter than its Content-Length", field="body")
        try:
            target = urlsplit(self.path)
            request = Request(
                method,
                target.path,
                parse_qs(target.query, keep_blank_values=True),
                {key.lower(): value for key, value in self.headers.items()},
                body,
            )
            return self.server.app.handle(request)
        except Exception:  # the server answers every request, even the unforeseen
            log.exception("Penbase reference server: %s %s failed", method, self.path[:200])
            return error(500, "the server failed on this request", code="internal")

    def _send(self, answer: Answer) -> None:
        payload = b"" if answer.body is None else json.dumps(answer.body).encode("utf-8")
        self.send_response(answer.status)
        for name, value in answer.headers:
            self.send_header(name, value)
        if payload:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _linger(self) -> None:
        """Let the client read the answer before the unread body is thrown away."""
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_WR)
            self.connection.settimeout(LINGER)
            drained = 0
            while drained < MAX_DRAIN_BYTES:
                chunk = self.connection.recv(65536)
                if not chunk:
                    break
                drained += len(chunk)
        except OSError:
            pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The standard library's refusals (bad request line, header too long), in JSON."""
        self.close_connection = True
        self._send(error(code, message or explain or "malformed request"))

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("Penbase reference server: " + format, *args)
