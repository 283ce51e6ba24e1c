"""Visits and their corrections: the punches a caregiver sends, the office's corrections on
top of the punch log, the visit data (kilometres, expenses, comments, reports), a
caregiver's visit log and the reconciliation of planned against actual.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from attrs import evolve, frozen

from caredomain.access import Action, Actor, authorize, authorize_action
from caredomain.arguments import checked
from caredomain.errors import InvalidInput, NotFound
from caredomain.events import Event
from caredomain.interventions.corrections import Correction, CorrectionId, CorrectionReason
from caredomain.interventions.derived_visits import Visit
from caredomain.interventions.log_entries import LogEntry
from caredomain.interventions.model import (
    Caregiver,
    CaregiverId,
    Client,
    InterventionId,
    PlannedIntervention,
    Punch,
    PunchId,
)
from caredomain.interventions.ports import InterventionRepository, interventions_unit_of_work
from caredomain.interventions.punches import PunchLog, PunchOutcome
from caredomain.interventions.reconciliation import Reconciliation, day_bounds, reconcile
from caredomain.interventions.services import steps
from caredomain.interventions.services.access import agency_resource, caregiver_resource
from caredomain.interventions.visit_data import VisitData, VisitDataLog, VisitEntry
from caredomain.interventions.visit_planning import VisitPlanning
from caredomain.organisation import OrganisationId
from caredomain.services.context import ServiceContext
from caredomain.text import Text

__all__ = [
    "VisitLog",
    "VisitRecord",
    "add_visit_entry",
    "correct_visit",
    "reconcile_visits",
    "record_punch",
    "visit_log",
]


def _combined_log(
    repository: InterventionRepository,
    organisation_id: OrganisationId,
    caregivers: Iterable[CaregiverId],
) -> PunchLog:
    """The logs of several caregivers as one, numbered in the order the store kept them."""
    wanted = sorted(set(caregivers))
    entries = repository.log_entries(organisation_id, caregivers=wanted)
    return PunchLog(
        [evolve(entry, sequence=n) for n, entry in enumerate(entries)],
        repository.corrections(organisation_id, caregivers=wanted),
    )


@checked
def record_punch(
    context: ServiceContext, actor: Actor, organisation_id: OrganisationId, punch: Punch
) -> PunchOutcome:
    """Log a clock-in or clock-out from a phone, accepted or refused (see
    :meth:`~caredomain.interventions.PunchLog.record`); the same punch again is recognised
    (``duplicate``) and changes nothing."""
    authorize_action(actor, Action.VISIT_RECORD)
    with interventions_unit_of_work(context.store) as uow:
        authorize(
            actor, Action.VISIT_RECORD, caregiver_resource(uow, punch.caregiver_id, organisation_id)
        )
        outcome = steps.record_punch(uow.interventions, organisation_id, punch, {})
        context.commit(uow, outcome.events)
    return outcome


@checked
def correct_visit(
    context: ServiceContext,
    actor: Actor,
    organisation_id: OrganisationId,
    intervention_id: InterventionId,
    reason: CorrectionReason,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    voids: Iterable[str] = (),
    text: str = "",
    correction_id: str | None = None,
) -> list[Event]:
    """The office corrects a visit on top of the punch log, which keeps every punch: set
    the actual start or end, add a forgotten clock-out, void punches. Refused with the
    domain's RuleViolation (``correction.*``)."""
    authorize_action(actor, Action.VISIT_CORRECT)
    with interventions_unit_of_work(context.store) as uow:
        authorize(actor, Action.VISIT_CORRECT, agency_resource(uow, organisation_id))
        repository = uow.interventions
        planning = steps.load_planning(repository, organisation_id, [intervention_id])
        intervention = planning.intervention(intervention_id)
        if intervention is None:
            raise NotFound(
                Text(
                    "no intervention {intervention} in {organisation}",
                    intervention=repr(intervention_id),
                    organisation=repr(organisation_id),
                )
            )
        correction = Correction(
            id=CorrectionId(correction_id or context.new_id()),
            intervention_id=intervention_id,
            caregiver_id=intervention.caregiver_id,
            reason=reason,
            by=actor.id,
            made_at=context.clock.now(),
            text=text,
            start=start,
            end=end,
            voids=frozenset(PunchId(v) for v in voids),
        )
        log = steps.load_punch_log(repository, organisation_id, intervention.caregiver_id)
        events = list(log.correct(correction, planning))
        if events:
            repository.add_corrections(organisation_id, [correction])
        context.commit(uow, events)
    return events


