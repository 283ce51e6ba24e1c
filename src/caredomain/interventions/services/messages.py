"""The phone's messages and requests: the office writes to a caregiver (the message blocks
her app until she acknowledges it), a caregiver writes to the office or asks to be called
back, the thread's "Alerter par email" box, and the absence and regularisation requests
the office decides.
"""

from __future__ import annotations

from datetime import date, datetime

from caredomain.access import (
    Action,
    Actor,
    Resource,
    authorize,
    authorize_action,
    configuration_of,
)
from caredomain.arguments import checked
from caredomain.errors import NotFound
from caredomain.events import Event
from caredomain.interventions.devices import PayloadKind
from caredomain.interventions.messaging import (
    CALL_BACK_TEXT,
    Message,
    MessageId,
    MessageKind,
    Thread,
)
from caredomain.interventions.model import CaregiverId, InterventionId
from caredomain.interventions.ports import interventions_unit_of_work
from caredomain.interventions.services import steps
from caredomain.interventions.services.access import agency_resource, caregiver_resource
from caredomain.interventions.services.devices import enqueue
from caredomain.interventions.staff_requests import (
    RequestId,
    RequestKind,
    RequestStatus,
    StaffRequest,
)
from caredomain.organisation import OrganisationId
from caredomain.ports import UnitOfWork
from caredomain.services.context import ServiceContext
from caredomain.text import Text

__all__ = [
    "acknowledge_message",
    "blocking_messages_of",
    "call_me_back",
    "decide_staff_request",
    "send_caregiver_message",
    "send_office_message",
    "set_alert_by_email",
    "staff_requests",
    "submit_staff_request",
]


def _office(uow: UnitOfWork, organisation_id: OrganisationId, caregiver_id: str) -> Resource:
    """A caregiver's thread seen from the office: not hers to act on as the office."""
    return Resource(
        "thread",
        f"{organisation_id}/{caregiver_id}",
        configuration=configuration_of(uow, organisation_id),
    )


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
    authorize_action(actor, Action.PHONE_MESSAGE)
    ident = MessageId(message_id or context.new_id())
    with interventions_unit_of_work(context.store) as uow:
        authorize(actor, Action.PHONE_MESSAGE, _office(uow, organisation_id, caregiver_id))
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
            enqueue(
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
    authorize_action(actor, Action.PHONE_MESSAGE)
    with interventions_unit_of_work(context.store, write=False) as uow:
        authorize(
            actor, Action.PHONE_MESSAGE, caregiver_resource(uow, caregiver_id, organisation_id)
        )
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
    authorize_action(actor, Action.PHONE_MESSAGE)
    with interventions_unit_of_work(context.store) as uow:
        authorize(
            actor, Action.PHONE_MESSAGE, caregiver_resource(uow, caregiver_id, organisation_id)
        )
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
    authorize_action(actor, Action.PHONE_MESSAGE)
    with interventions_unit_of_work(context.store) as uow:
        authorize(
            actor, Action.PHONE_MESSAGE, caregiver_resource(uow, caregiver_id, organisation_id)
        )
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
    authorize_action(actor, Action.PHONE_MESSAGE)
    with interventions_unit_of_work(context.store) as uow:
        authorize(actor, Action.PHONE_MESSAGE, _office(uow, organisation_id, caregiver_id))
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
    authorize_action(actor, Action.PHONE_MESSAGE)
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
        authorize(
            actor, Action.PHONE_MESSAGE, caregiver_resource(uow, caregiver_id, organisation_id)
        )
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
    authorize_action(actor, Action.PHONE_MESSAGE)
    with interventions_unit_of_work(context.store, write=False) as uow:
        resource = (
            caregiver_resource(uow, caregiver_id, organisation_id)
            if caregiver_id
            else agency_resource(uow, organisation_id)
        )
        authorize(actor, Action.PHONE_MESSAGE, resource)
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
    authorize_action(actor, Action.INTERVENTION_PLAN)
    with interventions_unit_of_work(context.store) as uow:
        authorize(actor, Action.INTERVENTION_PLAN, agency_resource(uow, organisation_id))
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
