"""Use cases: load through the unit of work, call the domain, record events, commit.

The only code that touches ports. Every function takes the acting
:class:`~caredomain.access.Actor` and checks it through :func:`~caredomain.access.authorize`.
"""

from caredomain.services.context import ServiceContext
from caredomain.services.organisations import configure_organisation, opening_calendar

__all__ = ["ServiceContext", "configure_organisation", "opening_calendar"]
