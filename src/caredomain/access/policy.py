"""The one place that decides who may do what: a table from action to rule.

Deny by default: an action missing from :data:`POLICY`, an actor whose roles the rule does
not accept, or anything that is not an :class:`Actor` (``None``), is refused with
:class:`~caredomain.errors.Forbidden`. Each module adds its actions here, so that the whole
policy reads in one page.

A use case asks twice. First, before it looks anything up, :func:`authorize_action`: may
this actor take this action on anything at all? An outsider is refused there, before a
lookup could tell her what exists and whether or not the call would change anything. Then,
once it knows the resource (its unit, its services, its owner), :func:`authorize`.

A manager acts on a unit's resource only when she manages one of its units: a resource
that names no unit is the administrators' (never "any manager's").

Tenancy comes before any rule (seed 002): an actor acts only on the resources of its own
configuration (:func:`in_scope`), whatever its roles; a resource that names no
configuration is refused to every actor but those scoped :class:`Everywhere`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from enum import StrEnum
from types import MappingProxyType

from attrs import field, frozen

from caredomain.access.actors import Actor, Everywhere, Role
from caredomain.errors import Forbidden
from caredomain.organisation import ConfigurationId
from caredomain.text import Text

__all__ = [
    "POLICY",
    "Action",
    "Resource",
    "Rule",
    "authorize",
    "authorize_action",
    "in_scope",
    "is_allowed",
    "may_attempt",
]


class Action(StrEnum):
    ORGANISATION_CONFIGURE = "organisation.configure"
    CALENDAR_VIEW = "calendar.view"
    # Appointment slots (seed 003).
    SLOT_CONFIGURE = "slot.configure"  # types, places, reference weeks, opening days
    COUNTER_MANAGE = "slot.counter.manage"  # counters and the weeks applied to them
    APPOINTMENT_MANAGE = "appointment.manage"  # back office, for a citizen
    APPOINTMENT_SELF_SERVICE = "appointment.self_service"  # portal, a citizen for themself
    # Rosters and the GTT feed (seed 000).
    ROSTER_CONFIGURE = "roster.configure"  # code catalogue, settings, ward files
    ROSTER_PLAN = "roster.plan"  # plannings, assignments, vacancies, candidates, swaps
    ROSTER_EDIT_CODE = "roster.edit_code"  # local edits ("Gestion Desiderata")
    ROSTER_VIEW = "roster.view"  # codes, posts, pending local edits
    ROSTER_FEED = "roster.feed"  # apply GTT batches: the "gtt-feed" system actor
    # Notifications (seed 003).
    NOTIFICATION_CONFIGURE = "notification.configure"  # channels per kind and type, texts
    NOTIFICATION_VIEW = "notification.view"  # the outbox, previews of the texts
    NOTIFICATION_DISPATCH = "notification.dispatch"  # send due messages: the "notifier" job
    # Home-care interventions (seed 004).
    INTERVENTION_CONFIGURE = "intervention.configure"  # agency file, alarm, tolerances
    INTERVENTION_PLAN = "intervention.plan"  # planning, transmission, phonebook, requests
    VISIT_RECORD = "visit.record"  # punches and visit data: the caregiver, or the sync
    VISIT_CORRECT = "visit.correct"  # the office's corrections on top of the punch log
    VISIT_VIEW = "visit.view"  # visit logs and reconciliation (a caregiver: her own)
    PHONE_MESSAGE = "phone.message"  # threads: the office, or the caregiver in her own
    DEVICE_MANAGE = "device.manage"  # enrol and block phones, check their tokens
    ALARM = "alarm"  # the DATI alarm: a caregiver's own; ticks run as a system actor
    # Daycare pickups (seed 001).
    PICKUP_CONFIGURE = "pickup.configure"  # installations, files, HopHop accounts, the sync
    PICKUP_APPROVE = "pickup.approve"  # approvals, activation mails, moving between groups
    PICKUP_ANNOUNCE = "pickup.announce"  # what parents send through HopHop: its system actor
    PICKUP_ATTEND = "pickup.attend"  # an installation's alerts and Call, Ready, Departed
    # Configurations, their administrator, modes, break-glass and audit (seed 002).
    ACCESS_CONFIGURE = "access.configure"  # the vendor: configurations, bases, designation
    ACCESS_ADMINISTER = "access.administer"  # the designated administrator: users, password
    ACCESS_ENTER = "access.enter"  # enter console or Administrator mode
    ACCESS_BREAKGLASS = "access.breakglass"  # break-glass console interventions
    ACCESS_AUDIT = "access.audit"  # read and verify a configuration's audit journal


def _services(value: Iterable[str]) -> frozenset[str]:
    return frozenset(value)


@frozen
class Resource:
    """What an action is about: its kind and id, the configuration it belongs to (that of
    its organisation), its owner, the services that manage it."""

    kind: str
    id: str = ""
    owner: str | None = None
    services: frozenset[str] = field(default=frozenset(), converter=_services)
    configuration: ConfigurationId | None = None

    def __str__(self) -> str:
        return f"{self.kind} {self.id}".strip()


Test = Callable[[Actor, Resource], bool]


@frozen
class Rule:
    """Who may take an action: ``roles``, the only roles that may ever be allowed it, and
    ``test``, which decides for one resource (given an actor holding one of them)."""

    roles: frozenset[Role]
    test: Test

    def __call__(self, actor: Actor, resource: Resource) -> bool:
        return bool(actor.roles & self.roles) and self.test(actor, resource)


def any_of(*roles: Role) -> Rule:
    """The actor holds at least one of ``roles``."""
    return Rule(frozenset(roles), lambda actor, resource: True)


def _manages(actor: Actor, resource: Resource) -> bool:
    """An administrator, or a manager of one of the resource's units (none if it has none)."""
    return actor.has(Role.ADMINISTRATOR) or (
        actor.has(Role.MANAGER) and bool(actor.services & resource.services)
    )


