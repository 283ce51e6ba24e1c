"""The home-care use cases (seed 004): authorize, load through the unit of work, call the
domain, save what changed with its events, commit, publish.

The office (administrators and managers) sets up the agency, plans, corrects visits,
writes to caregivers and blocks lost phones; a caregiver (an actor with the agent role
whose id is her caregiver id) acts in her own name from her phone; the mobile platform's
synchronisation (:func:`~caredomain.interventions.services.sync.sync_with_platform`) runs
as :data:`PLATFORM_SYNC_ACTOR` and the alarm clock (:func:`tick_alarms`) as
:data:`ALARM_CLOCK_ACTOR`, both system actors with the administrator role.

Everything is kept per organisation (the agency): each use case takes its id.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from attrs import evolve, frozen

from caredomain.access import Action, Actor, ActorId, Resource, Role, authorize, authorize_action
from caredomain.arguments import checked
from caredomain.errors import Conflict, Forbidden, InvalidInput, NotFound
from caredomain.events import Event, OrganisationConfigured
from caredomain.interventions.agency import Agency
from caredomain.interventions.alarm import Alarm, AlarmFired, AlarmId, AlarmState
from caredomain.interventions.devices import (
    AppMode,
    BlockResult,
    Device,
    DeviceId,
    LossKind,
    Outbound,
    PayloadKind,
    Platform,
)
from caredomain.interventions.events import PlanningChanged
from caredomain.interventions.messaging import (
    CALL_BACK_TEXT,
    Message,
    MessageId,
    MessageKind,
    RequestId,
    RequestKind,
    RequestStatus,
    StaffRequest,
    Thread,
)
from caredomain.interventions.model import (
    Caregiver,
    CaregiverId,
    Client,
    GpsFix,
    InterventionId,
    PlannedIntervention,
    Punch,
    PunchId,
)
from caredomain.interventions.phonebook import (
    Directory,
    DirectoryEntry,
    DirectoryEntryId,
    DirectoryLine,
    EmergencyNumbers,
)
from caredomain.interventions.ports import (
    InterventionRepository,
    InterventionsUnitOfWork,
    interventions_unit_of_work,
)
from caredomain.interventions.punches import (
    Correction,
    CorrectionId,
    CorrectionReason,
    LogEntry,
    PunchLog,
    PunchOutcome,
    Visit,
    VisitPlanning,
)
from caredomain.interventions.reconciliation import Reconciliation, day_bounds, reconcile
from caredomain.interventions.services import steps
from caredomain.interventions.services.steps import load_punch_log
from caredomain.interventions.transmission import (
    TransmissionPlan,
    plan_transmission,
    planning_changes,
)
from caredomain.interventions.visit_data import VisitData, VisitDataLog, VisitEntry
from caredomain.organisation import Organisation, OrganisationId
from caredomain.services.context import ServiceContext
from caredomain.text import Text

__all__ = [
    "ALARM_CLOCK_ACTOR",
    "PLATFORM_SYNC_ACTOR",
    "AgencySetUp",
    "VisitLog",
    "VisitRecord",
    "acknowledge_message",
    "acknowledge_transmission",
    "add_emergency_number",
    "add_visit_entry",
    "alarms",
    "authenticate_device",
    "block_device",
    "blocking_messages_of",
    "call_me_back",
    "cancel_alarm",
    "caregiver_directory",
    "correct_visit",
    "decide_staff_request",
    "enrol_device",
    "load_punch_log",
    "plan_interventions",
    "put_directory_entry",
    "reconcile_visits",
    "record_punch",
    "remove_directory_entry",
    "remove_emergency_number",
    "send_caregiver_message",
    "send_office_message",
    "set_alert_by_email",
    "set_up_agency",
    "staff_requests",
    "submit_staff_request",
    "tick_alarms",
    "transmission_plan",
    "trigger_alarm",
    "visit_log",
]

PLATFORM_SYNC_ACTOR = Actor(ActorId("platform-sync"), {Role.ADMINISTRATOR}, name="Mobile platform")
"""The system actor the mobile platform's synchronisation runs as."""

