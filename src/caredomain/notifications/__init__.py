"""Notifications (seed 003): who is told what happened, by mail or SMS, and how surely.

* :mod:`~.kinds` — the kinds of notification in one registry, with their merge fields;
* :mod:`~.settings` — channels per kind, globally and per appointment type, and texts;
* :mod:`~.templates` — merge-field templates checked when saved, never failing when sent;
* :mod:`~.texts` — the default French texts;
* :mod:`~.formatting` — French dates and durations on the organisation's wall clock;
* :mod:`~.recipients` — e-mail addresses checked, phone numbers in E.164;
* :mod:`~.outbox` — queued messages, statuses, idempotency keys, retries;
* :mod:`~.reminders` — reminders before appointments;
* :mod:`~.notifier` — events to outbox messages, in the unit of work of the change;
* :mod:`~.repository` — the store's port for all of this (``uow.notifications``).

Dispatching (taking due messages to the senders) is a service:
:func:`caredomain.notifications.services.dispatch_notifications`.
"""

from caredomain.notifications.configuration import NotificationConfiguration, SenderChoice
from caredomain.notifications.formatting import format_duration, format_moment
from caredomain.notifications.kinds import (
    KINDS,
    Contact,
    EventKind,
    FieldType,
    KindRegistry,
    MergeField,
    Occurrence,
)
from caredomain.notifications.notifier import Notifier, Queued, Withdrawal
from caredomain.notifications.outbox import (
    OutboxMessage,
    OutboxStatus,
    Outcome,
    RetryPolicy,
    idempotency_key,
)
from caredomain.notifications.ports import NotificationRepository
from caredomain.notifications.recipients import Recipient, mail_recipient, sms_recipient
from caredomain.notifications.reminders import ReminderPolicy
from caredomain.notifications.settings import (
    NotificationChannel,
    NotificationSettings,
    TypeNotifications,
)
from caredomain.notifications.templates import Template, TemplateError
from caredomain.notifications.texts import Texts, default_texts

__all__ = [
    "KINDS",
    "Contact",
    "EventKind",
    "FieldType",
    "KindRegistry",
    "MergeField",
    "NotificationChannel",
    "NotificationConfiguration",
    "NotificationRepository",
    "NotificationSettings",
    "Notifier",
    "Occurrence",
    "OutboxMessage",
    "OutboxStatus",
    "Outcome",
    "Queued",
    "Recipient",
    "ReminderPolicy",
    "RetryPolicy",
    "SenderChoice",
    "Template",
    "TemplateError",
    "Texts",
    "TypeNotifications",
    "Withdrawal",
    "default_texts",
    "format_duration",
    "format_moment",
    "idempotency_key",
    "mail_recipient",
    "sms_recipient",
]
