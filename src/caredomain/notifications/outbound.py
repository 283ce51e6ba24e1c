"""What a sender of mail, SMS or push receives — an :class:`OutboundMessage`, with its
attachments and calendar entry — and what it answers for each (:class:`SendResult`). The
senders themselves are ports (:mod:`caredomain.notifications.ports`)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from attrs import frozen

__all__ = [
    "Attachment",
    "CalendarEntry",
    "CalendarMethod",
    "OutboundMessage",
    "SendResult",
    "SendStatus",
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
