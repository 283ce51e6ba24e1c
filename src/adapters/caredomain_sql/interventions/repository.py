"""The home-care repository, put together from its parts: one per kind of record it keeps."""

from __future__ import annotations

from caredomain.organisation import OrganisationId
from caredomain_sql.interventions.alarms import AlarmTables
from caredomain_sql.interventions.devices import DeviceTables
from caredomain_sql.interventions.documents import DocumentTables
from caredomain_sql.interventions.messages import MessageTables
from caredomain_sql.interventions.planning import PlanningTables
from caredomain_sql.interventions.visit_logs import VisitLogTables

__all__ = ["SqlInterventions"]


class SqlInterventions(
    DocumentTables, PlanningTables, VisitLogTables, MessageTables, AlarmTables, DeviceTables
):
    """:class:`~caredomain.interventions.ports.InterventionRepository` over the ``care_*``
    tables."""

    def agencies(self) -> list[OrganisationId]:
        rows = self._unit.query("SELECT DISTINCT organisation FROM care_records ORDER BY 1")
        return [OrganisationId(row[0]) for row in rows]
