"""What a caregiver enters about a visit on the phone (seed 004).

"A tout moment vos intervenants peuvent saisir des informations (kilomètres parcourus,
frais, commentaires) sur l'intervention en cours": :class:`Mileage` (with the comment the
seed mentions on kilometres), :class:`Expense` and :class:`Comment` are accepted once the
visit is clocked in, and still after the clock-out (a phone may send them late).

"A la fin d'une intervention, les intervenants peuvent laisser un compte-rendu" and "une
fois le pointage de fin réalisé, la liste des tâches réalisées est visible": a
:class:`Report` and the :class:`TasksDone` are accepted only once the visit is clocked out,
and the tasks only among the tasks of the intervention's service. Saving again replaces:
the latest report and list of tasks count, the earlier ones stay in the history.

Every entry carries the phone's own id: the same entry sent twice is kept once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import NewType, TypedDict

from attrs import Attribute, field, frozen

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
from caredomain.interventions.model import CaregiverId, InterventionId, PlannedIntervention, utc
from caredomain.interventions.visit_planning import VisitPlanning
from caredomain.text import Text
from caredomain.validation import identifier, member_of, non_blank

__all__ = [
    "Comment",
    "EntryId",
    "Expense",
    "ExpenseCategory",
    "Mileage",
    "Report",
    "TasksDone",
    "VisitData",
    "VisitDataLog",
    "VisitEntry",
    "entry_refusal",
]

EntryId = NewType("EntryId", str)

CENT = Decimal("0.01")


def _decimal(value: object, what: str) -> Decimal:
    """A finite Decimal from a Decimal, an int or text; a float goes through its shortest
    text (``12.5`` is ``Decimal("12.5")``, not its binary expansion)."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float | str):
        raise InvalidInput(Text("expected a number"), field=what, text=repr(value))
    try:
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        raise InvalidInput(Text("expected a number"), field=what, text=str(value)) from None
    if not number.is_finite():
        raise InvalidInput(Text("expected a finite number"), field=what, text=str(value))
    return number


def _cents(what: str, number: Decimal) -> None:
    if number != number.quantize(CENT):
        raise InvalidInput(Text("at most 2 decimals"), field=what, text=str(number))


def _km(value: object) -> Decimal:
    number = _decimal(value, "km")
    if number < 0:
        raise InvalidInput(Text("kilometres are 0 or more"), field="km", text=str(number))
    _cents("km", number)
    return number


def _amount(value: object) -> Decimal:
    number = _decimal(value, "amount")
    if number <= 0:
        raise InvalidInput(Text("an expense is more than 0"), field="amount", text=str(number))
    _cents("amount", number)
    return number


def _entered_at(value: datetime) -> datetime:
    return utc(value, "entered_at")


def _text(instance: object, attribute: Attribute[str], value: str) -> None:
    if not isinstance(value, str):
        raise InvalidInput(Text("must be text"), field=attribute.name, text=repr(value))


class ExpenseCategory(StrEnum):
    MEAL = "meal"
    PARKING = "parking"
    TRANSPORT = "transport"
    OTHER = "other"


def _category(value: object) -> ExpenseCategory:
    return member_of(ExpenseCategory, value, "category")


def _codes(values: Iterable[str]) -> frozenset[str]:
    if isinstance(values, str):
        raise InvalidInput(Text("expected a list of task codes"), field="tasks", text=values)
    return frozenset(values)


@frozen(kw_only=True)
class _Entry:
    """What every entry has: the phone's id for it, the visit, who, and the phone's time."""

    id: EntryId = field(validator=identifier)
    intervention_id: InterventionId = field(validator=identifier)
    caregiver_id: CaregiverId = field(validator=identifier)
    entered_at: datetime = field(converter=_entered_at)


@frozen(kw_only=True)
class Mileage(_Entry):
    """Kilometres driven for the visit (up to 2 decimals), and the caregiver's comment."""

    km: Decimal = field(converter=_km)
    comment: str = field(default="", validator=_text)


@frozen(kw_only=True)
class Expense(_Entry):
    """An expense in the organisation's currency: more than 0, at most 2 decimals."""

    amount: Decimal = field(converter=_amount)
    category: ExpenseCategory = field(converter=_category)
    label: str = field(default="", validator=_text)


@frozen(kw_only=True)
class Comment(_Entry):
    text: str = field(validator=non_blank)


@frozen(kw_only=True)
class Report(_Entry):
    """The end-of-visit report ("compte-rendu")."""

    text: str = field(validator=non_blank)


@frozen(kw_only=True)
class TasksDone(_Entry):
    """The codes of the service's tasks done (the whole list, as saved on the phone)."""

    tasks: frozenset[str] = field(converter=_codes)


VisitEntry = Mileage | Expense | Comment | Report | TasksDone
DURING = (Mileage, Expense, Comment)


def _phase_refusal(entry: VisitEntry, visit: Visit | None) -> RuleViolation | None:
    """Kilometres, expenses and comments once clocked in; report and tasks once out."""
    if visit is None:
        return RuleViolation(
            "visit.not_started",
            Text(
                "intervention {intervention} is not clocked in", intervention=entry.intervention_id
            ),
        )
    if not isinstance(entry, DURING) and visit.is_open:
        return RuleViolation(
            "visit.not_ended",
            Text(
                "the report and the tasks come once intervention {intervention} is clocked out",
                intervention=entry.intervention_id,
            ),
        )
    return None


