"""Who the home-care use cases run as and what they authorize: the system actors of the
mobile platform's synchronisation and of the alarm clock, both with the administrator
role, and the resources handed to :func:`~caredomain.access.authorize` (the agency, and
what belongs to one caregiver).
"""

from __future__ import annotations

from caredomain.access import Actor, ActorId, Everywhere, Resource, Role, configuration_of
from caredomain.organisation import OrganisationId
from caredomain.ports import UnitOfWork

__all__ = ["ALARM_CLOCK_ACTOR", "PLATFORM_SYNC_ACTOR", "agency_resource", "caregiver_resource"]

PLATFORM_SYNC_ACTOR = Actor(
    ActorId("platform-sync"),
    {Role.ADMINISTRATOR},
    name="Mobile platform",
    configuration=Everywhere("one mobile platform serves every agency of its store"),
)
"""The system actor the mobile platform's synchronisation runs as; scope it with
``.within(configuration)`` where each configuration has its own platform account."""

ALARM_CLOCK_ACTOR = Actor(
    ActorId("alarm-clock"),
    {Role.ADMINISTRATOR},
    name="DATI alarm clock",
    configuration=Everywhere("a lone worker's alarm must fire whatever agency she works for"),
)
"""The system actor that fires the alarms whose countdown is over
(:func:`~caredomain.interventions.services.alarm.tick_alarms`)."""


def agency_resource(
    uow: UnitOfWork, organisation_id: OrganisationId, owner: str | None = None
) -> Resource:
    """The agency ``organisation_id``, of the configuration the store says (seed 002)."""
    configuration = configuration_of(uow, organisation_id)
    return Resource("agency", organisation_id, owner=owner, configuration=configuration)


def caregiver_resource(
    uow: UnitOfWork, caregiver_id: str, organisation_id: OrganisationId
) -> Resource:
    """What belongs to one caregiver of the agency ``organisation_id``."""
    return Resource(
        "caregiver",
        f"{organisation_id}/{caregiver_id}",
        owner=caregiver_id,
        configuration=configuration_of(uow, organisation_id),
    )
