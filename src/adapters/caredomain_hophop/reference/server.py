"""A reference HopHop on the standard library, for tests, demos and integrators.

:class:`HopHopServer` implements the outbound contract of ``docs/hophop.md`` over real HTTP
on 127.0.0.1 (a free port), in memory, behaving as the seed describes HopHop — an account's
e-mail is unique across it, linking needs the account's password, a roster push replaces
the records it names::

    with HopHopServer(api_token="partner-token") as server:
        client = HopHopClient.from_settings({"url": server.url, "token": "partner-token"})
        client.link(account, Secret("pw"), create=True)
        server.held(account.email)  # the records the account holds

What it received is read back with :meth:`HopHopServer.held`, :attr:`HopHopServer.pushes`,
:attr:`HopHopServer.told_ready`, :attr:`HopHopServer.activation_mails` and
:attr:`HopHopServer.requests` (method and path of each request, never a header).
:meth:`HopHopServer.fail_next` injects faults. A body is read only with a
``Content-Length`` of at most :data:`MAX_REQUEST_BYTES`; every answer is JSON.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, HTTPServer, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

from attrs import frozen

from caredomain.errors import CareDomainError, InvalidInput
from caredomain.pickup.sync import SyncDiff, SyncedChild, SyncedParent
from caredomain.text import Text
from caredomain_hophop import wire
from caredomain_hophop.client import PASSWORD_HEADER
from caredomain_http.loopback import LoopbackServer

__all__ = ["MAX_REQUEST_BYTES", "HopHopServer", "Ready"]

log = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 1024 * 1024
"""The largest body the reference server reads: 1 MiB."""


@frozen
class Ready:
    """A "ready" HopHop passed on to a parent."""

    account: str
    pickup: str
    announcement: str
    child: str


@frozen
class _Answer:
    status: int
    body: Any
    headers: tuple[tuple[str, str], ...] = ()


def _error(status: int, code: str, message: str, field: str | None = None) -> _Answer:
    return _Answer(status, wire.error_json(code, message, field))


def _utf8(header: str) -> str:
    """A header's value as the client wrote it, in UTF-8 (http.server reads Latin-1)."""
    try:
        return header.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return header


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class _Account:
    def __init__(self, email: str, password: str, installation: str) -> None:
        self.email = email
        self.password = _digest(password)
        self.installation = installation
        self.linked = False
        self.records: dict[str, SyncedChild] = {}


