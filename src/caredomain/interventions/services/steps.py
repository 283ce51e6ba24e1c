"""The home-care use cases' steps: what each does once access has been checked, inside an
open unit of work. The office's use cases (:mod:`caredomain.interventions.services`) and the
mobile platform's synchronisation (:mod:`caredomain.interventions.services.sync`) both apply
what they receive through these, so a punch, a visit entry, a message or an alarm sent from
a phone is kept exactly as one entered at the office.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from attrs import evolve

from caredomain.errors import Conflict, NotFound, RuleViolation
from caredomain.events import Event
from caredomain.interventions.alarm import AlarmBoard, AlarmFired, AlarmId, AlarmState
from caredomain.interventions.messaging import MessageId, MessageKind, Thread
from caredomain.interventions.model import Caregiver, CaregiverId, GpsFix, InterventionId, Punch
from caredomain.interventions.phone_events import CaregiverMessageReceived
from caredomain.interventions.ports import (
    AgencySettings,
    InterventionRepository,
    InterventionsUnitOfWork,
)
from caredomain.interventions.punches import PunchLog, PunchOutcome
from caredomain.interventions.staff_requests import RequestStatus, StaffRequest
from caredomain.interventions.visit_data import VisitDataLog, VisitEntry
from caredomain.interventions.visit_planning import VisitPlanning
from caredomain.organisation import OrganisationId
from caredomain.services.context import ServiceContext
from caredomain.text import Text

__all__ = [
    "acknowledge_message",
    "add_visit_entry",
    "cancel_alarm",
    "fire_due_alarms",
    "keep_request",
    "load_alarm_board",
    "load_caregiver",
    "load_planning",
    "load_punch_log",
    "load_settings",
    "load_thread",
    "record_punch",
    "send_to_office",
    "trigger_alarm",
]

_SECOND = timedelta(seconds=1)


def load_caregiver(
    uow: InterventionsUnitOfWork, organisation_id: OrganisationId, caregiver_id: str
) -> Caregiver:
    """The caregiver, or :class:`~caredomain.errors.NotFound`."""
    found = uow.interventions.caregivers(organisation_id, [CaregiverId(caregiver_id)])
    if not found:
        raise NotFound(
            Text(
                "no caregiver {caregiver} in {organisation}",
                caregiver=repr(caregiver_id),
                organisation=repr(organisation_id),
            )
        )
    return found[0]


def load_settings(uow: InterventionsUnitOfWork, organisation_id: OrganisationId) -> AgencySettings:
    """The agency's settings, the defaults if it has none yet."""
    return uow.interventions.settings(organisation_id) or AgencySettings()


def load_planning(
    repository: InterventionRepository,
    organisation_id: OrganisationId,
    ids: Iterable[InterventionId],
) -> VisitPlanning:
    """The interventions of ``ids`` with their clients and the agency's services."""
    interventions = repository.interventions(organisation_id, ids=list(set(ids)))
    clients = repository.clients(organisation_id, [i.client_id for i in interventions])
    return VisitPlanning.of(interventions, clients, repository.services(organisation_id))


def load_punch_log(
    repository: InterventionRepository, organisation_id: OrganisationId, caregiver_id: CaregiverId
) -> PunchLog:
    """One caregiver's punch log with the office's corrections: what her punches are
    checked against."""
    return PunchLog(
        repository.log_entries(organisation_id, caregivers=[caregiver_id]),
        repository.corrections(organisation_id, caregivers=[caregiver_id]),
    )


def _cached_log(
    repository: InterventionRepository,
    organisation_id: OrganisationId,
    caregiver_id: CaregiverId,
    logs: dict[CaregiverId, PunchLog],
) -> PunchLog:
    """The caregiver's punch log, loaded once into ``logs`` (a synchronisation applies many
    punches and entries of one caregiver in one unit of work)."""
    log = logs.get(caregiver_id)
    if log is None:
        log = logs[caregiver_id] = load_punch_log(repository, organisation_id, caregiver_id)
    return log


def record_punch(
    repository: InterventionRepository,
    organisation_id: OrganisationId,
    punch: Punch,
    logs: dict[CaregiverId, PunchLog],
) -> PunchOutcome:
    """Record ``punch`` in its caregiver's log (loaded once into ``logs``) and keep the new
    entry; the events are the caller's to commit."""
    log = _cached_log(repository, organisation_id, punch.caregiver_id, logs)
    outcome = log.record(punch, load_planning(repository, organisation_id, [punch.intervention_id]))
    if not outcome.duplicate:
        repository.add_log_entries(organisation_id, [outcome.entry])
    return outcome


def add_visit_entry(
    repository: InterventionRepository,
    organisation_id: OrganisationId,
    entry: VisitEntry,
    logs: dict[CaregiverId, PunchLog],
) -> list[Event]:
    """Keep a visit-data entry (care given, observations) against the caregiver's log; the
    same entry again changes nothing."""
    log = _cached_log(repository, organisation_id, entry.caregiver_id, logs)
    data = VisitDataLog(
        repository.visit_entries(organisation_id, interventions=[entry.intervention_id])
    )
    planning = load_planning(repository, organisation_id, [entry.intervention_id])
    events = list(data.add(entry, planning, log.visit(entry.intervention_id)))
    if events:
        repository.add_visit_entries(organisation_id, [entry])
    return events


def load_thread(
    repository: InterventionRepository, organisation_id: OrganisationId, caregiver_id: CaregiverId
) -> Thread:
    """The caregiver's message thread, empty if she has none yet."""
    found = repository.threads(organisation_id, [caregiver_id])
    return found[0] if found else Thread(caregiver_id=caregiver_id)


