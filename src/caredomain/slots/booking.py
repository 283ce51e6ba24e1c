"""Booking in the agenda: a seat of a planned slot booked, an appointment rescheduled,
cancelled or marked a no-show — each by the booking rules (:mod:`~.rules`), checked against
the acting :class:`~caredomain.Actor` through :func:`~caredomain.access.authorize`, and
recorded as a domain event.

:class:`AgendaBookings` is the part of :class:`~caredomain.slots.Agenda` that changes one
appointment; it builds on what :class:`~caredomain.slots.agenda_state.AgendaState` holds.
"""

from __future__ import annotations

from datetime import datetime

from attrs import evolve

from caredomain.access import Action, Actor, Resource, authorize
from caredomain.clock import require_aware
from caredomain.errors import InvalidInput, RuleViolation
from caredomain.events import IdFactory
from caredomain.slots.agenda_state import AgendaState
from caredomain.slots.appointments import Appointment, AppointmentStatus, Beneficiary, Channel
from caredomain.slots.events import (
    AppointmentBooked,
    AppointmentCancelledByAgent,
    AppointmentCancelledByCitizen,
    AppointmentMarkedNoShow,
    AppointmentRescheduled,
)
from caredomain.slots.model import AppointmentId, AppointmentType, Counter, CounterId
from caredomain.slots.rules import (
    Reason,
    change_refusal,
    earliest_start,
    no_show_refusal,
    now_second,
    request_refusals,
    service_refusal,
    slot_refusals,
)
from caredomain.text import Text

__all__ = ["AgendaBookings"]


