"""Use cases of the appointment book (seed 003) that change one appointment: booking a seat
of a planned slot, rescheduling, cancelling, and marking a no-show.

Each takes the acting :class:`~caredomain.access.Actor`, is authorized through
:mod:`caredomain.access` (the channel here, the appointment by the
:class:`~caredomain.slots.Agenda`'s methods), loads the agenda through the unit of work
with only the seats and the appointment it needs (:mod:`caredomain.slots.services.agendas`),
and ends with :meth:`ServiceContext.commit`, which journals the events, commits and
publishes them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from caredomain.access import Action, Actor, authorize_action
from caredomain.arguments import checked
from caredomain.clock import require_aware
from caredomain.organisation import OrganisationId
from caredomain.services.context import ServiceContext
from caredomain.slots.appointments import Appointment, Beneficiary, Channel
from caredomain.slots.model import AppointmentId, CounterId
from caredomain.slots.ports import SlotsUnitOfWork, slots_unit_of_work
from caredomain.slots.services.agendas import (
    LoadedAgenda,
    ScopeOf,
    SeatScope,
    load_agenda,
    no_seats,
    settings_read_ahead,
)
from caredomain.slots.services.queries import authorize_channel

__all__ = [
    "book_slot",
    "cancel_appointment",
    "mark_appointment_no_show",
    "reschedule_appointment",
]


@checked
def book_slot(
    context: ServiceContext,
    actor: Actor,
    organisation_id: OrganisationId,
    *,
    counter_id: CounterId,
    start: datetime,
    beneficiary: Beneficiary,
    channel: Channel,
    option: str | None = None,
) -> Appointment:
    """Book a seat of a planned slot. When another booking takes the last seat first, the
    loser gets :class:`~caredomain.errors.SlotTaken`, a ``Conflict``."""
    authorize_channel(actor, channel)
    now = context.clock.now()
    settings_read_ahead(context.store, actor, organisation_id, context.documents)
    with slots_unit_of_work(context.store) as uow:
        loaded = load_agenda(
            uow,
            actor,
            organisation_id,
            now=now,
            new_id=context.new_id,
            seats=_one_slot(counter_id, start),
            documents=context.documents,
        )
        appointment = loaded.agenda.book(
            actor,
            counter_id=counter_id,
            start=start,
            beneficiary=beneficiary,
            channel=channel,
            now=now,
            new_id=context.new_id,
            option=option,
        )
        context.commit(uow, loaded.save(uow))
    return appointment


@checked
def reschedule_appointment(
    context: ServiceContext,
    actor: Actor,
    organisation_id: OrganisationId,
    appointment_id: AppointmentId,
    *,
    counter_id: CounterId,
    start: datetime,
    channel: Channel,
) -> Appointment:
    """Move an appointment (booked, or deprogrammed) to another slot of its type; the
    previous date is kept for merge field {7}."""
    authorize_channel(actor, channel)
    now = context.clock.now()
    settings_read_ahead(context.store, actor, organisation_id, context.documents)
    with slots_unit_of_work(context.store) as uow:
        loaded = load_agenda(
            uow,
            actor,
            organisation_id,
            now=now,
            new_id=context.new_id,
            seats=_one_slot(counter_id, start),
            appointments=lambda _: [uow.slots.appointment(organisation_id, appointment_id)],
            documents=context.documents,
        )
        moved = loaded.agenda.reschedule(
            actor,
            appointment_id,
            counter_id=counter_id,
            start=start,
            channel=channel,
            now=now,
            new_id=context.new_id,
        )
        context.commit(uow, loaded.save(uow))
    return moved


@checked
def cancel_appointment(
    context: ServiceContext,
    actor: Actor,
    organisation_id: OrganisationId,
    appointment_id: AppointmentId,
    *,
    channel: Channel,
) -> Appointment:
    """Cancel: on the portal by the citizen, in the back office by an agent."""
    authorize_channel(actor, channel)
    now = context.clock.now()
    settings_read_ahead(context.store, actor, organisation_id, context.documents)
    with slots_unit_of_work(context.store) as uow:
        loaded = _one_appointment(context, uow, actor, organisation_id, appointment_id, now=now)
        cancelled = loaded.agenda.cancel(
            actor, appointment_id, channel=channel, now=now, new_id=context.new_id
        )
        context.commit(uow, loaded.save(uow))
    return cancelled


@checked
def mark_appointment_no_show(
    context: ServiceContext,
    actor: Actor,
    organisation_id: OrganisationId,
    appointment_id: AppointmentId,
) -> Appointment:
    """Record that the citizen did not come ("Absence"), once the appointment has started."""
    authorize_action(actor, Action.APPOINTMENT_MANAGE)
    now = context.clock.now()
    settings_read_ahead(context.store, actor, organisation_id, context.documents)
    with slots_unit_of_work(context.store) as uow:
        loaded = _one_appointment(context, uow, actor, organisation_id, appointment_id, now=now)
        missed = loaded.agenda.mark_no_show(actor, appointment_id, now=now, new_id=context.new_id)
        context.commit(uow, loaded.save(uow))
    return missed


def _one_slot(counter_id: CounterId, start: datetime) -> ScopeOf:
    """The seats of one slot: who holds them decides whether one is left."""
    first = require_aware(start, "start")
    scope = SeatScope(frozenset({counter_id}), first, first + timedelta(seconds=1))
    return lambda organisation, settings: scope


def _one_appointment(
    context: ServiceContext,
    uow: SlotsUnitOfWork,
    actor: Actor,
    organisation_id: OrganisationId,
    appointment_id: AppointmentId,
    *,
    now: datetime,
) -> LoadedAgenda:
    return load_agenda(
        uow,
        actor,
        organisation_id,
        now=now,
        new_id=context.new_id,
        seats=no_seats,
        appointments=lambda _: [uow.slots.appointment(organisation_id, appointment_id)],
        documents=context.documents,
    )
