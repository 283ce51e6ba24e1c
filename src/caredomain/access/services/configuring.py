"""The vendor's side of a configuration: setting it up with its bases and console password,
recording the administrator the customer designated, and the configurations still without
one once it is mandatory."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from attrs import evolve, frozen

from caredomain.access.actors import Actor, Role
from caredomain.access.audit import AuditKind
from caredomain.access.configurations import Configuration, User, UserId, bases_of
from caredomain.access.passwords import acceptable
from caredomain.access.policy import Action, authorize, authorize_action, is_allowed
from caredomain.access.ports import AccessUnitOfWork, access_unit_of_work
from caredomain.access.services.common import AccessSettings, configuration_resource, journal
from caredomain.access.transition import missing_administrators
from caredomain.arguments import checked
from caredomain.errors import Conflict, NotFound, RuleViolation
from caredomain.organisation import ConfigurationId, Organisation
from caredomain.secret import Secret
from caredomain.services.context import ServiceContext
from caredomain.text import Text

__all__ = [
    "ConfigurationView",
    "configurations_overview",
    "configure_configuration",
    "designate_administrator",
]


@checked
def configure_configuration(
    context: ServiceContext,
    actor: Actor,
    configuration_id: ConfigurationId,
    *,
    name: str,
    bases: Iterable[Organisation] = (),
    console_password: Secret | None = None,
    settings: AccessSettings | None = None,
) -> Configuration:
    """Create or rename a configuration, add ``bases`` to it (each an organisation, saved
    as a base of this configuration) and set its console password. A base of another
    configuration is refused (:class:`Conflict`): it is not moved."""
    authorize_action(actor, Action.ACCESS_CONFIGURE)
    authorize(actor, Action.ACCESS_CONFIGURE, configuration_resource(configuration_id))
    settings = settings or AccessSettings()
    if console_password is not None:
        acceptable(console_password, field="console_password")
    now = context.clock.now()
    with access_unit_of_work(context.store) as uow:
        try:
            held = uow.access.configuration(configuration_id)
            configuration = evolve(held, name=name)
        except NotFound:
            configuration = Configuration(configuration_id, name)
        if console_password is not None:
            hashed = settings.hasher.hash(console_password)
            configuration = configuration.with_console_password(hashed)
        added = [_add_base(uow, configuration_id, base) for base in bases]
        uow.access.save_configuration(configuration)
        details = {"name": name, "bases": ", ".join(added)}
        if console_password is not None:
            details["console_password"] = "set"
        journal(
            uow, configuration_id, AuditKind.CONFIGURED, at=now, actor=actor.id, details=details
        )
        context.commit(uow, [])
    return configuration


def _add_base(uow: AccessUnitOfWork, configuration_id: ConfigurationId, base: Organisation) -> str:
    """Save ``base`` as a base of the configuration. An organisation already stored may join
    only from a configuration of its own (the default) that is no access configuration."""
    try:
        held = uow.organisations.get(base.id)
    except NotFound:
        uow.organisations.add(evolve(base, configuration=configuration_id))
        return base.id
    if held.configuration != configuration_id:
        standalone = str(held.configuration) == str(held.id) and not _exists(
            uow, held.configuration
        )
        if not standalone:
            raise Conflict(
                Text(
                    "{base} is a base of configuration {other}: it is not moved",
                    base=base.id,
                    other=held.configuration,
                )
            )
    uow.organisations.replace(evolve(base, configuration=configuration_id))
    return base.id


def _exists(uow: AccessUnitOfWork, configuration_id: ConfigurationId) -> bool:
    try:
        uow.access.configuration(configuration_id)
    except NotFound:
        return False
    return True


@checked
def designate_administrator(
    context: ServiceContext,
    actor: Actor,
    configuration_id: ConfigurationId,
    user_id: UserId,
    *,
    full_name: str,
    settings: AccessSettings | None = None,
) -> Configuration:
    """Record the administrator the customer designated ("chaque client doit nommer un
    administrateur"): her user, created if new, holds the administrator role; she is the
    administrator of every base of the configuration. Possible from the transition's
    designation date (:class:`RuleViolation` ``access.designation_not_yet`` before)."""
    authorize_action(actor, Action.ACCESS_CONFIGURE)
    authorize(actor, Action.ACCESS_CONFIGURE, configuration_resource(configuration_id))
    transition = (settings or AccessSettings()).transition
    now = context.clock.now()
    today = transition.day_of(now)
    if not transition.may_designate(today):
        raise RuleViolation(
            "access.designation_not_yet",
            Text(
                "an administrator can be designated from {day}",
                day=transition.designation_from.isoformat(),
            ),
        )
    with access_unit_of_work(context.store) as uow:
        configuration = uow.access.configuration(configuration_id)
        try:
            user = uow.access.user(configuration_id, user_id)
            user = evolve(user, full_name=full_name, roles=user.roles | {Role.ADMINISTRATOR})
        except NotFound:
            user = User(user_id, configuration_id, full_name, {Role.ADMINISTRATOR})
        uow.access.save_user(user)
        designated = configuration.designated(user_id, today)
        uow.access.save_configuration(designated)
        details = {"user": user_id, "name": user.full_name}
        journal(
            uow,
            configuration_id,
            AuditKind.ADMINISTRATOR_DESIGNATED,
            at=now,
            actor=actor.id,
            details=details,
        )
        context.commit(uow, [])
    return designated


@frozen
class ConfigurationView:
    """A configuration as the vendor lists it: its bases, its administrator's name, and
    whether it lacks an administrator past the mandatory date."""

    configuration: Configuration
    bases: list[str]
    administrator_name: str | None
    missing_administrator: bool


@checked
def configurations_overview(
    context: ServiceContext, actor: Actor, *, settings: AccessSettings | None = None
) -> list[ConfigurationView]:
    """The configurations the actor may see (one, for a scoped actor; every one, for an
    actor serving every configuration), by id, with the mandatory-administrator check."""
    authorize_action(actor, Action.ACCESS_CONFIGURE, Action.ACCESS_AUDIT)
    transition = (settings or AccessSettings()).transition
    today: date = transition.day_of(context.clock.now())
    with access_unit_of_work(context.store, write=False) as uow:
        seen = [
            c
            for c in uow.access.configurations()
            if is_allowed(actor, Action.ACCESS_CONFIGURE, configuration_resource(c.id, c))
            or is_allowed(actor, Action.ACCESS_AUDIT, configuration_resource(c.id, c))
        ]
        organisations = [uow.organisations.get(i) for i in uow.organisations.ids()]
        names = {
            c.id: uow.access.user(c.id, c.administrator).full_name
            for c in seen
            if c.administrator is not None
        }
    missing = {c.id for c in missing_administrators(seen, today, transition)}
    return [
        ConfigurationView(c, bases_of(c.id, organisations), names.get(c.id), c.id in missing)
        for c in seen
    ]