class AgendaBookings(AgendaState):
    """The booking rules of one organisation's agenda: book, reschedule, cancel, no-show."""

    # -- booking --------------------------------------------------------------------------

    def book(
        self,
        actor: Actor,
        *,
        counter_id: CounterId,
        start: datetime,
        beneficiary: Beneficiary,
        channel: Channel,
        now: datetime,
        new_id: IdFactory,
        option: str | None = None,
    ) -> Appointment:
        """Book a seat of a planned slot for ``beneficiary``.

        From the back office an agent books for a citizen; on the portal a citizen books
        for themself. Refusals are :class:`RuleViolation` with the codes of :mod:`~.rules`
        (``slot.min_notice``, ``slot.full``, ``slot.option_required``…).
        """
        counter, kind = self._counter_and_type(counter_id)
        self._authorize(actor, channel, kind, beneficiary.id)
        second = _slot_second(start)
        place = self._settings.place(counter.place_id)
        options = self._settings.options_of(counter)
        refusals = request_refusals(
            kind,
            place,
            options,
            actor=actor,
            channel=channel,
            beneficiary=beneficiary,
            option=option,
        )
        _refuse(refusals + self._slot_refusals(counter, kind, second, now))
        self._refuse_twice(counter_id, second, beneficiary)
        appointment = Appointment(
            id=AppointmentId(new_id()),
            counter_id=counter_id,
            beneficiary=beneficiary,
            start=datetime.fromtimestamp(second, self._organisation.zone),
            duration_minutes=kind.duration_minutes,
            channel=channel,
            booked_by=actor.id,
            booked_at=now,
            option=option,
            seat=self._seats.free_seat(counter_id, second),
        )
        self._seats.hold(appointment)
        self._appointments[appointment.id] = appointment
        self._record(
            AppointmentBooked, appointment, now, new_id, channel=channel, booked_by=actor.id
        )
        return appointment

    def reschedule(
        self,
        actor: Actor,
        appointment_id: AppointmentId,
        *,
        counter_id: CounterId,
        start: datetime,
        channel: Channel,
        now: datetime,
        new_id: IdFactory,
    ) -> Appointment:
        """Move a booked or deprogrammed appointment to another slot of its type.

        The previous date is kept for merge field {7}. A deprogrammed appointment that is
        rescheduled is booked again.
        """
        current = self.appointment(appointment_id)
        old_counter, kind = self._counter_and_type(current.counter_id)
        self._authorize(actor, channel, kind, current.beneficiary.id)
        _refuse(_present(change_refusal(current, require_aware(now, "now"))))
        counter, new_kind = self._counter_and_type(counter_id)
        if new_kind.id != kind.id:
            raise RuleViolation(
                "appointment.other_type",
                Text("counter {counter} serves another type", counter=counter_id),
            )
        second = _slot_second(start)
        if current.is_booked and (counter_id, second) == (old_counter.id, current.start_second):
            raise RuleViolation(
                "appointment.same_slot", Text("the appointment is already at that slot")
            )
        refusals = request_refusals(
            kind,
            self._settings.place(counter.place_id),
            self._settings.options_of(counter),
            actor=actor,
            channel=channel,
            beneficiary=current.beneficiary,
            option=current.option,
        )
        _refuse(refusals + self._slot_refusals(counter, kind, second, now))
        self._seats.release(current)
        moved = evolve(
            current,
            counter_id=counter_id,
            start=datetime.fromtimestamp(second, self._organisation.zone),
            duration_minutes=kind.duration_minutes,
            seat=self._seats.free_seat(counter_id, second),
            status=AppointmentStatus.BOOKED,
            previous_start=current.start,
        )
        self._replace(current, moved)
        self._record(
            AppointmentRescheduled, moved, now, new_id, channel=channel, rescheduled_by=actor.id
        )
        return moved

    def cancel(
        self,
        actor: Actor,
        appointment_id: AppointmentId,
        *,
        channel: Channel,
        now: datetime,
        new_id: IdFactory,
    ) -> Appointment:
        """Cancel on the portal (by the citizen) or in the back office (by an agent)."""
        current = self.appointment(appointment_id)
        _, kind = self._counter_and_type(current.counter_id)
        self._authorize(actor, channel, kind, current.beneficiary.id)
        _refuse(_present(service_refusal(actor, kind, channel)))
        _refuse(_present(change_refusal(current, require_aware(now, "now"))))
        cancelled = evolve(current, status=AppointmentStatus.CANCELLED)
        self._replace(current, cancelled)
        if channel is Channel.PORTAL:
            self._record(AppointmentCancelledByCitizen, cancelled, now, new_id)
        else:
            self._record(AppointmentCancelledByAgent, cancelled, now, new_id, cancelled_by=actor.id)
        return cancelled

    def mark_no_show(
        self, actor: Actor, appointment_id: AppointmentId, *, now: datetime, new_id: IdFactory
    ) -> Appointment:
        """Record that the citizen did not come; only once the appointment has started."""
        current = self.appointment(appointment_id)
        _, kind = self._counter_and_type(current.counter_id)
        self._authorize(actor, Channel.BACK_OFFICE, kind, current.beneficiary.id)
        _refuse(_present(service_refusal(actor, kind, Channel.BACK_OFFICE)))
        _refuse(_present(no_show_refusal(current, require_aware(now, "now"))))
        missed = evolve(current, status=AppointmentStatus.NO_SHOW)
        self._replace(current, missed)
        self._record(AppointmentMarkedNoShow, missed, now, new_id, marked_by=actor.id)
        return missed

    # -- helpers --------------------------------------------------------------------------

    def _authorize(self, actor: Actor, channel: Channel, kind: AppointmentType, owner: str) -> None:
        configuration = self._organisation.configuration
        if channel is Channel.PORTAL:
            own = Resource("appointment", owner=owner, configuration=configuration)
            authorize(actor, Action.APPOINTMENT_SELF_SERVICE, own)
        else:
            resource = Resource(
                "appointment type", kind.id, services=kind.services, configuration=configuration
            )
            authorize(actor, Action.APPOINTMENT_MANAGE, resource)

    def _slot_refusals(
        self, counter: Counter, kind: AppointmentType, second: int, now: datetime
    ) -> tuple[Reason, ...]:
        require_aware(now, "now")
        zone = self._organisation.zone
        ordinal = datetime.fromtimestamp(second, zone).toordinal()
        counter_plan = self._plan.counter(counter.id) if self._plan else None
        if counter_plan is None or not counter_plan.has(ordinal, second):
            why = ""
            for reason in self._explainer(now).slot(counter, second):
                why = (
                    Text("{why}; {reason}", why=why, reason=reason.message)
                    if why
                    else reason.message
                )
            return (Reason("slot.not_planned", Text("no bookable slot then: {why}", why=why)),)
        return slot_refusals(
            second,
            now=now_second(now),
            earliest=earliest_start(now, kind.notice),
            taken=self._seats.taken(counter.id, second),
            seats=counter.seats,
        )

    def _refuse_twice(self, counter_id: CounterId, second: int, beneficiary: Beneficiary) -> None:
        for appointment_id in self._seats.of(counter_id).get(second, {}).values():
            if self._appointments[appointment_id].beneficiary.id == beneficiary.id:
                raise RuleViolation(
                    "slot.already_booked", Text("the beneficiary already holds a seat of this slot")
                )


def _slot_second(start: datetime) -> int:
    moment = require_aware(start, "start").timestamp()
    if moment != int(moment):
        raise InvalidInput(Text("a slot starts on a whole second"), field="start", text=str(start))
    return int(moment)


def _present(reason: Reason | None) -> tuple[Reason, ...]:
    return () if reason is None else (reason,)


def _refuse(reasons: tuple[Reason, ...]) -> None:
    if reasons:
        raise reasons[0].violation()
