"""The phone's messages (seed 004, "Communiquer"); the requests of "Mes informations" are
:mod:`~caredomain.interventions.staff_requests`.

* "Messagerie": the office writes to a caregiver, and "la lecture du message est
  obligatoire : l'application mobile est alors bloquée tant que l'intervenant n'a pas lu
  le message" — an office message blocks the app until the caregiver has opened it and
  acknowledged it (:func:`blocking_messages`). A caregiver writes to the office: the
  message goes to her line manager (:attr:`~caredomain.interventions.model.Caregiver.manager`),
  who is also alerted by e-mail when the thread's "Alerter par email" box is ticked (it is
  by default) and the manager has an address (:meth:`Thread.send_to_office`).
* "Rappelez-moi": a message of kind ``call-back`` with a fixed text, from the caregiver to
  her line manager (:meth:`Thread.call_me_back`).

A message sent again with the same id (a phone retrying after a network error) is
recognised and changes nothing; the same id with other content is a Conflict.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import NewType

from attrs import evolve, field, frozen

from caredomain.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation
from caredomain.interventions.devices import Device, PhoneAction
from caredomain.interventions.model import Caregiver, CaregiverId, utc
from caredomain.interventions.phone_events import (
    CaregiverMessageReceived,
    IdFactory,
    OfficeMessageAcknowledged,
    OfficeMessageSent,
)
from caredomain.text import Text
from caredomain.validation import identifier, member_of, non_blank

__all__ = [
    "CALL_BACK_TEXT",
    "Message",
    "MessageDirection",
    "MessageId",
    "MessageKind",
    "Thread",
    "blocking_messages",
    "device_blocking_messages",
]

MessageId = NewType("MessageId", str)

CALL_BACK_TEXT = "Rappelez-moi, s'il vous plaît."
"""The fixed text of a "Rappelez-moi" message."""


class MessageDirection(StrEnum):
    TO_CAREGIVER = "to-caregiver"  # from the office, blocking until acknowledged
    TO_OFFICE = "to-office"  # from the caregiver, to her line manager


class MessageKind(StrEnum):
    TEXT = "text"
    CALL_BACK = "call-back"


def _direction(value: object) -> MessageDirection:
    return member_of(MessageDirection, value, "direction")


def _message_kind(value: object) -> MessageKind:
    return member_of(MessageKind, value, "kind")


def _sent_at(value: datetime) -> datetime:
    return utc(value, "sent_at")


def _read_at(value: datetime | None) -> datetime | None:
    return None if value is None else utc(value, "read_at")


def _acknowledged_at(value: datetime | None) -> datetime | None:
    return None if value is None else utc(value, "acknowledged_at")


@frozen(kw_only=True)
class Message:
    """A message of a caregiver's thread. Office messages (``to-caregiver``) go from an
    office user to the caregiver; caregiver messages (``to-office``) from the caregiver to
    her line manager. ``read_at`` is when the recipient opened it; ``acknowledged_at`` when
    the caregiver confirmed she had read an office message."""

    id: MessageId = field(validator=identifier)
    caregiver_id: CaregiverId = field(validator=identifier)
    direction: MessageDirection = field(converter=_direction)
    sender: str = field(validator=identifier)
    recipient: str = field(validator=identifier)
    text: str = field(validator=non_blank)
    sent_at: datetime = field(converter=_sent_at)
    kind: MessageKind = field(default=MessageKind.TEXT, converter=_message_kind)
    read_at: datetime | None = field(default=None, converter=_read_at)
    acknowledged_at: datetime | None = field(default=None, converter=_acknowledged_at)

    def __attrs_post_init__(self) -> None:
        to_caregiver = self.direction is MessageDirection.TO_CAREGIVER
        own_end = self.recipient if to_caregiver else self.sender
        if own_end != self.caregiver_id:
            raise InvalidInput(
                Text("the caregiver of the thread is an end of each of its messages"),
                field="recipient" if to_caregiver else "sender",
                text=own_end,
            )
        if to_caregiver and self.kind is not MessageKind.TEXT:
            raise InvalidInput(Text("the office sends text messages"), field="kind", text=self.kind)
        if not to_caregiver and self.acknowledged_at is not None:
            raise InvalidInput(
                Text("only office messages are acknowledged"),
                field="acknowledged_at",
                text=self.acknowledged_at.isoformat(),
            )

    @property
    def from_office(self) -> bool:
        return self.direction is MessageDirection.TO_CAREGIVER

    @property
    def blocking(self) -> bool:
        """An office message not yet acknowledged: the app stays blocked."""
        return self.from_office and self.acknowledged_at is None

    def same_as(self, other: Message) -> bool:
        """The same message, whatever became of it since (read, acknowledged)."""
        return evolve(self, read_at=None, acknowledged_at=None) == evolve(
            other, read_at=None, acknowledged_at=None
        )


def _oldest_first(message: Message) -> tuple[datetime, str]:
    return message.sent_at, message.id


def blocking_messages(
    messages: Iterable[Message], caregiver_id: CaregiverId
) -> tuple[Message, ...]:
    """The seed's "lecture du message obligatoire": the office messages ``caregiver_id``
    has not acknowledged, oldest first. While there is one, her app shows it and nothing
    else."""
    mine = (m for m in messages if m.caregiver_id == caregiver_id and m.blocking)
    return tuple(sorted(mine, key=_oldest_first))


def device_blocking_messages(device: Device, messages: Iterable[Message]) -> tuple[Message, ...]:
    """The messages that block the app on ``device``: its caregiver's, when the device can
    show messages at all (not on iOS, not once blocked)."""
    if not device.can(PhoneAction.MESSAGE):
        return ()
    return blocking_messages(messages, device.caregiver_id)


def _thread_messages(values: Iterable[Message]) -> tuple[Message, ...]:
    messages = tuple(sorted(values, key=_oldest_first))
    ids = [message.id for message in messages]
    if len(set(ids)) != len(ids):
        raise InvalidInput(
            Text("message ids must be unique"), field="messages", text=", ".join(ids)
        )
    return messages


@frozen(kw_only=True)
class Thread:
    """A caregiver's thread ("fil de discussion"): every message between her and the office,
    oldest first, and its "Alerter par email" box."""

    caregiver_id: CaregiverId = field(validator=identifier)
    alert_by_email: bool = True
    messages: tuple[Message, ...] = field(default=(), converter=_thread_messages)

    def __attrs_post_init__(self) -> None:
        for message in self.messages:
            if message.caregiver_id != self.caregiver_id:
                raise InvalidInput(
                    Text("a message of another caregiver's thread"),
                    field="messages",
                    text=message.id,
                )

    def message(self, message_id: MessageId) -> Message:
        for message in self.messages:
            if message.id == message_id:
                return message
        raise NotFound(
            Text(
                "no message {message} in the thread of {caregiver}",
                message=repr(message_id),
                caregiver=repr(self.caregiver_id),
            )
        )

    def blocking(self) -> tuple[Message, ...]:
        """The office messages that block the caregiver's app, oldest first."""
        return blocking_messages(self.messages, self.caregiver_id)

    def with_email_alert(self, on: bool) -> Thread:
        """The "Alerter par email" box ticked (``on``) or not."""
        return evolve(self, alert_by_email=on)

    def send_to_caregiver(
        self, message_id: MessageId, *, sender: str, text: str, at: datetime, new_id: IdFactory
    ) -> tuple[Thread, OfficeMessageSent | None]:
        """An office user writes to the caregiver: a blocking message."""
        message = Message(
            id=message_id,
            caregiver_id=self.caregiver_id,
            direction=MessageDirection.TO_CAREGIVER,
            sender=sender,
            recipient=self.caregiver_id,
            text=text,
            sent_at=at,
        )
        if self._known(message):
            return self, None
        event = OfficeMessageSent(
            event_id=new_id(),
            occurred_at=message.sent_at,
            message_id=message.id,
            caregiver_id=message.caregiver_id,
            sender=message.sender,
            text=message.text,
            sent_at=message.sent_at,
        )
        return self._with(message), event

    def send_to_office(
        self,
        caregiver: Caregiver,
        message_id: MessageId,
        *,
        text: str,
        at: datetime,
        new_id: IdFactory,
        kind: MessageKind = MessageKind.TEXT,
    ) -> tuple[Thread, CaregiverMessageReceived | None]:
        """The caregiver writes to the office: the message goes to her line manager, who is
        alerted by e-mail (``mail_to``) when the thread's "Alerter par email" is on and he
        has an address."""
        if caregiver.id != self.caregiver_id:
            raise Forbidden(
                Text(
                    "{writer} cannot write in the thread of {caregiver}",
                    writer=repr(caregiver.id),
                    caregiver=repr(self.caregiver_id),
                )
            )
        message = Message(
            id=message_id,
            caregiver_id=self.caregiver_id,
            direction=MessageDirection.TO_OFFICE,
            sender=caregiver.id,
            recipient=caregiver.manager,
            text=text,
            sent_at=at,
            kind=kind,
        )
        if self._known(message):
            return self, None
        event = CaregiverMessageReceived(
            event_id=new_id(),
            occurred_at=message.sent_at,
            message_id=message.id,
            caregiver_id=caregiver.id,
            caregiver_name=caregiver.name,
            manager=caregiver.manager,
            message_kind=message.kind,
            text=message.text,
            sent_at=message.sent_at,
            mail_to=self._mail_to(caregiver),
        )
        return self._with(message), event

    def call_me_back(
        self, caregiver: Caregiver, message_id: MessageId, *, at: datetime, new_id: IdFactory
    ) -> tuple[Thread, CaregiverMessageReceived | None]:
        """The seed's "Rappelez-moi": a ``call-back`` message to the caregiver's line
        manager, so that she need not make the call herself."""
        return self.send_to_office(
            caregiver,
            message_id,
            text=CALL_BACK_TEXT,
            at=at,
            new_id=new_id,
            kind=MessageKind.CALL_BACK,
        )

    def mark_read(self, message_id: MessageId, *, by: str, at: datetime) -> Thread:
        """The recipient opened the message: the caregiver an office message (it still
        blocks until acknowledged), an office user a caregiver message. The first reading
        counts."""
        message = self.message(message_id)
        if message.from_office and by != self.caregiver_id:
            raise Forbidden(
                Text(
                    "{reader} cannot read a message sent to {caregiver}",
                    reader=repr(by),
                    caregiver=repr(self.caregiver_id),
                )
            )
        if not message.from_office and by == self.caregiver_id:
            raise Forbidden(Text("a caregiver does not read her own messages as the office"))
        if message.read_at is not None:
            return self
        return self._with(evolve(message, read_at=at))

    def acknowledge(
        self, message_id: MessageId, *, by: CaregiverId, at: datetime, new_id: IdFactory
    ) -> tuple[Thread, OfficeMessageAcknowledged | None]:
        """The caregiver confirms she has read an office message: it stops blocking her
        app. Acknowledging again changes nothing; only the caregiver it was sent to can
        (Forbidden), and only an office message (``message.not_from_office``)."""
        message = self.message(message_id)
        if by != message.caregiver_id:
            raise Forbidden(
                Text(
                    "{reader} cannot acknowledge a message sent to {recipient}",
                    reader=repr(by),
                    recipient=repr(message.recipient),
                )
            )
        if not message.from_office:
            raise RuleViolation(
                "message.not_from_office", Text("only messages from the office are acknowledged")
            )
        if message.acknowledged_at is not None:
            return self, None
        moment = utc(at, "at")
        done = evolve(message, read_at=message.read_at or moment, acknowledged_at=moment)
        event = OfficeMessageAcknowledged(
            event_id=new_id(),
            occurred_at=moment,
            message_id=message.id,
            caregiver_id=message.caregiver_id,
            acknowledged_at=moment,
        )
        return self._with(done), event

    def _mail_to(self, caregiver: Caregiver) -> str | None:
        if not self.alert_by_email or not caregiver.manager_email:
            return None
        return caregiver.manager_email.strip() or None

    def _known(self, message: Message) -> bool:
        """Whether ``message`` was already received; Conflict if its id is another's."""
        for known in self.messages:
            if known.id == message.id:
                if not known.same_as(message):
                    raise Conflict(
                        Text(
                            "message id {message} is already used by another message",
                            message=repr(message.id),
                        )
                    )
                return True
        return False

    def _with(self, message: Message) -> Thread:
        others = (known for known in self.messages if known.id != message.id)
        return evolve(self, messages=(*others, message))
