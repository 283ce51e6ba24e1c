"""The caregivers' message threads (``care_threads``) and their absence and regularisation
requests (``care_requests``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from caredomain.interventions.messaging import Thread
from caredomain.interventions.model import CaregiverId
from caredomain.interventions.staff_requests import RequestId, StaffRequest
from caredomain.organisation import OrganisationId
from caredomain.text import Text
from caredomain_sql.interventions.tables import Tables, Where, as_json, loaded, micros, query

__all__ = ["MessageTables"]


class MessageTables(Tables):
    """Threads, one per caregiver, and staff requests."""

    def threads(
        self, organisation_id: OrganisationId, caregivers: Collection[CaregiverId] | None = None
    ) -> list[Thread]:
        where = Where(organisation_id).among("caregiver", caregivers)
        rows = query(self._unit, where, "SELECT caregiver, document FROM care_threads", "caregiver")
        return [
            loaded(document, Thread, Text("thread of {who}", who=repr(who)))
            for who, document in rows
        ]

    def save_threads(self, organisation_id: OrganisationId, threads: Iterable[Thread]) -> None:
        self._unit.change_many(
            "INSERT INTO care_threads (organisation, caregiver, document) VALUES (?, ?, ?) "
            "ON CONFLICT (organisation, caregiver) DO UPDATE SET document = excluded.document",
            ((organisation_id, t.caregiver_id, as_json(t)) for t in threads),
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
            Where(organisation_id)
            .equal("caregiver", caregiver_id)
            .equal("status", "pending" if pending_only else None)
            .among("id", ids)
        )
        rows = query(
            self._unit,
            where,
            "SELECT submitted_at, id, document FROM care_requests",
            "submitted_at, id",
        )
        found = [
            loaded(doc, StaffRequest, Text("request {id}", id=repr(ident)))
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
                    micros(r.submitted_at),
                    as_json(r),
                )
                for r in requests
            ),
        )