def _task_refusal(
    entry: TasksDone, intervention: PlannedIntervention, planning: VisitPlanning
) -> RuleViolation | None:
    service = planning.service(intervention.service_id)
    known = service.task_codes() if service is not None else frozenset()
    unknown = sorted(entry.tasks - known)
    if unknown:
        return RuleViolation(
            "visit.unknown_task",
            Text(
                "not a task of service {service}: {tasks}",
                service=intervention.service_id,
                tasks=", ".join(unknown),
            ),
        )
    return None


def entry_refusal(
    entry: VisitEntry, planning: VisitPlanning, visit: Visit | None
) -> RuleViolation | None:
    """Why ``entry`` is refused, or None. ``visit`` is the intervention's visit as the punch
    log derives it."""
    intervention = planning.intervention(entry.intervention_id)
    if intervention is None:
        return RuleViolation(
            "visit.unknown_intervention",
            Text("no intervention {intervention} is planned", intervention=entry.intervention_id),
        )
    if intervention.caregiver_id != entry.caregiver_id:
        return RuleViolation(
            "visit.not_assigned",
            Text(
                "intervention {intervention} is planned for {planned}",
                intervention=intervention.id,
                planned=intervention.caregiver_id,
            ),
        )
    refusal = _phase_refusal(entry, visit)
    if refusal is None and isinstance(entry, TasksDone):
        return _task_refusal(entry, intervention, planning)
    return refusal


class _Common(TypedDict):
    event_id: str
    occurred_at: datetime
    entry_id: str
    intervention_id: InterventionId
    caregiver_id: CaregiverId


def _event(entry: VisitEntry) -> Event:
    common = _Common(
        event_id=f"{entry.id}/recorded",
        occurred_at=entry.entered_at,
        entry_id=entry.id,
        intervention_id=entry.intervention_id,
        caregiver_id=entry.caregiver_id,
    )
    match entry:
        case Mileage():
            return MileageRecorded(**common, km=str(entry.km), comment=entry.comment)
        case Expense():
            return ExpenseRecorded(
                **common, amount=str(entry.amount), category=str(entry.category), label=entry.label
            )
        case Comment():
            return CommentAdded(**common, text=entry.text)
        case Report():
            return ReportSubmitted(**common, text=entry.text)
        case TasksDone():
            return TasksDoneRecorded(**common, tasks=tuple(sorted(entry.tasks)))


@frozen
class VisitData:
    """Everything entered for one visit, in the order received."""

    intervention_id: InterventionId
    entries: tuple[VisitEntry, ...] = ()

    @property
    def mileage(self) -> tuple[Mileage, ...]:
        return tuple(e for e in self.entries if isinstance(e, Mileage))

    @property
    def km(self) -> Decimal:
        """The kilometres of the visit: the sum of its mileage entries."""
        return sum((m.km for m in self.mileage), Decimal(0))

    @property
    def expenses(self) -> tuple[Expense, ...]:
        return tuple(e for e in self.entries if isinstance(e, Expense))

    @property
    def expenses_total(self) -> Decimal:
        return sum((e.amount for e in self.expenses), Decimal(0))

    @property
    def comments(self) -> tuple[Comment, ...]:
        return tuple(e for e in self.entries if isinstance(e, Comment))

    @property
    def report(self) -> Report | None:
        """The latest report saved."""
        reports = [e for e in self.entries if isinstance(e, Report)]
        return reports[-1] if reports else None

    @property
    def tasks_done(self) -> frozenset[str]:
        """The codes of the latest list of tasks saved (empty if none was)."""
        lists = [e for e in self.entries if isinstance(e, TasksDone)]
        return lists[-1].tasks if lists else frozenset()


class VisitDataLog:
    """The entries of every visit, append-only. Changes only through :meth:`add`."""

    def __init__(self, entries: Iterable[VisitEntry] = ()) -> None:
        self._entries: list[VisitEntry] = []
        self._by_id: dict[EntryId, VisitEntry] = {}
        for entry in entries:
            if entry.id in self._by_id:
                raise InvalidInput(Text("entry ids must be unique"), field="id", text=entry.id)
            self._append(entry)

    @property
    def entries(self) -> tuple[VisitEntry, ...]:
        return tuple(self._entries)

    def data(self, intervention_id: InterventionId) -> VisitData:
        return VisitData(
            intervention_id,
            tuple(e for e in self._entries if e.intervention_id == intervention_id),
        )

    def add(
        self, entry: VisitEntry, planning: VisitPlanning, visit: Visit | None
    ) -> tuple[Event, ...]:
        """Keep ``entry`` or raise RuleViolation (see :func:`entry_refusal`); ``visit`` is
        ``PunchLog.visit(entry.intervention_id)``. The same entry again returns no events;
        the same id with other content is a Conflict."""
        known = self._by_id.get(entry.id)
        if known is not None:
            if known != entry:
                raise Conflict(
                    Text("entry {entry} was already received with other content", entry=entry.id)
                )
            return ()
        refusal = entry_refusal(entry, planning, visit)
        if refusal is not None:
            raise refusal
        self._append(entry)
        return (_event(entry),)

    def _append(self, entry: VisitEntry) -> None:
        self._entries.append(entry)
        self._by_id[entry.id] = entry
