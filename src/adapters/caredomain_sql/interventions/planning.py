"""The agency's caregivers, clients and services (``care_records``) and its planned
interventions (``care_interventions``, with their caregiver and their start and end as
columns the queries filter on).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime

from caredomain.interventions.model import (
    Caregiver,
    CaregiverId,
    Client,
    ClientId,
    InterventionId,
    PlannedIntervention,
    Service,
)
from caredomain.organisation import OrganisationId
from caredomain.text import Text
from caredomain_sql.interventions.tables import T, Tables, Where, as_json, loaded, micros, query

__all__ = ["PlanningTables"]


class PlanningTables(Tables):
    """Caregivers, clients, services and the planning."""

    def _records(
        self,
        organisation_id: OrganisationId,
        kind: str,
        cls: type[T],
        ids: Collection[str] | None,
    ) -> list[T]:
        where = Where(organisation_id).equal("kind", kind).among("id", ids)
        rows = query(self._unit, where, "SELECT id, document FROM care_records", "id")
        return [loaded(document, cls, f"{kind} {ident!r}") for ident, document in rows]

    def _save_records(
        self, organisation_id: OrganisationId, kind: str, records: Iterable[tuple[str, object]]
    ) -> None:
        self._unit.change_many(
            "INSERT INTO care_records (organisation, kind, id, document) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (organisation, kind, id) DO UPDATE SET document = excluded.document",
            ((organisation_id, kind, ident, as_json(value)) for ident, value in records),
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
            Where(organisation_id)
            .compare("ends_at", ">", None if ends_after is None else micros(ends_after))
            .compare("starts_at", "<", None if starts_before is None else micros(starts_before))
        )
        if ids is not None:
            where.among("id", ids)
        else:
            where.among("caregiver", caregivers)
        rows = query(
            self._unit,
            where,
            "SELECT starts_at, id, caregiver, document FROM care_interventions",
            "starts_at, id",
        )
        found = [
            loaded(document, PlannedIntervention, Text("intervention {id}", id=repr(ident)))
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
                (organisation_id, i.id, i.caregiver_id, micros(i.start), micros(i.end), as_json(i))
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
