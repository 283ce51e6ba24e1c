"""The phonebook the phones show: the emergency shortcuts (on every phone) and the shared
directory, with the caregivers who visit the same clients.
"""

from __future__ import annotations

from caredomain.access import Action, Actor, authorize, authorize_action
from caredomain.arguments import checked
from caredomain.interventions.devices import PayloadKind
from caredomain.interventions.model import CaregiverId
from caredomain.interventions.phonebook import (
    Directory,
    DirectoryEntry,
    DirectoryEntryId,
    DirectoryLine,
    EmergencyNumbers,
)
from caredomain.interventions.ports import InterventionsUnitOfWork, interventions_unit_of_work
from caredomain.interventions.services import steps
from caredomain.interventions.services.access import agency_resource, caregiver_resource
from caredomain.interventions.services.devices import enqueue_everywhere
from caredomain.organisation import OrganisationId
from caredomain.services.context import ServiceContext

__all__ = [
    "add_emergency_number",
    "caregiver_directory",
    "put_directory_entry",
    "remove_directory_entry",
    "remove_emergency_number",
]


@checked
def add_emergency_number(
    context: ServiceContext,
    actor: Actor,
    organisation_id: OrganisationId,
    label: str,
    number: str,
) -> EmergencyNumbers:
    """One more emergency shortcut on every phone (five at most: ``emergency.too_many``)."""
    authorize_action(actor, Action.INTERVENTION_PLAN)
    with interventions_unit_of_work(context.store) as uow:
        authorize(actor, Action.INTERVENTION_PLAN, agency_resource(uow, organisation_id))
        region = uow.organisations.get(organisation_id).country
        numbers = uow.interventions.emergency_numbers(organisation_id).add(label, number, region)
        _save_numbers(context, uow, organisation_id, numbers)
    return numbers


@checked
def remove_emergency_number(
    context: ServiceContext, actor: Actor, organisation_id: OrganisationId, label: str
) -> EmergencyNumbers:
    """Take the shortcut labelled ``label`` off every phone (NotFound if none is)."""
    authorize_action(actor, Action.INTERVENTION_PLAN)
    with interventions_unit_of_work(context.store) as uow:
        authorize(actor, Action.INTERVENTION_PLAN, agency_resource(uow, organisation_id))
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
    enqueue_everywhere(context, uow.interventions, organisation_id, PayloadKind.EMERGENCY_NUMBERS)
    uow.commit()


@checked
def put_directory_entry(
    context: ServiceContext, actor: Actor, organisation_id: OrganisationId, entry: DirectoryEntry
) -> Directory:
    """Add an entry to the shared directory, or replace the one with its id."""
    authorize_action(actor, Action.INTERVENTION_PLAN)
    with interventions_unit_of_work(context.store) as uow:
        authorize(actor, Action.INTERVENTION_PLAN, agency_resource(uow, organisation_id))
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
    authorize_action(actor, Action.INTERVENTION_PLAN)
    with interventions_unit_of_work(context.store) as uow:
        authorize(actor, Action.INTERVENTION_PLAN, agency_resource(uow, organisation_id))
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
    authorize_action(actor, Action.VISIT_VIEW)
    with interventions_unit_of_work(context.store, write=False) as uow:
        authorize(actor, Action.VISIT_VIEW, caregiver_resource(uow, caregiver_id, organisation_id))
        repository = uow.interventions
        steps.load_caregiver(uow, organisation_id, caregiver_id)
        return repository.directory(organisation_id).for_caregiver(
            caregiver_id,
            repository.interventions(organisation_id, ends_after=context.clock.now()),
            repository.caregivers(organisation_id),
        )
