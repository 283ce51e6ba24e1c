"""The agenda: one organisation's slot settings, planned slots and appointments (seed 003).

:class:`Agenda` is the aggregate the service layer loads, changes and stores. Its methods
enforce the booking rules (:mod:`~.rules`), check the acting :class:`~caredomain.Actor`
through :func:`~caredomain.access.authorize`, and record domain events, which
:meth:`Agenda.collect_events` hands over. Time always comes in as an argument.

This module holds its planning (the nightly refresh, a reconfiguration and its preview) and
its queries (free slots, why none); what it holds and the steps every change shares are in
:mod:`~caredomain.slots.agenda_state`, booking, rescheduling, cancelling and no-shows in
:mod:`~caredomain.slots.booking`.
"""

from __future__ import annotations

from datetime import date, datetime

from attrs import evolve

from caredomain.access import Actor
from caredomain.calendar import OpeningCalendar
from caredomain.clock import require_aware
from caredomain.events import IdFactory
from caredomain.organisation import Organisation
from caredomain.slots.appointments import AppointmentStatus, Channel
from caredomain.slots.booking import AgendaBookings
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
from caredomain.slots.events import AppointmentDeprogrammed
from caredomain.slots.index import FreeSlotIndex, Slot
from caredomain.slots.model import PlaceId, TypeId
from caredomain.slots.planner import PlanUpdate, refresh_plan
from caredomain.slots.settings import SlotSettings
from caredomain.slots.why import Availability

__all__ = ["Agenda", "IdFactory"]


class Agenda(AgendaBookings):
    """One organisation's appointment book.

    Slots are bookable once planned: :meth:`refresh` runs nightly (and plans the days that
    entered the window); :meth:`reconfigure` saves settings or the opening calendar and
    replans at once what they change. A planning change never drops a booking: it
    deprograms it ("rendez-vous déprogrammé") and records :class:`AppointmentDeprogrammed`.
    """

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
            actor,
            changes,
            self._settings,
            new_settings,
            calendar_changed=calendar_changed,
            configuration=organisation.configuration,
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
