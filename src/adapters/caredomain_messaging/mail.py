"""Mails as they leave: headers, the idempotency key as Message-ID, the calendar entry.

The Message-ID is derived from the message's idempotency key alone, so a message sent
again after a crash carries the same Message-ID and the receiving side can drop the
copy; two different keys never share one. The key itself travels in
``X-Caredomain-Key``. A message with a calendar entry carries it as ``rendez-vous.ics``
(``text/calendar``, METHOD PUBLISH, REQUEST or CANCEL), which mail clients offer to add to,
update in, or remove from the calendar. A PUBLISH entry names no attendee, so that no client
offers to answer it (a reply would go to the sender's address); a CANCEL names the recipient
as an attendee with ``RSVP=FALSE``, which RFC 5546 asks of a cancellation.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from email import encoders
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.utils import formataddr, formatdate, parseaddr
from typing import cast

import icalendar

from caredomain.notifications.outbound import CalendarEntry, CalendarMethod, OutboundMessage

__all__ = ["calendar_ics", "compose", "message_id", "reference"]

_UTF8 = Charset("utf-8")
_UTF8.body_encoding = QP  # readable in the raw file, unlike base64


def reference(key: str) -> str:
    """A short reference for the idempotency ``key`` (32 hex digits), the same every time:
    what gateways and Message-IDs carry."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def message_id(key: str, domain: str) -> str:
    return f"<{reference(key)}@{domain}>"


def calendar_ics(entry: CalendarEntry, *, organizer: str, attendee: str) -> bytes:
    """The calendar entry as an iCalendar (RFC 5545/5546) object."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//caredomain//notifications//FR")
    calendar.add("version", "2.0")
    calendar.add("method", entry.method.value.upper())
    event = icalendar.Event()
    event.add("uid", entry.uid)
    event.add("sequence", entry.sequence)
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", entry.start.astimezone(UTC))
    event.add("dtend", entry.end.astimezone(UTC))
    event.add("summary", entry.summary)
    if entry.location:
        event.add("location", entry.location)
    if entry.description:
        event.add("description", entry.description)
    cancelled = entry.method is CalendarMethod.CANCEL
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("organizer", f"mailto:{organizer}")
    if entry.method is not CalendarMethod.PUBLISH:
        rsvp = "TRUE" if entry.method is CalendarMethod.REQUEST else "FALSE"
        event.add(
            "attendee",
            f"mailto:{attendee}",
            parameters={"ROLE": "REQ-PARTICIPANT", "RSVP": rsvp},
        )
    calendar.add_component(event)
    return bytes(calendar.to_ical())


def compose(message: OutboundMessage, *, sender: str, envelope_from: str, domain: str) -> Message:
    """The mail for ``message``, from ``sender`` (a header such as ``Mairie <rdv@…>``).

    Built with the classic MIME classes and encoded headers: the modern header registry
    parses every header again, which would cost more than the sending itself.
    A line break in any header value is refused (``ValueError``): no header injection.
    """
    for value in (sender, message.recipient, message.subject, message.key):
        if "\r" in value or "\n" in value:
            raise ValueError("a line break in a header value")
    text = _text(message.body, "plain")
    mail: Message = text
    if message.calendar is not None or message.attachments:
        mixed = MIMEMultipart("mixed")
        mixed.attach(text)
        if message.calendar is not None:
            ics = calendar_ics(
                message.calendar, organizer=envelope_from, attendee=message.recipient
            )
            part = _text(ics.decode("utf-8"), "calendar")
            part.set_param("method", message.calendar.method.value.upper())
            part.add_header("Content-Disposition", "attachment", filename="rendez-vous.ics")
            mixed.attach(part)
        for attachment in message.attachments:
            maintype, _, subtype = attachment.content_type.partition("/")
            extra = MIMEBase(maintype or "application", subtype or "octet-stream")
            extra.set_payload(attachment.data)
            encoders.encode_base64(extra)
            extra.add_header("Content-Disposition", "attachment", filename=attachment.filename)
            mixed.attach(extra)
        mail = mixed
    name, address = parseaddr(sender)
    mail["From"] = formataddr((name, address), charset="utf-8")
    mail["To"] = message.recipient
    mail["Subject"] = _header(message.subject, "Subject")
    mail["Date"] = formatdate(usegmt=True)
    mail["Message-ID"] = message_id(message.key, domain)
    mail["X-Caredomain-Key"] = _header(message.key, "X-Caredomain-Key")
    mail["Auto-Submitted"] = "auto-generated"
    return mail


def _header(value: str, name: str) -> str:
    """``value``, as RFC 2047 encoded words when it is not ASCII (encoded once, when the
    mail is written; the classic API takes a ``Header`` where the stubs say ``str``)."""
    return value if value.isascii() else cast("str", Header(value, "utf-8", header_name=name))


def _text(content: str, subtype: str) -> MIMENonMultipart:
    part = MIMENonMultipart("text", subtype)
    part.set_payload(content, _UTF8)
    return part
