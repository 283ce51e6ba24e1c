"""Transmission to the phones ("Transmettre à Penbase") and the planning-change alert."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from attrs import evolve

from caredomain.events import Event
from caredomain.interventions.events import PlanningChanged
from caredomain.interventions.model import (
    Caregiver,
    CaregiverId,
    Client,
    ClientId,
    InterventionId,
    PlannedIntervention,
    ServiceId,
)
from caredomain.interventions.transmission import (
    NotTransmittedReason,
    TransmissionState,
    TransmissionStatus,
    plan_transmission,
    planning_changes,
)
from caredomain.serialization import structure, unstructure

NOON = datetime(2026, 3, 2, 12, tzinfo=UTC)
CG = CaregiverId("CG1")
CL = ClientId("CL1")
NOT_FLAGGED = NotTransmittedReason.NOT_FLAGGED
NO_PLANNING = NotTransmittedReason.NO_PLANNED_INTERVENTION
NO_CAREGIVER = NotTransmittedReason.NO_TRANSMITTED_CAREGIVER


def caregiver(cid: str = CG, *, transmit: bool = True) -> Caregiver:
    return Caregiver(CaregiverId(cid), f"Name {cid}", manager="M1", transmit=transmit)


def intervention(
    iid: str, cid: str = CG, client: str = CL, hour: int = 9, length: int = 1
) -> PlannedIntervention:
    start = NOON.replace(hour=hour)
    return PlannedIntervention(
        InterventionId(iid),
        CaregiverId(cid),
        ClientId(client),
        ServiceId("S1"),
        start,
        start + timedelta(hours=length),
    )


@pytest.mark.parametrize(
    ("flagged", "planned", "acknowledged", "state", "reasons"),
    [
        (True, True, False, TransmissionState.PENDING, ()),
        (True, True, True, TransmissionState.TRANSMITTED, ()),
        (True, False, False, TransmissionState.NOT_TRANSMITTED, (NO_PLANNING,)),
        (True, False, True, TransmissionState.NOT_TRANSMITTED, (NO_PLANNING,)),
        (False, True, False, TransmissionState.NOT_TRANSMITTED, (NOT_FLAGGED,)),
        (False, True, True, TransmissionState.NOT_TRANSMITTED, (NOT_FLAGGED,)),
        (False, False, False, TransmissionState.NOT_TRANSMITTED, (NOT_FLAGGED, NO_PLANNING)),
        (False, False, True, TransmissionState.NOT_TRANSMITTED, (NOT_FLAGGED, NO_PLANNING)),
    ],
)
def test_caregiver_transmission_rules(
    flagged: bool,
    planned: bool,
    acknowledged: bool,
    state: TransmissionState,
    reasons: tuple[NotTransmittedReason, ...],
) -> None:
    plan = plan_transmission(
        [caregiver(transmit=flagged)],
        [],
        [intervention("I1")] if planned else [],
        acknowledged_caregivers=[CG] if acknowledged else [],
    )
    assert plan.caregivers[CG] == TransmissionStatus(state, reasons)
    assert (CG in plan.caregivers_to_push) is (state is not TransmissionState.NOT_TRANSMITTED)
    assert (CG in plan.pending_caregivers) is (state is TransmissionState.PENDING)
    assert (CG in plan.transmitted_caregivers) is (state is TransmissionState.TRANSMITTED)
    withdrawn = acknowledged and state is TransmissionState.NOT_TRANSMITTED
    assert (CG in plan.caregivers_to_withdraw) is withdrawn


# The client's interventions: with a caregiver acknowledged ("transmitted"), with only a
# caregiver flagged but still pending, with only a caregiver not flagged, or none at all.
CLIENT_CASES = {
    "transmitted caregiver": ([caregiver("A")], ["A"], [("I1", "A")]),
    "pending caregiver only": ([caregiver("A")], [], [("I1", "A")]),
    "unflagged caregiver only": ([caregiver("A", transmit=False)], ["A"], [("I1", "A")]),
    "unknown caregiver only": ([], [], [("I1", "Z")]),
    "one of two transmitted": (
        [caregiver("A", transmit=False), caregiver("B")],
        ["A", "B"],
        [("I1", "A"), ("I2", "B")],
    ),
    "no intervention": ([caregiver("A")], ["A"], []),
}


@pytest.mark.parametrize(
    ("case", "acknowledged", "state", "reasons"),
    [
        ("transmitted caregiver", False, TransmissionState.PENDING, ()),
        ("transmitted caregiver", True, TransmissionState.TRANSMITTED, ()),
        ("one of two transmitted", False, TransmissionState.PENDING, ()),
        ("one of two transmitted", True, TransmissionState.TRANSMITTED, ()),
        ("pending caregiver only", False, TransmissionState.NOT_TRANSMITTED, (NO_CAREGIVER,)),
        ("pending caregiver only", True, TransmissionState.NOT_TRANSMITTED, (NO_CAREGIVER,)),
        ("unflagged caregiver only", False, TransmissionState.NOT_TRANSMITTED, (NO_CAREGIVER,)),
        ("unflagged caregiver only", True, TransmissionState.NOT_TRANSMITTED, (NO_CAREGIVER,)),
        ("unknown caregiver only", False, TransmissionState.NOT_TRANSMITTED, (NO_CAREGIVER,)),
        ("no intervention", False, TransmissionState.NOT_TRANSMITTED, (NO_PLANNING,)),
        ("no intervention", True, TransmissionState.NOT_TRANSMITTED, (NO_PLANNING,)),
    ],
)
def test_client_transmission_rules(
    case: str,
    acknowledged: bool,
    state: TransmissionState,
    reasons: tuple[NotTransmittedReason, ...],
) -> None:
    caregivers, acked, planned = CLIENT_CASES[case]
    plan = plan_transmission(
        caregivers,
        [Client(CL, "Mme Martin")],
        [intervention(iid, cid) for iid, cid in planned],
        acknowledged_caregivers=[CaregiverId(a) for a in acked],
        acknowledged_clients=[CL] if acknowledged else [],
    )
    assert plan.clients[CL] == TransmissionStatus(state, reasons)
    assert (CL in plan.clients_to_push) is (state is not TransmissionState.NOT_TRANSMITTED)
    assert (CL in plan.pending_clients) is (state is TransmissionState.PENDING)
    assert (CL in plan.transmitted_clients) is (state is TransmissionState.TRANSMITTED)
    assert (CL in plan.clients_to_withdraw) is (acknowledged and reasons != ())


def test_statuses_read_as_the_office_sees_them() -> None:
    plan = plan_transmission([caregiver(transmit=False)], [Client(CL, "M. Petit")], [])
    assert str(plan.caregivers[CG]) == (
        "not-transmitted (not flagged 'transmit', no planned intervention)"
    )
    assert str(plan.clients[CL]) == "not-transmitted (no planned intervention)"
    assert [reason.message for reason in NotTransmittedReason] == [
        "not flagged 'transmit'",
        "no planned intervention",
        "no intervention with a transmitted caregiver",
    ]


def test_only_the_clients_of_transmitted_caregivers_go_to_the_phones() -> None:
    clients = [Client(ClientId(c), c) for c in ("X", "Y", "Z")]
    plan = plan_transmission(
        [caregiver("A"), caregiver("B"), caregiver("C", transmit=False)],
        clients,
        [intervention("1", "A", "X"), intervention("2", "B", "Y"), intervention("3", "C", "Z")],
        acknowledged_caregivers=[CaregiverId("A"), CaregiverId("C")],
        acknowledged_clients=[ClientId("X"), ClientId("Z")],
    )
    assert plan.caregivers_to_push == {"A", "B"}
    assert plan.transmitted_caregivers == {"A"}
    assert plan.clients_to_push == {"X"}
    assert plan.caregivers_to_withdraw == {"C"}
    assert plan.clients_to_withdraw == {"Z"}


def counter() -> itertools.count[int]:
    return itertools.count(1)


def test_a_change_of_planning_alerts_each_transmitted_caregiver_once() -> None:
    before = [intervention("1"), intervention("2", hour=11), intervention("3", hour=14)]
    after = [
        intervention("1"),  # unchanged
        intervention("2", hour=12),  # moved
        intervention("4", hour=16),  # added
        intervention("5", "B", hour=9),  # for B, not transmitted
    ]  # 3 removed
    numbers = counter()
    events = planning_changes(
        before, after, transmitted=[CG], at=NOON, new_id=lambda: f"E{next(numbers)}"
    )
    assert events == [
        PlanningChanged(
            event_id="E1",
            occurred_at=NOON,
            caregiver_id=CG,
            added=(InterventionId("4"),),
            moved=(InterventionId("2"),),
            removed=(InterventionId("3"),),
        )
    ]


def test_an_intervention_handed_over_alerts_both_caregivers() -> None:
    before = [intervention("1", "A"), intervention("2", "B", hour=14)]
    after = [intervention("1", "B"), intervention("2", "B", hour=14)]
    events = planning_changes(
        before, after, transmitted=["A", "B", "C"], at=NOON, new_id=lambda: "E"
    )
    assert [(e.caregiver_id, e.added, e.removed, e.moved) for e in events] == [
        ("A", (), ("1",), ()),
        ("B", ("1",), (), ()),
    ]


def test_a_change_of_client_counts_as_moved_and_no_change_raises_nothing() -> None:
    before = [intervention("1")]
    changed = [evolve(before[0], client_id=ClientId("CL2"))]
    assert planning_changes(before, before, transmitted=[CG], at=NOON, new_id=str) == []
    (event,) = planning_changes(before, changed, transmitted=[CG], at=NOON, new_id=lambda: "E")
    assert event.moved == ("1",)


def test_planning_changed_round_trips_through_the_converter() -> None:
    event = PlanningChanged(
        event_id="E1",
        occurred_at=NOON,
        caregiver_id=CG,
        added=(InterventionId("4"),),
        moved=(),
        removed=(InterventionId("3"),),
    )
    assert structure(unstructure(event), Event) == event