ALARM_CLOCK_ACTOR = Actor(ActorId("alarm-clock"), {Role.ADMINISTRATOR}, name="DATI alarm clock")
"""The system actor that fires the alarms whose countdown is over (:func:`tick_alarms`)."""


def _agency(organisation_id: OrganisationId, owner: str | None = None) -> Resource:
    return Resource("agency", organisation_id, owner=owner)


# -- setting up and planning ---------------------------------------------------------------


@frozen
class AgencySetUp:
    """What setting up an agency saved, and the events it recorded."""

    organisation_id: OrganisationId
    caregivers: int
    clients: int
    services: int
    interventions: int
    events: tuple[Event, ...]


@checked
def set_up_agency(context: ServiceContext, actor: Actor, agency: Agency) -> AgencySetUp:
    """Save an agency file: its settings, services, caregivers, clients, emergency numbers,
    directory and planning (added or replaced by id; nothing else is removed), and the
    organisation when the store does not hold it yet (an organisation already there keeps
    its settings: :func:`~caredomain.services.configure_organisation` changes them).
    Setting up the same file again changes nothing and records no event."""
    organisation = agency.organisation
    authorize(actor, Action.INTERVENTION_CONFIGURE, _agency(organisation.id))
    with interventions_unit_of_work(context.store) as uow:
        events: list[Event] = _save_organisation(context, uow, organisation)
        repository, oid = uow.interventions, organisation.id
        repository.save_settings(oid, agency.settings)
        repository.save_services(oid, agency.services)
        repository.save_caregivers(oid, agency.caregivers)
        repository.save_clients(oid, agency.clients)
        if repository.emergency_numbers(oid) != agency.emergency_numbers:
            repository.save_emergency_numbers(oid, agency.emergency_numbers)
            _enqueue_everywhere(context, repository, oid, PayloadKind.EMERGENCY_NUMBERS)
        repository.save_directory(oid, agency.directory)
        events += _replan(context, uow, oid, agency.interventions, ())
        context.commit(uow, events)
    return AgencySetUp(
        oid,
        len(agency.caregivers),
        len(agency.clients),
        len(agency.services),
        len(agency.interventions),
        tuple(events),
    )


def _save_organisation(
    context: ServiceContext, uow: InterventionsUnitOfWork, organisation: Organisation
) -> list[Event]:
    if organisation.id in uow.organisations.ids():
        return []
    uow.organisations.add(organisation)
    return [
        OrganisationConfigured(
            event_id=context.new_id(),
            occurred_at=context.clock.now(),
            organisation_id=organisation.id,
            name=organisation.name,
        )
    ]


@checked
def plan_interventions(
    context: ServiceContext,
    actor: Actor,
    organisation_id: OrganisationId,
    interventions: Iterable[PlannedIntervention] = (),
    *,
    remove: Iterable[InterventionId] = (),
) -> list[PlanningChanged]:
    """Add or replace planned interventions and take others off the planning. Each
    caregiver already on the phones whose planning changed gets one
    :class:`~caredomain.interventions.events.PlanningChanged` (her phone rings at the next
    push)."""
    authorize(actor, Action.INTERVENTION_PLAN, _agency(organisation_id))
    with interventions_unit_of_work(context.store) as uow:
        uow.organisations.get(organisation_id)
        changes = _replan(context, uow, organisation_id, tuple(interventions), tuple(remove))
        context.commit(uow, changes)
    return changes