def _owns(actor: Actor, resource: Resource) -> bool:
    return actor.has(Role.AGENT) and resource.owner is not None and resource.owner == actor.id


def _self_or(*roles: Role) -> Rule:
    """One of ``roles``, or an agent acting on what is her own (``resource.owner``)."""
    office = frozenset(roles)
    return Rule(
        office | {Role.AGENT},
        lambda actor, resource: bool(actor.roles & office) or _owns(actor, resource),
    )


def _staff(actor: Actor, resource: Resource) -> bool:
    """An administrator, or someone on the staff of one of the resource's units."""
    return actor.has(Role.ADMINISTRATOR) or bool(actor.services & resource.services)


def _designated(actor: Actor, resource: Resource) -> bool:
    """Seed 002: the administrator a configuration designated (``resource.owner``)."""
    return (
        actor.has(Role.ADMINISTRATOR)
        and resource.owner is not None
        and (resource.owner == actor.id)
    )


def _enters(actor: Actor, resource: Resource) -> bool:
    """Console mode is the technicians'; Administrator mode is the designated
    administrator's, and a technician's while the console password opens it (the
    passwords and the transition decide: caredomain.access.sessions)."""
    if actor.has(Role.TECHNICIAN):
        return True
    return resource.id == "administrator" and _designated(actor, resource)


def _counter_managers(actor: Actor, resource: Resource) -> bool:
    # Seed 003: a type that names no services is open to every service, so to every manager.
    return actor.has(Role.ADMINISTRATOR) or (
        actor.has(Role.MANAGER)
        and (not resource.services or bool(actor.services & resource.services))
    )


