"""Use cases of the notifications: settings, the outbox, previews, and dispatch.

Dispatch takes due messages from the outbox in batches: it claims a batch in one short
write transaction (so two dispatchers never hold the same message), sends it through the
channel's :class:`~caredomain.ports.Sender` outside any transaction, then records each
outcome in another: sent, retried later (back-off with jitter), or dead-lettered with its
last error. A dispatcher that dies between sending and recording leaves the batch claimed
until its lease runs out; the next dispatch sends it again under the same idempotency key.
"""

from __future__ import annotations

import random as _random
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

from attrs import evolve, frozen

from caredomain.access import Action, Actor, ActorId, Resource, Role, authorize
from caredomain.arguments import checked
from caredomain.errors import InvalidInput
from caredomain.events import Event
from caredomain.notifications.configuration import SenderChoice
from caredomain.notifications.formatting import merge_texts, plain_spaces
from caredomain.notifications.kinds import KINDS, KindRegistry, MergeValue
from caredomain.notifications.notifier import Notifier
from caredomain.notifications.outbox import (
    OutboxMessage,
    OutboxStatus,
    Outcome,
    RetryPolicy,
    outcome_of,
)
from caredomain.notifications.settings import NotificationChannel, NotificationSettings
from caredomain.organisation import Organisation, OrganisationId
from caredomain.plugins import Plugins
from caredomain.ports import Sender, SendResult, SendStatus, UnitOfWork
from caredomain.services.context import ServiceContext

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
    "senders_for",
]

NOTIFIER_ACTOR = Actor(ActorId("notifier"), {Role.ADMINISTRATOR}, name="Notification dispatcher")
"""The system actor the dispatcher runs as."""


@frozen(kw_only=True)
class NotificationSettingsSaved(Event):
    """An administrator saved an organisation's notification settings."""

    organisation_id: str
    saved_by: str


# -- settings -------------------------------------------------------------------------------


@checked
def configure_notifications(
    context: ServiceContext,
    actor: Actor,
    organisation_id: OrganisationId,
    settings: NotificationSettings,
) -> NotificationSettingsSaved:
    """Save ``organisation_id``'s channels and texts. Every template is checked again
    against its kind's merge fields, however the settings were built, so that what is saved
    can always be sent: InvalidInput names the template at fault."""
    authorize(actor, Action.NOTIFICATION_CONFIGURE, Resource("organisation", organisation_id))
    settings = NotificationSettings.from_data(settings.to_data(), source="notification settings")
    event = NotificationSettingsSaved(
        event_id=context.new_id(),
        occurred_at=context.clock.now(),
        organisation_id=organisation_id,
        saved_by=actor.id,
    )
    with context.store.unit_of_work() as uow:
        uow.organisations.get(organisation_id)
        uow.notifications.save_settings_data(organisation_id, settings.to_data())
        context.commit(uow, [event])
    return event


@checked
def notification_settings(
    context: ServiceContext,
    actor: Actor,
    organisation_id: OrganisationId,
    *,
    kinds: KindRegistry = KINDS,
) -> NotificationSettings:
    """``organisation_id``'s saved settings, or the defaults."""
    authorize(actor, Action.NOTIFICATION_VIEW, Resource("organisation", organisation_id))
    with context.store.unit_of_work(write=False) as uow:
        data = uow.notifications.settings_data(organisation_id)
    return Notifier(kinds).settings(data, organisation_id)


# -- senders --------------------------------------------------------------------------------


