"""Appointment slots and booking (seed 003): types, places, counters, reference weeks,
the nightly planning of slots, the booking rules and the deprogramming of appointments.

Start from :class:`Agenda`, the aggregate of one organisation's appointment book, and
:class:`SlotSettings`, its configuration.
"""

from caredomain.errors import SlotTaken
from caredomain.slots.agenda import Agenda, IdFactory
from caredomain.slots.appointments import Appointment, AppointmentStatus, Beneficiary, Channel
from caredomain.slots.checks import SettingWarning, check_settings
from caredomain.slots.configuration import Reconfigured
from caredomain.slots.deprogramming import Deprogramming, RefreshReport
from caredomain.slots.events import (
    AppointmentBooked,
    AppointmentCancelledByAgent,
    AppointmentCancelledByCitizen,
    AppointmentDeprogrammed,
    AppointmentEvent,
    AppointmentMarkedNoShow,
    AppointmentRescheduled,
)
from caredomain.slots.index import Slot
from caredomain.slots.model import (
    AppointmentId,
    AppointmentType,
    Counter,
    CounterId,
    Place,
    PlaceId,
    TypeId,
    WeekApplication,
    WeekName,
)
from caredomain.slots.opening import CounterInputs, cut_into_slots
from caredomain.slots.plan import CounterPlan, Plan
from caredomain.slots.planner import PlanUpdate, plan_slots, refresh_plan
from caredomain.slots.ports import PlanBasis, SlotRepository
from caredomain.slots.rules import Reason
from caredomain.slots.settings import SettingsChanges, SlotSettings
from caredomain.slots.why import Availability, SlotAvailability

__all__ = [
    "Agenda",
    "Appointment",
    "AppointmentBooked",
    "AppointmentCancelledByAgent",
    "AppointmentCancelledByCitizen",
    "AppointmentDeprogrammed",
    "AppointmentEvent",
    "AppointmentId",
    "AppointmentMarkedNoShow",
    "AppointmentRescheduled",
    "AppointmentStatus",
    "AppointmentType",
    "Availability",
    "Beneficiary",
    "Channel",
    "Counter",
    "CounterId",
    "CounterInputs",
    "CounterPlan",
    "Deprogramming",
    "IdFactory",
    "Place",
    "PlaceId",
    "Plan",
    "PlanBasis",
    "PlanUpdate",
    "Reason",
    "Reconfigured",
    "RefreshReport",
    "SettingWarning",
    "SettingsChanges",
    "Slot",
    "SlotAvailability",
    "SlotRepository",
    "SlotSettings",
    "SlotTaken",
    "TypeId",
    "WeekApplication",
    "WeekName",
    "check_settings",
    "cut_into_slots",
    "plan_slots",
    "refresh_plan",
]
