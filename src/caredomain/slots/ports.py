"""What a store keeps of the appointment book, inside one unit of work (``uow.slots``).

Per organisation: its :class:`~caredomain.slots.SlotSettings`, the :class:`PlanBasis` of its
planned slots, and its appointments. The planned slots themselves are not stored: the plan
of a thousand counters is megabytes of JSON, slower to read than to recompute, and
:meth:`PlanBasis.rebuild` recomputes exactly the same plan from the settings and the basis.

Appointments are read by what a use case needs, never all of them: a booking reads the
seats of one slot, the nightly refresh the appointments still to come. Nothing here is
specific to SQLite.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, datetime
from typing import Protocol, cast
from zoneinfo import ZoneInfo

from attrs import evolve, frozen

from caredomain.calendar import OpeningCalendar
from caredomain.organisation import Organisation, OrganisationId
from caredomain.ports import Store, UnitOfWork, holding
from caredomain.slots.appointments import Appointment
from caredomain.slots.model import AppointmentId, CounterId
from caredomain.slots.plan import Plan
from caredomain.slots.planner import plan_slots
from caredomain.slots.settings import SlotSettings

__all__ = ["PlanBasis", "SlotRepository", "SlotsUnitOfWork", "slots_unit_of_work"]


@frozen
class PlanBasis:
    """What a plan was computed from, besides the settings saved with it.

    ``day`` is the local day it was planned on; ``zone`` and ``calendar`` are the
    organisation's at that time. They are kept apart from the organisation's current ones
    so that a calendar changed outside the appointment services is still seen as a
    planning change (and deprograms what it must) at the next load.
    """

    day: date
    zone: ZoneInfo
    calendar: OpeningCalendar

    @classmethod
    def of(cls, plan: Plan) -> PlanBasis:
        return cls(plan.day, plan.zone, plan.calendar)

    def rebuild(
        self,
        organisation: Organisation,
        settings: SlotSettings,
        *,
        only: Collection[CounterId] | None = None,
    ) -> Plan:
        """The plan this basis describes, computed again (the planner is deterministic);
        with ``only``, just those counters' part of it."""
        planned_for = evolve(organisation, zone=self.zone, calendar=self.calendar)
        return plan_slots(planned_for, settings, self.day, only=only)

    def matches(self, organisation: Organisation) -> bool:
        """Whether the organisation's zone and calendar are still those planned with."""
        return self.zone == organisation.zone and self.calendar == organisation.calendar


class SlotRepository(Protocol):
    """The appointment book of each organisation in a store. Writes replace by key."""

    def hold_planning(self, organisation_id: OrganisationId, *, shared: bool = False) -> None:
        """In a write unit, before it reads the organisation's planning (its calendar, the
        settings, the plan basis): hold it until the unit ends. A unit that rewrites it (a
        planning change, the nightly refresh) holds it alone: another write unit waits,
        then reads what this one committed. One that only reads it (a booking) holds it
        ``shared``: others do so side by side, and none reads while one rewrites. A store
        whose write units run one at a time (SQLite) has nothing to do.

        The other methods follow the same rule for a caller that did not hold first: in a
        write unit, reading the settings holds them shared, saving the settings or the
        plan basis holds them alone, and reading an appointment by its id holds that
        appointment until the unit ends. Hold the planning before any appointment or
        counter, so that two units never wait for each other in a circle."""
        ...

    def settings(self, organisation_id: OrganisationId) -> SlotSettings | None:
        """The saved settings, or ``None`` if the organisation never saved any."""
        ...

    def save_settings(self, organisation_id: OrganisationId, settings: SlotSettings) -> None:
        """Replace the settings; the order of the week applications is kept. A new
        version is saved with them, in the same statement (:meth:`settings_version`)."""
        ...

    def settings_version(self, organisation_id: OrganisationId) -> str | None:
        """The version of the saved settings, or ``None`` if there are none: a token new
        at every save and never reused, on this store or any other (a random one, say), so
        that what was derived from settings of one version serves as long as it is the
        current one (:class:`~caredomain.documents.DocumentCache`)."""
        ...

    def versioned_settings(
        self, organisation_id: OrganisationId
    ) -> tuple[str, SlotSettings] | None:
        """The saved settings with their version, read together (one statement or one
        snapshot), or ``None`` if there are none."""
        ...

    def plan_basis(self, organisation_id: OrganisationId) -> PlanBasis | None:
        """The basis of the last plan, or ``None`` if slots were never planned."""
        ...

    def save_plan_basis(self, organisation_id: OrganisationId, basis: PlanBasis) -> None: ...

    def appointment(
        self, organisation_id: OrganisationId, appointment_id: AppointmentId
    ) -> Appointment:
        """One appointment, whatever its status, or :class:`~caredomain.errors.NotFound`."""
        ...

    def appointments(
        self,
        organisation_id: OrganisationId,
        *,
        booked_only: bool = False,
        counters: Collection[CounterId] | None = None,
        start_from: datetime | None = None,
        start_before: datetime | None = None,
        beneficiary: str | None = None,
        limit: int | None = None,
    ) -> list[Appointment]:
        """The appointments that match every filter given, by start then id.

        ``booked_only`` keeps those holding a seat (status booked); ``counters`` those of
        these counters; ``start_from`` (inclusive) and ``start_before`` (exclusive) bound
        their start; ``beneficiary`` is a beneficiary's id; ``limit`` caps how many.
        In a write unit, reading the appointments of a few counters holds those counters
        until the unit ends (a booking: another booking of them waits, then finds the
        seat taken).
        """
        ...

    def save_appointments(
        self, organisation_id: OrganisationId, appointments: Iterable[Appointment]
    ) -> None:
        """Add or replace appointments by id, in the order given.

        Two booked appointments never hold the same seat of the same slot (counter, start,
        seat): a store refuses that with :class:`~caredomain.errors.Conflict`, whatever
        another transaction did meanwhile. Give appointments that release a seat first.
        """
        ...


class SlotsUnitOfWork(UnitOfWork, Protocol):
    """A unit of work of a store that keeps the appointment book."""

    @property
    def slots(self) -> SlotRepository: ...


def slots_unit_of_work(store: Store, *, write: bool = True) -> SlotsUnitOfWork:
    """A new unit of work of ``store``, which must keep the appointment book
    (:func:`caredomain.ports.holding`)."""
    return cast(SlotsUnitOfWork, holding(store, "slots", write=write))
