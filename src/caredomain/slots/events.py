"""What happens to appointments, as domain events for the notifications (seed 003).

Each event carries what a notification needs for the seed's merge fields ("champs de
fusion"), returned in order by :meth:`AppointmentEvent.merge_values`:

{0} beneficiary, {1} date, {2} counter name, {3} place name, {4} place address,
{5} counter type name, {6} duration, {7} previous date.

Dates are aware datetimes on the organisation's wall clock; formatting them in French is
the notifications' business.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from attrs import Attribute, field, frozen

from caredomain.access import ActorId
from caredomain.clock import require_aware
from caredomain.events import Event
from caredomain.slots.appointments import Appointment, Beneficiary, Channel
from caredomain.slots.model import AppointmentId, CounterId, PlaceId, TypeId
from caredomain.slots.settings import SlotSettings

__all__ = [
    "AppointmentBooked",
    "AppointmentCancelledByAgent",
    "AppointmentCancelledByCitizen",
    "AppointmentDeprogrammed",
    "AppointmentEvent",
    "AppointmentMarkedNoShow",
    "AppointmentRescheduled",
    "MergeValues",
    "appointment_event",
]

MergeValues = tuple[str, datetime, str, str, str, str, int, datetime | None]


def _aware(instance: object, attribute: Attribute[Any], value: datetime | None) -> None:
    if value is not None:
        require_aware(value, attribute.name)


@frozen(kw_only=True)
class AppointmentEvent(Event):
    """Common to every appointment event: the appointment as the citizen is told of it."""

    organisation_id: str
    appointment_id: AppointmentId
    type_id: TypeId
    counter_id: CounterId
    place_id: PlaceId
    beneficiary: Beneficiary
    start: datetime = field(validator=_aware)
    duration_minutes: int
    counter_name: str
    place_name: str
    place_address: str
    type_label: str
    option: str | None = None
    previous_start: datetime | None = field(default=None, validator=_aware)

    def merge_values(self) -> MergeValues:
        """The values of merge fields {0} to {7}, in order."""
        return (
            self.beneficiary.name,
            self.start,
            self.counter_name,
            self.place_name,
            self.place_address,
            self.type_label,
            self.duration_minutes,
            self.previous_start,
        )


@frozen(kw_only=True)
class AppointmentBooked(AppointmentEvent):
    """A slot was booked ("Création du RDV")."""

    channel: Channel
    booked_by: ActorId


@frozen(kw_only=True)
class AppointmentRescheduled(AppointmentEvent):
    """The appointment moved to another slot ("Changement de date"); see ``previous_start``."""

    channel: Channel
    rescheduled_by: ActorId


@frozen(kw_only=True)
class AppointmentCancelledByCitizen(AppointmentEvent):
    """The citizen cancelled on the portal ("Annulation par l'usager")."""


@frozen(kw_only=True)
class AppointmentCancelledByAgent(AppointmentEvent):
    """An agent cancelled in the back office ("Annulation par un agent")."""

    cancelled_by: ActorId


@frozen(kw_only=True)
class AppointmentMarkedNoShow(AppointmentEvent):
    """The citizen did not come ("Absence")."""

    marked_by: ActorId


@frozen(kw_only=True)
class AppointmentDeprogrammed(AppointmentEvent):
    """A planning change removed the slot ("Rendez-vous déprogrammé"); the booking is kept."""

    reason_code: str
    reason: str


E = TypeVar("E", bound=AppointmentEvent)


def appointment_event(
    event_class: type[E],
    appointment: Appointment,
    settings: SlotSettings,
    *,
    organisation_id: str,
    event_id: str,
    occurred_at: datetime,
    **extra: Any,
) -> E:
    """An event about ``appointment``, its merge fields filled from the settings."""
    counter = settings.counter(appointment.counter_id)
    kind = settings.type(counter.type_id)
    place = settings.place(counter.place_id)
    return event_class(
        event_id=event_id,
        occurred_at=occurred_at,
        organisation_id=organisation_id,
        appointment_id=appointment.id,
        type_id=kind.id,
        counter_id=counter.id,
        place_id=place.id,
        beneficiary=appointment.beneficiary,
        start=appointment.start,
        duration_minutes=appointment.duration_minutes,
        counter_name=counter.name,
        place_name=place.name,
        place_address=place.address,
        type_label=kind.label,
        option=appointment.option,
        previous_start=appointment.previous_start,
        **extra,
    )
