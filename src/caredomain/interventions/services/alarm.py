"""The lone-worker alarm (DATI): a caregiver triggers or cancels it from her phone, the
alarm clock (:data:`~caredomain.interventions.services.access.ALARM_CLOCK_ACTOR`) fires
those whose countdown is over, and the office lists them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from caredomain.access import Action, Actor, authorize, authorize_action, is_allowed
from caredomain.arguments import checked
from caredomain.interventions.alarm import Alarm, AlarmFired, AlarmId, AlarmState
from caredomain.interventions.model import CaregiverId, GpsFix
from caredomain.interventions.ports import interventions_unit_of_work
from caredomain.interventions.services import steps
from caredomain.interventions.services.access import (
    ALARM_CLOCK_ACTOR,
    agency_resource,
    caregiver_resource,
)
from caredomain.organisation import OrganisationId
from caredomain.services.context import ServiceContext

__all__ = [
    "alarms",
    "cancel_alarm",
    "tick_alarms",
    "trigger_alarm",
]


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
    authorize_action(actor, Action.ALARM)
    ident = AlarmId(alarm_id or context.new_id())
    with interventions_unit_of_work(context.store) as uow:
        authorize(actor, Action.ALARM, caregiver_resource(uow, caregiver_id, organisation_id))
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
    authorize_action(actor, Action.ALARM)
    with interventions_unit_of_work(context.store) as uow:
        authorize(actor, Action.ALARM, caregiver_resource(uow, caregiver_id, organisation_id))
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
        if organisation_id:
            authorize(actor, Action.ALARM, agency_resource(uow, organisation_id))
            agencies = [organisation_id]
        else:  # every agency of the actor's configuration
            agencies = [
                agency
                for agency in uow.interventions.agencies()
                if is_allowed(actor, Action.ALARM, agency_resource(uow, agency))
            ]
    fired: list[AlarmFired] = []
    for agency in agencies:
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
    authorize_action(actor, Action.INTERVENTION_PLAN)
    with interventions_unit_of_work(context.store, write=False) as uow:
        authorize(actor, Action.INTERVENTION_PLAN, agency_resource(uow, organisation_id))
        return uow.interventions.alarms(
            organisation_id, states=None if states is None else list(states)
        )