def _replan(
    context: ServiceContext,
    uow: InterventionsUnitOfWork,
    organisation_id: OrganisationId,
    interventions: Sequence[PlannedIntervention],
    removed: Sequence[InterventionId],
) -> list[PlanningChanged]:
    repository = uow.interventions
    known = {c.id for c in repository.caregivers(organisation_id)}
    for intervention in interventions:
        if intervention.caregiver_id not in known:
            raise NotFound(
                Text(
                    "intervention {intervention}: no caregiver {caregiver}",
                    intervention=intervention.id,
                    caregiver=repr(intervention.caregiver_id),
                )
            )
    touched = [*(i.id for i in interventions), *removed]
    before = repository.interventions(organisation_id, ids=touched)
    transmitted = _plan(context, repository, organisation_id).transmitted_caregivers
    kept = {i.id: i for i in before if i.id not in set(removed)}
    kept.update({i.id: i for i in interventions})
    changes = planning_changes(
        before,
        kept.values(),
        transmitted=transmitted,
        at=context.clock.now(),
        new_id=context.new_id,
    )
    repository.save_interventions(organisation_id, interventions)
    repository.remove_interventions(organisation_id, removed)
    if changes:
        state = repository.platform_state(organisation_id)
        alerts = state.planning_alerts | {change.caregiver_id for change in changes}
        repository.save_platform_state(organisation_id, evolve(state, planning_alerts=alerts))
        for change in changes:
            _enqueue(
                repository,
                organisation_id,
                change.caregiver_id,
                change.event_id,
                PayloadKind.PLANNING_ALERT,
            )
    return changes


def _plan(
    context: ServiceContext, repository: InterventionRepository, organisation_id: OrganisationId
) -> TransmissionPlan:
    """The transmission plan over the interventions not yet ended."""
    state = repository.platform_state(organisation_id)
    return plan_transmission(
        repository.caregivers(organisation_id),
        repository.clients(organisation_id),
        repository.interventions(organisation_id, ends_after=context.clock.now()),
        acknowledged_caregivers=state.acknowledged_caregivers,
        acknowledged_clients=state.acknowledged_clients,
    )


@checked
def transmission_plan(
    context: ServiceContext, actor: Actor, organisation_id: OrganisationId
) -> TransmissionPlan:
    """Who goes to the phones, who is pending and who is not, and why ("Transmettre à
    Penbase"), over the interventions not yet ended."""
    authorize(actor, Action.INTERVENTION_PLAN, _agency(organisation_id))
    with interventions_unit_of_work(context.store, write=False) as uow:
        return _plan(context, uow.interventions, organisation_id)


@checked
def acknowledge_transmission(
    context: ServiceContext,
    organisation_id: OrganisationId,
    *,
    caregivers: Iterable[CaregiverId] = (),
    clients: Iterable[str] = (),
    actor: Actor = PLATFORM_SYNC_ACTOR,
) -> TransmissionPlan:
    """The platform confirms it holds these caregivers and clients (the icon turns
    green); returns the plan after."""
    authorize(actor, Action.INTERVENTION_PLAN, _agency(organisation_id))
    with interventions_unit_of_work(context.store) as uow:
        repository = uow.interventions
        state = repository.platform_state(organisation_id)
        repository.save_platform_state(
            organisation_id,
            evolve(
                state,
                acknowledged_caregivers=state.acknowledged_caregivers | set(caregivers),
                acknowledged_clients=state.acknowledged_clients | set(clients),
            ),
        )
        plan = _plan(context, repository, organisation_id)
        uow.commit()
    return plan


# -- punches, corrections, visit data ------------------------------------------------------


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


def _own(caregiver_id: str, organisation_id: OrganisationId) -> Resource:
    return Resource("caregiver", f"{organisation_id}/{caregiver_id}", owner=caregiver_id)


