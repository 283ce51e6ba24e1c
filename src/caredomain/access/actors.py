"""Who acts: an :class:`Actor` with roles, the configuration it belongs to, and the services
it belongs to."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import NewType

from attrs import evolve, field, frozen

from caredomain.arguments import checked_fields
from caredomain.organisation import ConfigurationId
from caredomain.validation import members_of, non_blank

__all__ = ["Actor", "ActorId", "Everywhere", "Role"]

ActorId = NewType("ActorId", str)


class Role(StrEnum):
    ADMINISTRATOR = "administrator"  # holds the configuration of the organisation
    MANAGER = "manager"  # runs a ward, a counter service, a daycare, an agency
    AGENT = "agent"  # back-office staff acting for citizens, caregivers, educators
    CITIZEN = "citizen"  # a member of the public acting for themselves
    # Seed 002: the vendor's support technicians ("techniciens EIG"). They hold no
    # customer's role: they configure configurations, enter console mode, and run
    # break-glass interventions (caredomain.access.breakglass).
    TECHNICIAN = "technician"


@frozen(field_transformer=checked_fields)
class Everywhere:
    """The scope of an actor that serves every configuration of a store, and why it must:
    a job that sends the whole outbox, an operator holding the database itself. Saying why
    is part of the value, so that every such actor reads as a decision."""

    reason: str = field(validator=non_blank)


def _roles(values: Iterable[object]) -> frozenset[Role]:
    return members_of(Role, values, "roles")


def _services(value: Iterable[str]) -> frozenset[str]:
    return frozenset(value)


@frozen(field_transformer=checked_fields)
class Actor:
    """The person (or job) on whose behalf a service function runs.

    ``configuration`` is the tenant it belongs to (seed 002): it acts on nothing of another
    configuration, whatever its roles. An actor of no configuration (``None``) is refused
    everything; a job that serves every configuration says so with :class:`Everywhere`.
    ``services`` are the departments the actor belongs to (seed 003: an appointment type
    may be restricted to some services of the municipality).
    """

    id: ActorId
    roles: frozenset[Role] = field(converter=_roles)
    services: frozenset[str] = field(default=frozenset(), converter=_services)
    name: str = ""
    configuration: ConfigurationId | Everywhere | None = None

    def has(self, role: Role) -> bool:
        return role in self.roles

    def within(self, configuration: ConfigurationId) -> Actor:
        """The same actor, scoped to ``configuration`` (a system job run for one tenant)."""
        return evolve(self, configuration=configuration)

    @classmethod
    def administrator(
        cls,
        actor_id: str = "admin",
        name: str = "",
        configuration: ConfigurationId | Everywhere | None = None,
    ) -> Actor:
        return cls(ActorId(actor_id), {Role.ADMINISTRATOR}, name=name, configuration=configuration)
