"""The agency's documents in ``care_documents``, one per key: its settings, its emergency
numbers and directory, and what the office knows of its exchanges with the mobile platform.
"""

from __future__ import annotations

from caredomain.interventions.phonebook import Directory, EmergencyNumbers
from caredomain.interventions.ports import AgencySettings, PlatformState
from caredomain.organisation import OrganisationId
from caredomain.text import Text
from caredomain_sql.interventions.tables import T, Tables, as_json, hold, loaded

__all__ = ["DocumentTables"]


class DocumentTables(Tables):
    """Settings, phonebook and platform state, each a JSON document under its key."""

    def _document(self, organisation_id: OrganisationId, key: str, cls: type[T]) -> T | None:
        hold(self._unit, organisation_id)
        rows = self._unit.query(
            "SELECT document FROM care_documents WHERE organisation = ? AND key = ?",
            (organisation_id, key),
        )
        if not rows:
            return None
        return loaded(
            rows[0][0],
            cls,
            Text("{what} of {organisation}", what=key, organisation=organisation_id),
        )

    def _save_document(self, organisation_id: OrganisationId, key: str, value: object) -> None:
        self._unit.change(
            "INSERT INTO care_documents (organisation, key, document) VALUES (?, ?, ?) "
            "ON CONFLICT (organisation, key) DO UPDATE SET document = excluded.document",
            (organisation_id, key, as_json(value)),
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
