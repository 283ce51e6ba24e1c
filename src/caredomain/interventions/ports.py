"""The interventions' repository port: what a store keeps of each home-care agency, inside
one unit of work (``uow.interventions``).

Everything is kept per organisation (the agency). The punch log, the office's corrections
and the visit data are append-only: a store adds entries and never changes or deletes one;
a resent punch is recognised by the domain (:class:`~caredomain.interventions.PunchLog`),
the store only refuses an id it already holds (:class:`~caredomain.errors.Conflict`).
Everything else is replaced by key. Nothing here is specific to SQLite: a PostgreSQL store
keeps the same records.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Protocol, cast

from attrs import field, frozen

from caredomain.interventions.alarm import Alarm, AlarmId, AlarmState
from caredomain.interventions.alarm_settings import AlarmSettings
from caredomain.interventions.corrections import Correction
from caredomain.interventions.devices import Device, DeviceId
from caredomain.interventions.log_entries import LogEntry
from caredomain.interventions.messaging import MessageId, Thread
from caredomain.interventions.model import (
    Caregiver,
    CaregiverId,
    Client,
    ClientId,
    InterventionId,
    PlannedIntervention,
    Service,
)
from caredomain.interventions.phonebook import Directory, EmergencyNumbers
from caredomain.interventions.reconciliation import Tolerances
from caredomain.interventions.staff_requests import RequestId, StaffRequest
from caredomain.interventions.visit_data import VisitEntry
from caredomain.organisation import OrganisationId
from caredomain.ports import Store, UnitOfWork, holding

__all__ = [
    "AgencySettings",
    "InterventionRepository",
    "InterventionsUnitOfWork",
    "PlatformState",
    "interventions_unit_of_work",
]


@frozen
class AgencySettings:
    """An agency's settings for its visits: the DATI alarm (None until an office e-mail
    address is known) and the reconciliation's tolerances."""

    alarm: AlarmSettings | None = None
    tolerances: Tolerances = field(factory=Tolerances)


def _ids(values: Iterable[str]) -> frozenset[str]:
    return frozenset(values)


@frozen(kw_only=True)
class PlatformState:
    """What the office knows of its exchanges with the mobile platform.

    ``cursor`` is where the next pull starts (None: from the beginning);
    ``acknowledged_*`` the caregivers and clients the platform holds (transmitted);
    ``planning_alerts`` the caregivers whose phones ring at the next planning push;
    ``delivered_messages`` the office messages already pushed and not yet acknowledged;
    ``pushed_blocks`` the blocked devices the platform was told of."""

    cursor: str | None = None
    acknowledged_caregivers: frozenset[CaregiverId] = field(default=frozenset(), converter=_ids)
    acknowledged_clients: frozenset[ClientId] = field(default=frozenset(), converter=_ids)
    planning_alerts: frozenset[CaregiverId] = field(default=frozenset(), converter=_ids)
    delivered_messages: frozenset[MessageId] = field(default=frozenset(), converter=_ids)
    pushed_blocks: frozenset[DeviceId] = field(default=frozenset(), converter=_ids)


