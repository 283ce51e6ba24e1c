"""Loading an organisation's :class:`~caredomain.slots.Agenda` through a unit of work, with
only the appointments a use case needs, and saving back only what changed.

The plan is rebuilt from its stored basis (:class:`~caredomain.slots.ports.PlanBasis`).
Appointments are read by need (:class:`SeatScope`): a booking reads the seats of one slot, a
listing those of its counters and days, a planning change every booked appointment from
the start of today (it may deprogram any of them). Years of past appointments are never
read, except the one a use case names. The plan is rebuilt for the counters whose seats
are read, and for every counter only when the planning may change.

The settings are read, checked and indexed once per version (:func:`stored_settings`,
:mod:`caredomain.documents`): while they do not change, every use case sharing the
context reuses them, their parsed reference weeks, their index, and the plans rebuilt
from them (:class:`DerivedFromSettings`).

When the organisation's zone or calendar is no longer the one its slots were planned
with (it was changed outside the appointment services, by
:func:`~caredomain.services.configure_organisation`), the agenda catches up on load: a
refresh deprograms what the change removed, and the next write saves it with its events.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from attrs import evolve, frozen

from caredomain.access import Actor, base_of
from caredomain.documents import DocumentCache
from caredomain.events import Event
from caredomain.organisation import Organisation, OrganisationId
from caredomain.ports import Store
from caredomain.slots.agenda import Agenda
from caredomain.slots.appointments import Appointment
from caredomain.slots.model import AppointmentId, CounterId
from caredomain.slots.plan import CounterPlan, Plan
from caredomain.slots.ports import PlanBasis, SlotsUnitOfWork, slots_unit_of_work
from caredomain.slots.settings import SlotSettings
from caredomain.slots.wallclock import day_clock

__all__ = [
    "LoadedAgenda",
    "ScopeOf",
    "SeatScope",
    "load_agenda",
    "local_midnight",
    "no_seats",
    "settings_read_ahead",
    "stored_settings",
    "upcoming",
]


def local_midnight(organisation: Organisation, day: date) -> datetime:
    """The instant ``day`` begins on the organisation's wall clock (its first midnight)."""
    zone = organisation.zone
    return datetime.fromtimestamp(day_clock(zone, day.toordinal()).base, zone)


@frozen
class SeatScope:
    """Which booked appointments a use case reads: of ``counters`` (all if None), starting
    from ``first`` (inclusive) to ``before`` (exclusive), either bound open if None.

    The plan is rebuilt for those counters only; a use case that changes the planning
    reads every counter.
    """

    counters: Collection[CounterId] | None = None
    first: datetime | None = None
    before: datetime | None = None

    @classmethod
    def upcoming(cls, organisation: Organisation, now: datetime) -> SeatScope:
        """Every booked appointment from the start of the organisation's today."""
        return cls(None, local_midnight(organisation, organisation.today(now)))


ScopeOf = Callable[[Organisation, SlotSettings], SeatScope | None]
"""Which seats a use case reads, given the organisation and its settings (None: none)."""


def no_seats(organisation: Organisation, settings: SlotSettings) -> None:
    """For a use case about one appointment only (cancelling, a no-show)."""


def upcoming(now: datetime) -> ScopeOf:
    """For a planning change: every booked appointment from the start of today."""
    return lambda organisation, settings: SeatScope.upcoming(organisation, now)