POLICY: Mapping[Action, Rule] = MappingProxyType(
    {
        Action.ORGANISATION_CONFIGURE: any_of(Role.ADMINISTRATOR),
        Action.CALENDAR_VIEW: any_of(
            Role.ADMINISTRATOR, Role.MANAGER, Role.AGENT, Role.CITIZEN, Role.TECHNICIAN
        ),
        # Seed 003: the global administrator holds the appointment configuration; counters
        # are also open to managers of the services the type is restricted to (all, if none).
        Action.SLOT_CONFIGURE: any_of(Role.ADMINISTRATOR),
        Action.COUNTER_MANAGE: Rule(
            frozenset({Role.ADMINISTRATOR, Role.MANAGER}), _counter_managers
        ),
        Action.APPOINTMENT_MANAGE: any_of(Role.ADMINISTRATOR, Role.MANAGER, Role.AGENT),
        Action.APPOINTMENT_SELF_SERVICE: Rule(
            frozenset({Role.CITIZEN}), lambda actor, resource: resource.owner == actor.id
        ),
        # Seed 000: administrators hold everything; managers plan the posts of their units
        # and edit and see the codes of their units' agents (resource.services: a post's
        # unit, or the units where an agent holds posts); agents see their own days; the
        # feed runs as the system actor "gtt-feed"
        # (caredomain.roster.services.GTT_FEED_ACTOR), an administrator.
        Action.ROSTER_CONFIGURE: any_of(Role.ADMINISTRATOR),
        Action.ROSTER_PLAN: Rule(frozenset({Role.ADMINISTRATOR, Role.MANAGER}), _manages),
        Action.ROSTER_EDIT_CODE: Rule(frozenset({Role.ADMINISTRATOR, Role.MANAGER}), _manages),
        Action.ROSTER_VIEW: Rule(
            frozenset({Role.ADMINISTRATOR, Role.MANAGER, Role.AGENT}),
            lambda actor, resource: _manages(actor, resource) or _owns(actor, resource),
        ),
        Action.ROSTER_FEED: any_of(Role.ADMINISTRATOR),
        # Seed 003: the global administrator chooses the notifications and their texts;
        # dispatch runs as the system actor "notifier"
        # (caredomain.notifications.services.NOTIFIER_ACTOR), an administrator.
        Action.NOTIFICATION_CONFIGURE: any_of(Role.ADMINISTRATOR),
        Action.NOTIFICATION_VIEW: any_of(Role.ADMINISTRATOR, Role.MANAGER),
        Action.NOTIFICATION_DISPATCH: any_of(Role.ADMINISTRATOR),
        # Seed 004: the office (administrators, managers) plans, corrects and writes; a
        # caregiver (an agent) acts in her own name only (resource.owner); the mobile
        # platform's sync and the alarm clock run as system actors, administrators
        # (caredomain.interventions.services.PLATFORM_SYNC_ACTOR, ALARM_CLOCK_ACTOR).
        Action.INTERVENTION_CONFIGURE: any_of(Role.ADMINISTRATOR),
        Action.INTERVENTION_PLAN: any_of(Role.ADMINISTRATOR, Role.MANAGER),
        Action.VISIT_RECORD: _self_or(Role.ADMINISTRATOR),
        Action.VISIT_CORRECT: any_of(Role.ADMINISTRATOR, Role.MANAGER),
        Action.VISIT_VIEW: _self_or(Role.ADMINISTRATOR, Role.MANAGER),
        Action.PHONE_MESSAGE: _self_or(Role.ADMINISTRATOR, Role.MANAGER),
        Action.DEVICE_MANAGE: any_of(Role.ADMINISTRATOR, Role.MANAGER),
        Action.ALARM: _self_or(Role.ADMINISTRATOR),
        # Seed 001: administrators configure the daycare and its HopHop accounts; the staff
        # of an installation (resource.services: the installation) approve, see its alerts
        # and tap Call, Ready, Departed; announcements come in as the system actor "hophop"
        # (caredomain.pickup.services.HOPHOP_ACTOR), an administrator.
        Action.PICKUP_CONFIGURE: any_of(Role.ADMINISTRATOR),
        Action.PICKUP_APPROVE: Rule(
            frozenset({Role.ADMINISTRATOR, Role.MANAGER, Role.AGENT}), _staff
        ),
        Action.PICKUP_ANNOUNCE: any_of(Role.ADMINISTRATOR),
        Action.PICKUP_ATTEND: Rule(
            frozenset({Role.ADMINISTRATOR, Role.MANAGER, Role.AGENT}), _staff
        ),
        # Seed 002: the vendor's technicians set configurations up and record the
        # administrator the customer designated, run break-glass interventions and read the
        # audit; only the designated administrator (resource.owner) creates users and sets
        # her password, and reads her configuration's audit. Mode entry: see _enters.
        Action.ACCESS_CONFIGURE: any_of(Role.TECHNICIAN),
        Action.ACCESS_ADMINISTER: Rule(frozenset({Role.ADMINISTRATOR}), _designated),
        Action.ACCESS_ENTER: Rule(frozenset({Role.ADMINISTRATOR, Role.TECHNICIAN}), _enters),
        Action.ACCESS_BREAKGLASS: any_of(Role.TECHNICIAN),
        Action.ACCESS_AUDIT: Rule(
            frozenset({Role.ADMINISTRATOR, Role.TECHNICIAN}),
            lambda actor, resource: actor.has(Role.TECHNICIAN) or _designated(actor, resource),
        ),
    }
)


