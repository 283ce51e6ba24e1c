"""The sender ports: what a sender of mail, SMS or push receives and answers.

A :class:`Sender` delivers a batch; a :class:`ConnectingSender` also opens a
:class:`Connection` that offers one message at a time, so that a dispatcher can check its
lease on each message before offering it. Re-exported by :mod:`caredomain.ports`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Protocol, runtime_checkable

from attrs import frozen

__all__ = [
    "Attachment",
    "CalendarEntry",
    "CalendarMethod",
    "ConnectingSender",
    "Connection",
    "OutboundMessage",
    "SendResult",
    "SendStatus",
    "Sender",
    "SenderSpec",
]


@frozen
class Attachment:
    filename: str
    content_type: str
    data: bytes


class CalendarMethod(StrEnum):
    PUBLISH = "publish"  # add or update the event in the recipient's calendar; no reply asked
    REQUEST = "request"  # the same, as an invitation the recipient is asked to answer
    CANCEL = "cancel"  # remove it


@frozen
class CalendarEntry:
    """An event for the recipient's calendar; a mail sender attaches it as an ``.ics``.

    ``uid`` is the same for every message about one appointment, and ``sequence`` grows
    with each change, so that a calendar updates or removes the entry it already holds.
    """

    uid: str
    sequence: int
    method: CalendarMethod
    start: datetime
    end: datetime
    summary: str
    location: str = ""
    description: str = ""


@frozen
class OutboundMessage:
    """A message ready to leave. ``key`` is its idempotency key: the same on every retry.

    ``calendar``, when set, is an event to attach for the recipient's calendar.
    """

    key: str
    channel: str
    recipient: str
    subject: str
    body: str
    attachments: tuple[Attachment, ...] = ()
    calendar: CalendarEntry | None = None


class SendStatus(StrEnum):
    SENT = "sent"
    TRANSIENT = "transient"  # retry later: a 4xx from SMTP, a 429 or 5xx from a gateway
    PERMANENT = "permanent"  # never retry: unknown mailbox, a 400 from a gateway


@frozen
class SendResult:
    """What became of one message handed to a sender.

    ``offered`` is false when nothing of the message reached the server (no connection
    could be made, or it broke before this message): the outbox charges no attempt.
    ``connection_lost`` says that the connection failed (dropped, timed out) at this
    message: the dispatcher offers the rest of its batch later, uncharged.
    """

    key: str
    status: SendStatus
    detail: str = ""
    offered: bool = True
    connection_lost: bool = False


class Sender(Protocol):
    """Delivers messages of one channel. Sends a batch so that it can reuse a connection."""

    @property
    def channel(self) -> str: ...

    def send(self, messages: Sequence[OutboundMessage]) -> list[SendResult]:
        """One result per message, in order. Never raises for a delivery failure."""
        ...


class Connection(Protocol):
    """An open connection of a sender, that offers one message at a time, so that the
    dispatcher can check its lease on each message before offering it."""

    def offer(self, message: OutboundMessage) -> SendResult:
        """The result of offering ``message``. Never raises for a delivery failure."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class ConnectingSender(Sender, Protocol):
    """A sender whose connection the dispatcher holds open over a batch. A sender without
    :meth:`connect` is given one message at a time through :meth:`Sender.send`."""

    def connect(self) -> Connection:
        """A connection, made at the first offer: a failure to connect is that offer's
        result (not offered, connection lost), never an exception."""
        ...


@frozen
class SenderSpec:
    """A kind of sender a plugin offers: ``create(settings)`` builds one from its settings."""

    name: str
    channel: str
    create: Callable[[Mapping[str, str]], Sender]
    description: str = ""
