"""What every module's use cases share: the :class:`ServiceContext` they run in, and the
organisations' own use cases.

Each module keeps its use cases beside its domain (``caredomain.slots.services``,
``caredomain.notifications.services``, ``caredomain.roster.services``,
``caredomain.interventions.services``). Every use case takes the acting
:class:`~caredomain.access.Actor` and checks it through :func:`~caredomain.access.authorize`
first.
"""

import warnings

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

_MOVED_TO_SLOTS = frozenset(
    {
        "MAX_DAYS",
        "SLOT_PLANNER",
        "add_closure",
        "book_slot",
        "cancel_appointment",
        "change_opening_calendar",
        "configure_slots",
        "find_appointment",
        "free_slots",
        "mark_appointment_no_show",
        "preview_planning_change",
        "refresh_slots",
        "remove_closure",
        "reschedule_appointment",
        "slot_settings",
        "switch_public_holiday",
        "why_no_slot",
    }
)


def __getattr__(name: str) -> object:
    # Deprecated in 0.2, removed in 0.3 (docs/versioning.md): each module's use cases live
    # beside its domain; this package holds only what they share.
    if name not in _MOVED_TO_SLOTS:
        raise AttributeError(f"module 'caredomain.services' has no attribute {name!r}")
    warnings.warn(
        f"caredomain.services.{name} moved to caredomain.slots.services.{name}; the old name "
        "goes in caredomain 0.3",
        DeprecationWarning,
        stacklevel=2,
    )
    from caredomain.slots import services

    return getattr(services, name)
