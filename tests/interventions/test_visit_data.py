"""What the caregiver enters about a visit: kilometres, expenses, comments, report, tasks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from attrs import evolve

from caredomain.errors import Conflict, InvalidInput, RuleViolation
from caredomain.events import Event
from caredomain.interventions.derived_visits import Visit
from caredomain.interventions.events import (
    CommentAdded,
    ExpenseRecorded,
    MileageRecorded,
    ReportSubmitted,
    TasksDoneRecorded,
)
from caredomain.interventions.model import (
    CaregiverId,
    Client,
    ClientId,
    InterventionId,
    PlannedIntervention,
    Service,
    ServiceId,
    Task,
)
from caredomain.interventions.visit_data import (
    Comment,
    EntryId,
    Expense,
    ExpenseCategory,
    Mileage,
    Report,
    TasksDone,
    VisitDataLog,
    VisitEntry,
)
from caredomain.interventions.visit_planning import VisitPlanning
from caredomain.serialization import structure, unstructure

NINE = datetime(2026, 3, 2, 9, tzinfo=UTC)
A = CaregiverId("A")
I1 = InterventionId("I1")
PLANNING = VisitPlanning.of(
    [
        PlannedIntervention(
            I1, A, ClientId("C1"), ServiceId("S1"), NINE, NINE + timedelta(hours=1)
        ),
        PlannedIntervention(
            InterventionId("I2"),
            A,
            ClientId("C1"),
            ServiceId("S9"),  # a service not known
            NINE + timedelta(hours=2),
            NINE + timedelta(hours=3),
        ),
    ],
    [Client(ClientId("C1"), "Mme Martin")],
    [Service(ServiceId("S1"), "Aide", [Task("meal", "Repas"), Task("wash", "Toilette")])],
)
OPEN = Visit(intervention_id=I1, caregiver_id=A, start=NINE, end=None)
ENDED = evolve(OPEN, end=NINE + timedelta(hours=1))

COMMON = {"intervention_id": I1, "caregiver_id": A, "entered_at": NINE + timedelta(minutes=5)}


def mileage(eid: str = "e1", km: object = "12.5", comment: str = "") -> Mileage:
    return Mileage(id=EntryId(eid), km=km, comment=comment, **COMMON)  # type: ignore[arg-type]


def expense(eid: str = "e2", amount: object = "8.40") -> Expense:
    return Expense(
        id=EntryId(eid),
        amount=amount,  # type: ignore[arg-type]
        category=ExpenseCategory.PARKING,
        label="parking",
        **COMMON,  # type: ignore[arg-type]
    )


def comment(eid: str = "e3") -> Comment:
    return Comment(id=EntryId(eid), text="Mme Martin was tired", **COMMON)  # type: ignore[arg-type]


def report(eid: str = "e4", text: str = "all went well") -> Report:
    return Report(id=EntryId(eid), text=text, **COMMON)  # type: ignore[arg-type]


def tasks(eid: str = "e5", codes: tuple[str, ...] = ("meal",)) -> TasksDone:
    return TasksDone(id=EntryId(eid), tasks=codes, **COMMON)  # type: ignore[arg-type]


def test_kilometres_expenses_and_comments_are_taken_during_the_visit() -> None:
    log = VisitDataLog()
    events = [
        *log.add(mileage(comment="detour: road closed"), PLANNING, OPEN),
        *log.add(mileage("e6", 3), PLANNING, OPEN),
        *log.add(expense(), PLANNING, OPEN),
        *log.add(comment(), PLANNING, OPEN),
    ]
    assert [type(e) for e in events] == [
        MileageRecorded,
        MileageRecorded,
        ExpenseRecorded,
        CommentAdded,
    ]
    data = log.data(I1)
    assert data.km == Decimal("15.5")
    assert data.mileage[0].comment == "detour: road closed"
    assert data.expenses_total == Decimal("8.40")
    assert [c.text for c in data.comments] == ["Mme Martin was tired"]
    assert data.report is None
    assert data.tasks_done == frozenset()


def test_they_are_still_taken_after_the_clock_out() -> None:
    assert VisitDataLog().add(mileage(), PLANNING, ENDED)


@pytest.mark.parametrize("entry", [mileage(), expense(), comment(), report(), tasks()])
def test_nothing_is_taken_before_the_clock_in(entry: VisitEntry) -> None:
    log = VisitDataLog()
    with pytest.raises(RuleViolation) as raised:
        log.add(entry, PLANNING, None)
    assert raised.value.code == "visit.not_started"
    assert log.entries == ()


@pytest.mark.parametrize("entry", [report(), tasks()])
def test_the_report_and_the_tasks_wait_for_the_clock_out(entry: VisitEntry) -> None:
    with pytest.raises(RuleViolation) as raised:
        VisitDataLog().add(entry, PLANNING, OPEN)
    assert raised.value.code == "visit.not_ended"


def test_the_latest_report_and_list_of_tasks_count() -> None:
    log = VisitDataLog()
    (submitted,) = log.add(report(), PLANNING, ENDED)
    assert isinstance(submitted, ReportSubmitted)
    log.add(tasks(codes=("meal", "wash")), PLANNING, ENDED)
    log.add(report("e7", "all went well; fridge empty"), PLANNING, ENDED)
    (saved,) = log.add(tasks("e8", ("wash",)), PLANNING, ENDED)
    assert isinstance(saved, TasksDoneRecorded)
    assert saved.tasks == ("wash",)
    data = log.data(I1)
    assert data.report == report("e7", "all went well; fridge empty")
    assert data.tasks_done == {"wash"}
    assert len(data.entries) == 4


def test_only_the_services_tasks_can_be_ticked() -> None:
    with pytest.raises(RuleViolation) as raised:
        VisitDataLog().add(tasks(codes=("meal", "garden")), PLANNING, ENDED)
    assert raised.value.code == "visit.unknown_task"
    assert "garden" in raised.value.message
    unknown_service = evolve(tasks(), intervention_id=InterventionId("I2"))
    with pytest.raises(RuleViolation, match=r"visit\.unknown_task"):
        VisitDataLog().add(unknown_service, PLANNING, evolve(ENDED, intervention_id="I2"))


def test_entries_of_someone_else_or_of_no_intervention_are_refused() -> None:
    with pytest.raises(RuleViolation, match=r"visit\.not_assigned"):
        VisitDataLog().add(evolve(mileage(), caregiver_id=CaregiverId("B")), PLANNING, OPEN)
    with pytest.raises(RuleViolation, match=r"visit\.unknown_intervention"):
        VisitDataLog().add(evolve(mileage(), intervention_id=InterventionId("I9")), PLANNING, OPEN)


def test_an_entry_sent_twice_is_kept_once() -> None:
    log = VisitDataLog()
    assert log.add(expense(), PLANNING, OPEN)
    assert log.add(expense(), PLANNING, OPEN) == ()
    assert len(log.entries) == 1
    with pytest.raises(Conflict):
        log.add(expense(amount="9"), PLANNING, OPEN)
    with pytest.raises(Conflict):
        log.add(evolve(comment(), id=EntryId("e2")), PLANNING, OPEN)


@pytest.mark.parametrize("km", [-1, "-0.1", "1.234", "NaN", "Infinity", "abc", True, None])
def test_bad_kilometres_are_refused(km: object) -> None:
    with pytest.raises(InvalidInput) as raised:
        mileage(km=km)
    assert raised.value.field == "km"


@pytest.mark.parametrize("amount", [0, "-3", "0.001", "1e-3", "NaN", 1.005, [], False])
def test_bad_amounts_are_refused(amount: object) -> None:
    with pytest.raises(InvalidInput) as raised:
        expense(amount=amount)
    assert raised.value.field == "amount"


@pytest.mark.parametrize(
    ("given", "kept"), [(12.5, Decimal("12.5")), (7, Decimal(7)), ("3.10", Decimal("3.10"))]
)
def test_amounts_are_kept_exactly(given: object, kept: Decimal) -> None:
    assert expense(amount=given).amount == kept
    assert str(expense(amount=given).amount) == str(kept)


def test_other_invalid_entries() -> None:
    with pytest.raises(InvalidInput, match="category"):
        Expense(id=EntryId("x"), amount="1", category="gifts", **COMMON)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        Comment(id=EntryId("x"), text="  ", **COMMON)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        tasks(codes="meal")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        VisitDataLog([mileage(), mileage()])


def test_the_events_round_trip_through_the_converter() -> None:
    log = VisitDataLog()
    events: list[Event] = [
        *log.add(mileage(), PLANNING, ENDED),
        *log.add(expense(), PLANNING, ENDED),
        *log.add(comment(), PLANNING, ENDED),
        *log.add(report(), PLANNING, ENDED),
        *log.add(tasks(), PLANNING, ENDED),
    ]
    assert [e.event_id for e in events] == [f"e{n}/recorded" for n in range(1, 6)]
    assert isinstance(events[1], ExpenseRecorded)
    assert (events[1].amount, events[1].category) == ("8.40", "parking")
    for event in events:
        assert structure(unstructure(event), Event) == event
