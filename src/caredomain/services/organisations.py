"""Use cases about the organisation itself: its settings and its opening calendar."""

from __future__ import annotations

from datetime import date, timedelta

from caredomain.access import (
    Action,
    Actor,
    Everywhere,
    Resource,
    authorize,
    authorize_action,
    authorize_base,
    configuration_for,
    configuration_of,
)
from caredomain.arguments import checked
from caredomain.calendar import DayStatus
from caredomain.errors import Forbidden, InvalidInput
from caredomain.events import OrganisationConfigured
from caredomain.organisation import Organisation, OrganisationId
from caredomain.services.context import ServiceContext
from caredomain.text import Text

__all__ = ["configure_organisation", "opening_calendar", "organisation_ids"]


@checked
def configure_organisation(
    context: ServiceContext, actor: Actor, organisation: Organisation
) -> OrganisationConfigured:
    """Create ``organisation`` or replace its settings.

    Seed 002: the base is created in, or stays in, the configuration it names, and only an
    actor of that configuration creates or changes it: moving a base to another
    configuration is refused (it would hand its data to another tenant).
    """
    authorize_action(actor, Action.ORGANISATION_CONFIGURE)
    event = OrganisationConfigured(
        event_id=context.new_id(),
        occurred_at=context.clock.now(),
        organisation_id=organisation.id,
        name=organisation.name,
    )
    with context.store.unit_of_work() as uow:
        current = configuration_of(uow, organisation.id)
        resource = Resource(
            "organisation", organisation.id, configuration=configuration_for(uow, organisation)
        )
        authorize(actor, Action.ORGANISATION_CONFIGURE, resource)
        if current is None:
            uow.organisations.add(organisation)
        elif current != organisation.configuration:
            raise Forbidden(
                Text(
                    "organisation {id} is a base of configuration {current}; "
                    "it cannot move to {wanted}",
                    id=organisation.id,
                    current=current,
                    wanted=organisation.configuration,
                )
            )
        else:
            uow.organisations.replace(organisation)
        context.commit(uow, [event])
    return event


@checked
def opening_calendar(
    context: ServiceContext,
    actor: Actor,
    organisation_id: OrganisationId,
    *,
    first: date | None = None,
    days: int = 30,
) -> list[DayStatus]:
    """Each day from ``first`` (the organisation's today by default), open or why closed."""
    authorize_action(actor, Action.CALENDAR_VIEW)
    if days < 1:
        raise InvalidInput(Text("at least one day"), field="days", text=str(days))
    with context.store.unit_of_work(write=False) as uow:
        authorize_base(actor, uow, organisation_id, Action.CALENDAR_VIEW)
        organisation = uow.organisations.get(organisation_id)
    start = first or organisation.today(context.clock.now())
    return list(organisation.calendar.days(start, start + timedelta(days=days - 1)))


@checked
def organisation_ids(context: ServiceContext, actor: Actor) -> list[OrganisationId]:
    """The ids of the organisations in the store that are bases of the actor's
    configuration (every one, for an actor serving every configuration), sorted."""
    authorize_action(actor, Action.CALENDAR_VIEW)
    with context.store.unit_of_work(write=False) as uow:
        ids = uow.organisations.ids()
        if isinstance(actor.configuration, Everywhere):
            return ids
        return [
            organisation_id
            for organisation_id in ids
            if uow.organisations.get(organisation_id).configuration == actor.configuration
        ]
