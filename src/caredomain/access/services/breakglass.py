"""Break-glass console interventions, step by step, and the actions taken in their window."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from caredomain.access.actors import Actor, ActorId
from caredomain.access.audit import AuditKind
from caredomain.access.breakglass import (
    Acceptance,
    BreakGlass,
    BreakGlassId,
    Quote,
    Report,
    Window,
    WrittenRequest,
)
from caredomain.access.modes import Mode
from caredomain.access.policy import Action, authorize, authorize_action
from caredomain.access.ports import AccessUnitOfWork, access_unit_of_work
from caredomain.access.services.common import (
    configuration_resource,
    journal,
    scoped,
    session_of,
)
from caredomain.access.sessions import SessionId
from caredomain.arguments import checked
from caredomain.errors import Conflict, Forbidden, InvalidInput
from caredomain.organisation import ConfigurationId
from caredomain.services.context import ServiceContext
from caredomain.text import Text

__all__ = [
    "accept_breakglass",
    "act_in_window",
    "breakglasses",
    "close_breakglass",
    "quote_breakglass",
    "request_breakglass",
    "schedule_breakglass",
]


def _step(
    context: ServiceContext,
    actor: Actor,
    configuration_id: ConfigurationId,
    record_id: BreakGlassId,
    *,
    change: Callable[[BreakGlass, datetime], BreakGlass],
    details: dict[str, str],
) -> BreakGlass:
    authorize_action(actor, Action.ACCESS_BREAKGLASS)
    authorize(actor, Action.ACCESS_BREAKGLASS, configuration_resource(configuration_id))
    now = context.clock.now()
    with access_unit_of_work(context.store) as uow:
        record = change(uow.access.breakglass(configuration_id, record_id), now)
        _kept(uow, actor, record, AuditKind.BREAKGLASS_STEP, now=now, details=details)
        context.commit(uow, [])
    return record


def _kept(
    uow: AccessUnitOfWork,
    actor: Actor,
    record: BreakGlass,
    kind: AuditKind,
    *,
    now: datetime,
    details: dict[str, str],
) -> None:
    """Save ``record`` and journal what was done to it (a step also names the state it
    reached)."""
    uow.access.save_breakglass(record)
    step = {"step": record.state.value} if kind is AuditKind.BREAKGLASS_STEP else {}
    details = {"breakglass": record.id, **step, **details}
    journal(uow, record.configuration, kind, at=now, actor=actor.id, details=details)


@checked
def request_breakglass(
    context: ServiceContext,
    actor: Actor,
    configuration_id: ConfigurationId,
    request: WrittenRequest,
) -> BreakGlass:
    """Record the customer's written request: a new break-glass intervention."""
    authorize_action(actor, Action.ACCESS_BREAKGLASS)
    authorize(actor, Action.ACCESS_BREAKGLASS, configuration_resource(configuration_id))
    now = context.clock.now()
    with access_unit_of_work(context.store) as uow:
        uow.access.configuration(configuration_id)
        record = BreakGlass(BreakGlassId(context.new_id()), configuration_id, request)
        details = {"request": request.reference, "received_on": request.received_on.isoformat()}
        _kept(uow, actor, record, AuditKind.BREAKGLASS_STEP, now=now, details=details)
        context.commit(uow, [])
    return record


@checked
def quote_breakglass(
    context: ServiceContext,
    actor: Actor,
    configuration_id: ConfigurationId,
    record_id: BreakGlassId,
    quote: Quote,
) -> BreakGlass:
    """The paid SP ticket was opened and its quote sent."""
    details = {
        "ticket": quote.ticket,
        "quote": quote.reference,
        "amount": f"{quote.amount} {quote.currency}",
    }
    return _step(
        context,
        actor,
        configuration_id,
        record_id,
        change=lambda r, now: r.quoted(quote),
        details=details,
    )


