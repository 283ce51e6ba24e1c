"""Tenancy (seed 002) where a use case holds its unit of work: which configuration a base
belongs to, and the refusal of a base not of the actor's configuration before anything of
it is read. The rule itself is :func:`caredomain.access.policy.in_scope`."""

from __future__ import annotations

from caredomain.access.actors import Actor, Everywhere
from caredomain.access.policy import Action, Resource, authorize, in_scope
from caredomain.errors import Forbidden, NotFound
from caredomain.organisation import ConfigurationId, Organisation, OrganisationId
from caredomain.ports import UnitOfWork
from caredomain.text import Text

__all__ = [
    "authorize_base",
    "authorize_scope",
    "base_of",
    "configuration_for",
    "configuration_of",
]


def configuration_of(uow: UnitOfWork, organisation_id: OrganisationId) -> ConfigurationId | None:
    """The configuration of the base ``organisation_id``; ``None`` if there is no such base,
    so that an actor of a configuration is refused it as anything not its own — never told
    whether another configuration holds it."""
    try:
        return uow.organisations.get(organisation_id).configuration
    except NotFound:
        return None


def configuration_for(uow: UnitOfWork, organisation: Organisation) -> ConfigurationId:
    """The configuration of the base ``organisation`` as the store holds it, or, for a base
    not stored yet, the one it names: what a use case that may create the base authorizes."""
    return configuration_of(uow, organisation.id) or organisation.configuration


def authorize_base(
    actor: Actor,
    uow: UnitOfWork,
    organisation_id: OrganisationId,
    action: Action | None = None,
) -> ConfigurationId | None:
    """Refuse ``actor`` the base ``organisation_id`` unless it is of its configuration —
    and, given ``action``, unless its rule allows it on the base itself — then return that
    configuration, for the resources the use case authorizes next. A use case calls it
    first in its unit of work, after :func:`~caredomain.access.authorize_action`."""
    configuration = configuration_of(uow, organisation_id)
    _refuse_outside(actor, organisation_id, configuration)
    if action is not None:
        base = Resource("organisation", organisation_id, configuration=configuration)
        authorize(actor, action, base)
    return configuration


def base_of(actor: Actor, uow: UnitOfWork, organisation_id: OrganisationId) -> Organisation:
    """The base ``organisation_id``, read once, refused as :func:`authorize_base` does; a
    missing base is :class:`~caredomain.errors.NotFound` only to an actor serving every
    configuration (to any other, it is not of its configuration)."""
    try:
        organisation = uow.organisations.get(organisation_id)
    except NotFound:
        if isinstance(actor.configuration, Everywhere):
            raise
        _refuse_outside(actor, organisation_id, None)
        raise
    _refuse_outside(actor, organisation_id, organisation.configuration)
    return organisation


def _refuse_outside(
    actor: Actor, organisation_id: OrganisationId, configuration: ConfigurationId | None
) -> None:
    authorize_scope(actor, Resource("organisation", organisation_id, configuration=configuration))


def authorize_scope(actor: Actor, resource: Resource) -> None:
    """Refuse ``actor`` ``resource`` unless it is of its configuration, whatever the action:
    what a use case asks of what it reads first (a base, a roster)."""
    if not in_scope(actor, resource):
        raise Forbidden(
            Text(
                "{who} may not act on {resource}: it is not of {who}'s configuration",
                who=str(actor.id),
                resource=str(resource),
            )
        )
