"""``smtp``: mails through an SMTP server, one connection for a whole batch.

Settings (text; ``password`` from ``password_env`` in the configuration file):

========================  ===============================================================
``host``                  the server (required)
``port``                  default 587 with ``starttls``, 465 with ``ssl``, 25 with ``none``
``security``              ``starttls`` (default), ``ssl`` or ``none``
``username``/``password`` log in when set
``from``                  the From header, ``Mairie <rdv@mairie.example>`` (required)
``message_id_domain``     the right-hand side of Message-IDs (default: From's domain)
``timeout``               seconds for opening a session (connecting, greeting, TLS,
                          login), then for each message's whole exchange (default 30)
========================  ===============================================================

An SMTP reply 4xx is transient (the outbox tries again later), 5xx permanent (an unknown
mailbox is not retried). A server that cannot be reached or refuses the login has been
offered nothing; one that drops the connection, times out or says goodbye (421) ends the
session at that message, and the messages after it are not offered. Replies are kept with
the password scrubbed out, plain or base64-encoded as a login carries it. A server that
sends a reply a byte at a time is timed out at ``timeout`` all the same
(:mod:`caredomain_messaging.smtp_session`).
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping, Sequence

from attrs import evolve

from caredomain.notifications.outbound import OutboundMessage, SendResult, SendStatus
from caredomain.secret import scrub
from caredomain_messaging.connection import send_through
from caredomain_messaging.mail import compose
from caredomain_messaging.settings import Secret, SenderSettings
from caredomain_messaging.smtp_session import BoundedSMTP, BoundedSMTP_SSL

__all__ = ["SmtpSender"]

_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
_KNOWN = (
    "host",
    "port",
    "security",
    "username",
    "password",
    "from",
    "message_id_domain",
    "timeout",
)


class _ConnectionLost(Exception):
    pass


def _status(code: int) -> SendStatus:
    return SendStatus.TRANSIENT if 400 <= code < 500 else SendStatus.PERMANENT


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()


class SmtpSender:
    """Sends mails through one SMTP connection per batch."""

    channel = "mail"

    def __init__(
        self,
        *,
        host: str,
        sender: str,
        envelope_from: str,
        port: int | None = None,
        security: str = "starttls",
        username: str | None = None,
        password: Secret | None = None,
        message_id_domain: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.host = host
        self.port = port if port is not None else _PORTS[security]
        self.security = security
        self.username = username
        self._password = password
        self.sender = sender
        self.envelope_from = envelope_from
        self.domain = message_id_domain or envelope_from.rpartition("@")[2]
        self.timeout = timeout

    @classmethod
    def from_settings(cls, settings: Mapping[str, str]) -> SmtpSender:
        read = SenderSettings("smtp", settings, _KNOWN)
        security = read.choice("security", _PORTS, "starttls")
        sender, envelope_from = read.address("from")
        return cls(
            host=read.text("host"),
            port=read.integer("port", _PORTS[security], 1, 65535),
            security=security,
            username=read.optional("username"),
            password=read.secret("password"),
            sender=sender,
            envelope_from=envelope_from,
            message_id_domain=read.optional("message_id_domain"),
            timeout=read.seconds("timeout", 30.0),
        )

    def __repr__(self) -> str:
        login = f", username={self.username!r}, password=***" if self.username else ""
        return (
            f"SmtpSender(smtp://{self.host}:{self.port}, security={self.security!r}{login}, "
            f"from={self.envelope_from!r})"
        )

    def connect(self) -> _SmtpConnection:
        """A connection to the server, made at the first offer."""
        return _SmtpConnection(self)

    def send(self, messages: Sequence[OutboundMessage]) -> list[SendResult]:
        return send_through(self.connect(), messages) if messages else []

    def scrubbed(self, text: str) -> str:
        """``text`` without the password, plain or as an SMTP login carries it."""
        password = self._password
        if password is None:
            return text
        plain = Secret(f"\0{self.username or ''}\0{password.reveal()}")
        return scrub(text, (password, plain))

    def open(self) -> BoundedSMTP:
        """A connected, greeted and logged-in SMTP client, all within ``timeout``."""
        context = ssl.create_default_context()
        connection: BoundedSMTP
        if self.security == "ssl":
            connection = BoundedSMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=context
            )
        else:
            connection = BoundedSMTP(self.host, self.port, timeout=self.timeout)
        try:
            connection.ehlo()
            if self.security == "starttls":
                connection.starttls(context=context)
                connection.ehlo()
            if self.username is not None and self._password is not None:
                connection.login(self.username, self._password.reveal())
        except BaseException:
            connection.close()
            raise
        return connection

    def connection_error(self, error: BaseException) -> str:
        if isinstance(error, smtplib.SMTPAuthenticationError):
            reply = _reply(error.smtp_code, error.smtp_error)
            return f"{self.host}:{self.port} refused the login: {reply}"
        where = f"cannot deliver through {self.host}:{self.port}"
        if isinstance(error, smtplib.SMTPResponseException):
            return f"{where}: {_reply(error.smtp_code, error.smtp_error)}"
        return f"{where}: {type(error).__name__}: {error}"


class _SmtpConnection:
    """One SMTP session over a batch, opened at the first offer. A session that fails
    (refused, dropped, timed out) is not used again: its results say the connection was
    lost, and whether the message was offered."""

    def __init__(self, sender: SmtpSender) -> None:
        self.sender = sender
        self._smtp: BoundedSMTP | None = None

    def offer(self, message: OutboundMessage) -> SendResult:
        result = self._offer(message)
        return evolve(result, detail=self.sender.scrubbed(result.detail))

    def _offer(self, message: OutboundMessage) -> SendResult:
        sender = self.sender
        if self._smtp is None:
            try:
                self._smtp = sender.open()
            except (OSError, smtplib.SMTPException) as error:
                detail = sender.connection_error(error)
                return SendResult(message.key, SendStatus.TRANSIENT, detail, False, True)
        try:
            result = self._send(self._smtp, message)
        except _ConnectionLost as lost:
            self.close()
            detail = f"the connection to {sender.host}:{sender.port} was lost: {lost}"
            return SendResult(message.key, SendStatus.TRANSIENT, detail, True, True)
        if self._smtp.sock is None:  # the server said goodbye (421): smtplib closed
            self._smtp = None
            return evolve(result, connection_lost=True)
        return result

    def _send(self, smtp: BoundedSMTP, message: OutboundMessage) -> SendResult:
        sender = self.sender
        smtp.within(sender.timeout)
        try:
            mail = compose(
                message,
                sender=sender.sender,
                envelope_from=sender.envelope_from,
                domain=sender.domain,
            )
            smtp.send_message(mail, from_addr=sender.envelope_from, to_addrs=[message.recipient])
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()), (550, b"recipient refused"))
            return SendResult(message.key, _status(code), _reply(code, text))
        except smtplib.SMTPResponseException as error:  # sender refused, data refused…
            if error.smtp_code == -1:
                raise _ConnectionLost(str(error)) from None
            return SendResult(
                message.key, _status(error.smtp_code), _reply(error.smtp_code, error.smtp_error)
            )
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            raise _ConnectionLost(f"{type(error).__name__}: {error}") from None
        except (smtplib.SMTPException, ValueError, UnicodeError) as error:
            return SendResult(message.key, SendStatus.PERMANENT, f"{type(error).__name__}: {error}")
        return SendResult(message.key, SendStatus.SENT, f"accepted by {sender.host}")

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.within(self.sender.timeout)
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
