"""Use cases: load through the unit of work, call the domain, record events, commit.

The only code that touches ports. Every function takes the acting
:class:`~caredomain.access.Actor` and checks it through :func:`~caredomain.access.authorize`.
"""

from caredomain.services.context import ServiceContext
from caredomain.services.organisations import (
    configure_organisation,
    opening_calendar,
    organisation_ids,
)
from caredomain.services.slots import (
    SLOT_PLANNER,
    add_closure,
    book_slot,
    cancel_appointment,
    change_opening_calendar,
    configure_slots,
    find_appointment,
    free_slots,
    mark_appointment_no_show,
    preview_planning_change,
    refresh_slots,
    remove_closure,
    reschedule_appointment,
    slot_settings,
    switch_public_holiday,
    why_no_slot,
)

__all__ = [
    "SLOT_PLANNER",
    "ServiceContext",
    "add_closure",
    "book_slot",
    "cancel_appointment",
    "change_opening_calendar",
    "configure_organisation",
    "configure_slots",
    "find_appointment",
    "free_slots",
    "mark_appointment_no_show",
    "opening_calendar",
    "organisation_ids",
    "preview_planning_change",
    "refresh_slots",
    "remove_closure",
    "reschedule_appointment",
    "slot_settings",
    "switch_public_holiday",
    "why_no_slot",
]
