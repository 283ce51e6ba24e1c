"""Use cases of the notifications: settings, previews, the outbox and its dead letters.

Dispatch lives in :mod:`caredomain.notifications.services.dispatch` and is re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from attrs import frozen

from caredomain.access import (
    Action,
    Actor,
    ActorId,
    Everywhere,
    Resource,
    Role,
    authorize,
    authorize_action,
    authorize_base,
)
from caredomain.arguments import checked
from caredomain.errors import InvalidInput, RuleViolation
from caredomain.events import Event
from caredomain.notifications.configuration import SenderChoice
from caredomain.notifications.formatting import merge_texts, plain_spaces
from caredomain.notifications.kinds import KINDS, KindRegistry, MergeValue
from caredomain.notifications.notifier import Notifier
from caredomain.notifications.outbox import OutboxMessage, OutboxStatus
from caredomain.notifications.ports import Sender, SenderOffers, notifications_unit_of_work
from caredomain.notifications.settings import NotificationChannel, NotificationSettings
from caredomain.organisation import Organisation, OrganisationId
from caredomain.services.context import ServiceContext
from caredomain.text import Text

__all__ = [
    "NOTIFIER_ACTOR",
    "NotificationSettingsSaved",
    "OutboxSummary",
    "Preview",
    "configure_notifications",
    "notification_settings",
    "outbox_summary",
    "preview_notifications",
    "requeue_dead_letters",
    "senders_for",
]

NOTIFIER_ACTOR = Actor(
    ActorId("notifier"),
    {Role.ADMINISTRATOR},
    name="Notification dispatcher",
    configuration=Everywhere("a store has one outbox, which the dispatcher sends for every base"),
)
"""The system actor the dispatcher runs as. The outbox is the store's, not a
configuration's: dispatching, summing it up and requeueing dead letters are for actors
serving every configuration (``Resource("outbox")`` names none)."""


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
    authorize_action(actor, Action.NOTIFICATION_CONFIGURE)
    settings = NotificationSettings.from_data(settings.to_data(), source="notification settings")
    event = NotificationSettingsSaved(
        event_id=context.new_id(),
        occurred_at=context.clock.now(),
        organisation_id=organisation_id,
        saved_by=actor.id,
    )
    with notifications_unit_of_work(context.store) as uow:
        authorize_base(actor, uow, organisation_id, Action.NOTIFICATION_CONFIGURE)
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
    authorize_action(actor, Action.NOTIFICATION_VIEW)
    with notifications_unit_of_work(context.store, write=False) as uow:
        authorize_base(actor, uow, organisation_id, Action.NOTIFICATION_VIEW)
        data = uow.notifications.settings_data(organisation_id)
    return Notifier(kinds).settings(data, organisation_id)


# -- senders --------------------------------------------------------------------------------


def senders_for(
    plugins: SenderOffers,
    choices: Mapping[str, SenderChoice],
    environ: Mapping[str, str],
    *,
    source: str | None = None,
) -> dict[str, Sender]:
    """The sender of each channel, built by the plugin offering it from its settings
    (``name_env`` settings read from ``environ``); ``plugins`` is the loaded plugins
    (:class:`caredomain.plugins.Plugins`). Nothing connects yet. Errors name the
    configuration path (``notifications.mail.sender``) and ``source``."""
    offered = plugins.sender_specs()
    senders: dict[str, Sender] = {}
    for channel, choice in sorted(choices.items()):
        where = f"notifications.{channel}"
        spec = offered.get(choice.sender)
        if spec is None:
            known = ", ".join(sorted(offered)) or Text("none")
            raise InvalidInput(
                Text("no plugin offers this sender (offered: {known})", known=known),
                source=source,
                field=f"{where}.sender",
                text=choice.sender,
            )
        if spec.channel != channel:
            raise InvalidInput(
                Text(
                    "sender {sender} sends {sends}, not {channel}",
                    sender=spec.name,
                    sends=spec.channel,
                    channel=channel,
                ),
                source=source,
                field=f"{where}.sender",
                text=choice.sender,
            )
        try:
            settings = choice.resolved(environ, where=where)
        except InvalidInput as error:
            raise error.located(source=source) from None
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
    authorize_action(actor, Action.NOTIFICATION_VIEW)
    chosen = kinds.get(kind)
    with notifications_unit_of_work(context.store, write=False) as uow:
        authorize_base(actor, uow, organisation.id, Action.NOTIFICATION_VIEW)
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
    with notifications_unit_of_work(context.store, write=False) as uow:
        repository = uow.notifications
        return OutboxSummary(
            counts=repository.counts(),
            dead=tuple(repository.messages(status=OutboxStatus.DEAD, limit=dead_limit)),
            next_due=repository.next_due(),
        )


@checked
def requeue_dead_letters(
    context: ServiceContext, actor: Actor, keys: Sequence[str] | None = None
) -> list[str]:
    """Put dead letters back to pending, due now, with their attempts counted from zero:
    those of ``keys``, or every one when ``keys`` is ``None``. All of them or none: a key
    that is not in the outbox is :class:`~caredomain.errors.NotFound`, one that is not a
    dead letter a :class:`~caredomain.errors.RuleViolation` (``outbox.not_dead``).
    Returns the keys requeued, sorted."""
    authorize(actor, Action.NOTIFICATION_DISPATCH, Resource("outbox"))
    with notifications_unit_of_work(context.store) as uow:
        repository = uow.notifications
        for key in keys or ():
            found = repository.get(key)
            if found.status is not OutboxStatus.DEAD:
                raise RuleViolation(
                    "outbox.not_dead",
                    Text(
                        "{key} is {status}, not a dead letter: nothing to requeue",
                        key=key,
                        status=found.status.value,
                    ),
                )
        requeued = repository.requeue(keys, now=context.clock.now())
        uow.commit()
    return requeued
