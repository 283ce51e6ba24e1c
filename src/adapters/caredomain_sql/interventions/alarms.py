"""The lone-worker alarms (``care_alarms``), with their state and trigger time as columns."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from caredomain.interventions.alarm import Alarm, AlarmId, AlarmState
from caredomain.organisation import OrganisationId
from caredomain.text import Text
from caredomain_sql.interventions.tables import Tables, Where, as_json, loaded, micros, query

__all__ = ["AlarmTables"]


class AlarmTables(Tables):
    """The agency's alarms."""

    def alarms(
        self,
        organisation_id: OrganisationId,
        *,
        ids: Collection[AlarmId] | None = None,
        states: Collection[AlarmState] | None = None,
    ) -> list[Alarm]:
        where = Where(organisation_id)
        if ids is not None:
            where.among("id", ids)
        else:
            where.among("state", None if states is None else [s.value for s in states])
        rows = query(
            self._unit,
            where,
            "SELECT triggered_at, id, state, document FROM care_alarms",
            "triggered_at, id",
        )
        found = [
            loaded(document, Alarm, Text("alarm {id}", id=repr(ident)))
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
                (organisation_id, a.id, a.state.value, micros(a.triggered_at), as_json(a))
                for a in alarms
            ),
        )
