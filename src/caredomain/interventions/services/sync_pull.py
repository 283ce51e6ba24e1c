"""The synchronisation's pull, one unit of work per pull: every item the phones sent is
applied through the same steps as the office's use cases
(:mod:`~caredomain.interventions.services.steps`), the alarms now due fire, and the new
cursor is saved in the same transaction; an item pulled twice is recognised by its phone
id and applied once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from functools import partial

from attrs import evolve

from caredomain.errors import CareDomainError, Conflict
from caredomain.events import Event
from caredomain.interventions.model import CaregiverId, Punch
from caredomain.interventions.platform import (
    Acknowledgement,
    AlarmAction,
    AlarmSignal,
    Inbound,
    MobilePlatform,
    PhoneMessage,
)
from caredomain.interventions.ports import InterventionsUnitOfWork, interventions_unit_of_work
from caredomain.interventions.punches import PunchLog
from caredomain.interventions.services import steps
from caredomain.interventions.services.sync_report import SyncReport
from caredomain.interventions.staff_requests import StaffRequest
from caredomain.interventions.visit_data import VisitEntry
from caredomain.organisation import OrganisationId
from caredomain.services.context import ServiceContext
from caredomain.text import Text

__all__ = ["pull"]


class _Applier:
    """Applies one pull's items in one unit of work and counts what happened."""

    def __init__(
        self, context: ServiceContext, uow: InterventionsUnitOfWork, organisation_id: OrganisationId
    ) -> None:
        self.context = context
        self.uow = uow
        self.organisation_id = organisation_id
        self.repository = uow.interventions
        self.logs: dict[CaregiverId, PunchLog] = {}
        self.events: list[Event] = []
        self.counts: Counter[str] = Counter()
        self.refused: list[str] = []

    def attempt(self, what: str, ident: str, apply: Callable[[], Sequence[Event] | None]) -> None:
        """Apply one item: None from ``apply`` means it was applied before; a rule's
        refusal is reported, and the rule checks come before any write."""
        try:
            events = apply()
        except CareDomainError as error:
            self.logs.clear()  # reload the logs: never keep a punch the store refused
            self.refused.append(
                Text("{what} {item}: {error}", what=what, item=ident, error=str(error))
            )
            return
        self.counts[what if events is not None else "duplicates"] += 1
        self.events += events or ()

    def apply(self, inbound: Inbound) -> None:
        for punch in inbound.punches:
            self.attempt("punches", punch.id, partial(self.punch, punch))
        for entry in inbound.entries:
            self.attempt("entries", entry.id, partial(self.entry, entry))
        for message in inbound.messages:
            self.attempt("messages", message.id, partial(self.message, message))
        for ack in inbound.acknowledgements:
            self.attempt("acknowledgements", ack.message_id, partial(self.acknowledge, ack))
        for signal in inbound.alarms:
            self.attempt("alarm_signals", signal.alarm_id, partial(self.alarm, signal))
        for request in inbound.requests:
            self.attempt("requests", request.id, partial(self.request, request))
        self.tick()

    def punch(self, punch: Punch) -> Sequence[Event] | None:
        outcome = steps.record_punch(self.repository, self.organisation_id, punch, self.logs)
        if outcome.duplicate:
            return None
        if outcome.refusal is not None:
            self.refused.append(
                Text(
                    "punch {punch}: [{code}] {reason} (kept in the log)",
                    punch=punch.id,
                    code=outcome.refusal.code,
                    reason=outcome.refusal.message,
                )
            )
        return outcome.events

    def entry(self, entry: VisitEntry) -> Sequence[Event] | None:
        return _some(steps.add_visit_entry(self.repository, self.organisation_id, entry, self.logs))

    def message(self, message: PhoneMessage) -> Sequence[Event] | None:
        return _some(
            steps.send_to_office(
                self.context,
                self.uow,
                self.organisation_id,
                caregiver_id=message.caregiver_id,
                message_id=message.id,
                text=message.text,
                kind=message.kind,
                at=message.sent_at,
            )
        )

    def acknowledge(self, ack: Acknowledgement) -> Sequence[Event] | None:
        return _some(
            steps.acknowledge_message(
                self.context,
                self.repository,
                self.organisation_id,
                caregiver_id=ack.caregiver_id,
                message_id=ack.message_id,
                at=ack.at,
            )
        )

    def alarm(self, signal: AlarmSignal) -> Sequence[Event] | None:
        if signal.action is AlarmAction.CANCEL:
            return _some(
                steps.cancel_alarm(
                    self.context,
                    self.uow,
                    self.organisation_id,
                    caregiver_id=signal.caregiver_id,
                    alarm_id=signal.alarm_id,
                    at=signal.at,
                )
            )
        return _some(
            steps.trigger_alarm(
                self.context,
                self.uow,
                self.organisation_id,
                caregiver_id=signal.caregiver_id,
                alarm_id=signal.alarm_id,
                at=signal.at,
                gps=signal.gps,
            )
        )

    def request(self, request: StaffRequest) -> Sequence[Event] | None:
        """A request from the phone, pending: submitted again through the domain so that
        its event is the one the office's own use case records."""
        submitted, event = StaffRequest.submit(
            request.id,
            request.caregiver_id,
            request.kind,
            request.first_day,
            reason=request.reason,
            at=request.submitted_at,
            new_id=self.context.new_id,
            last_day=request.last_day,
            intervention_id=request.intervention_id,
        )
        return _some(steps.keep_request(self.repository, self.organisation_id, submitted, [event]))

    def tick(self) -> None:
        """Fire the alarms now due: a trigger that reached the office late fires at once."""
        fired = steps.fire_due_alarms(self.context, self.uow, self.organisation_id)
        self.counts["fired"] += len(fired)
        self.events += fired


def _some(events: Sequence[Event]) -> Sequence[Event] | None:
    """The events of an item, or None when it changed nothing (it was applied before)."""
    return events or None


def pull(
    context: ServiceContext,
    platform: MobilePlatform,
    organisation_id: OrganisationId,
    report: SyncReport,
) -> tuple[SyncReport, bool]:
    """One pull, applied in one unit of work with its new cursor; whether to pull again.
    The platform is asked outside the write transaction, which then checks that no other
    synchronisation moved the cursor meanwhile (Conflict)."""
    with interventions_unit_of_work(context.store, write=False) as uow:
        cursor = uow.interventions.platform_state(organisation_id).cursor
    inbound = platform.pull(cursor)
    with interventions_unit_of_work(context.store) as uow:
        state = uow.interventions.platform_state(organisation_id)
        if state.cursor != cursor:
            raise Conflict(
                Text(
                    "another synchronisation of {organisation} pulled meanwhile; try again",
                    organisation=organisation_id,
                )
            )
        applier = _Applier(context, uow, organisation_id)
        applier.apply(inbound)
        uow.interventions.save_platform_state(organisation_id, evolve(state, cursor=inbound.cursor))
        context.commit(uow, applier.events)
    counts = applier.counts
    report = evolve(
        report,
        pulls=report.pulls + 1,
        punches=report.punches + counts["punches"],
        entries=report.entries + counts["entries"],
        messages=report.messages + counts["messages"],
        acknowledgements=report.acknowledgements + counts["acknowledgements"],
        alarm_signals=report.alarm_signals + counts["alarm_signals"],
        requests=report.requests + counts["requests"],
        fired=report.fired + counts["fired"],
        duplicates=report.duplicates + counts["duplicates"],
        refused=(*report.refused, *applier.refused),
        cursor=inbound.cursor,
    )
    return report, len(inbound) > 0 and inbound.cursor != cursor