class LoadedAgenda:
    """An agenda as read from a unit of work, remembering what it was read as."""

    def __init__(
        self,
        uow: SlotsUnitOfWork,
        actor: Actor,
        organisation_id: OrganisationId,
        *,
        now: datetime,
        new_id: Callable[[], str],
        seats: ScopeOf,
        appointments: Iterable[Appointment] | Callable[[SlotSettings], Iterable[Appointment]] = (),
        documents: DocumentCache | None = None,
        planning: bool = False,
    ) -> None:
        # Before the calendar and the settings are read (SlotRepository.hold_planning; a
        # store written before it existed holds nothing, as it did then).
        hold = getattr(uow.slots, "hold_planning", None)
        if hold is not None:
            hold(organisation_id, shared=not planning)
        self.organisation = base_of(actor, uow, organisation_id)
        derived = _derived(uow, organisation_id, documents)
        self.settings = derived.settings
        basis = uow.slots.plan_basis(organisation_id)
        behind = basis is not None and not basis.matches(self.organisation)
        if behind:  # the catching-up refresh may deprogram any upcoming appointment
            wanted: SeatScope | None = SeatScope.upcoming(self.organisation, now)
        else:
            wanted = seats(self.organisation, self.settings)
        self.plan: Plan | None = None
        if basis is not None:
            # Only the counters whose seats are read: those the use case lists or books.
            only = frozenset() if wanted is None else wanted.counters
            self.plan = derived.plan(basis, self.organisation, only)
        read = list(appointments(self.settings) if callable(appointments) else appointments)
        if wanted is not None:
            read += uow.slots.appointments(
                organisation_id,
                booked_only=True,
                counters=wanted.counters,
                start_from=wanted.first,
                start_before=wanted.before,
            )
        zone = self.organisation.zone
        self.appointments: dict[AppointmentId, Appointment] = {
            a.id: _on_wall_clock(a, zone) for a in read
        }
        self.agenda = Agenda(
            self.organisation, self.settings, self.appointments.values(), self.plan
        )
        if behind:
            self.agenda.refresh(now, new_id=new_id)

    def save(self, uow: SlotsUnitOfWork) -> list[Event]:
        """Write what changed since it was read; return the events recorded meanwhile."""
        agenda = self.agenda
        organisation_id = self.organisation.id
        if agenda.organisation is not self.organisation:
            uow.organisations.replace(agenda.organisation)
        if agenda.settings is not self.settings:
            uow.slots.save_settings(organisation_id, agenda.settings)
        if agenda.plan is not None and agenda.plan is not self.plan:
            uow.slots.save_plan_basis(organisation_id, PlanBasis.of(agenda.plan))
        changed = [
            appointment
            for appointment_id, appointment in agenda.appointments.items()
            if self.appointments.get(appointment_id) is not appointment
        ]
        # Seats released before seats taken, so that the store never sees two holders.
        changed.sort(key=lambda appointment: appointment.is_booked)
        uow.slots.save_appointments(organisation_id, changed)
        return agenda.collect_events()


def load_agenda(
    uow: SlotsUnitOfWork,
    actor: Actor,
    organisation_id: OrganisationId,
    *,
    now: datetime,
    new_id: Callable[[], str],
    seats: ScopeOf,
    appointments: Iterable[Appointment] | Callable[[SlotSettings], Iterable[Appointment]] = (),
    documents: DocumentCache | None = None,
    planning: bool = False,
) -> LoadedAgenda:
    """Read an organisation's agenda with the seats ``seats`` asks for, and
    ``appointments``: those a use case names, or a function of the stored settings
    that reads them — once ``actor`` is known to be of the organisation's configuration
    (:func:`~caredomain.access.base_of`), before anything else of it is read. With
    ``documents`` (the context's), settings of a version read before are not read again.
    The unit holds the organisation's planning before reading it: shared, or, with
    ``planning`` (a use case that may rewrite the settings, the plan or the calendar),
    exclusively — so that two such changes, or one and a booking, on several instances
    of a store cannot lose one another's work."""
    return LoadedAgenda(
        uow,
        actor,
        organisation_id,
        now=now,
        new_id=new_id,
        seats=seats,
        appointments=appointments,
        documents=documents,
        planning=planning,
    )


def stored_settings(
    uow: SlotsUnitOfWork, organisation_id: OrganisationId, documents: DocumentCache | None
) -> SlotSettings:
    """The organisation's saved settings (empty if none): those ``documents`` keeps for
    their current version, else read, checked and indexed again, and kept."""
    return _derived(uow, organisation_id, documents).settings


