"""Caregivers' phones: enrolment with an access token, the office's "déclaration de perte"
(blocking), the platform's authentication of a phone, and the payloads queued on the
phones until the next push (:func:`enqueue`, :func:`enqueue_everywhere`).
"""

from __future__ import annotations

from caredomain.access import Action, Actor, authorize, authorize_action
from caredomain.arguments import checked
from caredomain.errors import Conflict, Forbidden, NotFound
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
from caredomain.interventions.model import CaregiverId
from caredomain.interventions.ports import (
    InterventionRepository,
    InterventionsUnitOfWork,
    interventions_unit_of_work,
)
from caredomain.interventions.services import steps
from caredomain.interventions.services.access import PLATFORM_SYNC_ACTOR, agency_resource
from caredomain.organisation import OrganisationId
from caredomain.services.context import ServiceContext
from caredomain.text import Text

__all__ = [
    "authenticate_device",
    "block_device",
    "enqueue",
    "enqueue_everywhere",
    "enrol_device",
]


def enqueue(
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


def enqueue_everywhere(
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
    authorize_action(actor, Action.DEVICE_MANAGE)
    with interventions_unit_of_work(context.store) as uow:
        authorize(actor, Action.DEVICE_MANAGE, agency_resource(uow, organisation_id))
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
    authorize_action(actor, Action.DEVICE_MANAGE)
    with interventions_unit_of_work(context.store) as uow:
        authorize(actor, Action.DEVICE_MANAGE, agency_resource(uow, organisation_id))
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
    authorize_action(actor, Action.DEVICE_MANAGE)
    with interventions_unit_of_work(context.store, write=False) as uow:
        authorize(actor, Action.DEVICE_MANAGE, agency_resource(uow, organisation_id))
        found = uow.interventions.devices(organisation_id, ids=[device_id])
    if not found:
        raise Forbidden(Text("unknown or blocked device"))
    return found[0].authenticate(token)
