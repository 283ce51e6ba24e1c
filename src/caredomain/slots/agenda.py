"""The agenda: one organisation's slot settings, planned slots and appointments (seed 003).

:class:`Agenda` is the aggregate the service layer loads, changes and stores. Its methods
enforce the booking rules (:mod:`~.rules`), check the acting :class:`~caredomain.Actor`
through :func:`~caredomain.access.authorize`, and record domain events, which
:meth:`Agenda.collect_events` hands over. Time always comes in as an argument.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

from attrs import evolve

from caredomain.access import Action, Actor, Resource, authorize
from caredomain.calendar import OpeningCalendar
from caredomain.clock import require_aware
from caredomain.errors import InvalidInput, NotFound, RuleViolation
from caredomain.events import Event, IdFactory
from caredomain.organisation import Organisation
from caredomain.slots.appointments import Appointment, AppointmentStatus, Beneficiary, Channel
from caredomain.slots.checks import check_settings
from caredomain.slots.configuration import (
    Reconfigured,
    authorize_changes,
    refuse_removing_used_counters,
)
from caredomain.slots.deprogramming import (
    Deprogramming,
    RefreshReport,
    deprogrammings,
    refresh_report,
)
from caredomain.slots.events import (
    AppointmentBooked,
    AppointmentCancelledByAgent,
    AppointmentCancelledByCitizen,
    AppointmentDeprogrammed,
    AppointmentEvent,
    AppointmentMarkedNoShow,
    AppointmentRescheduled,
    appointment_event,
)
from caredomain.slots.index import FreeSlotIndex, Seats, Slot
from caredomain.slots.model import (
    AppointmentId,
    AppointmentType,
    Counter,
    CounterId,
    PlaceId,
    TypeId,
)
from caredomain.slots.plan import Plan
from caredomain.slots.planner import PlanUpdate, refresh_plan
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
from caredomain.slots.settings import SlotSettings
from caredomain.slots.why import Availability, Explainer
from caredomain.text import Text

__all__ = ["Agenda", "IdFactory"]


class Agenda:
    """One organisation's appointment book.

    Slots are bookable once planned: :meth:`refresh` runs nightly (and plans the days that
    entered the window); :meth:`reconfigure` saves settings or the opening calendar and
    replans at once what they change. A planning change never drops a booking: it
    deprograms it ("rendez-vous déprogrammé") and records :class:`AppointmentDeprogrammed`.
    """

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

    # -- planning -------------------------------------------------------------------------

    def refresh(self, as_of: datetime, *, new_id: IdFactory) -> RefreshReport:
        """Plan as of the organisation's local day at ``as_of`` (the nightly computation)."""
        return self._apply(self._organisation, self._settings, as_of, new_id)

    def reconfigure(
        self,
        actor: Actor,
        *,
        as_of: datetime,
        new_id: IdFactory,
        settings: SlotSettings | None = None,
        calendar: OpeningCalendar | None = None,
    ) -> Reconfigured:
        """Save new settings and/or opening calendar, checked, then replan what they change.

        Types, places, weeks and the calendar need :attr:`Action.SLOT_CONFIGURE`; counters
        and their week applications :attr:`Action.COUNTER_MANAGE` for the type's services.
        """
        organisation, new_settings = self._proposed(settings, calendar)
        changes = new_settings.changes_since(self._settings)
        calendar_changed = organisation.calendar != self._organisation.calendar
        authorize_changes(
            actor, changes, self._settings, new_settings, calendar_changed=calendar_changed
        )
        warnings = check_settings(new_settings, organisation.today(as_of), changes=changes)
        refuse_removing_used_counters(changes, new_settings, self._appointments.values())
        report = self._apply(organisation, new_settings, as_of, new_id)
        return Reconfigured(report, warnings)

    def preview(
        self,
        *,
        as_of: datetime,
        settings: SlotSettings | None = None,
        calendar: OpeningCalendar | None = None,
    ) -> RefreshReport:
        """What :meth:`reconfigure` would deprogram, without changing anything."""
        organisation, new_settings = self._proposed(settings, calendar)
        update = refresh_plan(self._plan, organisation, new_settings, organisation.today(as_of))
        found = self._deprogrammings(update, organisation, new_settings, as_of)
        return refresh_report(update, found)

    def _proposed(
        self, settings: SlotSettings | None, calendar: OpeningCalendar | None
    ) -> tuple[Organisation, SlotSettings]:
        organisation = self._organisation
        if calendar is not None:
            organisation = evolve(organisation, calendar=calendar)
        return organisation, settings if settings is not None else self._settings

    def _apply(
        self, organisation: Organisation, settings: SlotSettings, as_of: datetime, new_id: IdFactory
    ) -> RefreshReport:
        require_aware(as_of, "as_of")
        update = refresh_plan(self._plan, organisation, settings, organisation.today(as_of))
        found = self._deprogrammings(update, organisation, settings, as_of)
        self._organisation, self._settings, self._plan = organisation, settings, update.plan
        done = []
        for item in found:
            appointment = evolve(item.appointment, status=AppointmentStatus.DEPROGRAMMED)
            self._replace(item.appointment, appointment)
            self._record(
                AppointmentDeprogrammed,
                appointment,
                as_of,
                new_id,
                reason_code=item.reason.code,
                reason=item.reason.message,
            )
            done.append(Deprogramming(appointment, item.reason))
        return refresh_report(update, tuple(done))

    def _deprogrammings(
        self,
        update: PlanUpdate,
        organisation: Organisation,
        settings: SlotSettings,
        as_of: datetime,
    ) -> tuple[Deprogramming, ...]:
        return deprogrammings(
            update,
            organisation,
            settings,
            seats=self._seats,
            appointments=self._appointments,
            as_of=as_of,
        )

    # -- queries --------------------------------------------------------------------------

    def free_slots(
        self,
        type_id: TypeId,
        first: date,
        last: date,
        *,
        now: datetime,
        place_id: PlaceId | None = None,
        option: str | None = None,
        channel: Channel = Channel.BACK_OFFICE,
    ) -> list[Slot]:
        """The slots of a type one can book now, from ``first`` to ``last``, by start."""
        index = FreeSlotIndex(self._settings, self._plan, self._seats)
        return index.free_slots(
            type_id, first, last, now=now, place_id=place_id, option=option, channel=channel
        )

    def why(self, type_id: TypeId, place_id: PlaceId, day: date, *, now: datetime) -> Availability:
        """Each slot the type would have at the place that day, and why it is not free."""
        self._settings.type(type_id)
        return self._explainer(now).day(type_id, place_id, day)

    def _explainer(self, now: datetime) -> Explainer:
        return Explainer(self._organisation, self._settings, self._plan, self._seats, now)

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

    def _counter_and_type(self, counter_id: CounterId) -> tuple[Counter, AppointmentType]:
        counter = self._settings.counter(counter_id)
        return counter, self._settings.type(counter.type_id)

    def _authorize(self, actor: Actor, channel: Channel, kind: AppointmentType, owner: str) -> None:
        if channel is Channel.PORTAL:
            authorize(actor, Action.APPOINTMENT_SELF_SERVICE, Resource("appointment", owner=owner))
        else:
            resource = Resource("appointment type", kind.id, services=kind.services)
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
