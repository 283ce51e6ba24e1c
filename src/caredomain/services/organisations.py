"""Use cases about the organisation itself: its settings and its opening calendar."""

from __future__ import annotations

from datetime import date, timedelta

from caredomain.access import Action, Actor, Resource, authorize
from caredomain.arguments import checked
from caredomain.calendar import DayStatus
from caredomain.errors import InvalidInput, NotFound
from caredomain.events import OrganisationConfigured
from caredomain.organisation import Organisation, OrganisationId
from caredomain.services.context import ServiceContext
from caredomain.text import Text

__all__ = ["configure_organisation", "opening_calendar", "organisation_ids"]


@checked
def configure_organisation(
    context: ServiceContext, actor: Actor, organisation: Organisation
) -> OrganisationConfigured:
    """Create ``organisation`` or replace its settings."""
    authorize(actor, Action.ORGANISATION_CONFIGURE, Resource("organisation", organisation.id))
    event = OrganisationConfigured(
        event_id=context.new_id(),
        occurred_at=context.clock.now(),
        organisation_id=organisation.id,
        name=organisation.name,
    )
    with context.store.unit_of_work() as uow:
        try:
            uow.organisations.get(organisation.id)
        except NotFound:
            uow.organisations.add(organisation)
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
    authorize(actor, Action.CALENDAR_VIEW, Resource("organisation", organisation_id))
    if days < 1:
        raise InvalidInput(Text("at least one day"), field="days", text=str(days))
    with context.store.unit_of_work(write=False) as uow:
        organisation = uow.organisations.get(organisation_id)
    start = first or organisation.today(context.clock.now())
    return list(organisation.calendar.days(start, start + timedelta(days=days - 1)))


@checked
def organisation_ids(context: ServiceContext, actor: Actor) -> list[OrganisationId]:
    """The ids of the organisations in the store, sorted."""
    authorize(actor, Action.CALENDAR_VIEW, Resource("organisations"))
    with context.store.unit_of_work(write=False) as uow:
        return uow.organisations.ids()
