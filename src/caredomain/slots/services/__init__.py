"""The appointment book's use cases: authorize, load the agenda through the unit of work,
call the domain, save what changed with its events, commit, publish.

* :mod:`~caredomain.slots.services.planning`: the settings, the opening calendar, the
  preview of a planning change, the nightly refresh;
* :mod:`~caredomain.slots.services.bookings`: booking, rescheduling, cancelling, marking a
  no-show;
* :mod:`~caredomain.slots.services.queries`: free slots, why no slot, finding an
  appointment;
* :mod:`~caredomain.slots.services.agendas`: loading an organisation's agenda for them.
"""

from caredomain.slots.services.bookings import (
    book_slot,
    cancel_appointment,
    mark_appointment_no_show,
    reschedule_appointment,
)
from caredomain.slots.services.planning import (
    SLOT_PLANNER,
    add_closure,
    change_opening_calendar,
    configure_slots,
    preview_planning_change,
    refresh_slots,
    remove_closure,
    slot_settings,
    switch_public_holiday,
)
from caredomain.slots.services.queries import MAX_DAYS, find_appointment, free_slots, why_no_slot

__all__ = [
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
]
