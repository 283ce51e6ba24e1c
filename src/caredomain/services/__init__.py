"""What every module's use cases share: the :class:`ServiceContext` they run in, and the
organisations' own use cases.

Each module keeps its use cases beside its domain (``caredomain.slots.services``,
``caredomain.notifications.services``, ``caredomain.roster.services``,
``caredomain.interventions.services``). Every use case takes the acting
:class:`~caredomain.access.Actor` and checks it through :func:`~caredomain.access.authorize`
first.
"""

from caredomain.services.context import EventQueue, ServiceContext
from caredomain.services.organisations import (
    configure_organisation,
    opening_calendar,
    organisation_ids,
)

__all__ = [
    "EventQueue",
    "ServiceContext",
    "configure_organisation",
    "opening_calendar",
    "organisation_ids",
]
