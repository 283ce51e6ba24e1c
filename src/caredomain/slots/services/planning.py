"""Use cases of the appointment book (seed 003) that plan it: the settings, the opening
calendar (closures, public holidays), the preview of a planning change, and the nightly
refresh. Booking, rescheduling, cancelling and no-shows are in
:mod:`caredomain.slots.services.bookings`.

Each takes the acting :class:`~caredomain.access.Actor`, is authorized through
:mod:`caredomain.access` (by the :class:`~caredomain.slots.Agenda`'s methods for what
changes, here for what is read), loads the agenda through the unit of work with only
the appointments it needs (:mod:`caredomain.slots.services.agendas`), and ends every write with
:meth:`ServiceContext.commit`, which journals the events, commits and publishes them.

A planning change (settings, closures, public holidays) is replanned at once and
deprograms the bookings it removes; :func:`preview_planning_change` says which first. The
nightly :func:`refresh_slots` opens the days that entered each type's window; run it from
cron as :data:`SLOT_PLANNER` (``caredomain slots refresh``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from attrs import evolve

from caredomain.access import Action, Actor, ActorId, Everywhere, Role, authorize_action, base_of
from caredomain.arguments import checked
from caredomain.calendar import Closure, OpeningCalendar
from caredomain.errors import Conflict, NotFound
from caredomain.organisation import OrganisationId
from caredomain.services.context import ServiceContext
from caredomain.slots.appointments import Appointment
from caredomain.slots.configuration import Reconfigured
from caredomain.slots.deprogramming import Deprogramming, RefreshReport
from caredomain.slots.ports import SlotsUnitOfWork, slots_unit_of_work
from caredomain.slots.services.agendas import (
    LoadedAgenda,
    load_agenda,
    stored_settings,
    upcoming,
)
from caredomain.slots.settings import SlotSettings
from caredomain.text import Text

__all__ = [
    "SLOT_PLANNER",
    "add_closure",
    "change_opening_calendar",
    "configure_slots",
    "preview_planning_change",
    "refresh_slots",
    "remove_closure",
    "slot_settings",
    "switch_public_holiday",
]

SLOT_PLANNER = Actor(
    ActorId("slot-planner"),
    {Role.ADMINISTRATOR},
    name="Nightly slot planning",
    configuration=Everywhere("the nightly refresh plans every base of its store in one run"),
)
"""The system actor of the nightly refresh; ``SLOT_PLANNER.within(configuration)`` for a
deployment that runs one refresh per configuration."""

CalendarChange = Callable[[OpeningCalendar], OpeningCalendar]


# -- settings and planning changes ---------------------------------------------------------


@checked
def slot_settings(
    context: ServiceContext, actor: Actor, organisation_id: OrganisationId
) -> SlotSettings:
    """The organisation's types, places, counters, reference weeks and applications."""
    authorize_action(actor, Action.CALENDAR_VIEW)
    with slots_unit_of_work(context.store, write=False) as uow:
        base_of(actor, uow, organisation_id)
        return stored_settings(uow, organisation_id, context.documents)


@checked
def configure_slots(
    context: ServiceContext,
    actor: Actor,
    organisation_id: OrganisationId,
    settings: SlotSettings,
    *,
    based_on: SlotSettings | None = None,
) -> Reconfigured:
    """Save the settings, checked (refusals raise, warnings come back), and replan at once
    what they change; the bookings they remove are deprogrammed.

    ``based_on``: the settings ``settings`` were made from, as :func:`slot_settings` gave
    them. When the stored settings are no longer those (another administrator saved hers
    meanwhile), nothing is saved: :class:`~caredomain.errors.Conflict`, so that her work is
    not lost by saving over it; read them again and redo the change. Without it the
    settings replace whatever is stored (a file an operator loads, say)."""
    return _reconfigure(context, actor, organisation_id, settings=settings, based_on=based_on)


@checked
def change_opening_calendar(
    context: ServiceContext,
    actor: Actor,
    organisation_id: OrganisationId,
    calendar: OpeningCalendar,
) -> Reconfigured:
    """Replace the opening days, public holidays and closures, and replan at once."""
    _authorize_calendar(actor)
    return _reconfigure(context, actor, organisation_id, calendar=calendar)


@checked
def add_closure(
    context: ServiceContext, actor: Actor, organisation_id: OrganisationId, closure: Closure
) -> Reconfigured:
    """Add an exceptional closure; the bookings on its days are deprogrammed."""
    _authorize_calendar(actor)
    return _reconfigure(
        context, actor, organisation_id, calendar=lambda old: old.with_closure(closure)
    )


@checked
def remove_closure(
    context: ServiceContext, actor: Actor, organisation_id: OrganisationId, closure: Closure
) -> Reconfigured:
    """Remove an exceptional closure (:class:`NotFound` if there is none such, once the
    actor may change the calendar)."""
    _authorize_calendar(actor)

    def without(old: OpeningCalendar) -> OpeningCalendar:
        if closure not in old.closures:
            raise NotFound(Text("no {closure}", closure=str(closure)))
        return old.without_closure(closure)

    return _reconfigure(context, actor, organisation_id, calendar=without)