def senders_for(
    plugins: Plugins,
    choices: Mapping[str, SenderChoice],
    environ: Mapping[str, str],
    *,
    source: str | None = None,
) -> dict[str, Sender]:
    """The sender of each channel, built by the plugin offering it from its settings
    (``name_env`` settings read from ``environ``). Nothing connects yet. Errors name the
    configuration path (``notifications.mail.sender``) and ``source``."""
    offered = plugins.sender_specs()
    senders: dict[str, Sender] = {}
    for channel, choice in sorted(choices.items()):
        where = f"notifications.{channel}"
        spec = offered.get(choice.sender)
        if spec is None:
            known = ", ".join(sorted(offered)) or "none"
            raise InvalidInput(
                f"no plugin offers this sender (offered: {known})",
                source=source,
                field=f"{where}.sender",
                text=choice.sender,
            )
        if spec.channel != channel:
            raise InvalidInput(
                f"sender {spec.name} sends {spec.channel}, not {channel}",
                source=source,
                field=f"{where}.sender",
                text=choice.sender,
            )
        settings = choice.resolved(environ, where=where)
        try:
            senders[channel] = spec.create(settings)
        except InvalidInput as error:
            field = f"{where}.settings.{error.field}" if error.field else f"{where}.settings"
            raise InvalidInput(error.message, source=source, field=field, text=error.text) from None
    return senders


# -- previews -------------------------------------------------------------------------------


@frozen
class Preview:
    """One kind's texts on one channel with sample values; ``enabled`` tells whether the
    settings send it for the type."""

    kind: str
    label: str
    channel: str
    enabled: bool
    subject: str
    body: str


def _sample_values(organisation: Organisation) -> tuple[MergeValue, ...]:
    zone = organisation.zone
    return (
        "Marie Dupont",
        datetime(2026, 2, 3, 14, 30, tzinfo=zone),
        "Guichet 1",
        "Hôtel de ville",
        "1 place de la Mairie",
        "Pièces d'identité",
        20,
        datetime(2026, 1, 27, 9, 0, tzinfo=zone),
    )


@checked
def preview_notifications(
    context: ServiceContext,
    actor: Actor,
    organisation: Organisation,
    kind: str,
    type_id: str | None = None,
    *,
    kinds: KindRegistry = KINDS,
) -> list[Preview]:
    """``kind``'s texts for the type ``type_id`` on each channel, rendered with sample
    values ("Marie Dupont", mardi 3 février 2026 à 14 h 30…) in the organisation's zone
    and language, as the settings saved for ``organisation`` make them."""
    authorize(actor, Action.NOTIFICATION_VIEW, Resource("organisation", organisation.id))
    chosen = kinds.get(kind)
    with context.store.unit_of_work(write=False) as uow:
        data = uow.notifications.settings_data(organisation.id)
    settings = Notifier(kinds).settings(data, organisation.id)
    values = merge_texts(chosen.fields, _sample_values(organisation), organisation)
    enabled = settings.channels_for(chosen, type_id)
    previews = []
    for channel in NotificationChannel:
        texts = settings.texts_for(chosen, channel, type_id)
        body = texts.body.render(values)
        previews.append(
            Preview(
                kind=chosen.key,
                label=chosen.label,
                channel=str(channel),
                enabled=channel in enabled,
                subject="" if texts.subject is None else texts.subject.render(values),
                body=plain_spaces(body) if channel is NotificationChannel.SMS else body,
            )
        )
    return previews


# -- the outbox -----------------------------------------------------------------------------


@frozen
class OutboxSummary:
    """How many messages each status holds, the dead letters (most recent first, up to the
    limit asked) and when the next pending message falls due."""

    counts: Mapping[OutboxStatus, int]
    dead: tuple[OutboxMessage, ...]
    next_due: datetime | None


@checked
def outbox_summary(context: ServiceContext, actor: Actor, *, dead_limit: int = 50) -> OutboxSummary:
    authorize(actor, Action.NOTIFICATION_VIEW, Resource("outbox"))
    with context.store.unit_of_work(write=False) as uow:
        repository = uow.notifications
        return OutboxSummary(
            counts=repository.counts(),
            dead=tuple(repository.messages(status=OutboxStatus.DEAD, limit=dead_limit)),
            next_due=repository.next_due(),
        )


