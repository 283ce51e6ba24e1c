"""The demo's notifications chapter: the outbox filled by the earlier chapters (the
booking's confirmation, its reminder withdrawn when the day was closed, the citizen told
of the deprogramming) is dispatched to the embedded senders — a Maildir folder and an SMS
file next to the demo database — and the chapter prints where each message landed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta

from attrs import evolve

from caredomain.cli.demo_run import DemoRun
from caredomain.cli.i18n import _
from caredomain.cli.notify import embedded_senders, run_dispatch, sender_paths
from caredomain.clock import FixedClock
from caredomain.notifications.configuration import NotificationConfiguration
from caredomain.notifications.outbox import OutboxMessage, OutboxStatus
from caredomain.notifications.ports import notifications_unit_of_work
from caredomain.notifications.services import NOTIFIER_ACTOR, outbox_summary, senders_for
from caredomain.services import ServiceContext

__all__ = ["notifications_chapter"]

_LISTED = 12


def notifications_chapter(demo: DemoRun) -> None:
    """Dispatch the outbox to the embedded senders and show where each message landed."""
    console = demo.console
    context = _at_demo_time(demo)
    db = _database(context.store.url)
    paths = sender_paths(db)
    console.print("== " + _("Notifications"))
    before = outbox_summary(context, NOTIFIER_ACTOR)
    console.print(_("outbox before dispatch: {counts}").format(counts=_counts(before.counts)))
    sent_before = _keys(context, OutboxStatus.SENT)

    senders = senders_for(demo.plugins, embedded_senders(db), console.environ)
    configuration = NotificationConfiguration()
    report = run_dispatch(context, senders, configuration)
    dispatched = _("dispatched: {sent} sent, {retried} to retry, {dead} dead-lettered")
    console.print(dispatched.format(sent=report.sent, retried=report.retried, dead=report.dead))
    mail = _("mail -> Maildir {path} (open it with a mail client: mutt -f …)")
    console.print("  " + mail.format(path=paths["mail"]))
    console.print("  " + _("sms  -> {path} (one JSON object a line)").format(path=paths["sms"]))
    with notifications_unit_of_work(context.store, write=False) as uow:
        sent = [
            message
            for message in uow.notifications.messages(status=OutboxStatus.SENT, limit=100_000)
            if message.key not in sent_before
        ]
        others = uow.notifications.messages(status=OutboxStatus.WITHDRAWN, limit=_LISTED)
        others += uow.notifications.messages(status=OutboxStatus.SKIPPED, limit=_LISTED)
        pending = uow.notifications.messages(status=OutboxStatus.PENDING, limit=_LISTED)
    for message in sent[:_LISTED]:
        console.print(f"  sent {_line(message)}")
        console.print(f"       {message.detail}")
    for message in others[:_LISTED]:
        console.print(f"  {message.status.value} {_line(message)}")
        console.print(f"       {message.last_error}")
    for message in pending[:_LISTED]:
        due = _("due {time}").format(time=message.due_at.isoformat())
        console.print(f"  pending {_line(message)}, {due}")
    after = outbox_summary(context, NOTIFIER_ACTOR)
    console.print(_("outbox after dispatch: {counts}").format(counts=_counts(after.counts)))


def _line(message: OutboxMessage) -> str:
    what = f"{message.subject!r}" if message.subject else repr(message.body[:60])
    return _("{kind} by {channel} to {recipient}: {what}").format(
        kind=message.kind, channel=message.channel, recipient=message.recipient or "-", what=what
    )


def _counts(counts: Mapping[OutboxStatus, int]) -> str:
    if not counts:
        return _("empty")
    return ", ".join(f"{count} {status.value}" for status, count in sorted(counts.items()))


def _keys(context: ServiceContext, status: OutboxStatus) -> set[str]:
    with notifications_unit_of_work(context.store, write=False) as uow:
        return {m.key for m in uow.notifications.messages(status=status, limit=100_000)}


def _database(url: str) -> str:
    """The demo database's path from its ``sqlite:///`` URL."""
    return url.removeprefix("sqlite:///").split("?", 1)[0]


def _at_demo_time(demo: DemoRun) -> ServiceContext:
    """The demo's context; when ``--today`` pretends another date, its clock stopped a few
    minutes after the earlier chapters' 08:00 on that day, so that their messages are due."""
    now = demo.context.clock.now()
    if demo.organisation.today(now) == demo.today:
        return demo.context
    morning = datetime.combine(demo.today, time(8), tzinfo=demo.organisation.zone)
    return evolve(demo.context, clock=FixedClock(morning + timedelta(minutes=5)))
