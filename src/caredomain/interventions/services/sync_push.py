"""The synchronisation's push, in one unit of work: the blocks of the phones declared lost
since the last push, the withdrawals, the caregivers and clients the transmission plan
says, each caregiver's whole planning (ringing her phone when it changed), the office
messages not yet delivered and the emergency numbers. Pushes state whole values, so a
push repeated after a crash changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from attrs import evolve, frozen

from caredomain.interventions.devices import Device
from caredomain.interventions.messaging import Message, Thread
from caredomain.interventions.model import (
    Caregiver,
    CaregiverId,
    Client,
    ClientId,
    PlannedIntervention,
    Service,
)
from caredomain.interventions.platform import MobilePlatform, PlanningPush
from caredomain.interventions.ports import PlatformState, interventions_unit_of_work
from caredomain.interventions.services.sync_report import SyncReport
from caredomain.interventions.transmission import TransmissionPlan, plan_transmission
from caredomain.organisation import OrganisationId
from caredomain.services.context import ServiceContext

__all__ = ["push"]


@frozen
class _Snapshot:
    caregivers: tuple[Caregiver, ...]
    clients: tuple[Client, ...]
    interventions: tuple[PlannedIntervention, ...]
    services: tuple[Service, ...]
    devices: tuple[Device, ...]
    threads: tuple[Thread, ...]


def push(
    context: ServiceContext, platform: MobilePlatform, organisation_id: OrganisationId
) -> SyncReport:
    """Push what the agency's phones must hold, in one unit of work (see the module's
    docstring); the report of what went out."""
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
