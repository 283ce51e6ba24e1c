"""The planning the punches and the visit data are checked against (seed 004): the planned
interventions with the clients and services they refer to (:class:`VisitPlanning`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

from attrs import frozen

from caredomain.errors import InvalidInput
from caredomain.interventions.model import (
    Client,
    ClientId,
    InterventionId,
    PlannedIntervention,
    Service,
    ServiceId,
)
from caredomain.text import Text

__all__ = [
    "VisitPlanning",
]


T = TypeVar("T")

_DUPLICATE_IDS = {
    "interventions": Text("interventions ids must be unique"),
    "clients": Text("clients ids must be unique"),
    "services": Text("services ids must be unique"),
}


def _keyed(values: Iterable[T], key: str, what: str) -> dict[str, T]:
    keyed: dict[str, T] = {}
    for value in values:
        ident = getattr(value, key)
        if ident in keyed:
            raise InvalidInput(_DUPLICATE_IDS[what], field=what, text=ident)
        keyed[ident] = value
    return keyed


@frozen
class VisitPlanning:
    """The planned interventions with the clients and services they refer to: what punches
    and visit data are checked against. Build it with :meth:`of`."""

    interventions: Mapping[InterventionId, PlannedIntervention]
    clients: Mapping[ClientId, Client]
    services: Mapping[ServiceId, Service]

    @classmethod
    def of(
        cls,
        interventions: Iterable[PlannedIntervention],
        clients: Iterable[Client] = (),
        services: Iterable[Service] = (),
    ) -> VisitPlanning:
        """Refuses two interventions, clients or services with the same id."""
        return cls(
            {InterventionId(k): v for k, v in _keyed(interventions, "id", "interventions").items()},
            {ClientId(k): v for k, v in _keyed(clients, "id", "clients").items()},
            {ServiceId(k): v for k, v in _keyed(services, "id", "services").items()},
        )

    def intervention(self, intervention_id: InterventionId) -> PlannedIntervention | None:
        return self.interventions.get(intervention_id)

    def client(self, client_id: ClientId) -> Client | None:
        return self.clients.get(client_id)

    def service(self, service_id: ServiceId) -> Service | None:
        return self.services.get(service_id)
