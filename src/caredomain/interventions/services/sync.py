"""The synchronisation with the mobile platform (seed 004): push what the phones must hold,
then pull what they sent and apply it through the same rules as the office's use cases.

Push, in one unit of work: first the blocks of phones declared lost since the last push
(so the platform drops their data before anything new goes out), then the withdrawals, the
caregivers and clients the transmission plan says (the platform's answer is what it now
holds: the transmitted ones), each caregiver's planning — ringing her phone when it
changed since the last push —, the office messages not yet delivered, and the emergency
numbers. Pushes state whole values, so a push repeated after a crash changes nothing.

Pull, one unit of work per pull: every item is applied (punches through the caregiver's
:class:`~caredomain.interventions.PunchLog`, visit data, messages, acknowledgements, alarm
signals, requests), the alarms now due fire, and the new cursor is saved in the same
transaction: a crash never half-applies a pull, and an item pulled twice is recognised by
its phone id and applied once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from functools import partial

from attrs import evolve, frozen

from caredomain.access import Action, Actor, Resource, authorize
from caredomain.errors import CareDomainError, Conflict
from caredomain.events import Event
from caredomain.interventions.devices import Device
from caredomain.interventions.messaging import Message, StaffRequest, Thread
from caredomain.interventions.model import (
    Caregiver,
    CaregiverId,
    Client,
    ClientId,
    PlannedIntervention,
    Punch,
    Service,
)
from caredomain.interventions.platform import (
    Acknowledgement,
    AlarmAction,
    AlarmSignal,
    Inbound,
    MobilePlatform,
    PhoneMessage,
    PlanningPush,
)
from caredomain.interventions.ports import (
    InterventionsUnitOfWork,
    PlatformState,
    interventions_unit_of_work,
)
from caredomain.interventions.punches import PunchLog
from caredomain.interventions.services import PLATFORM_SYNC_ACTOR, steps
from caredomain.interventions.transmission import TransmissionPlan, plan_transmission
from caredomain.interventions.visit_data import VisitEntry
from caredomain.organisation import OrganisationId
from caredomain.services.context import ServiceContext
from caredomain.text import Text

__all__ = ["MAX_PULLS", "SyncReport", "sync_with_platform"]

MAX_PULLS = 100
"""Pulls per synchronisation at most: what is left waits for the next one."""


@frozen(kw_only=True)
class SyncReport:
    """What a synchronisation did. ``refused`` lists the items a rule refused (a punch a
    rule refuses is logged all the same, and counted in ``punches``); ``duplicates`` the
    items pulled again and recognised."""

    platform: str
    blocked: int = 0
    withdrawn: int = 0
    caregivers: int = 0
    clients: int = 0
    plannings: int = 0
    alerts: int = 0
    messages_pushed: int = 0
    emergency_numbers: int = 0
    pulls: int = 0
    punches: int = 0
    entries: int = 0
    messages: int = 0
    acknowledgements: int = 0
    alarm_signals: int = 0
    requests: int = 0
    fired: int = 0
    duplicates: int = 0
    refused: tuple[str, ...] = ()
    cursor: str | None = None

    def lines(self) -> list[str]:
        """The report for people."""
        lines: list[str] = [
            Text(
                "{platform}: pushed {caregivers} caregiver(s), {clients} client(s), "
                "{plannings} planning(s) ({alerts} with an alert), {messages} message(s), "
                "{numbers} emergency number(s); {blocked} phone(s) blocked, "
                "{withdrawn} record(s) withdrawn",
                platform=self.platform,
                caregivers=self.caregivers,
                clients=self.clients,
                plannings=self.plannings,
                alerts=self.alerts,
                messages=self.messages_pushed,
                numbers=self.emergency_numbers,
                blocked=self.blocked,
                withdrawn=self.withdrawn,
            ),
            Text(
                "pulled {pulls} time(s): {punches} punch(es), {entries} visit entr(ies), "
                "{messages} message(s), {acknowledgements} acknowledgement(s), "
                "{alarms} alarm signal(s), {requests} request(s); "
                "{duplicates} already applied; {fired} alarm(s) fired",
                pulls=self.pulls,
                punches=self.punches,
                entries=self.entries,
                messages=self.messages,
                acknowledgements=self.acknowledgements,
                alarms=self.alarm_signals,
                requests=self.requests,
                duplicates=self.duplicates,
                fired=self.fired,
            ),
        ]
        lines += [Text("  refused: {reason}", reason=reason) for reason in self.refused]
        return lines


def sync_with_platform(
    context: ServiceContext,
    platform: MobilePlatform,
    organisation_id: OrganisationId,
    *,
    actor: Actor = PLATFORM_SYNC_ACTOR,
) -> SyncReport:
    """Push to ``platform`` what the agency's phones must hold, then pull and apply what
    they sent (see the module's docstring)."""
    authorize(actor, Action.VISIT_RECORD, Resource("agency", organisation_id))
    authorize(actor, Action.INTERVENTION_PLAN, Resource("agency", organisation_id))
    report = _push(context, platform, organisation_id)
    for _ in range(MAX_PULLS):
        report, more = _pull(context, platform, organisation_id, report)
        if not more:
            break
    return report


# -- push ------------------------------------------------------------------------------------


@frozen
class _Snapshot:
    caregivers: tuple[Caregiver, ...]
    clients: tuple[Client, ...]
    interventions: tuple[PlannedIntervention, ...]
    services: tuple[Service, ...]
    devices: tuple[Device, ...]
    threads: tuple[Thread, ...]


def _push(
    context: ServiceContext, platform: MobilePlatform, organisation_id: OrganisationId
) -> SyncReport:
    with interventions_unit_of_work(context.store) as uow:
        repository = uow.interventions
        state = repository.platform_state(organisation_id)
        snapshot = _Snapshot(
            tuple(repository.caregivers(organisation_id)),
            tuple(repository.clients(organisation_id)),
            tuple(repository.interventions(organisation_id, ends_after=context.clock.now())),
            tuple(repository.services(organisation_id)),
            tuple(repository.devices(organisation_id)),
            tuple(repository.threads(organisation_id)),
        )
        report = SyncReport(platform=platform.name)
        state, report = _push_blocks(platform, snapshot, state, report)
        state, report = _push_records(platform, snapshot, state, report)
        state, report = _push_plannings(platform, snapshot, state, report)
        state, report = _push_messages(platform, snapshot, state, report)
        numbers = repository.emergency_numbers(organisation_id)
        platform.push_emergency_numbers(numbers.numbers)
        report = evolve(report, emergency_numbers=len(numbers))
        repository.save_devices(organisation_id, _delivered(snapshot.devices, state))
        repository.save_platform_state(organisation_id, state)
        uow.commit()
    return evolve(report, cursor=state.cursor)


def _delivered(devices: Sequence[Device], state: PlatformState) -> list[Device]:
    """The phones of the caregivers the platform holds, with their waiting data pushed."""
    return [
        device.delivered(item.payload_id for item in device.pending)
        for device in devices
        if device.caregiver_id in state.acknowledged_caregivers and device.pending
    ]


def _push_blocks(
    platform: MobilePlatform, snapshot: _Snapshot, state: PlatformState, report: SyncReport
) -> tuple[PlatformState, SyncReport]:
    blocked = [
        d for d in snapshot.devices if d.loss is not None and d.id not in state.pushed_blocks
    ]
    for device in blocked:
        assert device.loss is not None
        platform.block_device(device.id, device.loss.reason)
    state = evolve(state, pushed_blocks=state.pushed_blocks | {d.id for d in blocked})
    return state, evolve(report, blocked=len(blocked))


def _transmission(snapshot: _Snapshot, state: PlatformState) -> TransmissionPlan:
    return plan_transmission(
        snapshot.caregivers,
        snapshot.clients,
        snapshot.interventions,
        acknowledged_caregivers=state.acknowledged_caregivers,
        acknowledged_clients=state.acknowledged_clients,
    )


def _push_records(
    platform: MobilePlatform,
    snapshot: _Snapshot,
    state: PlatformState,
    report: SyncReport,
) -> tuple[PlatformState, SyncReport]:
    """Withdraw, then push the caregivers; the clients follow the caregivers the platform
    now holds (a client goes with a caregiver already transmitted)."""
    plan = _transmission(snapshot, state)
    gone_caregivers, gone_clients = plan.caregivers_to_withdraw, plan.clients_to_withdraw
    if gone_caregivers or gone_clients:
        platform.withdraw(sorted(gone_caregivers), sorted(gone_clients))
    wanted = [c for c in snapshot.caregivers if c.id in plan.caregivers_to_push]
    held = platform.push_caregivers(wanted) if wanted else frozenset[CaregiverId]()
    state = evolve(
        state,
        acknowledged_caregivers=(state.acknowledged_caregivers - gone_caregivers) | held,
        acknowledged_clients=state.acknowledged_clients - gone_clients,
    )
    plan = _transmission(snapshot, state)
    clients = [c for c in snapshot.clients if c.id in plan.clients_to_push]
    clients_held = platform.push_clients(clients) if clients else frozenset[str]()
    state = evolve(
        state,
        acknowledged_clients=state.acknowledged_clients | {ClientId(c) for c in clients_held},
    )
    return state, evolve(
        report,
        withdrawn=len(gone_caregivers) + len(gone_clients),
        caregivers=len(wanted),
        clients=len(clients),
    )


def _push_plannings(
    platform: MobilePlatform, snapshot: _Snapshot, state: PlatformState, report: SyncReport
) -> tuple[PlatformState, SyncReport]:
    """Each caregiver the platform holds gets her whole planning; it rings when it changed
    since the last push."""
    services = {s.id: s for s in snapshot.services}
    alerts = 0
    for caregiver_id in sorted(state.acknowledged_caregivers):
        mine = tuple(i for i in snapshot.interventions if i.caregiver_id == caregiver_id)
        used = tuple(services[s] for s in sorted({i.service_id for i in mine}) if s in services)
        alert = caregiver_id in state.planning_alerts
        platform.push_planning(PlanningPush(caregiver_id, mine, used, alert=alert))
        alerts += alert
    state = evolve(state, planning_alerts=state.planning_alerts - state.acknowledged_caregivers)
    return state, evolve(report, plannings=len(state.acknowledged_caregivers), alerts=alerts)


def _push_messages(
    platform: MobilePlatform, snapshot: _Snapshot, state: PlatformState, report: SyncReport
) -> tuple[PlatformState, SyncReport]:
    """The office messages still blocking a caregiver the platform holds and not yet
    delivered; the delivered set keeps only those still blocking."""
    blocking = [m for t in snapshot.threads for m in t.blocking()]
    waiting: list[Message] = [
        m
        for m in blocking
        if m.caregiver_id in state.acknowledged_caregivers and m.id not in state.delivered_messages
    ]
    if waiting:
        platform.push_messages(waiting)
    still = {m.id for m in blocking}
    delivered = (state.delivered_messages | {m.id for m in waiting}) & still
    return evolve(state, delivered_messages=delivered), evolve(report, messages_pushed=len(waiting))


# -- pull ------------------------------------------------------------------------------------


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


def _pull(
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