class InterventionRepository(Protocol):
    """The home-care state of each organisation in a store. Writes replace by key, except
    the append-only logs (``add_*``), which refuse an id they already hold."""

    def agencies(self) -> list[OrganisationId]:
        """The organisations with caregivers, clients or services saved, by id."""
        ...

    # -- settings ---------------------------------------------------------------------

    def settings(self, organisation_id: OrganisationId) -> AgencySettings | None:
        """The agency's settings, or ``None`` if never saved."""
        ...

    def save_settings(self, organisation_id: OrganisationId, settings: AgencySettings) -> None: ...

    # -- people and services ----------------------------------------------------------

    def caregivers(
        self, organisation_id: OrganisationId, ids: Collection[CaregiverId] | None = None
    ) -> list[Caregiver]:
        """The caregivers (those of ``ids`` only, when given), by id."""
        ...

    def save_caregivers(
        self, organisation_id: OrganisationId, caregivers: Iterable[Caregiver]
    ) -> None: ...

    def clients(
        self, organisation_id: OrganisationId, ids: Collection[ClientId] | None = None
    ) -> list[Client]:
        """The clients (those of ``ids`` only, when given), by id."""
        ...

    def save_clients(self, organisation_id: OrganisationId, clients: Iterable[Client]) -> None: ...

    def services(self, organisation_id: OrganisationId) -> list[Service]:
        """Every service with its tasks, by id."""
        ...

    def save_services(
        self, organisation_id: OrganisationId, services: Iterable[Service]
    ) -> None: ...

    # -- the planning -----------------------------------------------------------------

    def interventions(
        self,
        organisation_id: OrganisationId,
        *,
        ids: Collection[InterventionId] | None = None,
        caregivers: Collection[CaregiverId] | None = None,
        ends_after: datetime | None = None,
        starts_before: datetime | None = None,
    ) -> list[PlannedIntervention]:
        """The planned interventions that match every filter given, by start then id:
        ``ends_after`` (exclusive) and ``starts_before`` (exclusive) select those that
        overlap a span of time."""
        ...

    def save_interventions(
        self, organisation_id: OrganisationId, interventions: Iterable[PlannedIntervention]
    ) -> None: ...

    def remove_interventions(
        self, organisation_id: OrganisationId, ids: Iterable[InterventionId]
    ) -> None:
        """Take interventions off the planning (the punches made for them stay)."""
        ...

    # -- the punch log, the corrections and the visit data: append-only --------------

    def log_entries(
        self,
        organisation_id: OrganisationId,
        *,
        caregivers: Collection[CaregiverId] | None = None,
        interventions: Collection[InterventionId] | None = None,
    ) -> list[LogEntry]:
        """The punch log's entries (of these caregivers, or of punches for these
        interventions), in the order they were added. Each caregiver's entries carry her
        log's sequence numbers, from 0."""
        ...

    def add_log_entries(self, organisation_id: OrganisationId, entries: Iterable[LogEntry]) -> None:
        """Append entries; a punch id or a caregiver's sequence number already held is a
        :class:`~caredomain.errors.Conflict` (and nothing is added)."""
        ...

    def corrections(
        self,
        organisation_id: OrganisationId,
        *,
        caregivers: Collection[CaregiverId] | None = None,
        interventions: Collection[InterventionId] | None = None,
    ) -> list[Correction]:
        """The office's corrections, in the order they were made."""
        ...

    def add_corrections(
        self, organisation_id: OrganisationId, corrections: Iterable[Correction]
    ) -> None:
        """Append corrections; an id already held is a Conflict."""
        ...

    def visit_entries(
        self,
        organisation_id: OrganisationId,
        *,
        caregivers: Collection[CaregiverId] | None = None,
        interventions: Collection[InterventionId] | None = None,
    ) -> list[VisitEntry]:
        """Kilometres, expenses, comments, reports and tasks, in the order received."""
        ...

    def add_visit_entries(
        self, organisation_id: OrganisationId, entries: Iterable[VisitEntry]
    ) -> None:
        """Append entries; an id already held is a Conflict."""
        ...

    # -- messages and requests --------------------------------------------------------

    def threads(
        self, organisation_id: OrganisationId, caregivers: Collection[CaregiverId] | None = None
    ) -> list[Thread]:
        """The caregivers' threads (with their "alert by e-mail" box), by caregiver."""
        ...

    def save_threads(self, organisation_id: OrganisationId, threads: Iterable[Thread]) -> None: ...

    def staff_requests(
        self,
        organisation_id: OrganisationId,
        *,
        ids: Collection[RequestId] | None = None,
        caregiver_id: CaregiverId | None = None,
        pending_only: bool = False,
    ) -> list[StaffRequest]:
        """Absence and regularisation requests, by submission time then id."""
        ...

    def save_staff_requests(
        self, organisation_id: OrganisationId, requests: Iterable[StaffRequest]
    ) -> None: ...

    # -- the phonebook ----------------------------------------------------------------

    def emergency_numbers(self, organisation_id: OrganisationId) -> EmergencyNumbers:
        """The agency's emergency shortcuts (none if never saved)."""
        ...

    def save_emergency_numbers(
        self, organisation_id: OrganisationId, numbers: EmergencyNumbers
    ) -> None: ...

    def directory(self, organisation_id: OrganisationId) -> Directory:
        """The shared directory (empty if never saved)."""
        ...

    def save_directory(self, organisation_id: OrganisationId, directory: Directory) -> None: ...

    # -- alarms and devices -----------------------------------------------------------

    def alarms(
        self,
        organisation_id: OrganisationId,
        *,
        ids: Collection[AlarmId] | None = None,
        states: Collection[AlarmState] | None = None,
    ) -> list[Alarm]:
        """The DATI alarms (those of ``ids``, in ``states``), by trigger time then id."""
        ...

    def save_alarms(self, organisation_id: OrganisationId, alarms: Iterable[Alarm]) -> None: ...

    def devices(
        self,
        organisation_id: OrganisationId,
        *,
        ids: Collection[DeviceId] | None = None,
        caregiver_id: CaregiverId | None = None,
    ) -> list[Device]:
        """The caregivers' phones, by id."""
        ...

    def save_devices(self, organisation_id: OrganisationId, devices: Iterable[Device]) -> None: ...

    # -- the mobile platform ----------------------------------------------------------

    def platform_state(self, organisation_id: OrganisationId) -> PlatformState:
        """The pull cursor, the acknowledgements and what was pushed (empty at first)."""
        ...

    def save_platform_state(
        self, organisation_id: OrganisationId, state: PlatformState
    ) -> None: ...


class InterventionsUnitOfWork(UnitOfWork, Protocol):
    """A unit of work of a store that keeps home care."""

    @property
    def interventions(self) -> InterventionRepository: ...


def interventions_unit_of_work(store: Store, *, write: bool = True) -> InterventionsUnitOfWork:
    """A new unit of work of ``store``, which must keep home care
    (:func:`caredomain.ports.holding`)."""
    return cast(InterventionsUnitOfWork, holding(store, "interventions", write=write))
