"""Who the home-care use cases run as and what they authorize: the system actors of the
mobile platform's synchronisation and of the alarm clock, both with the administrator
role, and the resources handed to :func:`~caredomain.access.authorize` (the agency, and
what belongs to one caregiver).
"""

from __future__ import annotations

from caredomain.access import Actor, ActorId, Resource, Role
from caredomain.organisation import OrganisationId

__all__ = ["ALARM_CLOCK_ACTOR", "PLATFORM_SYNC_ACTOR", "agency_resource", "caregiver_resource"]

PLATFORM_SYNC_ACTOR = Actor(ActorId("platform-sync"), {Role.ADMINISTRATOR}, name="Mobile platform")
"""The system actor the mobile platform's synchronisation runs as."""

ALARM_CLOCK_ACTOR = Actor(ActorId("alarm-clock"), {Role.ADMINISTRATOR}, name="DATI alarm clock")
"""The system actor that fires the alarms whose countdown is over
(:func:`~caredomain.interventions.services.alarm.tick_alarms`)."""


def agency_resource(organisation_id: OrganisationId, owner: str | None = None) -> Resource:
    return Resource("agency", organisation_id, owner=owner)


def caregiver_resource(caregiver_id: str, organisation_id: OrganisationId) -> Resource:
    return Resource("caregiver", f"{organisation_id}/{caregiver_id}", owner=caregiver_id)
