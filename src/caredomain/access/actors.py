"""Who acts: an :class:`Actor` with roles, and the services it belongs to."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import NewType

from attrs import field, frozen

from caredomain.arguments import checked_fields
from caredomain.validation import members_of

__all__ = ["Actor", "ActorId", "Role"]

ActorId = NewType("ActorId", str)


class Role(StrEnum):
    ADMINISTRATOR = "administrator"  # holds the configuration of the organisation
    MANAGER = "manager"  # runs a ward, a counter service, a daycare, an agency
    AGENT = "agent"  # back-office staff acting for citizens, caregivers, educators
    CITIZEN = "citizen"  # a member of the public acting for themselves


def _roles(values: Iterable[object]) -> frozenset[Role]:
    return members_of(Role, values, "roles")


def _services(value: Iterable[str]) -> frozenset[str]:
    return frozenset(value)


@frozen(field_transformer=checked_fields)
class Actor:
    """The person (or job) on whose behalf a service function runs.

    ``services`` are the departments the actor belongs to (seed 003: an appointment type
    may be restricted to some services of the municipality).
    """

    id: ActorId
    roles: frozenset[Role] = field(converter=_roles)
    services: frozenset[str] = field(default=frozenset(), converter=_services)
    name: str = ""

    def has(self, role: Role) -> bool:
        return role in self.roles

    @classmethod
    def administrator(cls, actor_id: str = "admin", name: str = "") -> Actor:
        return cls(ActorId(actor_id), {Role.ADMINISTRATOR}, name=name)
