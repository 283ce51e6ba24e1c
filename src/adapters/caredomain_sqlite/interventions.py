"""The home-care tables (schema version 5) behind
:class:`~caredomain.interventions.ports.InterventionRepository`.

Records are the JSON documents of :func:`caredomain.serialization.unstructure`, with the
columns the queries filter on beside them (instants as integer microseconds since the
epoch, in UTC). The punch log, the corrections and the visit data are append-only: rows
are only ever inserted, and triggers refuse an ``UPDATE`` or a ``DELETE`` of them
(:class:`~caredomain.errors.Conflict`), whoever tries.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from caredomain.errors import InvalidInput
from caredomain.interventions.alarm import Alarm, AlarmId, AlarmState
from caredomain.interventions.corrections import Correction
from caredomain.interventions.devices import Device, DeviceId
from caredomain.interventions.log_entries import LogEntry
from caredomain.interventions.messaging import Thread
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
from caredomain.interventions.ports import AgencySettings, PlatformState
from caredomain.interventions.staff_requests import RequestId, StaffRequest
from caredomain.interventions.visit_data import (
    Comment,
    Expense,
    Mileage,
    Report,
    TasksDone,
    VisitEntry,
)
from caredomain.organisation import OrganisationId
from caredomain.serialization import structure, unstructure
from caredomain.text import Text
from caredomain_sqlite.connections import Statements

__all__ = ["SqliteInterventions"]

T = TypeVar("T")

_CHUNK = 500  # values per "IN (…)" list, well under SQLite's limit on parameters
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)

_ENTRY_KINDS: dict[str, type[VisitEntry]] = {
    "mileage": Mileage,
    "expense": Expense,
    "comment": Comment,
    "report": Report,
    "tasks": TasksDone,
}
_KIND_OF_ENTRY = {cls: kind for kind, cls in _ENTRY_KINDS.items()}


def _json(value: object) -> str:
    return json.dumps(unstructure(value), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _loaded(document: str, cls: type[T], source: str) -> T:
    try:
        data = json.loads(document)
    except json.JSONDecodeError as error:
        raise InvalidInput(
            Text("stored document is not JSON: {error}", error=str(error)), source=source
        ) from None
    return structure(data, cls, source=source)


def _micros(moment: datetime) -> int:
    return (moment.astimezone(UTC) - _EPOCH) // _MICRO


class _Where:
    """The conditions of a query, with their parameters; a collection becomes ``IN``
    lists of at most :data:`_CHUNK` values, one query each."""

    def __init__(self, organisation_id: OrganisationId) -> None:
        self.clauses = ["organisation = ?"]
        self.params: list[Any] = [organisation_id]
        self.listed: tuple[str, list[str]] | None = None

    def equal(self, column: str, value: object | None) -> _Where:
        if value is not None:
            self.clauses.append(f"{column} = ?")
            self.params.append(value)
        return self

    def compare(self, column: str, operator: str, value: object | None) -> _Where:
        if value is not None:
            self.clauses.append(f"{column} {operator} ?")
            self.params.append(value)
        return self

    def among(self, column: str, values: Collection[str] | None) -> _Where:
        """Only one ``among`` per query: the others are checked after reading."""
        if values is not None:
            self.listed = (column, sorted(set(values)))
        return self


def _query(unit: Statements, where: _Where, select: str, order: str) -> list[Any]:
    """Rows whose first column is the order key (the chunks of an IN list are merged)."""
    if where.listed is None:
        return unit.query(
            f"{select} WHERE {' AND '.join(where.clauses)} ORDER BY {order}", tuple(where.params)
        )
    column, values = where.listed
    if not values:
        return []
    rows: list[Any] = []
    for start in range(0, len(values), _CHUNK):
        chunk = values[start : start + _CHUNK]
        marks = ", ".join("?" * len(chunk))
        clauses = " AND ".join([*where.clauses, f"{column} IN ({marks})"])
        rows += unit.query(f"{select} WHERE {clauses} ORDER BY {order}", (*where.params, *chunk))
    return rows if len(values) <= _CHUNK else sorted(rows, key=lambda row: row[0])


class SqliteInterventions:
    """:class:`~caredomain.interventions.ports.InterventionRepository` over the ``care_*``
    tables."""

    def __init__(self, unit: Statements) -> None:
        self._unit = unit

    def agencies(self) -> list[OrganisationId]:
        rows = self._unit.query("SELECT DISTINCT organisation FROM care_records ORDER BY 1")
        return [OrganisationId(row[0]) for row in rows]

    # -- documents: settings, phonebook, platform state -------------------------------

    def _document(self, organisation_id: OrganisationId, key: str, cls: type[T]) -> T | None:
        rows = self._unit.query(
            "SELECT document FROM care_documents WHERE organisation = ? AND key = ?",
            (organisation_id, key),
        )
        if not rows:
            return None
        return _loaded(
            rows[0][0],
            cls,
            Text("{what} of {organisation}", what=key, organisation=organisation_id),
        )

    def _save_document(self, organisation_id: OrganisationId, key: str, value: object) -> None:
        self._unit.change(
            "INSERT INTO care_documents (organisation, key, document) VALUES (?, ?, ?) "
            "ON CONFLICT (organisation, key) DO UPDATE SET document = excluded.document",
            (organisation_id, key, _json(value)),
        )

    def settings(self, organisation_id: OrganisationId) -> AgencySettings | None:
        return self._document(organisation_id, "settings", AgencySettings)

    def save_settings(self, organisation_id: OrganisationId, settings: AgencySettings) -> None:
        self._save_document(organisation_id, "settings", settings)

    def emergency_numbers(self, organisation_id: OrganisationId) -> EmergencyNumbers:
        found = self._document(organisation_id, "emergency_numbers", EmergencyNumbers)
        return found if found is not None else EmergencyNumbers()

    def save_emergency_numbers(
        self, organisation_id: OrganisationId, numbers: EmergencyNumbers
    ) -> None:
        self._save_document(organisation_id, "emergency_numbers", numbers)

    def directory(self, organisation_id: OrganisationId) -> Directory:
        found = self._document(organisation_id, "directory", Directory)
        return found if found is not None else Directory()

    def save_directory(self, organisation_id: OrganisationId, directory: Directory) -> None:
        self._save_document(organisation_id, "directory", directory)

    def platform_state(self, organisation_id: OrganisationId) -> PlatformState:
        found = self._document(organisation_id, "platform", PlatformState)
        return found if found is not None else PlatformState()

    def save_platform_state(self, organisation_id: OrganisationId, state: PlatformState) -> None:
        self._save_document(organisation_id, "platform", state)

    # -- caregivers, clients, services ------------------------------------------------

    def _records(
        self,
        organisation_id: OrganisationId,
        kind: str,
        cls: type[T],
        ids: Collection[str] | None,
    ) -> list[T]:
        where = _Where(organisation_id).equal("kind", kind).among("id", ids)
        rows = _query(self._unit, where, "SELECT id, document FROM care_records", "id")
        return [_loaded(document, cls, f"{kind} {ident!r}") for ident, document in rows]

    def _save_records(
        self, organisation_id: OrganisationId, kind: str, records: Iterable[tuple[str, object]]
    ) -> None:
        self._unit.change_many(
            "INSERT INTO care_records (organisation, kind, id, document) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (organisation, kind, id) DO UPDATE SET document = excluded.document",
            ((organisation_id, kind, ident, _json(value)) for ident, value in records),
        )

    def caregivers(
        self, organisation_id: OrganisationId, ids: Collection[CaregiverId] | None = None
    ) -> list[Caregiver]:
        return self._records(organisation_id, "caregiver", Caregiver, ids)

    def save_caregivers(
        self, organisation_id: OrganisationId, caregivers: Iterable[Caregiver]
    ) -> None:
        self._save_records(organisation_id, "caregiver", ((c.id, c) for c in caregivers))

    def clients(
        self, organisation_id: OrganisationId, ids: Collection[ClientId] | None = None
    ) -> list[Client]:
        return self._records(organisation_id, "client", Client, ids)

    def save_clients(self, organisation_id: OrganisationId, clients: Iterable[Client]) -> None:
        self._save_records(organisation_id, "client", ((c.id, c) for c in clients))

    def services(self, organisation_id: OrganisationId) -> list[Service]:
        return self._records(organisation_id, "service", Service, None)

    def save_services(self, organisation_id: OrganisationId, services: Iterable[Service]) -> None:
        self._save_records(organisation_id, "service", ((s.id, s) for s in services))

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
        where = (
            _Where(organisation_id)
            .compare("ends_at", ">", None if ends_after is None else _micros(ends_after))
            .compare("starts_at", "<", None if starts_before is None else _micros(starts_before))
        )
        if ids is not None:
            where.among("id", ids)
        else:
            where.among("caregiver", caregivers)
        rows = _query(
            self._unit,
            where,
            "SELECT starts_at, id, caregiver, document FROM care_interventions",
            "starts_at, id",
        )
        found = [
            _loaded(document, PlannedIntervention, Text("intervention {id}", id=repr(ident)))
            for _, ident, caregiver, document in rows
            if ids is None or caregivers is None or caregiver in caregivers
        ]
        return sorted(found, key=lambda i: (i.start, i.id))

    def save_interventions(
        self, organisation_id: OrganisationId, interventions: Iterable[PlannedIntervention]
    ) -> None:
        self._unit.change_many(
            "INSERT INTO care_interventions "
            "(organisation, id, caregiver, starts_at, ends_at, document) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (organisation, id) DO UPDATE SET "
            "caregiver = excluded.caregiver, starts_at = excluded.starts_at, "
            "ends_at = excluded.ends_at, document = excluded.document",
            (
                (organisation_id, i.id, i.caregiver_id, _micros(i.start), _micros(i.end), _json(i))
                for i in interventions
            ),
        )

    def remove_interventions(
        self, organisation_id: OrganisationId, ids: Iterable[InterventionId]
    ) -> None:
        self._unit.change_many(
            "DELETE FROM care_interventions WHERE organisation = ? AND id = ?",
            ((organisation_id, ident) for ident in ids),
        )

    # -- append-only logs -------------------------------------------------------------

    def _log(
        self,
        table: str,
        organisation_id: OrganisationId,
        caregivers: Collection[CaregiverId] | None,
        interventions: Collection[InterventionId] | None,
        extra: str = "",
    ) -> list[Any]:
        where = _Where(organisation_id)
        if interventions is not None:
            where.among("intervention", interventions)
        else:
            where.among("caregiver", caregivers)
        rows = _query(
            self._unit,
            where,
            f"SELECT position, caregiver, intervention, document{extra} FROM {table}",
            "position",
        )
        if interventions is not None and caregivers is not None:
            rows = [row for row in rows if row[1] in caregivers]
        return rows

    def log_entries(
        self,
        organisation_id: OrganisationId,
        *,
        caregivers: Collection[CaregiverId] | None = None,
        interventions: Collection[InterventionId] | None = None,
    ) -> list[LogEntry]:
        rows = self._log("care_punches", organisation_id, caregivers, interventions)
        return [
            _loaded(
                document,
                LogEntry,
                Text("punch log entry at position {position}", position=position),
            )
            for position, _, _, document in rows
        ]

    def add_log_entries(self, organisation_id: OrganisationId, entries: Iterable[LogEntry]) -> None:
        self._unit.change_many(
            "INSERT INTO care_punches "
            "(organisation, punch_id, caregiver, sequence, intervention, document) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                (
                    organisation_id,
                    e.punch.id,
                    e.punch.caregiver_id,
                    e.sequence,
                    e.punch.intervention_id,
                    _json(e),
                )
                for e in entries
            ),
        )

    def corrections(
        self,
        organisation_id: OrganisationId,
        *,
        caregivers: Collection[CaregiverId] | None = None,
        interventions: Collection[InterventionId] | None = None,
    ) -> list[Correction]:
        rows = self._log("care_corrections", organisation_id, caregivers, interventions)
        return [
            _loaded(
                document, Correction, Text("correction at position {position}", position=position)
            )
            for position, _, _, document in rows
        ]

    def add_corrections(
        self, organisation_id: OrganisationId, corrections: Iterable[Correction]
    ) -> None:
        self._unit.change_many(
            "INSERT INTO care_corrections (organisation, id, caregiver, intervention, document) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                (organisation_id, c.id, c.caregiver_id, c.intervention_id, _json(c))
                for c in corrections
            ),
        )

    def visit_entries(
        self,
        organisation_id: OrganisationId,
        *,
        caregivers: Collection[CaregiverId] | None = None,
        interventions: Collection[InterventionId] | None = None,
    ) -> list[VisitEntry]:
        rows = self._log("care_visit_entries", organisation_id, caregivers, interventions, ", kind")
        return [_entry(position, kind, document) for position, _, _, document, kind in rows]

    def add_visit_entries(
        self, organisation_id: OrganisationId, entries: Iterable[VisitEntry]
    ) -> None:
        self._unit.change_many(
            "INSERT INTO care_visit_entries "
            "(organisation, id, caregiver, intervention, kind, document) VALUES (?, ?, ?, ?, ?, ?)",
            (
                (
                    organisation_id,
                    e.id,
                    e.caregiver_id,
                    e.intervention_id,
                    _KIND_OF_ENTRY[type(e)],
                    _json(e),
                )
                for e in entries
            ),
        )

    # -- threads and requests ---------------------------------------------------------

    def threads(
        self, organisation_id: OrganisationId, caregivers: Collection[CaregiverId] | None = None
    ) -> list[Thread]:
        where = _Where(organisation_id).among("caregiver", caregivers)
        rows = _query(
            self._unit, where, "SELECT caregiver, document FROM care_threads", "caregiver"
        )
        return [
            _loaded(document, Thread, Text("thread of {who}", who=repr(who)))
            for who, document in rows
        ]

    def save_threads(self, organisation_id: OrganisationId, threads: Iterable[Thread]) -> None:
        self._unit.change_many(
            "INSERT INTO care_threads (organisation, caregiver, document) VALUES (?, ?, ?) "
            "ON CONFLICT (organisation, caregiver) DO UPDATE SET document = excluded.document",
            ((organisation_id, t.caregiver_id, _json(t)) for t in threads),
        )

    def staff_requests(
        self,
        organisation_id: OrganisationId,
        *,
        ids: Collection[RequestId] | None = None,
        caregiver_id: CaregiverId | None = None,
        pending_only: bool = False,
    ) -> list[StaffRequest]:
        where = (
            _Where(organisation_id)
            .equal("caregiver", caregiver_id)
            .equal("status", "pending" if pending_only else None)
            .among("id", ids)
        )
        rows = _query(
            self._unit,
            where,
            "SELECT submitted_at, id, document FROM care_requests",
            "submitted_at, id",
        )
        found = [
            _loaded(doc, StaffRequest, Text("request {id}", id=repr(ident)))
            for _, ident, doc in rows
        ]
        return sorted(found, key=lambda r: (r.submitted_at, r.id))

    def save_staff_requests(
        self, organisation_id: OrganisationId, requests: Iterable[StaffRequest]
    ) -> None:
        self._unit.change_many(
            "INSERT INTO care_requests "
            "(organisation, id, caregiver, status, submitted_at, document) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (organisation, id) DO UPDATE SET "
            "status = excluded.status, document = excluded.document",
            (
                (
                    organisation_id,
                    r.id,
                    r.caregiver_id,
                    r.status.value,
                    _micros(r.submitted_at),
                    _json(r),
                )
                for r in requests
            ),
        )

    # -- alarms and devices -----------------------------------------------------------

    def alarms(
        self,
        organisation_id: OrganisationId,
        *,
        ids: Collection[AlarmId] | None = None,
        states: Collection[AlarmState] | None = None,
    ) -> list[Alarm]:
        where = _Where(organisation_id)
        if ids is not None:
            where.among("id", ids)
        else:
            where.among("state", None if states is None else [s.value for s in states])
        rows = _query(
            self._unit,
            where,
            "SELECT triggered_at, id, state, document FROM care_alarms",
            "triggered_at, id",
        )
        found = [
            _loaded(document, Alarm, Text("alarm {id}", id=repr(ident)))
            for _, ident, state, document in rows
            if ids is None or states is None or state in {s.value for s in states}
        ]
        return sorted(found, key=lambda a: (a.triggered_at, a.id))

    def save_alarms(self, organisation_id: OrganisationId, alarms: Iterable[Alarm]) -> None:
        self._unit.change_many(
            "INSERT INTO care_alarms (organisation, id, state, triggered_at, document) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (organisation, id) DO UPDATE SET "
            "state = excluded.state, document = excluded.document",
            (
                (organisation_id, a.id, a.state.value, _micros(a.triggered_at), _json(a))
                for a in alarms
            ),
        )

    def devices(
        self,
        organisation_id: OrganisationId,
        *,
        ids: Collection[DeviceId] | None = None,
        caregiver_id: CaregiverId | None = None,
    ) -> list[Device]:
        where = _Where(organisation_id).equal("caregiver", caregiver_id).among("id", ids)
        rows = _query(self._unit, where, "SELECT id, document FROM care_devices", "id")
        return [
            _loaded(document, Device, Text("device {id}", id=repr(ident)))
            for ident, document in rows
        ]

    def save_devices(self, organisation_id: OrganisationId, devices: Iterable[Device]) -> None:
        self._unit.change_many(
            "INSERT INTO care_devices (organisation, id, caregiver, document) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (organisation, id) DO UPDATE SET "
            "caregiver = excluded.caregiver, document = excluded.document",
            ((organisation_id, d.id, d.caregiver_id, _json(d)) for d in devices),
        )


def _entry(position: int, kind: str, document: str) -> VisitEntry:
    cls = _ENTRY_KINDS.get(kind)
    source = Text("visit entry at position {position}", position=position)
    if cls is None:
        raise InvalidInput(Text("unknown kind of visit entry"), source=source, text=kind)
    return _loaded(document, cls, source)
