"""The outbox: notifications queued in the same transaction as the change that caused them.

Each :class:`OutboxMessage` has a stable idempotency key — the event id, the channel and
the recipient — which the sender passes on (Message-ID for mail, client reference for
SMS): a message sent twice after a crash is sent under the same key, so the receiving
side can drop the copy, and no message is ever sent under two keys.

Statuses::

    pending ──claim──> sending ──sent──> sent
       ^                  │
       ├──not offered (no connection, or it broke before this message): no attempt charged
       ├──transient, attempts left (back-off with jitter)
       │                  │
       │                  └──permanent, or attempts used up──> dead (the last error kept)
       └──requeued by an operator── dead
    skipped     never sendable: no address, a booking too close for a reminder…
    withdrawn   a reminder whose appointment was cancelled, moved or deprogrammed

A dispatcher offers a message only while it holds the message's lease, and renews the
lease of its batch as the batch goes on. A ``sending`` message whose lease ran out (its
dispatcher died between sending and marking) is claimed again and sent again under its key.
An attempt is charged when a message is claimed and given back if the message was never
offered, so that a dispatcher that dies charges what it held, and a server that is down
or drops the connection never dead-letters mail it did not see.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from attrs import Attribute, evolve, field, frozen

from caredomain.arguments import checked_fields
from caredomain.clock import require_aware
from caredomain.errors import InvalidInput
from caredomain.notifications.outbound import CalendarEntry, OutboundMessage, SendResult, SendStatus
from caredomain.text import Text

__all__ = [
    "OutboxMessage",
    "OutboxStatus",
    "Outcome",
    "RetryPolicy",
    "idempotency_key",
    "outcome_of",
    "released",
    "skipped",
]


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DEAD = "dead"
    SKIPPED = "skipped"
    WITHDRAWN = "withdrawn"


def idempotency_key(event_id: str, channel: str, recipient: str) -> str:
    """The key of the message about ``event_id`` to ``recipient`` on ``channel``."""
    return f"{event_id}/{channel}/{recipient}"


def _utc(moment: datetime) -> datetime:
    return require_aware(moment, "datetime").astimezone(UTC)


def _utc_or_none(moment: datetime | None) -> datetime | None:
    return None if moment is None else _utc(moment)


def _not_negative(instance: object, attribute: Attribute[Any], value: int) -> None:
    if value < 0:
        raise InvalidInput(Text("must be zero or more"), field=attribute.name, text=str(value))


@frozen(kw_only=True)
class OutboxMessage:
    """A queued notification, rendered when queued. Datetimes are kept in UTC.

    ``kind`` is the notification kind (``appointment.created``), ``topic`` what it is about
    (``appointment:<id>``). ``attempts`` counts the claims so far; ``last_error`` is the
    last failure (or why it was skipped or withdrawn); ``detail`` what the sender reported
    on success (an SMS's encoding and segments).
    """

    key: str
    event_id: str
    organisation_id: str
    kind: str
    topic: str
    channel: str
    recipient: str
    subject: str
    body: str
    created_at: datetime = field(converter=_utc)
    due_at: datetime = field(converter=_utc)
    status: OutboxStatus = OutboxStatus.PENDING
    attempts: int = field(default=0, validator=_not_negative)
    last_error: str = ""
    detail: str = ""
    sent_at: datetime | None = field(default=None, converter=_utc_or_none)
    calendar: CalendarEntry | None = None

    def outbound(self) -> OutboundMessage:
        """What a sender receives."""
        return OutboundMessage(
            key=self.key,
            channel=self.channel,
            recipient=self.recipient,
            subject=self.subject,
            body=self.body,
            calendar=self.calendar,
        )


def _positive(instance: object, attribute: Attribute[Any], value: int) -> None:
    if value < 1:
        raise InvalidInput(Text("must be at least 1"), field=attribute.name, text=str(value))


def _positive_delta(instance: object, attribute: Attribute[Any], value: timedelta) -> None:
    if value <= timedelta(0):
        raise InvalidInput(Text("must be longer than zero"), field=attribute.name, text=str(value))


@frozen(field_transformer=checked_fields)
class RetryPolicy:
    """How often and how late a failed message is tried again.

    After the n-th failed attempt the next one waits ``first_delay · 2^(n-1)``, capped at
    ``max_delay``, of which a random half is jitter (so that messages failed together do
    not all come back together); after ``max_attempts`` attempts it is dead-lettered. By
    default: 1, 2, 4, 8, 16, 32, 64, 128 and 240 minutes (each from half to all of it), so
    that the tenth and last attempt comes four to eight hours after the first.
    """

    max_attempts: int = field(default=10, validator=_positive)
    first_delay: timedelta = field(default=timedelta(minutes=1), validator=_positive_delta)
    max_delay: timedelta = field(default=timedelta(hours=4), validator=_positive_delta)

    def delay(self, attempts: int, random: Callable[[], float]) -> timedelta:
        """The wait after ``attempts`` failed attempts; ``random()`` is in [0, 1)."""
        exponent: int = min(max(attempts - 1, 0), 32)
        base = min(self.max_delay, self.first_delay * (1 << exponent))
        share = min(max(random(), 0.0), 1.0)
        return base / 2 + (base / 2) * share


@frozen
class Outcome:
    """What became of one claimed message; ``offered`` false gives back the attempt its
    claim charged."""

    key: str
    status: OutboxStatus
    due_at: datetime = field(converter=_utc)
    last_error: str = ""
    detail: str = ""
    sent_at: datetime | None = field(default=None, converter=_utc_or_none)
    offered: bool = True


def outcome_of(
    message: OutboxMessage,
    result: SendResult,
    *,
    now: datetime,
    policy: RetryPolicy,
    random: Callable[[], float],
) -> Outcome:
    """Sent, retried later, or dead-lettered, from a send ``result`` for ``message``
    (``message.attempts`` already counts this attempt)."""
    if not result.offered and result.status is not SendStatus.SENT:
        return released(message, result.detail or str(result.status), now=now, policy=policy)
    if result.status is SendStatus.SENT:
        return Outcome(message.key, OutboxStatus.SENT, message.due_at, "", result.detail, now)
    error = result.detail or str(result.status)
    if result.status is SendStatus.PERMANENT:
        return Outcome(message.key, OutboxStatus.DEAD, message.due_at, f"permanent: {error}")
    if message.attempts >= policy.max_attempts:
        return Outcome(
            message.key,
            OutboxStatus.DEAD,
            message.due_at,
            f"gave up after {message.attempts} attempts: {error}",
        )
    due = now + policy.delay(message.attempts, random)
    return Outcome(message.key, OutboxStatus.PENDING, due, f"attempt {message.attempts}: {error}")


def released(message: OutboxMessage, reason: str, *, now: datetime, policy: RetryPolicy) -> Outcome:
    """``message`` back to pending, its attempt given back: it was never offered (no
    connection, or the connection broke before it). It waits ``first_delay``, so that a
    server that is down is asked again once a minute rather than at once, and is never
    dead-lettered for it."""
    return Outcome(
        message.key,
        OutboxStatus.PENDING,
        now + policy.first_delay,
        f"not offered, no attempt charged: {reason}",
        offered=False,
    )


def skipped(message: OutboxMessage, reason: str) -> OutboxMessage:
    """``message`` queued as never sendable, with the reason."""
    return evolve(message, status=OutboxStatus.SKIPPED, last_error=reason)
