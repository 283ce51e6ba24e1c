"""The notifications' use cases: their settings, previews, the outbox's summary and dead
letters (:mod:`~caredomain.notifications.services.configuring`), and the dispatch of the
outbox to the senders (:mod:`~caredomain.notifications.services.dispatch`)."""

from caredomain.notifications.services.configuring import (
    NOTIFIER_ACTOR,
    NotificationSettingsSaved,
    OutboxSummary,
    Preview,
    configure_notifications,
    notification_settings,
    outbox_summary,
    preview_notifications,
    requeue_dead_letters,
    senders_for,
)
from caredomain.notifications.services.dispatch import DispatchReport, dispatch_notifications

__all__ = [
    "NOTIFIER_ACTOR",
    "DispatchReport",
    "NotificationSettingsSaved",
    "OutboxSummary",
    "Preview",
    "configure_notifications",
    "dispatch_notifications",
    "notification_settings",
    "outbox_summary",
    "preview_notifications",
    "requeue_dead_letters",
    "senders_for",
]