class HopHopServer(LoopbackServer):
    """The reference HopHop; see the module's documentation."""

    secret_name = "api_token"

    def __init__(self, api_token: str) -> None:
        if not api_token.strip():
            raise InvalidInput(Text("an API token is required"), field="api_token")
        self._token = _digest(api_token)
        self._lock = threading.RLock()
        self._accounts: dict[str, _Account] = {}
        self._failures: deque[tuple[int, float | None]] = deque()
        self._idempotency: set[str] = set()
        self.pushes: list[tuple[str, SyncDiff]] = []
        self.told_ready: list[Ready] = []
        self.activation_mails: list[SyncedParent] = []
        self.requests: list[tuple[str, str]] = []

    # -- life --------------------------------------------------------------------------

    def _http_server(self, address: tuple[str, int]) -> HTTPServer:
        server = ThreadingHTTPServer(address, _handler(self))
        server.daemon_threads = True
        return server

    def _not_started(self) -> Exception:
        return CareDomainError(Text("the HopHop server is not started"))

    # -- test controls and reading back -------------------------------------------------

    def add_account(self, email: str, password: str, installation: str = "") -> None:
        """An account HopHop created itself ("J'ai déjà un compte" then links to it)."""
        with self._lock:
            self._accounts[email.casefold()] = _Account(email, password, installation)

    def change_password(self, email: str, password: str) -> None:
        """What app.hophop.ca lets the daycare do — and what cuts the bridge (the seed)."""
        with self._lock:
            account = self._accounts[email.casefold()]
            account.password = _digest(password)
            account.linked = False

    def held(self, email: str) -> dict[str, SyncedChild]:
        """The records the account holds, by reference."""
        with self._lock:
            return dict(self._accounts[email.casefold()].records)

    def linked(self, email: str) -> bool:
        with self._lock:
            account = self._accounts.get(email.casefold())
            return account is not None and account.linked

    def fail_next(self, count: int, status: int = 503, *, retry_after: float | None = None) -> None:
        """The next ``count`` requests are answered ``status`` (with ``Retry-After``)."""
        with self._lock:
            self._failures.extend([(status, retry_after)] * count)

    # -- serving -----------------------------------------------------------------------

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> _Answer:
        """One request (headers by lower-case name), faults first."""
        with self._lock:
            self.requests.append((method, path))
            failure = self._failures.popleft() if self._failures else None
        if failure is not None:
            status, retry_after = failure
            answer = _error(status, "unavailable", "injected fault")
            if retry_after is not None:
                return _Answer(status, answer.body, (("Retry-After", f"{retry_after:g}"),))
            return answer
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            _digest(token.strip()), self._token
        ):
            return _error(401, "unauthorized", "a valid Authorization: Bearer token is required")
        try:
            data = wire.read_json(body, limit=MAX_REQUEST_BYTES)
            with self._lock:
                return self._route(method, path.strip("/"), headers, data)
        except InvalidInput as refused:
            return _error(400, "invalid", str(refused), refused.field)

    def _route(self, method: str, path: str, headers: dict[str, str], data: object) -> _Answer:
        if path == "v1/accounts/link":
            return self._allowed(method) or self._link(headers, data)
        found = re.fullmatch(r"v1/accounts/([^/]+)/(roster|ready|activation-emails)", path)
        if found is None:
            return _error(404, "not_found", f"no such endpoint: /{path}")
        account = self._accounts.get(unquote(found.group(1)).casefold())
        if account is None or not account.linked:
            return _error(404, "account_not_linked", "no linked account by this e-mail")
        endpoints = {
            "roster": self._roster,
            "ready": self._ready,
            "activation-emails": self._activation,
        }
        return self._allowed(method) or endpoints[found.group(2)](account, headers, data)

    @staticmethod
    def _allowed(method: str) -> _Answer | None:
        if method != "POST":
            return _error(405, "method", f"{method} is not allowed here")
        return None

    def _link(self, headers: dict[str, str], data: object) -> _Answer:
        read = wire.Reader(data)
        email, installation = read.text("email"), read.text("installation")
        create = read.boolean("create")
        password = _utf8(headers.get(PASSWORD_HEADER.lower(), ""))
        if not password:
            return _error(400, "invalid", "the password header is required", PASSWORD_HEADER)
        account = self._accounts.get(email.casefold())
        if create:
            if account is not None and account.installation not in ("", installation):
                return _Answer(200, {"result": "email-taken"})
            account = _Account(email, password, installation)
            self._accounts[email.casefold()] = account
        elif account is None or not hmac.compare_digest(account.password, _digest(password)):
            return _Answer(200, {"result": "bad-credentials"})
        account.installation = installation
        account.linked = True
        return _Answer(200, {"result": "ok"})

    def _roster(self, account: _Account, headers: dict[str, str], data: object) -> _Answer:
        diff = wire.diff_from(data)
        for record in (*diff.added, *diff.changed):
            account.records[record.reference] = record
        for reference in diff.removed:
            account.records.pop(reference, None)
        self.pushes.append((account.email, diff))
        return _Answer(200, {"held": len(account.records)})

    def _ready(self, account: _Account, headers: dict[str, str], data: object) -> _Answer:
        read = wire.Reader(data)
        ready = Ready(
            account.email, read.text("pickup"), read.text("announcement"), read.text("child")
        )
        if ready not in self.told_ready:  # once per pickup, however often it is sent
            self.told_ready.append(ready)
        return _Answer(200, {"told": True})

    def _activation(self, account: _Account, headers: dict[str, str], data: object) -> _Answer:
        read = wire.Reader(data).nested("parent")
        parent = SyncedParent(read.text("last_name"), read.text("first_name"), read.text("email"))
        known = {p for record in account.records.values() for p in record.parents}
        if parent not in known:
            return _error(404, "not_found", "no such parent on this account", "parent")
        key = headers.get("idempotency-key")
        if key is None or key not in self._idempotency:
            self.activation_mails.append(parent)
            if key is not None:
                self._idempotency.add(key)
        return _Answer(202, {"sent": True})


def _handler(server: HopHopServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "HopHopReference"
        timeout = 10.0

        def _serve(self) -> None:
            raw = self.headers.get("Content-Length", "0").strip() or "0"
            if self.headers.get("Transfer-Encoding") is not None:
                answer = _error(411, "length_required", "send the body with a Content-Length")
            elif not (raw.isascii() and raw.isdigit()):
                answer = _error(400, "invalid", "Content-Length is not a number")
            elif int(raw) > MAX_REQUEST_BYTES:
                answer = _error(413, "too_large", f"a body is at most {MAX_REQUEST_BYTES} bytes")
            else:
                body = self.rfile.read(int(raw))
                headers = {name.lower(): value for name, value in self.headers.items()}
                try:
                    answer = server.handle(self.command, self.path, headers, body)
                except Exception:
                    log.exception("the reference HopHop failed on %s %s", self.command, self.path)
                    answer = _error(500, "internal", "internal error")
            self._answer(answer)

        def _answer(self, answer: _Answer) -> None:
            content = json.dumps(answer.body).encode("utf-8")
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(content)))
            for name, value in answer.headers:
                self.send_header(name, value)
            if answer.status >= 400 and answer.status not in (401, 404, 405, 409, 422, 429):
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(content)

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def do_PUT(self) -> None:
            self._serve()

        def do_DELETE(self) -> None:
            self._serve()

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("reference HopHop: " + format, *args)

    return Handler