def acknowledge_message(
    context: ServiceContext,
    repository: InterventionRepository,
    organisation_id: OrganisationId,
    *,
    caregiver_id: CaregiverId,
    message_id: MessageId,
    at: datetime | None,
) -> list[Event]:
    """The caregiver has read an office message: acknowledged, and marked delivered on her
    phones."""
    thread, event = load_thread(repository, organisation_id, caregiver_id).acknowledge(
        message_id, by=caregiver_id, at=at or context.clock.now(), new_id=context.new_id
    )
    if event is None:
        return []
    repository.save_threads(organisation_id, [thread])
    devices = repository.devices(organisation_id, caregiver_id=caregiver_id)
    repository.save_devices(organisation_id, [d.delivered([message_id]) for d in devices])
    return [event]


def send_to_office(
    context: ServiceContext,
    uow: InterventionsUnitOfWork,
    organisation_id: OrganisationId,
    *,
    caregiver_id: CaregiverId,
    message_id: MessageId,
    text: str,
    kind: MessageKind,
    at: datetime,
) -> list[Event]:
    """A message from the caregiver to the office, in her thread."""
    caregiver = load_caregiver(uow, organisation_id, caregiver_id)
    repository = uow.interventions
    thread, event = load_thread(repository, organisation_id, caregiver_id).send_to_office(
        caregiver, message_id, text=text, at=at, new_id=context.new_id, kind=kind
    )
    if event is None:
        return []
    repository.save_threads(organisation_id, [thread])
    return [_with_organisation(event, organisation_id)]


def _with_organisation(
    event: CaregiverMessageReceived, organisation_id: OrganisationId
) -> CaregiverMessageReceived:
    return evolve(event, organisation_id=organisation_id)


def keep_request(
    repository: InterventionRepository,
    organisation_id: OrganisationId,
    request: StaffRequest,
    events: list[Event],
) -> list[Event]:
    """Keep a new request; the same one again changes nothing, another under its id is a
    Conflict."""
    known = repository.staff_requests(organisation_id, ids=[request.id])
    if known:
        if (
            evolve(
                known[0],
                status=RequestStatus.PENDING,
                decided_by=None,
                decided_at=None,
                refusal_reason=None,
            )
            != request
        ):
            raise Conflict(
                Text(
                    "request id {request} is already used by another request",
                    request=repr(request.id),
                )
            )
        return []
    repository.save_staff_requests(organisation_id, [request])
    return events


def load_alarm_board(
    uow: InterventionsUnitOfWork,
    organisation_id: OrganisationId,
    *,
    ids: Sequence[AlarmId] | None = None,
    states: Sequence[AlarmState] | None = None,
) -> AlarmBoard:
    """The agency's alarms (those of ``ids`` or in ``states``) on a board."""
    organisation = uow.organisations.get(organisation_id)
    return AlarmBoard(
        organisation, uow.interventions.alarms(organisation_id, ids=ids, states=states)
    )


def trigger_alarm(
    context: ServiceContext,
    uow: InterventionsUnitOfWork,
    organisation_id: OrganisationId,
    *,
    caregiver_id: CaregiverId,
    alarm_id: AlarmId,
    at: datetime | None,
    gps: GpsFix | None,
) -> list[Event]:
    """The caregiver set off the DATI alarm: its countdown starts, with what she was planned
    to be doing then."""
    settings = load_settings(uow, organisation_id).alarm
    if settings is None:
        raise RuleViolation(
            "alarm.not_configured",
            Text(
                "{organisation} has no alarm settings: set the office e-mail "
                "([interventions] office_email)",
                organisation=organisation_id,
            ),
        )
    caregiver = load_caregiver(uow, organisation_id, caregiver_id)
    moment = at or context.clock.now()
    repository = uow.interventions
    planned = repository.interventions(
        organisation_id,
        caregivers=[caregiver_id],
        ends_after=moment,
        starts_before=moment + _SECOND,
    )
    board = load_alarm_board(uow, organisation_id, ids=[alarm_id])
    events = board.trigger(
        alarm_id,
        caregiver,
        moment,
        settings,
        new_id=context.new_id,
        gps=gps,
        interventions=planned,
        clients=repository.clients(organisation_id, [i.client_id for i in planned]),
    )
    if events:
        repository.save_alarms(organisation_id, [board.alarm(alarm_id)])
    return list(events)


def cancel_alarm(
    context: ServiceContext,
    uow: InterventionsUnitOfWork,
    organisation_id: OrganisationId,
    *,
    caregiver_id: CaregiverId,
    alarm_id: AlarmId,
    at: datetime | None,
) -> list[Event]:
    """The caregiver cancels her alarm during its countdown."""
    board = load_alarm_board(uow, organisation_id, ids=[alarm_id])
    events = board.cancel(
        alarm_id, by=caregiver_id, at=at or context.clock.now(), new_id=context.new_id
    )
    if events:
        uow.interventions.save_alarms(organisation_id, [board.alarm(alarm_id)])
    return events


def fire_due_alarms(
    context: ServiceContext, uow: InterventionsUnitOfWork, organisation_id: OrganisationId
) -> list[AlarmFired]:
    """Fire every alarm whose countdown is over; the alarms fired."""
    board = load_alarm_board(uow, organisation_id, states=[AlarmState.COUNTDOWN])
    events = board.tick(context.clock.now(), new_id=context.new_id)
    if events:
        fired = {AlarmId(e.alarm_id) for e in events}
        uow.interventions.save_alarms(organisation_id, [board.alarm(a) for a in sorted(fired)])
    return events
