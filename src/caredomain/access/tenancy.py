"""Tenancy (seed 002): which configuration a resource belongs to, read where a use case
already holds its unit of work, so that :func:`caredomain.access.authorize` decides."""

from __future__ import annotations

from caredomain.errors import NotFound
from caredomain.organisation import ConfigurationId, OrganisationId
from caredomain.ports import UnitOfWork

__all__ = ["configuration_of"]


def configuration_of(uow: UnitOfWork, organisation_id: OrganisationId) -> ConfigurationId | None:
    """The configuration of the base ``organisation_id``; ``None`` if there is no such base,
    so that an actor of a configuration is refused it as anything not its own — never told
    whether another configuration holds it."""
    try:
        return uow.organisations.get(organisation_id).configuration
    except NotFound:
        return None