@checked
def record_punch(
    context: ServiceContext, actor: Actor, organisation_id: OrganisationId, punch: Punch
) -> PunchOutcome:
    """Log a clock-in or clock-out from a phone, accepted or refused (see
    :meth:`~caredomain.interventions.PunchLog.record`); the same punch again is recognised
    (``duplicate``) and changes nothing."""
    authorize(actor, Action.VISIT_RECORD, _own(punch.caregiver_id, organisation_id))
    with interventions_unit_of_work(context.store) as uow:
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
    authorize(actor, Action.VISIT_CORRECT, _agency(organisation_id))
    with interventions_unit_of_work(context.store) as uow:
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
    authorize(actor, Action.VISIT_RECORD, _own(entry.caregiver_id, organisation_id))
    with interventions_unit_of_work(context.store) as uow:
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
    authorize(actor, Action.VISIT_VIEW, _own(caregiver_id, organisation_id))
    with interventions_unit_of_work(context.store, write=False) as uow:
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
    authorize(
        actor,
        Action.VISIT_VIEW,
        _own(owner, organisation_id) if owner else _agency(organisation_id),
    )
    if day is None and caregiver_id is None:
        raise InvalidInput(Text("reconcile a day, a caregiver or both"), field="day")
    with interventions_unit_of_work(context.store, write=False) as uow:
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


# -- messages and requests -----------------------------------------------------------------


def _office(organisation_id: OrganisationId, caregiver_id: str) -> Resource:
    """A caregiver's thread seen from the office: not hers to act on as the office."""
    return Resource("thread", f"{organisation_id}/{caregiver_id}")


@checked
def send_office_message(
    context: ServiceContext,
    actor: Actor,
    organisation_id: OrganisationId,
    caregiver_id: CaregiverId,
    text: str,
    *,
    message_id: str | None = None,
) -> Message:
    """The office writes to a caregiver: the message blocks her app until she has read
    and acknowledged it; it waits for her phones (not a blocked one) until the next push."""
    authorize(actor, Action.PHONE_MESSAGE, _office(organisation_id, caregiver_id))
    ident = MessageId(message_id or context.new_id())
    with interventions_unit_of_work(context.store) as uow:
        steps.load_caregiver(uow, organisation_id, caregiver_id)
        repository = uow.interventions
        thread, event = steps.load_thread(
            repository, organisation_id, caregiver_id
        ).send_to_caregiver(
            ident,
            sender=actor.id,
            text=text,
            at=context.clock.now(),
            new_id=context.new_id,
        )
        events: list[Event] = []
        if event is not None:
            repository.save_threads(organisation_id, [thread])
            _enqueue(
                repository, organisation_id, caregiver_id, event.message_id, PayloadKind.MESSAGE
            )
            events.append(event)
        context.commit(uow, events)
    return thread.message(ident)


@checked
def blocking_messages_of(
    context: ServiceContext,
    actor: Actor,
    organisation_id: OrganisationId,
    caregiver_id: CaregiverId,
) -> tuple[Message, ...]:
    """The office messages blocking the caregiver's app, oldest first."""
    authorize(actor, Action.PHONE_MESSAGE, _own(caregiver_id, organisation_id))
    with interventions_unit_of_work(context.store, write=False) as uow:
        return steps.load_thread(uow.interventions, organisation_id, caregiver_id).blocking()


@checked
def acknowledge_message(
    context: ServiceContext,
    actor: Actor,
    organisation_id: OrganisationId,
    caregiver_id: CaregiverId,
    message_id: MessageId,
    *,
    at: datetime | None = None,
) -> list[Event]:
    """The caregiver read and acknowledged an office message: her app is free again."""
    authorize(actor, Action.PHONE_MESSAGE, _own(caregiver_id, organisation_id))
    with interventions_unit_of_work(context.store) as uow:
        events = steps.acknowledge_message(
            context,
            uow.interventions,
            organisation_id,
            caregiver_id=caregiver_id,
            message_id=message_id,
            at=at,
        )
        context.commit(uow, events)
    return events