class DerivedFromSettings:
    """What use cases derive from one version of an organisation's settings: the settings
    themselves (their index, parsed weeks and per-counter inputs memoized on them), and the
    counters' plans rebuilt from them, by basis. Settings and plans are immutable, so that
    every unit of work that reads this version shares them; a counter is planned once per
    basis, whichever use case asks first, and the plan of a set of counters is put together
    once (a booking asks for its counter's at every call)."""

    def __init__(self, settings: SlotSettings) -> None:
        self.settings = settings
        self._basis: PlanBasis | None = None
        self._planned: Plan | None = None  # the day, zone, calendar, horizon and open days
        self._counters: dict[CounterId, CounterPlan] = {}
        self._views: dict[frozenset[CounterId] | None, Plan] = {}  # by counters asked for
        self._lock = threading.Lock()
        self._position = {counter.id: n for n, counter in enumerate(settings.counters)}

    def plan(
        self, basis: PlanBasis, organisation: Organisation, only: Collection[CounterId] | None
    ) -> Plan:
        """:meth:`PlanBasis.rebuild`, each counter planned once per basis."""
        asked = None if only is None else frozenset(only)
        with self._lock:
            if self._basis != basis:
                self._basis, self._planned, self._counters, self._views = basis, None, {}, {}
            kept = self._views.get(asked)
        if kept is not None:
            return kept
        known = self.settings.fingerprints()
        if asked is None:
            wanted = list(known)
        else:  # in the settings' order, as the planner gives them
            wanted = sorted((c for c in asked if c in known), key=self._position.__getitem__)
        with self._lock:
            planned = self._planned
            counters = {c: self._counters[c] for c in wanted if c in self._counters}
        missing = [c for c in wanted if c not in counters]
        if planned is None or missing:
            planned = basis.rebuild(
                organisation, self.settings, only=None if asked is None else missing
            )
            counters.update(planned.counters)
            with self._lock:
                if self._basis == basis:
                    self._planned = self._planned or planned
                    self._counters.update(planned.counters)
        view = evolve(
            planned,
            counters={c: counters[c] for c in wanted},
            fingerprints={c: known[c] for c in wanted},
        )
        with self._lock:
            if self._basis == basis:
                if len(self._views) >= _VIEWS:  # forget the oldest
                    del self._views[next(iter(self._views))]
                self._views[asked] = view
        return view


_VIEWS = 1024
"""Plans of sets of counters kept per version and basis (one per counter booked or listed,
and a few wider ones): under a kilobyte each, so at most about 1 MB per organisation."""


def settings_read_ahead(
    store: Store, actor: Actor, organisation_id: OrganisationId, documents: DocumentCache
) -> None:
    """Before a writing use case opens its unit of work: if ``documents`` keeps no version
    of the organisation's settings (a process just started), read them in a read-only unit
    of work, which takes no lock — so that the write lock is not held while 200 KB of
    settings are parsed. Once any version is kept this does nothing: a newer one, rare, is
    read under the lock as before."""
    if documents.holds(_settings_key(organisation_id)):
        return
    with slots_unit_of_work(store, write=False) as uow:
        base_of(actor, uow, organisation_id)  # of the actor's configuration, before any read
        _derived(uow, organisation_id, documents)


def _settings_key(organisation_id: OrganisationId) -> tuple[str, OrganisationId]:
    return ("slot settings", organisation_id)


def _derived(
    uow: SlotsUnitOfWork, organisation_id: OrganisationId, documents: DocumentCache | None
) -> DerivedFromSettings:
    if documents is None:
        return DerivedFromSettings(uow.slots.settings(organisation_id) or SlotSettings())

    def load() -> tuple[str, DerivedFromSettings] | None:
        found = uow.slots.versioned_settings(organisation_id)
        return None if found is None else (found[0], DerivedFromSettings(found[1]))

    derived = documents.derived(
        _settings_key(organisation_id),
        uow.slots.settings_version(organisation_id),
        load,
        DerivedFromSettings,
    )
    return derived or DerivedFromSettings(SlotSettings())


def _on_wall_clock(appointment: Appointment, zone: ZoneInfo) -> Appointment:
    """Stored datetimes come back with a fixed offset: put the dates of the appointment
    back on the organisation's wall clock (the same instants)."""
    previous = appointment.previous_start
    return evolve(
        appointment,
        start=appointment.start.astimezone(zone),
        previous_start=None if previous is None else previous.astimezone(zone),
    )
