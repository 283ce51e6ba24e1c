"""Deprogramming ("rendez-vous déprogrammé", seed 003): a planning change that removes a
booked slot does not drop the booking; the appointment is kept, flagged deprogrammed, and
the citizen is told."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from attrs import frozen

from caredomain.organisation import Organisation
from caredomain.slots.appointments import Appointment
from caredomain.slots.index import Seats
from caredomain.slots.model import AppointmentId, CounterId
from caredomain.slots.planner import PlanUpdate
from caredomain.slots.rules import Reason, now_second
from caredomain.slots.settings import SlotSettings
from caredomain.slots.why import Explainer
from caredomain.text import Text

__all__ = ["Deprogramming", "RefreshReport", "deprogrammings", "refresh_report"]

SEATS_REDUCED = Reason("slot.seats_reduced", Text("the counter now has fewer seats than bookings"))
HOURS_CHANGED = Reason(
    "slot.hours_changed", Text("the counter's opening hours no longer include this slot")
)


@frozen
class Deprogramming:
    """An appointment a planning change deprograms, and why."""

    appointment: Appointment
    reason: Reason


@frozen
class RefreshReport:
    """What a refresh did (or, from :meth:`Agenda.preview`, would do).

    ``deprogrammed`` shows each appointment as it is after the refresh (from a preview:
    as it is now, still booked).
    """

    day: date
    replanned: tuple[CounterId, ...]
    """The counters planned in full because their inputs changed."""
    deprogrammed: tuple[Deprogramming, ...]


def deprogrammings(
    update: PlanUpdate,
    organisation: Organisation,
    settings: SlotSettings,
    *,
    seats: Seats,
    appointments: Mapping[AppointmentId, Appointment],
    as_of: datetime,
) -> tuple[Deprogramming, ...]:
    """The booked appointments whose slot, or seat, the updated plan no longer has.

    Only the counters and days the update changed are looked at. Appointments already
    started, and those beyond the counter's window, are kept as they are. When a counter
    loses seats, the latest bookings of a slot lose theirs.
    """
    explainer = Explainer(organisation, settings, update.plan, Seats(), as_of)
    now = now_second(as_of)
    found: list[Deprogramming] = []
    for counter_id, days in update.changed.items():
        counter_plan = update.plan.counters[counter_id]
        counter = settings.counter(counter_id)
        for start, holders in seats.of(counter_id).items():
            ordinal = datetime.fromtimestamp(start, organisation.zone).toordinal()
            if start < now or ordinal > counter_plan.last.toordinal():
                continue
            if days is not None and ordinal not in days:
                continue
            booked = sorted((appointments[a] for a in holders.values()), key=_first_booked)
            if not counter_plan.has(ordinal, start):
                reason = _missing_slot_reason(explainer.slot(counter, start))
                found += [Deprogramming(a, reason) for a in booked]
            elif len(booked) > counter.seats:
                found += [Deprogramming(a, SEATS_REDUCED) for a in booked[counter.seats :]]
    return tuple(sorted(found, key=_in_time_order))


def _in_time_order(deprogramming: Deprogramming) -> tuple[datetime, datetime, str]:
    """By start, then as booked: the same report whatever order the seats were read in."""
    appointment = deprogramming.appointment
    return appointment.start, appointment.booked_at, appointment.id


def _first_booked(appointment: Appointment) -> tuple[datetime, str]:
    return appointment.booked_at, appointment.id


def _missing_slot_reason(reasons: tuple[Reason, ...]) -> Reason:
    """The first reason the slot is gone; a slot the week no longer cuts: hours changed."""
    if not reasons or reasons[0].code == "slot.not_planned":
        return HOURS_CHANGED
    return reasons[0]


def refresh_report(update: PlanUpdate, deprogrammed: tuple[Deprogramming, ...]) -> RefreshReport:
    replanned = tuple(sorted(c for c, days in update.changed.items() if days is None))
    return RefreshReport(update.plan.day, replanned, deprogrammed)