@checked
def send_caregiver_message(
    context: ServiceContext,
    actor: Actor,
    organisation_id: OrganisationId,
    caregiver_id: CaregiverId,
    text: str,
    *,
    message_id: str | None = None,
    kind: MessageKind = MessageKind.TEXT,
    at: datetime | None = None,
) -> list[Event]:
    """A caregiver writes to the office: the message reaches her line manager, by e-mail
    too when the thread's "alert by e-mail" is on (the notifications queue the mail)."""
    authorize(actor, Action.PHONE_MESSAGE, _own(caregiver_id, organisation_id))
    with interventions_unit_of_work(context.store) as uow:
        events = steps.send_to_office(
            context,
            uow,
            organisation_id,
            caregiver_id=caregiver_id,
            message_id=MessageId(message_id or context.new_id()),
            text=text,
            kind=kind,
            at=at or context.clock.now(),
        )
        context.commit(uow, events)
    return events


@checked
def call_me_back(
    context: ServiceContext,
    actor: Actor,
    organisation_id: OrganisationId,
    caregiver_id: CaregiverId,
    *,
    message_id: str | None = None,
) -> list[Event]:
    """ "Rappelez-moi": a call-back message to the caregiver's line manager."""
    return send_caregiver_message(
        context,
        actor,
        organisation_id,
        caregiver_id,
        CALL_BACK_TEXT,
        message_id=message_id,
        kind=MessageKind.CALL_BACK,
    )


@checked
def set_alert_by_email(
    context: ServiceContext,
    actor: Actor,
    organisation_id: OrganisationId,
    caregiver_id: CaregiverId,
    on: bool,
) -> Thread:
    """Tick (``on``) or untick the thread's "Alerter par email" box."""
    authorize(actor, Action.PHONE_MESSAGE, _office(organisation_id, caregiver_id))
    with interventions_unit_of_work(context.store) as uow:
        steps.load_caregiver(uow, organisation_id, caregiver_id)
        thread = steps.load_thread(
            uow.interventions, organisation_id, caregiver_id
        ).with_email_alert(on)
        uow.interventions.save_threads(organisation_id, [thread])
        uow.commit()
    return thread


@checked
def submit_staff_request(
    context: ServiceContext,
    actor: Actor,
    organisation_id: OrganisationId,
    caregiver_id: CaregiverId,
    *,
    kind: RequestKind,
    first_day: date,
    reason: str,
    last_day: date | None = None,
    intervention_id: InterventionId | None = None,
    request_id: str | None = None,
) -> StaffRequest:
    """A caregiver asks for an absence or a regularisation (pending until decided)."""
    authorize(actor, Action.PHONE_MESSAGE, _own(caregiver_id, organisation_id))
    request, event = StaffRequest.submit(
        RequestId(request_id or context.new_id()),
        caregiver_id,
        kind,
        first_day,
        reason=reason,
        at=context.clock.now(),
        new_id=context.new_id,
        last_day=last_day,
        intervention_id=intervention_id,
    )
    with interventions_unit_of_work(context.store) as uow:
        steps.load_caregiver(uow, organisation_id, caregiver_id)
        events = steps.keep_request(uow.interventions, organisation_id, request, [event])
        context.commit(uow, events)
    return request


@checked
def staff_requests(
    context: ServiceContext,
    actor: Actor,
    organisation_id: OrganisationId,
    *,
    caregiver_id: CaregiverId | None = None,
    pending_only: bool = False,
) -> list[StaffRequest]:
    """Absence and regularisation requests (a caregiver sees her own)."""
    resource = _own(caregiver_id, organisation_id) if caregiver_id else _agency(organisation_id)
    authorize(actor, Action.PHONE_MESSAGE, resource)
    with interventions_unit_of_work(context.store, write=False) as uow:
        return uow.interventions.staff_requests(
            organisation_id, caregiver_id=caregiver_id, pending_only=pending_only
        )


