"""The notifier: the committed unit's events become outbox messages, in that same unit.

:class:`~caredomain.services.ServiceContext` calls :meth:`Notifier.queue` inside
``commit(uow, events)``, just before ``uow.commit()``: the messages are durable exactly
when the change that caused them is, never before and never without it. Events nobody is
told of cost one dictionary look-up each.

:meth:`Notifier.plan` is the pure part: from events, settings and organisations to the
messages to queue and the reminders to withdraw.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from attrs import evolve, field, frozen

from caredomain.events import Event
from caredomain.notifications.formatting import merge_texts, plain_spaces
from caredomain.notifications.kinds import KINDS, EventKind, KindRegistry, Occurrence
from caredomain.notifications.outbound import CalendarEntry
from caredomain.notifications.outbox import OutboxMessage, OutboxStatus, idempotency_key
from caredomain.notifications.ports import notifications_of
from caredomain.notifications.recipients import Recipient, mail_recipient, sms_recipient
from caredomain.notifications.reminders import ReminderPolicy
from caredomain.notifications.settings import NotificationChannel, NotificationSettings
from caredomain.organisation import Organisation, OrganisationId
from caredomain.ports import UnitOfWork

__all__ = ["Notifier", "Queued", "Withdrawal"]

_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x85\x0b\x0c]+")


@frozen
class _Source:
    """One event, what it says, and the organisation and settings it is read with."""

    event: Event
    occurrence: Occurrence
    settings: NotificationSettings
    organisation: Organisation


@frozen
class Withdrawal:
    """Pending messages of ``kind`` about ``topic`` to withdraw, and why."""

    topic: str
    kind: str
    reason: str


@frozen
class Queued:
    """What a set of events asks for: messages to queue, pending reminders to withdraw
    (the withdrawals apply to messages queued by earlier units of work)."""

    messages: tuple[OutboxMessage, ...] = ()
    withdrawals: tuple[Withdrawal, ...] = ()


@frozen
class Notifier:
    """Turns events into outbox messages: which kinds (``kinds``) and when reminders go
    out (``reminders``)."""

    kinds: KindRegistry = field(default=KINDS, eq=False)
    reminders: ReminderPolicy = field(factory=ReminderPolicy)

    def queue(self, uow: UnitOfWork, events: Sequence[Event]) -> list[OutboxMessage]:
        """Queue in ``uow`` the messages ``events`` call for; returns them. ``uow`` is the
        unit of work of any use case: its store must keep the notifications."""
        if not any(self.kinds.for_event(event) is not None for event in events):
            return []
        repository = notifications_of(uow)
        organisations: dict[str, tuple[Organisation, NotificationSettings]] = {}

        def context(organisation_id: str) -> tuple[Organisation, NotificationSettings]:
            if organisation_id not in organisations:
                organisation = uow.organisations.get(OrganisationId(organisation_id))
                organisations[organisation_id] = (
                    organisation,
                    self.settings(repository.settings_data(organisation_id), organisation_id),
                )
            return organisations[organisation_id]

        queued = self.plan(events, context)
        for withdrawal in queued.withdrawals:
            repository.withdraw(withdrawal.topic, withdrawal.kind, withdrawal.reason)
        repository.add(queued.messages)
        return list(queued.messages)

    def settings(self, data: object | None, organisation_id: str = "") -> NotificationSettings:
        """Settings from their saved plain data (``None``: the defaults)."""
        if data is None:
            return NotificationSettings()
        source = f"notification settings of {organisation_id}".strip()
        return NotificationSettings.from_data(data, self.kinds, source=source)

    def plan(
        self,
        events: Sequence[Event],
        context: Callable[[str], tuple[Organisation, NotificationSettings]],
    ) -> Queued:
        """The messages and withdrawals ``events`` call for, in the order of the events;
        ``context`` gives an organisation and its settings by id."""
        messages: list[OutboxMessage] = []
        withdrawals: list[Withdrawal] = []
        for event in events:
            kind = self.kinds.for_event(event)
            if kind is None or kind.describe is None:
                continue
            occurrence = kind.describe(event)
            where, settings = context(occurrence.organisation_id)
            if kind.withdraws_reminders:
                for reminder in self._reminder_kinds():
                    withdrawal = Withdrawal(
                        occurrence.topic,
                        reminder.key,
                        f"withdrawn: {kind.label} (event {event.event_id})",
                    )
                    withdrawals.append(withdrawal)
                    messages = [_withdrawn(m, withdrawal) for m in messages]
            source = _Source(event, occurrence, settings, where)
            channels = settings.channels_for(kind, occurrence.scope)
            for channel in sorted(channels):
                messages.append(self._message(kind, source, channel, event.event_id))
            messages += self._reminders(kind, source, channels)
        return Queued(tuple(messages), tuple(withdrawals))

    def _reminder_kinds(self) -> list[EventKind]:
        wanted = {kind.reminder for kind in self.kinds if kind.reminder is not None}
        return [kind for kind in self.kinds if kind.key in wanted]

    def _reminders(
        self, trigger: EventKind, source: _Source, confirmed: frozenset[str]
    ) -> list[OutboxMessage]:
        """The reminders ``trigger`` schedules (none if it schedules none)."""
        starts_at, event = source.occurrence.starts_at, source.event
        if trigger.reminder is None or starts_at is None:
            return []
        kind = self.kinds.get(trigger.reminder)
        found = []
        for channel in sorted(source.settings.channels_for(kind, source.occurrence.scope)):
            schedule = self.reminders.schedule(
                starts_at=starts_at, queued_at=event.occurred_at, confirmed=channel in confirmed
            )
            message = self._message(kind, source, channel, f"{event.event_id}:{kind.key}")
            message = evolve(message, due_at=schedule.due_at)
            if schedule.skip_reason and message.status is OutboxStatus.PENDING:
                message = evolve(
                    message, status=OutboxStatus.SKIPPED, last_error=schedule.skip_reason
                )
            found.append(message)
        return found

    def _message(
        self, kind: EventKind, source: _Source, channel: str, origin: str
    ) -> OutboxMessage:
        occurrence, event, organisation = source.occurrence, source.event, source.organisation
        settings = source.settings
        recipient = _recipient(channel, occurrence, organisation)
        values = merge_texts(kind.fields, occurrence.values, organisation)
        texts = settings.texts_for(kind, channel, occurrence.scope)
        body = texts.body.render(values)
        subject = "" if texts.subject is None else texts.subject.render(values)
        if channel == NotificationChannel.SMS:
            body = plain_spaces(body)
        address = recipient.address or ""
        return OutboxMessage(
            key=idempotency_key(origin, channel, address or "-"),
            event_id=event.event_id,
            organisation_id=occurrence.organisation_id,
            kind=kind.key,
            topic=occurrence.topic,
            channel=channel,
            recipient=address,
            subject=_LINE_BREAKS.sub(" ", subject).strip(),
            body=body,
            created_at=event.occurred_at,
            due_at=event.occurred_at,
            status=OutboxStatus.PENDING if recipient.address else OutboxStatus.SKIPPED,
            last_error=recipient.reason,
            calendar=_calendar(kind, occurrence, channel, event, body),
        )


def _recipient(channel: str, occurrence: Occurrence, organisation: Organisation) -> Recipient:
    if channel == NotificationChannel.MAIL:
        return mail_recipient(occurrence.contact.email)
    if channel == NotificationChannel.SMS:
        return sms_recipient(occurrence.contact.phone, organisation.country)
    return Recipient(None, f"no recipient for channel {channel}")


def _calendar(
    kind: EventKind, occurrence: Occurrence, channel: str, event: Event, body: str
) -> CalendarEntry | None:
    if (
        channel != NotificationChannel.MAIL
        or kind.calendar is None
        or occurrence.starts_at is None
        or occurrence.ends_at is None
    ):
        return None
    return CalendarEntry(
        uid=f"{occurrence.topic}@{occurrence.organisation_id}",
        sequence=_sequence(event),
        method=kind.calendar,
        start=occurrence.starts_at,
        end=occurrence.ends_at,
        summary=occurrence.summary,
        location=occurrence.location,
        description=body,
    )


_SEQUENCE_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


def _sequence(event: Event) -> int:
    """Seconds from 2024: grows with each change, and fits the 32 bits calendars expect
    until 2092."""
    return max(0, int((event.occurred_at - _SEQUENCE_EPOCH).total_seconds()))


def _withdrawn(message: OutboxMessage, withdrawal: Withdrawal) -> OutboxMessage:
    if (
        message.topic == withdrawal.topic
        and message.kind == withdrawal.kind
        and message.status is OutboxStatus.PENDING
    ):
        return evolve(message, status=OutboxStatus.WITHDRAWN, last_error=withdrawal.reason)
    return message