@checked
def switch_public_holiday(
    context: ServiceContext,
    actor: Actor,
    organisation_id: OrganisationId,
    name: str,
    *,
    closed: bool,
) -> Reconfigured:
    """Tick (``closed=True``) or untick a public holiday by its French name. Ticking one
    again deprograms the bookings made on it while it was open."""
    _authorize_calendar(actor)
    return _reconfigure(
        context,
        actor,
        organisation_id,
        calendar=lambda old: old.with_holiday(name) if closed else old.without_holiday(name),
    )


@checked
def preview_planning_change(
    context: ServiceContext,
    actor: Actor,
    organisation_id: OrganisationId,
    *,
    settings: SlotSettings | None = None,
    calendar: OpeningCalendar | CalendarChange | None = None,
) -> Reconfigured:
    """What saving ``settings`` and/or ``calendar`` would do, saving nothing: the same
    authorization, refusals and warnings, and the appointments it would deprogram, shown
    as they are now. Show it before :func:`configure_slots` or a calendar change.

    ``calendar`` is the new calendar, or a function making it from the current one, such
    as ``lambda calendar: calendar.with_closure(closure)``.
    """
    authorize_action(actor, Action.SLOT_CONFIGURE, Action.COUNTER_MANAGE)
    if calendar is not None:
        _authorize_calendar(actor)
    now = context.clock.now()
    with slots_unit_of_work(context.store, write=False) as uow:
        loaded = _planning_agenda(context, uow, actor, organisation_id, now=now, settings=settings)
        new_calendar = _new_calendar(loaded, calendar)
        outcome = loaded.agenda.reconfigure(
            actor, as_of=now, new_id=context.new_id, settings=settings, calendar=new_calendar
        )
    report = outcome.report
    as_now = tuple(
        Deprogramming(loaded.appointments.get(d.appointment.id, d.appointment), d.reason)
        for d in report.deprogrammed
    )
    return Reconfigured(evolve(report, deprogrammed=as_now), outcome.warnings)


@checked
def refresh_slots(
    context: ServiceContext, actor: Actor, organisation_id: OrganisationId
) -> RefreshReport:
    """The nightly planning: open the days that entered the window, replan the counters
    whose inputs changed, deprogram what no longer has a slot."""
    authorize_action(actor, Action.SLOT_CONFIGURE)
    now = context.clock.now()
    with slots_unit_of_work(context.store) as uow:
        loaded = load_agenda(
            uow,
            actor,
            organisation_id,
            now=now,
            new_id=context.new_id,
            seats=upcoming(now),
            documents=context.documents,
            planning=True,
        )
        report = loaded.agenda.refresh(now, new_id=context.new_id)
        context.commit(uow, loaded.save(uow))
    return report


def _reconfigure(
    context: ServiceContext,
    actor: Actor,
    organisation_id: OrganisationId,
    *,
    settings: SlotSettings | None = None,
    calendar: OpeningCalendar | CalendarChange | None = None,
    based_on: SlotSettings | None = None,
) -> Reconfigured:
    # Before any lookup, and whether or not anything changes: the actor must be one who may
    # change some settings; what she changes is then checked change by change.
    authorize_action(actor, Action.SLOT_CONFIGURE, Action.COUNTER_MANAGE)
    now = context.clock.now()
    with slots_unit_of_work(context.store) as uow:
        loaded = _planning_agenda(context, uow, actor, organisation_id, now=now, settings=settings)
        # The settings kept for an unchanged version are the very object read before.
        if based_on is not None and based_on is not loaded.settings and based_on != loaded.settings:
            raise Conflict(
                Text(
                    "the slot settings of {organisation} were changed since they were read; "
                    "read them again and redo the change",
                    organisation=organisation_id,
                )
            )
        outcome = loaded.agenda.reconfigure(
            actor,
            as_of=now,
            new_id=context.new_id,
            settings=settings,
            calendar=_new_calendar(loaded, calendar),
        )
        context.commit(uow, loaded.save(uow))
    return outcome


def _authorize_calendar(actor: Actor) -> None:
    """The opening calendar is the administrator's, whether or not the call changes it (of
    her configuration: the agenda's loading refuses another's base)."""
    authorize_action(actor, Action.SLOT_CONFIGURE)


def _new_calendar(
    loaded: LoadedAgenda, change: OpeningCalendar | CalendarChange | None
) -> OpeningCalendar | None:
    if change is None or isinstance(change, OpeningCalendar):
        return change
    return change(loaded.agenda.organisation.calendar)


def _planning_agenda(
    context: ServiceContext,
    uow: SlotsUnitOfWork,
    actor: Actor,
    organisation_id: OrganisationId,
    *,
    now: datetime,
    settings: SlotSettings | None,
) -> LoadedAgenda:
    """The agenda with every upcoming booking, and, when counters are being removed, one
    appointment of theirs if any (a counter with appointments is kept for their sake)."""

    def of_removed_counters(stored: SlotSettings) -> list[Appointment]:
        if settings is None:
            return []
        removed = {c.id for c in stored.counters} - {c.id for c in settings.counters}
        if not removed:
            return []
        return uow.slots.appointments(organisation_id, counters=removed, limit=1)

    return load_agenda(
        uow,
        actor,
        organisation_id,
        now=now,
        new_id=context.new_id,
        seats=upcoming(now),
        appointments=of_removed_counters,
        documents=context.documents,
        planning=True,
    )
