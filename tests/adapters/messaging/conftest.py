"""Real servers on loopback: an SMTP server (aiosmtpd) that can refuse deliveries, and an
HTTP SMS gateway (http.server) answering from a script."""

from __future__ import annotations

import json
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Mailbox:
    """The SMTP server's side: what it accepted, and how it answers.

    ``refuse_first`` deliveries get ``451`` at RCPT; a recipient in ``unknown`` gets
    ``550 5.1.1``.
    """

    def __init__(self, refuse_first: int = 0, unknown: frozenset[str] = frozenset()) -> None:
        self.refuse_first = refuse_first
        self.unknown = unknown
        self.attempts = 0
        self.sessions = 0
        self.received: list[EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        with self.lock:
            self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        with self.lock:
            self.attempts += 1
            if address in self.unknown:
                return "550 5.1.1 <" + address + ">: unknown mailbox"
            if self.attempts <= self.refuse_first:
                return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        mail = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(mail, EmailMessage)
        with self.lock:
            self.received.append(mail)
        return "250 2.0.0 accepted"


@pytest.fixture
def smtp_server() -> Iterator[Callable[..., tuple[Mailbox, int]]]:
    """``smtp_server(refuse_first=k, unknown=…, login=(user, password), tls=context,
    implicit=False)``: a started server on 127.0.0.1 and its port, requiring STARTTLS with
    ``tls`` (a server-side context), or speaking TLS from the start with ``implicit``;
    stopped at the end of the test."""
    controllers: list[Controller] = []

    def start(
        refuse_first: int = 0,
        unknown: frozenset[str] = frozenset(),
        login: tuple[str, str] | None = None,
        tls: ssl.SSLContext | None = None,
        implicit: bool = False,
    ) -> tuple[Mailbox, int]:
        mailbox = Mailbox(refuse_first, unknown)
        port = free_port()
        options: dict[str, Any] = {}
        if login is not None:

            def authenticator(
                server: Any, session: Any, envelope: Any, mechanism: str, data: Any
            ) -> AuthResult:
                ok = (
                    isinstance(data, LoginPassword)
                    and (
                        data.login.decode(),
                        data.password.decode(),
                    )
                    == login
                )
                return AuthResult(success=ok, handled=False)

            # aiosmtpd counts only STARTTLS as TLS: with implicit TLS, AUTH is offered as is.
            starttls = tls is not None and not implicit
            options = {"authenticator": authenticator, "auth_require_tls": starttls}
        if tls is not None and implicit:
            options["ssl_context"] = tls
        elif tls is not None:
            options.update(tls_context=tls, require_starttls=True)
        controller = Controller(mailbox, hostname="127.0.0.1", port=port, **options)
        controller.start()
        controllers.append(controller)
        return mailbox, port

    yield start
    for controller in controllers:
        controller.stop()


class Gateway:
    """The SMS gateway's side: each request gets the next status of ``script`` (then 200)."""

    def __init__(self, script: list[int]) -> None:
        self.script = list(script)
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()


@pytest.fixture
def sms_gateway() -> Iterator[Callable[[list[int]], tuple[Gateway, str]]]:
    """``sms_gateway([500, 429, 400, 200])``: a started HTTP server on 127.0.0.1 and its URL."""
    servers: list[ThreadingHTTPServer] = []

    def start(script: list[int]) -> tuple[Gateway, str]:
        gateway = Gateway(script)

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length).decode("utf-8")
                with gateway.lock:
                    status = gateway.script.pop(0) if gateway.script else 200
                    gateway.requests.append(
                        {
                            "path": self.path,
                            "headers": dict(self.headers.items()),
                            "body": body,
                            "status": status,
                        }
                    )
                answer = json.dumps({"status": status}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return gateway, f"http://127.0.0.1:{server.server_address[1]}/sms/send"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