@checked
def decide_staff_request(
    context: ServiceContext,
    actor: Actor,
    organisation_id: OrganisationId,
    request_id: RequestId,
    *,
    approve: bool,
    reason: str | None = None,
) -> StaffRequest:
    """The office approves a request, or refuses it with ``reason``."""
    authorize(actor, Action.INTERVENTION_PLAN, _agency(organisation_id))
    with interventions_unit_of_work(context.store) as uow:
        found = uow.interventions.staff_requests(organisation_id, ids=[request_id])
        if not found:
            raise NotFound(
                Text(
                    "no request {request} in {organisation}",
                    request=repr(request_id),
                    organisation=repr(organisation_id),
                )
            )
        status = RequestStatus.APPROVED if approve else RequestStatus.REFUSED
        decided, event = found[0].decide(
            status, by=actor.id, at=context.clock.now(), new_id=context.new_id, reason=reason
        )
        if event is not None:
            uow.interventions.save_staff_requests(organisation_id, [decided])
        context.commit(uow, [] if event is None else [event])
    return decided


# -- the phonebook -------------------------------------------------------------------------


@checked
def add_emergency_number(
    context: ServiceContext,
    actor: Actor,
    organisation_id: OrganisationId,
    label: str,
    number: str,
) -> EmergencyNumbers:
    """One more emergency shortcut on every phone (five at most: ``emergency.too_many``)."""
    authorize(actor, Action.INTERVENTION_PLAN, _agency(organisation_id))
    with interventions_unit_of_work(context.store) as uow:
        region = uow.organisations.get(organisation_id).country
        numbers = uow.interventions.emergency_numbers(organisation_id).add(label, number, region)
        _save_numbers(context, uow, organisation_id, numbers)
    return numbers


@checked
def remove_emergency_number(
    context: ServiceContext, actor: Actor, organisation_id: OrganisationId, label: str
) -> EmergencyNumbers:
    """Take the shortcut labelled ``label`` off every phone (NotFound if none is)."""
    authorize(actor, Action.INTERVENTION_PLAN, _agency(organisation_id))
    with interventions_unit_of_work(context.store) as uow:
        numbers = uow.interventions.emergency_numbers(organisation_id).remove(label)
        _save_numbers(context, uow, organisation_id, numbers)
    return numbers


def _save_numbers(
    context: ServiceContext,
    uow: InterventionsUnitOfWork,
    organisation_id: OrganisationId,
    numbers: EmergencyNumbers,
) -> None:
    uow.interventions.save_emergency_numbers(organisation_id, numbers)
    _enqueue_everywhere(context, uow.interventions, organisation_id, PayloadKind.EMERGENCY_NUMBERS)
    uow.commit()


@checked
def put_directory_entry(
    context: ServiceContext, actor: Actor, organisation_id: OrganisationId, entry: DirectoryEntry
) -> Directory:
    """Add an entry to the shared directory, or replace the one with its id."""
    authorize(actor, Action.INTERVENTION_PLAN, _agency(organisation_id))
    with interventions_unit_of_work(context.store) as uow:
        directory = uow.interventions.directory(organisation_id).put(entry)
        uow.interventions.save_directory(organisation_id, directory)
        uow.commit()
    return directory


@checked
def remove_directory_entry(
    context: ServiceContext,
    actor: Actor,
    organisation_id: OrganisationId,
    entry_id: DirectoryEntryId,
) -> Directory:
    """Take an entry out of the shared directory (NotFound if absent)."""
    authorize(actor, Action.INTERVENTION_PLAN, _agency(organisation_id))
    with interventions_unit_of_work(context.store) as uow:
        directory = uow.interventions.directory(organisation_id).remove(entry_id)
        uow.interventions.save_directory(organisation_id, directory)
        uow.commit()
    return directory