@checked
def accept_breakglass(
    context: ServiceContext,
    actor: Actor,
    configuration_id: ConfigurationId,
    record_id: BreakGlassId,
    acceptance: Acceptance,
) -> BreakGlass:
    """The customer accepted the quote."""
    details = {"accepted_on": acceptance.accepted_on.isoformat(), "by": acceptance.accepted_by}
    return _step(
        context,
        actor,
        configuration_id,
        record_id,
        change=lambda r, now: r.accepted(acceptance),
        details=details,
    )


@checked
def schedule_breakglass(
    context: ServiceContext,
    actor: Actor,
    configuration_id: ConfigurationId,
    record_id: BreakGlassId,
    window: Window,
    *,
    customer_present: str,
    technician: ActorId,
) -> BreakGlass:
    """Plan the window, with the customer's person present and the technician."""
    details = {
        "start": window.start.isoformat(),
        "end": window.end.isoformat(),
        "present": customer_present,
        "technician": technician,
    }
    return _step(
        context,
        actor,
        configuration_id,
        record_id,
        change=lambda r, now: r.scheduled(window, customer_present, technician),
        details=details,
    )


@checked
def close_breakglass(
    context: ServiceContext,
    actor: Actor,
    configuration_id: ConfigurationId,
    record_id: BreakGlassId,
    *,
    report: str,
    sent_to: str,
) -> BreakGlass:
    """Close the intervention with the end-of-intervention report sent to ``sent_to``."""
    authorize_action(actor, Action.ACCESS_BREAKGLASS)
    authorize(actor, Action.ACCESS_BREAKGLASS, configuration_resource(configuration_id))
    now = context.clock.now()
    with access_unit_of_work(context.store) as uow:
        record = uow.access.breakglass(configuration_id, record_id)
        closed = record.closed(Report(report, sent_to, now))
        details = {"actions": str(closed.actions), "report_sent_to": sent_to}
        _kept(uow, actor, closed, AuditKind.WINDOW_CLOSED, now=now, details=details)
        context.commit(uow, [])
    return closed


@checked
def act_in_window(
    context: ServiceContext,
    actor: Actor,
    configuration_id: ConfigurationId,
    session: SessionId,
    action: str,
) -> BreakGlass:
    """Journal one action the technician takes in the console, in her session opened
    through a break-glass window; refused outside the window."""
    authorize_action(actor, Action.ACCESS_BREAKGLASS)
    authorize(actor, Action.ACCESS_BREAKGLASS, configuration_resource(configuration_id))
    if not action.strip():
        raise InvalidInput(Text("say what the action is"), field="action", text=action)
    now = context.clock.now()
    with access_unit_of_work(context.store) as uow:
        held = session_of(
            uow, configuration_id, session, mode=Mode.CONSOLE, actor=actor.id, now=now
        )
        if held.window is None:
            raise Forbidden(
                Text("session {id} was not opened through a break-glass window", id=session)
            )
        record = uow.access.breakglass(configuration_id, held.window)
        try:
            acted = record.acted(now)
        except Conflict as refusal:
            raise Forbidden(refusal.args[0]) from None
        details = {"session": session, "action": action.strip()}
        _kept(uow, actor, acted, AuditKind.WINDOW_ACTION, now=now, details=details)
        context.commit(uow, [])
    return acted


@checked
def breakglasses(
    context: ServiceContext, actor: Actor, configuration_id: ConfigurationId
) -> list[BreakGlass]:
    """The configuration's break-glass interventions: for the vendor and, through the
    audit right, the configuration's administrator."""
    authorize_action(actor, Action.ACCESS_BREAKGLASS, Action.ACCESS_AUDIT)
    scoped(actor, configuration_id)
    with access_unit_of_work(context.store, write=False) as uow:
        configuration = uow.access.configuration(configuration_id)
        authorize(
            actor, Action.ACCESS_AUDIT, configuration_resource(configuration_id, configuration)
        )
        return uow.access.breakglasses(configuration_id)