@checked
def add_visit_entry(
    context: ServiceContext, actor: Actor, organisation_id: OrganisationId, entry: VisitEntry
) -> list[Event]:
    """Kilometres, an expense or a comment during a visit; the report and the tasks done
    once it is clocked out. The same entry again changes nothing."""
    authorize_action(actor, Action.VISIT_RECORD)
    with interventions_unit_of_work(context.store) as uow:
        authorize(
            actor, Action.VISIT_RECORD, caregiver_resource(uow, entry.caregiver_id, organisation_id)
        )
        events = steps.add_visit_entry(uow.interventions, organisation_id, entry, {})
        context.commit(uow, events)
    return events


@frozen
class VisitRecord:
    """One planned intervention as the caregiver lived it: the visit derived from her
    punches and the office's corrections (None: not clocked), every punch sent for it
    (the refused ones with their refusal), the corrections, and what she entered."""

    intervention: PlannedIntervention
    client: Client | None
    visit: Visit | None
    punches: tuple[LogEntry, ...]
    corrections: tuple[Correction, ...]
    data: VisitData


@frozen
class VisitLog:
    """A caregiver's visits (of one day, or all of them), by planned start."""

    caregiver: Caregiver
    records: tuple[VisitRecord, ...]


@checked
def visit_log(
    context: ServiceContext,
    actor: Actor,
    organisation_id: OrganisationId,
    caregiver_id: CaregiverId,
    day: date | None = None,
) -> VisitLog:
    """A caregiver's planned interventions with their visits, punches, corrections and
    visit data; with ``day``, those planned to start that day on the agency's clock."""
    authorize_action(actor, Action.VISIT_VIEW)
    with interventions_unit_of_work(context.store, write=False) as uow:
        authorize(actor, Action.VISIT_VIEW, caregiver_resource(uow, caregiver_id, organisation_id))
        organisation = uow.organisations.get(organisation_id)
        repository = uow.interventions
        caregiver = steps.load_caregiver(uow, organisation_id, caregiver_id)
        first, last = day_bounds(day, organisation.zone) if day else (None, None)
        planned = [
            i
            for i in repository.interventions(
                organisation_id, caregivers=[caregiver_id], ends_after=first, starts_before=last
            )
            if first is None or first <= i.start
        ]
        log = steps.load_punch_log(repository, organisation_id, caregiver_id)
        data = VisitDataLog(
            repository.visit_entries(organisation_id, interventions=[i.id for i in planned])
        )
        clients = {
            c.id: c for c in repository.clients(organisation_id, [i.client_id for i in planned])
        }
    records = tuple(
        VisitRecord(
            intervention=i,
            client=clients.get(i.client_id),
            visit=log.visit(i.id),
            punches=log.entries_of(i.id),
            corrections=tuple(c for c in log.corrections if c.intervention_id == i.id),
            data=data.data(i.id),
        )
        for i in planned
    )
    return VisitLog(caregiver, records)


@checked
def reconcile_visits(
    context: ServiceContext,
    actor: Actor,
    organisation_id: OrganisationId,
    *,
    day: date | None = None,
    caregiver_id: CaregiverId | None = None,
) -> Reconciliation:
    """Planned against actual for the interventions planned to start on ``day`` (on the
    agency's clock) and/or of ``caregiver_id``, as known now (the context's clock), with
    the agency's tolerances: the anomalies and the actual times to apply."""
    owner = caregiver_id if day is None else None
    authorize_action(actor, Action.VISIT_VIEW)
    with interventions_unit_of_work(context.store, write=False) as uow:
        authorize(
            actor,
            Action.VISIT_VIEW,
            caregiver_resource(uow, owner, organisation_id)
            if owner
            else agency_resource(uow, organisation_id),
        )
        if day is None and caregiver_id is None:
            raise InvalidInput(Text("reconcile a day, a caregiver or both"), field="day")
        organisation = uow.organisations.get(organisation_id)
        repository = uow.interventions
        if caregiver_id is not None:
            steps.load_caregiver(uow, organisation_id, caregiver_id)
        first, last = day_bounds(day, organisation.zone) if day else (None, None)
        planned = repository.interventions(
            organisation_id,
            caregivers=None if caregiver_id is None else [caregiver_id],
            ends_after=first,
            starts_before=last,
        )
        clients = repository.clients(organisation_id, [i.client_id for i in planned])
        planning = VisitPlanning.of(planned, clients, repository.services(organisation_id))
        log = _combined_log(repository, organisation_id, (i.caregiver_id for i in planned))
        tolerances = steps.load_settings(uow, organisation_id).tolerances
    return reconcile(
        planning,
        log,
        as_of=context.clock.now(),
        day=day,
        caregiver_id=caregiver_id,
        zone=organisation.zone,
        tolerances=tolerances,
    )
