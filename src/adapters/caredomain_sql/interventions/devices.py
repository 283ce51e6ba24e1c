"""The caregivers' phones (``care_devices``), with their caregiver as a column."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from caredomain.interventions.devices import Device, DeviceId
from caredomain.interventions.model import CaregiverId
from caredomain.organisation import OrganisationId
from caredomain.text import Text
from caredomain_sql.interventions.tables import Tables, Where, as_json, loaded, query

__all__ = ["DeviceTables"]


class DeviceTables(Tables):
    """The agency's devices."""

    def devices(
        self,
        organisation_id: OrganisationId,
        *,
        ids: Collection[DeviceId] | None = None,
        caregiver_id: CaregiverId | None = None,
    ) -> list[Device]:
        where = Where(organisation_id).equal("caregiver", caregiver_id).among("id", ids)
        rows = query(self._unit, where, "SELECT id, document FROM care_devices", "id")
        return [
            loaded(document, Device, Text("device {id}", id=repr(ident)))
            for ident, document in rows
        ]

    def save_devices(self, organisation_id: OrganisationId, devices: Iterable[Device]) -> None:
        self._unit.change_many(
            "INSERT INTO care_devices (organisation, id, caregiver, document) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (organisation, id) DO UPDATE SET "
            "caregiver = excluded.caregiver, document = excluded.document",
            ((organisation_id, d.id, d.caregiver_id, as_json(d)) for d in devices),
        )
