"""The one place that decides who may do what: a table from action to rule.

Deny by default: an action missing from :data:`POLICY`, or an actor whose roles the rule
does not accept, is refused with :class:`~caredomain.errors.Forbidden`. Each module adds
its actions here, so that the whole policy reads in one page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from enum import StrEnum
from types import MappingProxyType

from attrs import field, frozen

from caredomain.access.actors import Actor, Role
from caredomain.errors import Forbidden

__all__ = ["POLICY", "Action", "Resource", "authorize", "is_allowed"]


class Action(StrEnum):
    ORGANISATION_CONFIGURE = "organisation.configure"
    CALENDAR_VIEW = "calendar.view"
    # Appointment slots (seed 003).
    SLOT_CONFIGURE = "slot.configure"  # types, places, reference weeks, opening days
    COUNTER_MANAGE = "slot.counter.manage"  # counters and the weeks applied to them
    APPOINTMENT_MANAGE = "appointment.manage"  # back office, for a citizen
    APPOINTMENT_SELF_SERVICE = "appointment.self_service"  # portal, a citizen for themself


def _services(value: Iterable[str]) -> frozenset[str]:
    return frozenset(value)


@frozen
class Resource:
    """What an action is about: its kind and id, its owner, the services that manage it."""

    kind: str
    id: str = ""
    owner: str | None = None
    services: frozenset[str] = field(default=frozenset(), converter=_services)

    def __str__(self) -> str:
        return f"{self.kind} {self.id}".strip()


Rule = Callable[[Actor, Resource], bool]


def any_of(*roles: Role) -> Rule:
    """The actor holds at least one of ``roles``."""
    wanted = frozenset(roles)

    def rule(actor: Actor, resource: Resource) -> bool:
        return bool(actor.roles & wanted)

    return rule


POLICY: Mapping[Action, Rule] = MappingProxyType(
    {
        Action.ORGANISATION_CONFIGURE: any_of(Role.ADMINISTRATOR),
        Action.CALENDAR_VIEW: any_of(Role.ADMINISTRATOR, Role.MANAGER, Role.AGENT, Role.CITIZEN),
        # Seed 003: the global administrator holds the appointment configuration; counters
        # are also open to managers of the services the type is restricted to (all, if none).
        Action.SLOT_CONFIGURE: any_of(Role.ADMINISTRATOR),
        Action.COUNTER_MANAGE: lambda actor, resource: (
            actor.has(Role.ADMINISTRATOR)
            or (
                actor.has(Role.MANAGER)
                and (not resource.services or bool(actor.services & resource.services))
            )
        ),
        Action.APPOINTMENT_MANAGE: any_of(Role.ADMINISTRATOR, Role.MANAGER, Role.AGENT),
        Action.APPOINTMENT_SELF_SERVICE: lambda actor, resource: (
            actor.has(Role.CITIZEN) and resource.owner == actor.id
        ),
    }
)


def is_allowed(actor: Actor, action: Action, resource: Resource) -> bool:
    rule = POLICY.get(action)
    return rule is not None and rule(actor, resource)


def authorize(actor: Actor, action: Action, resource: Resource) -> None:
    """Return if ``actor`` may perform ``action`` on ``resource``; raise Forbidden otherwise."""
    if not is_allowed(actor, action, resource):
        raise Forbidden(f"{actor.id} may not {action.value} on {resource}")
