"""What an agenda holds: one organisation's slot settings, planned slots and appointments, the
seats its booked appointments take, and the domain events recorded and not yet collected.

:class:`AgendaState` is the part of :class:`~caredomain.slots.Agenda` that holds them: its
accessors, and the steps every change shares (finding a counter's type, explaining a slot,
replacing an appointment, recording its event). The booking rules
(:mod:`~caredomain.slots.booking`) and the planning and queries (:mod:`~caredomain.slots.agenda`)
build on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from caredomain.errors import InvalidInput, NotFound
from caredomain.events import Event, IdFactory
from caredomain.organisation import Organisation
from caredomain.slots.appointments import Appointment
from caredomain.slots.events import AppointmentEvent, appointment_event
from caredomain.slots.index import Seats
from caredomain.slots.model import AppointmentId, AppointmentType, Counter, CounterId
from caredomain.slots.plan import Plan
from caredomain.slots.settings import SlotSettings
from caredomain.slots.why import Explainer
from caredomain.text import Text

__all__ = ["AgendaState"]


class AgendaState:
    """What one organisation's agenda holds, and the steps every change to it shares."""

    def __init__(
        self,
        organisation: Organisation,
        settings: SlotSettings | None = None,
        appointments: Iterable[Appointment] = (),
        plan: Plan | None = None,
    ) -> None:
        self._organisation = organisation
        self._settings = settings if settings is not None else SlotSettings()
        self._plan = plan
        self._appointments: dict[AppointmentId, Appointment] = {}
        self._seats = Seats()
        self._events: list[Event] = []
        for appointment in appointments:
            if appointment.id in self._appointments:
                raise InvalidInput(
                    Text("appointment listed twice"), field="id", text=appointment.id
                )
            self._appointments[appointment.id] = appointment
            if appointment.is_booked:
                self._seats.hold(appointment)

    # -- state ----------------------------------------------------------------------------

    @property
    def organisation(self) -> Organisation:
        return self._organisation

    @property
    def settings(self) -> SlotSettings:
        return self._settings

    @property
    def plan(self) -> Plan | None:
        return self._plan

    @property
    def appointments(self) -> Mapping[AppointmentId, Appointment]:
        return MappingProxyType(self._appointments)

    def appointment(self, appointment_id: AppointmentId) -> Appointment:
        try:
            return self._appointments[appointment_id]
        except KeyError:
            raise NotFound(
                Text("no appointment {appointment}", appointment=repr(appointment_id))
            ) from None

    def taken(self, counter_id: CounterId, start: datetime) -> int:
        """How many booked appointments hold a seat of that slot."""
        return self._seats.taken(counter_id, int(start.timestamp()))

    def collect_events(self) -> list[Event]:
        """The events recorded since the last call, oldest first."""
        events, self._events = self._events, []
        return events

    # -- shared steps ---------------------------------------------------------------------

    def _counter_and_type(self, counter_id: CounterId) -> tuple[Counter, AppointmentType]:
        counter = self._settings.counter(counter_id)
        return counter, self._settings.type(counter.type_id)

    def _explainer(self, now: datetime) -> Explainer:
        return Explainer(self._organisation, self._settings, self._plan, self._seats, now)

    def _replace(self, old: Appointment, new: Appointment) -> None:
        if old.is_booked:
            self._seats.release(old)
        if new.is_booked:
            self._seats.hold(new)
        self._appointments[new.id] = new

    def _record(
        self,
        event_class: type[AppointmentEvent],
        appointment: Appointment,
        now: datetime,
        new_id: IdFactory,
        **extra: Any,
    ) -> None:
        event = appointment_event(
            event_class,
            appointment,
            self._settings,
            organisation_id=self._organisation.id,
            event_id=new_id(),
            occurred_at=now,
            **extra,
        )
        self._events.append(event)
