"""What goes to the phones: "Transmission des données Ogust Manager vers Penbase" (seed 004).

"Transmettre à Penbase": a caregiver is transmitted only when the box is ticked on the
caregiver's record AND at least one intervention is planned for the caregiver; a client
only when one of its interventions has a caregiver *already* transmitted ("un intervenant
déjà transmis"), that is one the platform has acknowledged. An eligible caregiver or
client is *pending* (the clock icon) until the platform acknowledges it, then
*transmitted* (the icon turns green).

"En cas de modification de son planning, l'intervenant reçoit une alerte sonore":
:func:`planning_changes` turns a change of planning into one :class:`PlanningChanged` per
transmitted caregiver concerned.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from attrs import field, frozen

from caredomain.events import IdFactory
from caredomain.interventions.events import PlanningChanged
from caredomain.interventions.model import (
    Caregiver,
    CaregiverId,
    Client,
    ClientId,
    InterventionId,
    PlannedIntervention,
)
from caredomain.text import Text

__all__ = [
    "IdFactory",
    "NotTransmittedReason",
    "TransmissionPlan",
    "TransmissionState",
    "TransmissionStatus",
    "caregiver_status",
    "client_status",
    "plan_transmission",
    "planning_changes",
]

K = TypeVar("K", bound=str)


class TransmissionState(StrEnum):
    NOT_TRANSMITTED = "not-transmitted"
    PENDING = "pending"  # eligible, not yet acknowledged by the platform (the clock icon)
    TRANSMITTED = "transmitted"  # acknowledged by the platform (the green icon)


class NotTransmittedReason(StrEnum):
    NOT_FLAGGED = "not-flagged"
    NO_PLANNED_INTERVENTION = "no-planned-intervention"
    NO_TRANSMITTED_CAREGIVER = "no-transmitted-caregiver"

    @property
    def message(self) -> str:
        return _REASON_MESSAGES[self]


_REASON_MESSAGES = {
    NotTransmittedReason.NOT_FLAGGED: Text("not flagged 'transmit'"),
    NotTransmittedReason.NO_PLANNED_INTERVENTION: Text("no planned intervention"),
    NotTransmittedReason.NO_TRANSMITTED_CAREGIVER: Text(
        "no intervention with a transmitted caregiver"
    ),
}


def _reasons(values: Iterable[NotTransmittedReason]) -> tuple[NotTransmittedReason, ...]:
    """Without repeats, in the order the enum lists them."""
    given = set(values)
    return tuple(reason for reason in NotTransmittedReason if reason in given)


@frozen
class TransmissionStatus:
    """Where a caregiver or a client stands; ``reasons`` say why it is not transmitted (empty
    when it is pending or transmitted)."""

    state: TransmissionState
    reasons: tuple[NotTransmittedReason, ...] = field(default=(), converter=_reasons)

    @property
    def eligible(self) -> bool:
        return self.state is not TransmissionState.NOT_TRANSMITTED

    def __str__(self) -> str:
        if self.eligible:
            return str(self.state)
        listed = ""
        for reason in self.reasons:
            listed = (
                Text("{earlier}, {next}", earlier=listed, next=reason.message)
                if listed
                else reason.message
            )
        return Text("{state} ({reasons})", state=str(self.state), reasons=listed)


@frozen
class TransmissionPlan:
    """The status of every caregiver and client given to :func:`plan_transmission`."""

    caregivers: Mapping[CaregiverId, TransmissionStatus]
    clients: Mapping[ClientId, TransmissionStatus]
    acknowledged_caregivers: frozenset[CaregiverId] = frozenset()
    acknowledged_clients: frozenset[ClientId] = frozenset()

    @property
    def caregivers_to_push(self) -> frozenset[CaregiverId]:
        """The caregivers whose data the platform must hold: pending and transmitted ones
        (the planning is synchronised live, so transmitted caregivers keep being pushed)."""
        return frozenset(cid for cid, status in self.caregivers.items() if status.eligible)

    @property
    def clients_to_push(self) -> frozenset[ClientId]:
        return frozenset(cid for cid, status in self.clients.items() if status.eligible)

    @property
    def pending_caregivers(self) -> frozenset[CaregiverId]:
        return _in_state(self.caregivers, TransmissionState.PENDING)

    @property
    def pending_clients(self) -> frozenset[ClientId]:
        return _in_state(self.clients, TransmissionState.PENDING)

    @property
    def transmitted_caregivers(self) -> frozenset[CaregiverId]:
        """Caregivers acknowledged by the platform and still eligible: those whose phones
        ring when their planning changes."""
        return _in_state(self.caregivers, TransmissionState.TRANSMITTED)

    @property
    def transmitted_clients(self) -> frozenset[ClientId]:
        return _in_state(self.clients, TransmissionState.TRANSMITTED)

    @property
    def caregivers_to_withdraw(self) -> frozenset[CaregiverId]:
        """Acknowledged by the platform but no longer eligible (box unticked, nothing
        planned): their data is to be taken off the phones."""
        return frozenset(self.acknowledged_caregivers & self._not_eligible(self.caregivers))

    @property
    def clients_to_withdraw(self) -> frozenset[ClientId]:
        return frozenset(self.acknowledged_clients & self._not_eligible(self.clients))

    @staticmethod
    def _not_eligible(statuses: Mapping[K, TransmissionStatus]) -> frozenset[K]:
        return frozenset(key for key, status in statuses.items() if not status.eligible)


def _in_state(statuses: Mapping[K, TransmissionStatus], state: TransmissionState) -> frozenset[K]:
    return frozenset(key for key, status in statuses.items() if status.state is state)


def _status(reasons: list[NotTransmittedReason], acknowledged: bool) -> TransmissionStatus:
    if reasons:
        return TransmissionStatus(TransmissionState.NOT_TRANSMITTED, reasons)
    state = TransmissionState.TRANSMITTED if acknowledged else TransmissionState.PENDING
    return TransmissionStatus(state)


def caregiver_status(caregiver: Caregiver, planned: bool, acknowledged: bool) -> TransmissionStatus:
    """ "Transmettre à Penbase": flagged AND at least one planned intervention."""
    reasons = []
    if not caregiver.transmit:
        reasons.append(NotTransmittedReason.NOT_FLAGGED)
    if not planned:
        reasons.append(NotTransmittedReason.NO_PLANNED_INTERVENTION)
    return _status(reasons, acknowledged)


def client_status(
    caregivers_of_client: Iterable[TransmissionStatus], acknowledged: bool
) -> TransmissionStatus:
    """A client goes to the phones when one of its interventions has a caregiver already
    transmitted (acknowledged, not merely pending)."""
    statuses = list(caregivers_of_client)
    reasons = []
    if not statuses:
        reasons.append(NotTransmittedReason.NO_PLANNED_INTERVENTION)
    elif not any(status.state is TransmissionState.TRANSMITTED for status in statuses):
        reasons.append(NotTransmittedReason.NO_TRANSMITTED_CAREGIVER)
    return _status(reasons, acknowledged)


_UNKNOWN = TransmissionStatus(TransmissionState.NOT_TRANSMITTED, [NotTransmittedReason.NOT_FLAGGED])


def plan_transmission(
    caregivers: Iterable[Caregiver],
    clients: Iterable[Client],
    interventions: Iterable[PlannedIntervention],
    *,
    acknowledged_caregivers: Iterable[CaregiverId] = (),
    acknowledged_clients: Iterable[ClientId] = (),
) -> TransmissionPlan:
    """The status of each caregiver and client, from the planned interventions (the caller
    chooses the horizon: typically those not yet ended) and the ids the platform has
    acknowledged. An intervention whose caregiver is not among ``caregivers`` counts as
    having a caregiver not flagged."""
    planned = list(interventions)
    acked_caregivers = frozenset(acknowledged_caregivers)
    acked_clients = frozenset(acknowledged_clients)
    with_planning = {intervention.caregiver_id for intervention in planned}
    caregiver_statuses = {
        caregiver.id: caregiver_status(
            caregiver, caregiver.id in with_planning, caregiver.id in acked_caregivers
        )
        for caregiver in caregivers
    }
    client_statuses = {
        client.id: client_status(
            (
                caregiver_statuses.get(intervention.caregiver_id, _UNKNOWN)
                for intervention in planned
                if intervention.client_id == client.id
            ),
            client.id in acked_clients,
        )
        for client in clients
    }
    return TransmissionPlan(caregiver_statuses, client_statuses, acked_caregivers, acked_clients)


def _by_caregiver(
    interventions: Iterable[PlannedIntervention],
) -> dict[CaregiverId, dict[InterventionId, PlannedIntervention]]:
    planning: dict[CaregiverId, dict[InterventionId, PlannedIntervention]] = {}
    for intervention in interventions:
        planning.setdefault(intervention.caregiver_id, {})[intervention.id] = intervention
    return planning


def planning_changes(
    before: Iterable[PlannedIntervention],
    after: Iterable[PlannedIntervention],
    *,
    transmitted: Iterable[CaregiverId],
    at: datetime,
    new_id: IdFactory,
) -> list[PlanningChanged]:
    """One :class:`PlanningChanged` per transmitted caregiver whose planning differs between
    ``before`` and ``after`` (pass :attr:`TransmissionPlan.transmitted_caregivers`). An
    intervention handed to another caregiver is removed from the first and added to the
    second; one kept with another time, client or service is moved. Caregivers in id order."""
    old, new = _by_caregiver(before), _by_caregiver(after)
    events = []
    for caregiver_id in sorted(frozenset(transmitted)):
        was, now = old.get(caregiver_id, {}), new.get(caregiver_id, {})
        added = sorted(now.keys() - was.keys())
        removed = sorted(was.keys() - now.keys())
        moved = sorted(key for key in was.keys() & now.keys() if was[key] != now[key])
        if added or removed or moved:
            events.append(
                PlanningChanged(
                    event_id=new_id(),
                    occurred_at=at,
                    caregiver_id=caregiver_id,
                    added=tuple(added),
                    moved=tuple(moved),
                    removed=tuple(removed),
                )
            )
    return events