@checked
def caregiver_directory(
    context: ServiceContext,
    actor: Actor,
    organisation_id: OrganisationId,
    caregiver_id: CaregiverId,
) -> tuple[DirectoryLine, ...]:
    """The directory as the caregiver's phone shows it: the shared entries, then the
    caregivers who visit the same clients (over the interventions not yet ended)."""
    authorize(actor, Action.VISIT_VIEW, _own(caregiver_id, organisation_id))
    with interventions_unit_of_work(context.store, write=False) as uow:
        repository = uow.interventions
        steps.load_caregiver(uow, organisation_id, caregiver_id)
        return repository.directory(organisation_id).for_caregiver(
            caregiver_id,
            repository.interventions(organisation_id, ends_after=context.clock.now()),
            repository.caregivers(organisation_id),
        )


# -- the lone-worker alarm -----------------------------------------------------------------


@checked
def trigger_alarm(
    context: ServiceContext,
    actor: Actor,
    organisation_id: OrganisationId,
    caregiver_id: CaregiverId,
    *,
    alarm_id: str | None = None,
    at: datetime | None = None,
    gps: GpsFix | None = None,
) -> Alarm:
    """The caregiver pressed the DATI icon (at ``at``, the phone's instant; now by
    default): the countdown starts. The same alarm id again changes nothing."""
    authorize(actor, Action.ALARM, _own(caregiver_id, organisation_id))
    ident = AlarmId(alarm_id or context.new_id())
    with interventions_unit_of_work(context.store) as uow:
        events = steps.trigger_alarm(
            context,
            uow,
            organisation_id,
            caregiver_id=caregiver_id,
            alarm_id=ident,
            at=at,
            gps=gps,
        )
        alarm = uow.interventions.alarms(organisation_id, ids=[ident])[0]
        context.commit(uow, events)
    return alarm


@checked
def cancel_alarm(
    context: ServiceContext,
    actor: Actor,
    organisation_id: OrganisationId,
    caregiver_id: CaregiverId,
    alarm_id: AlarmId,
    *,
    at: datetime | None = None,
) -> Alarm:
    """The caregiver cancels her alarm during its countdown (``alarm.countdown_over``
    after it, ``alarm.already_fired`` once fired)."""
    authorize(actor, Action.ALARM, _own(caregiver_id, organisation_id))
    with interventions_unit_of_work(context.store) as uow:
        events = steps.cancel_alarm(
            context, uow, organisation_id, caregiver_id=caregiver_id, alarm_id=alarm_id, at=at
        )
        alarm = uow.interventions.alarms(organisation_id, ids=[alarm_id])[0]
        context.commit(uow, events)
    return alarm


@checked
def tick_alarms(
    context: ServiceContext,
    organisation_id: OrganisationId | None = None,
    *,
    actor: Actor = ALARM_CLOCK_ACTOR,
) -> list[AlarmFired]:
    """Fire every alarm whose countdown is over on the context's clock (of one agency, or of
    all), each once: the call, the office's message and the e-mail (queued, same commit)."""
    authorize_action(actor, Action.ALARM)  # before the agencies are looked up
    with interventions_unit_of_work(context.store, write=False) as uow:
        agencies = [organisation_id] if organisation_id else uow.interventions.agencies()
    fired: list[AlarmFired] = []
    for agency in agencies:
        authorize(actor, Action.ALARM, _agency(agency))
        with interventions_unit_of_work(context.store) as uow:
            events = steps.fire_due_alarms(context, uow, agency)
            context.commit(uow, events)
        fired += events
    return fired


@checked
def alarms(
    context: ServiceContext,
    actor: Actor,
    organisation_id: OrganisationId,
    states: Iterable[AlarmState] | None = None,
) -> list[Alarm]:
    """The agency's alarms (in ``states``), by trigger time."""
    authorize(actor, Action.INTERVENTION_PLAN, _agency(organisation_id))
    with interventions_unit_of_work(context.store, write=False) as uow:
        return uow.interventions.alarms(
            organisation_id, states=None if states is None else list(states)
        )


# -- devices ---------------------------------------------------------------------------------