@frozen
class DispatchReport:
    """What one dispatch did. ``lost`` counts outcomes not recorded because another
    dispatcher had taken the message over (its lease ran out during the send)."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    dead: int = 0
    lost: int = 0
    batches: int = 0

    def __add__(self, other: DispatchReport) -> DispatchReport:
        return DispatchReport(
            self.claimed + other.claimed,
            self.sent + other.sent,
            self.retried + other.retried,
            self.dead + other.dead,
            self.lost + other.lost,
            self.batches + other.batches,
        )


@checked
def dispatch_notifications(
    context: ServiceContext,
    actor: Actor,
    senders: Mapping[str, Sender],
    *,
    retry: RetryPolicy | None = None,
    batch_size: int = 100,
    lease: timedelta = timedelta(minutes=5),
    random: Callable[[], float] | None = None,
    max_batches: int | None = None,
) -> DispatchReport:
    """Send the due messages of the channels in ``senders`` (channel -> sender), batch by
    batch, until none is due (or ``max_batches`` were done).

    ``random`` gives the retry jitter (a value in [0, 1)); pass a fixed one in tests.
    Messages of a channel without a sender stay pending.
    """
    authorize(actor, Action.NOTIFICATION_DISPATCH, Resource("outbox"))
    policy = retry if retry is not None else RetryPolicy()
    draw = random if random is not None else _random.Random().random
    run = context.new_id()
    report = DispatchReport()
    channels = sorted(senders)

    def claim(uow: UnitOfWork) -> tuple[str, list[OutboxMessage]]:
        token = f"{run}:{report.batches}"
        now = context.clock.now()
        found = uow.notifications.claim(
            now=now, channels=channels, limit=batch_size, lease_until=now + lease, token=token
        )
        return token, found

    if max_batches is not None and max_batches < 1:
        return report
    with context.store.unit_of_work() as uow:
        token, claimed = claim(uow)
        uow.commit()
    while claimed:
        outcomes = _deliver(claimed, senders, context, policy, draw)
        done = _tally(outcomes, len(claimed), 0)
        more = max_batches is None or report.batches + 1 < max_batches
        # One transaction records this batch and claims the next: one commit a batch.
        with context.store.unit_of_work() as uow:
            recorded = uow.notifications.finish(token, outcomes)
            report += evolve(done, lost=len(outcomes) - recorded)
            token, claimed = claim(uow) if more else (token, [])
            uow.commit()
    return report


def _deliver(
    claimed: Sequence[OutboxMessage],
    senders: Mapping[str, Sender],
    context: ServiceContext,
    policy: RetryPolicy,
    random: Callable[[], float],
) -> list[Outcome]:
    outcomes: list[Outcome] = []
    sendable: list[OutboxMessage] = []
    for message in claimed:
        if message.attempts > policy.max_attempts:  # dispatchers died sending it, again
            outcomes.append(
                Outcome(
                    message.key,
                    OutboxStatus.DEAD,
                    message.due_at,
                    f"gave up after {message.attempts - 1} attempts; last: {message.last_error}",
                )
            )
        else:
            sendable.append(message)
    by_channel: dict[str, list[OutboxMessage]] = {}
    for message in sendable:
        by_channel.setdefault(message.channel, []).append(message)
    for channel, batch in by_channel.items():
        results = _send(senders[channel], batch)
        now = context.clock.now()
        outcomes += [
            outcome_of(message, result, now=now, policy=policy, random=random)
            for message, result in zip(batch, results, strict=True)
        ]
    return outcomes


def _send(sender: Sender, batch: Sequence[OutboxMessage]) -> list[SendResult]:
    """One result per message, in order, whatever the sender does: a sender that raises or
    forgets a message leaves it to be retried."""
    try:
        results = sender.send([message.outbound() for message in batch])
    except Exception as error:
        detail = f"the {batch[0].channel} sender failed: {type(error).__name__}: {error}"
        return [SendResult(message.key, SendStatus.TRANSIENT, detail) for message in batch]
    by_key = {result.key: result for result in results}
    return [
        by_key.get(
            message.key,
            SendResult(message.key, SendStatus.TRANSIENT, "the sender reported no result"),
        )
        for message in batch
    ]


def _tally(outcomes: Sequence[Outcome], claimed: int, lost: int) -> DispatchReport:
    statuses = [outcome.status for outcome in outcomes]
    return DispatchReport(
        claimed=claimed,
        sent=statuses.count(OutboxStatus.SENT),
        retried=statuses.count(OutboxStatus.PENDING),
        dead=statuses.count(OutboxStatus.DEAD),
        lost=lost,
        batches=1,
    )
