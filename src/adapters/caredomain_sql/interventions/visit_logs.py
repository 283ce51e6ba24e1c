"""The visits' append-only logs: the punch log (``care_punches``), the office's corrections
(``care_corrections``) and the visit data (``care_visit_entries``). Rows are only ever
inserted; triggers refuse an ``UPDATE`` or a ``DELETE`` of them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from caredomain.errors import InvalidInput
from caredomain.interventions.corrections import Correction
from caredomain.interventions.log_entries import LogEntry
from caredomain.interventions.model import CaregiverId, InterventionId
from caredomain.interventions.visit_data import (
    Comment,
    Expense,
    Mileage,
    Report,
    TasksDone,
    VisitEntry,
)
from caredomain.organisation import OrganisationId
from caredomain.text import Text
from caredomain_sql.interventions.tables import Tables, Where, as_json, loaded, query

__all__ = ["VisitLogTables"]

_ENTRY_KINDS: dict[str, type[VisitEntry]] = {
    "mileage": Mileage,
    "expense": Expense,
    "comment": Comment,
    "report": Report,
    "tasks": TasksDone,
}
_KIND_OF_ENTRY = {cls: kind for kind, cls in _ENTRY_KINDS.items()}


class VisitLogTables(Tables):
    """The punch log, the corrections and the visit entries, read in the order kept."""

    def _log(
        self,
        table: str,
        organisation_id: OrganisationId,
        caregivers: Collection[CaregiverId] | None,
        interventions: Collection[InterventionId] | None,
        extra: str = "",
    ) -> list[Any]:
        where = Where(organisation_id)
        if interventions is not None:
            where.among("intervention", interventions)
        else:
            where.among("caregiver", caregivers)
        rows = query(
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
            loaded(
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
                    as_json(e),
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
            loaded(
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
                (organisation_id, c.id, c.caregiver_id, c.intervention_id, as_json(c))
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
                    as_json(e),
                )
                for e in entries
            ),
        )


def _entry(position: int, kind: str, document: str) -> VisitEntry:
    cls = _ENTRY_KINDS.get(kind)
    source = Text("visit entry at position {position}", position=position)
    if cls is None:
        raise InvalidInput(Text("unknown kind of visit entry"), source=source, text=kind)
    return loaded(document, cls, source)