def in_scope(actor: Actor, resource: Resource) -> bool:
    """Seed 002: whether ``resource`` is of ``actor``'s configuration (or the actor serves
    every configuration)."""
    scope = actor.configuration
    if isinstance(scope, Everywhere):
        return True
    return scope is not None and scope == resource.configuration


def is_allowed(actor: Actor | None, action: Action, resource: Resource) -> bool:
    rule = POLICY.get(action)
    return (
        isinstance(actor, Actor)
        and rule is not None
        and in_scope(actor, resource)
        and rule(actor, resource)
    )


def may_attempt(actor: Actor | None, *actions: Action) -> bool:
    """Whether ``actor`` holds a role that one of ``actions`` may be allowed to, on some
    resource of its configuration: what a use case asks before it looks anything up."""
    if not isinstance(actor, Actor) or actor.configuration is None:
        return False
    rules = (POLICY.get(action) for action in actions)
    return any(rule is not None and bool(actor.roles & rule.roles) for rule in rules)


def authorize(actor: Actor | None, action: Action, resource: Resource) -> None:
    """Return if ``actor`` may perform ``action`` on ``resource``; raise Forbidden otherwise."""
    if is_allowed(actor, action, resource):
        return
    if isinstance(actor, Actor) and actor.configuration is None:
        raise Forbidden(_unscoped(actor, action.value))
    if isinstance(actor, Actor) and not in_scope(actor, resource):
        raise Forbidden(
            Text(
                "{who} may not {action} on {resource}: it is not of {who}'s configuration",
                who=_who(actor),
                action=action.value,
                resource=str(resource),
            )
        )
    raise Forbidden(
        Text(
            "{who} may not {action} on {resource}",
            who=_who(actor),
            action=action.value,
            resource=str(resource),
        )
    )


def authorize_action(actor: Actor | None, *actions: Action) -> None:
    """Return if ``actor`` may take one of ``actions`` on some resource; raise Forbidden
    otherwise. Every use case calls it first, before any lookup."""
    if not may_attempt(actor, *actions):
        wanted: str = actions[0].value if actions else ""
        for action in actions[1:]:
            wanted = Text("{either} or {other}", either=wanted, other=action.value)
        if isinstance(actor, Actor) and actor.configuration is None:
            raise Forbidden(_unscoped(actor, wanted))
        raise Forbidden(Text("{who} may not {action}", who=_who(actor), action=wanted))


def _unscoped(actor: Actor, action: str) -> Text:
    return Text(
        "{who} may not {action}: it belongs to no configuration", who=_who(actor), action=action
    )


def _who(actor: object) -> str:
    return str(actor.id) if isinstance(actor, Actor) else Text("nobody")