def _enqueue(
    repository: InterventionRepository,
    organisation_id: OrganisationId,
    caregiver_id: str,
    payload_id: str,
    kind: PayloadKind,
) -> None:
    """Queue a payload on the caregiver's phones (none on a blocked one, none on a phone
    that cannot use it)."""
    devices = repository.devices(organisation_id, caregiver_id=CaregiverId(caregiver_id))
    changed = [d.enqueue([Outbound(payload_id, kind)])[0] for d in devices]
    if changed:
        repository.save_devices(organisation_id, changed)


def _enqueue_everywhere(
    context: ServiceContext,
    repository: InterventionRepository,
    organisation_id: OrganisationId,
    kind: PayloadKind,
) -> None:
    payload = context.new_id()
    devices = repository.devices(organisation_id)
    if devices:
        repository.save_devices(
            organisation_id, [d.enqueue([Outbound(payload, kind)])[0] for d in devices]
        )


@checked
def enrol_device(
    context: ServiceContext,
    actor: Actor,
    organisation_id: OrganisationId,
    caregiver_id: CaregiverId,
    platform: Platform,
    *,
    token: str,
    device_id: str | None = None,
    mode: AppMode | None = None,
    android_version: int | None = None,
) -> Device:
    """A caregiver's phone with its access token (the caller draws it, for instance with
    ``secrets.token_urlsafe``; only its digest is kept)."""
    authorize(actor, Action.DEVICE_MANAGE, _agency(organisation_id))
    with interventions_unit_of_work(context.store) as uow:
        steps.load_caregiver(uow, organisation_id, caregiver_id)
        ident = DeviceId(device_id or context.new_id())
        if uow.interventions.devices(organisation_id, ids=[ident]):
            raise Conflict(
                Text(
                    "device {device} is already enrolled: enrol the phone anew",
                    device=repr(ident),
                )
            )
        device = Device.enrol(
            ident, caregiver_id, platform, token=token, mode=mode, android_version=android_version
        )
        uow.interventions.save_devices(organisation_id, [device])
        uow.commit()
    return device


def _device(
    uow: InterventionsUnitOfWork, organisation_id: OrganisationId, device_id: DeviceId
) -> Device:
    found = uow.interventions.devices(organisation_id, ids=[device_id])
    if not found:
        raise NotFound(
            Text(
                "no device {device} in {organisation}",
                device=repr(device_id),
                organisation=repr(organisation_id),
            )
        )
    return found[0]


@checked
def block_device(
    context: ServiceContext,
    actor: Actor,
    organisation_id: OrganisationId,
    device_id: DeviceId,
    reason: LossKind,
) -> BlockResult:
    """ "Déclaration de perte": the phone loses its access at once, what waited for it is
    dropped, nothing is sent to it again; the next sync tells the platform."""
    authorize(actor, Action.DEVICE_MANAGE, _agency(organisation_id))
    with interventions_unit_of_work(context.store) as uow:
        result = _device(uow, organisation_id, device_id).block(
            reason, by=actor.id, at=context.clock.now(), new_id=context.new_id
        )
        if result.event is not None:
            uow.interventions.save_devices(organisation_id, [result.device])
        context.commit(uow, [] if result.event is None else [result.event])
    return result


@checked
def authenticate_device(
    context: ServiceContext,
    organisation_id: OrganisationId,
    device_id: DeviceId,
    token: str,
    *,
    actor: Actor = PLATFORM_SYNC_ACTOR,
) -> Device:
    """The device, if ``token`` is its access token and it is not blocked; Forbidden
    otherwise (the same answer for an unknown device)."""
    authorize(actor, Action.DEVICE_MANAGE, _agency(organisation_id))
    with interventions_unit_of_work(context.store, write=False) as uow:
        found = uow.interventions.devices(organisation_id, ids=[device_id])
    if not found:
        raise Forbidden(Text("unknown or blocked device"))
    return found[0].authenticate(token)
