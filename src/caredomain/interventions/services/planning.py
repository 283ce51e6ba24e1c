"""The office sets up its agency and plans: the agency file, the planned interventions, and
the transmission plan (who goes to the phones, who waits and why) with the platform's
acknowledgements. A caregiver on the phones whose planning changed gets a
:class:`~caredomain.interventions.events.PlanningChanged` and her phone rings at the next push.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from attrs import evolve, frozen

from caredomain.access import (
    Action,
    Actor,
    Resource,
    authorize,
    authorize_action,
    configuration_for,
)
from caredomain.arguments import checked
from caredomain.errors import NotFound
from caredomain.events import Event, OrganisationConfigured
from caredomain.interventions.agency import Agency
from caredomain.interventions.devices import PayloadKind
from caredomain.interventions.events import PlanningChanged
from caredomain.interventions.model import CaregiverId, InterventionId, PlannedIntervention
from caredomain.interventions.ports import (
    InterventionRepository,
    InterventionsUnitOfWork,
    interventions_unit_of_work,
)
from caredomain.interventions.services.access import PLATFORM_SYNC_ACTOR, agency_resource
from caredomain.interventions.services.devices import enqueue, enqueue_everywhere
from caredomain.interventions.transmission import (
    TransmissionPlan,
    plan_transmission,
    planning_changes,
)
from caredomain.organisation import Organisation, OrganisationId
from caredomain.services.context import ServiceContext
from caredomain.text import Text

__all__ = [
    "AgencySetUp",
    "acknowledge_transmission",
    "plan_interventions",
    "set_up_agency",
    "transmission_plan",
]


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
    authorize_action(actor, Action.INTERVENTION_CONFIGURE)
    with interventions_unit_of_work(context.store) as uow:
        agency_of = Resource(
            "agency", organisation.id, configuration=configuration_for(uow, organisation)
        )
        authorize(actor, Action.INTERVENTION_CONFIGURE, agency_of)
        events: list[Event] = _save_organisation(context, uow, organisation)
        repository, oid = uow.interventions, organisation.id
        repository.save_settings(oid, agency.settings)
        repository.save_services(oid, agency.services)
        repository.save_caregivers(oid, agency.caregivers)
        repository.save_clients(oid, agency.clients)
        if repository.emergency_numbers(oid) != agency.emergency_numbers:
            repository.save_emergency_numbers(oid, agency.emergency_numbers)
            enqueue_everywhere(context, repository, oid, PayloadKind.EMERGENCY_NUMBERS)
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
    authorize_action(actor, Action.INTERVENTION_PLAN)
    with interventions_unit_of_work(context.store) as uow:
        authorize(actor, Action.INTERVENTION_PLAN, agency_resource(uow, organisation_id))
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
            enqueue(
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
    authorize_action(actor, Action.INTERVENTION_PLAN)
    with interventions_unit_of_work(context.store, write=False) as uow:
        authorize(actor, Action.INTERVENTION_PLAN, agency_resource(uow, organisation_id))
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
    authorize_action(actor, Action.INTERVENTION_PLAN)
    with interventions_unit_of_work(context.store) as uow:
        authorize(actor, Action.INTERVENTION_PLAN, agency_resource(uow, organisation_id))
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
