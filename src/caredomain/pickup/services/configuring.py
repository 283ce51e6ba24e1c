"""The daycare's files and its HopHop accounts: setting them up, linking an installation's
account, moving a child to another group, approvals and activations. The data sync is in
:mod:`caredomain.pickup.services.syncing`."""

from __future__ import annotations

from collections.abc import Iterable

from caredomain.access import Action, Actor, Resource, authorize, authorize_action, authorize_base
from caredomain.arguments import checked
from caredomain.errors import Conflict, NotFound
from caredomain.organisation import ConfigurationId, OrganisationId
from caredomain.pickup.approvals import Activation, activation, approved
from caredomain.pickup.model import (
    AccountSettings,
    Child,
    ChildId,
    Group,
    GroupId,
    HopHopAccount,
    Installation,
    InstallationId,
    LinkProblem,
    Parent,
    ParentId,
)
from caredomain.pickup.ports import HopHopPlatform, PickupUnitOfWork, pickup_unit_of_work
from caredomain.secret import Secret
from caredomain.services.context import ServiceContext
from caredomain.text import Text

__all__ = [
    "activations",
    "approve_child",
    "hophop_accounts",
    "link_account",
    "move_child",
    "resend_activation",
    "set_up_daycare",
]


def daycare_resource(organisation_id: str, configuration: ConfigurationId | None) -> Resource:
    """A daycare, as the access policy sees it: a base of its configuration."""
    return Resource("daycare", organisation_id, configuration=configuration)


def installation_resource(
    installation: InstallationId, configuration: ConfigurationId | None
) -> Resource:
    """An installation, as the access policy sees it: its staff hold it in their services;
    it is of its daycare's configuration."""
    return Resource(
        "installation",
        installation,
        services=frozenset({installation}),
        configuration=configuration,
    )


@checked
def set_up_daycare(
    context: ServiceContext,
    actor: Actor,
    organisation_id: str,
    *,
    installations: Iterable[Installation] = (),
    groups: Iterable[Group] = (),
    children: Iterable[Child] = (),
    parents: Iterable[Parent] = (),
) -> None:
    """Save the daycare's installations, groups, children and parents (each replaces the
    one with its id); the organisation must exist."""
    authorize_action(actor, Action.PICKUP_CONFIGURE)
    with pickup_unit_of_work(context.store) as uow:
        configuration = authorize_base(actor, uow, OrganisationId(organisation_id))
        authorize(actor, Action.PICKUP_CONFIGURE, daycare_resource(organisation_id, configuration))
        uow.organisations.get(OrganisationId(organisation_id))
        repository = uow.pickup
        for installation in installations:
            repository.save_installation(organisation_id, installation)
        for group in groups:
            repository.save_group(organisation_id, group)
        for parent in parents:
            repository.save_parent(organisation_id, parent)
        for child in children:
            repository.save_child(organisation_id, child)
        context.commit(uow, [])


@checked
def link_account(
    context: ServiceContext,
    actor: Actor,
    organisation_id: str,
    installation: InstallationId,
    *,
    email: str,
    password: Secret,
    platform: HopHopPlatform,
    create: bool = False,
    settings: AccountSettings | None = None,
) -> HopHopAccount:
    """Link an installation to its HopHop account ("J'ai déjà un compte", or ``create`` for
    a new one): green when HopHop accepts, red with why when not. An e-mail another of the
    daycare's installations uses is refused before HopHop is asked.

    HopHop is asked between two units of work, so that no lock is held while it answers.
    The first claims the e-mail for the installation (saved red, not linked yet, unless the
    installation holds it already): another installation linking it meanwhile is refused
    before HopHop is asked. The second saves HopHop's answer, unless the e-mail went to
    another installation meanwhile (this one's link was replaced, then its e-mail linked
    there): then :class:`Conflict`, and nothing is saved. When HopHop gives no answer (it
    is unreachable), the installation's previous account is put back, so that a failed
    change of e-mail never breaks a green link."""
    authorize_action(actor, Action.PICKUP_CONFIGURE)
    with pickup_unit_of_work(context.store) as uow:
        configuration = authorize_base(actor, uow, OrganisationId(organisation_id))
        authorize(actor, Action.PICKUP_CONFIGURE, daycare_resource(organisation_id, configuration))
        _installation(uow, organisation_id, installation)
        _refuse_taken(uow, organisation_id, installation, email)
        held = uow.pickup.account(organisation_id, installation)
        account = HopHopAccount(
            installation, email, settings=settings or (held.settings if held else AccountSettings())
        )
        claimed = held is None or held.email.casefold() != email.casefold()
        if claimed:
            uow.pickup.save_account(organisation_id, account)
        context.commit(uow, [])
    try:
        problem = platform.link(account, password, create=create)
    except BaseException:
        if claimed and held is not None:
            _put_back(context, organisation_id, claim=account, held=held)
        raise
    account = account.linked() if problem is None else account.broken(problem)
    with pickup_unit_of_work(context.store) as uow:
        authorize_base(actor, uow, OrganisationId(organisation_id))
        _refuse_taken(uow, organisation_id, installation, email)
        uow.pickup.save_account(organisation_id, account)
        context.commit(uow, [])
    return account


def _put_back(
    context: ServiceContext, organisation_id: str, *, claim: HopHopAccount, held: HopHopAccount
) -> None:
    """``held`` saved again in place of ``claim``, unless the account changed since."""
    with pickup_unit_of_work(context.store) as uow:
        if uow.pickup.account(organisation_id, held.installation) == claim:
            uow.pickup.save_account(organisation_id, held)
            context.commit(uow, [])


def _refuse_taken(
    uow: PickupUnitOfWork, organisation_id: str, installation: InstallationId, email: str
) -> None:
    """:class:`Conflict` if another of the daycare's installations holds ``email``."""
    for other in uow.pickup.installations(organisation_id):
        if other.id == installation:
            continue
        account = uow.pickup.account(organisation_id, other.id)
        if account is not None and account.email.casefold() == email.casefold():
            raise Conflict(
                Text("{email} is the HopHop account of {other}", email=email, other=other.id)
            )


def _installation(
    uow: PickupUnitOfWork, organisation_id: str, installation: InstallationId
) -> Installation:
    for known in uow.pickup.installations(organisation_id):
        if known.id == installation:
            return known
    raise NotFound(Text("no installation {installation}", installation=installation))


def cut_bridge(
    context: ServiceContext, organisation_id: str, account: HopHopAccount
) -> LinkProblem:
    """Record that HopHop no longer links ``account``: its password was changed on HopHop's
    side, which cuts the bridge (the seed). It stays red until linked again.

    Not a use case, and not exported: a step of :func:`sync_hophop` and :func:`ready_child`
    once they have authorized their actor and HopHop has answered "not linked", committed
    in a unit of its own so that the account stays red whatever the caller does next."""
    with pickup_unit_of_work(context.store) as uow:
        uow.pickup.save_account(organisation_id, account.broken(LinkProblem.PASSWORD_CHANGED))
        context.commit(uow, [])
    return LinkProblem.PASSWORD_CHANGED


@checked
def hophop_accounts(
    context: ServiceContext, actor: Actor, organisation_id: str
) -> list[tuple[Installation, HopHopAccount | None]]:
    """Each installation and its HopHop account — green, or red with why — or ``None``
    while none was ever linked: the buttons of the seed's "Intégrations" screen."""
    authorize_action(actor, Action.PICKUP_CONFIGURE)
    with pickup_unit_of_work(context.store, write=False) as uow:
        configuration = authorize_base(actor, uow, OrganisationId(organisation_id))
        authorize(actor, Action.PICKUP_CONFIGURE, daycare_resource(organisation_id, configuration))
        return [
            (installation, uow.pickup.account(organisation_id, installation.id))
            for installation in uow.pickup.installations(organisation_id)
        ]


@checked
def move_child(
    context: ServiceContext, actor: Actor, organisation_id: str, child_id: ChildId, group: GroupId
) -> Child:
    """Move a child to another group of her installation: her alerts ring there from now."""
    authorize_action(actor, Action.PICKUP_APPROVE)
    with pickup_unit_of_work(context.store) as uow:
        configuration = authorize_base(actor, uow, OrganisationId(organisation_id))
        child = uow.pickup.child(organisation_id, child_id)
        authorize(
            actor, Action.PICKUP_APPROVE, installation_resource(child.installation, configuration)
        )
        groups = {g.id: g for g in uow.pickup.groups(organisation_id)}
        if group not in groups or groups[group].installation != child.installation:
            raise NotFound(
                Text(
                    "no group {group} at {installation}",
                    group=group,
                    installation=child.installation,
                )
            )
        moved = child.moved_to(group)
        uow.pickup.save_child(organisation_id, moved)
        context.commit(uow, [])
    return moved


@checked
def approve_child(
    context: ServiceContext, actor: Actor, organisation_id: str, child_id: ChildId
) -> Child:
    """The "Oui" of "Approbation en attente": the centre accepts the photo changes."""
    authorize_action(actor, Action.PICKUP_APPROVE)
    with pickup_unit_of_work(context.store) as uow:
        configuration = authorize_base(actor, uow, OrganisationId(organisation_id))
        child = uow.pickup.child(organisation_id, child_id)
        authorize(
            actor, Action.PICKUP_APPROVE, installation_resource(child.installation, configuration)
        )
        done = approved(child)
        uow.pickup.save_child(organisation_id, done)
        context.commit(uow, [])
    return done


@checked
def activations(
    context: ServiceContext, actor: Actor, organisation_id: str, installation: InstallationId
) -> list[Activation]:
    """The HopHop-enabled children of an installation, white or orange, with the parents
    who have not activated their account."""
    authorize_action(actor, Action.PICKUP_APPROVE)
    with pickup_unit_of_work(context.store, write=False) as uow:
        configuration = authorize_base(actor, uow, OrganisationId(organisation_id))
        authorize(actor, Action.PICKUP_APPROVE, installation_resource(installation, configuration))
        parents = {p.id: p for p in uow.pickup.parents(organisation_id)}
        children = uow.pickup.children(organisation_id)
    return [
        activation(child, parents)
        for child in sorted(children, key=lambda c: (c.last_name, c.first_name))
        if child.installation == installation and child.hophop_enabled
    ]


@checked
def resend_activation(
    context: ServiceContext,
    actor: Actor,
    organisation_id: str,
    child_id: ChildId,
    *,
    parent_id: ParentId,
    platform: HopHopPlatform,
) -> None:
    """The "Courriel d'activation" button: HopHop sends the parent's activation e-mail
    again."""
    authorize_action(actor, Action.PICKUP_APPROVE)
    with pickup_unit_of_work(context.store, write=False) as uow:
        configuration = authorize_base(actor, uow, OrganisationId(organisation_id))
        child = uow.pickup.child(organisation_id, child_id)
        authorize(
            actor, Action.PICKUP_APPROVE, installation_resource(child.installation, configuration)
        )
        account = uow.pickup.account(organisation_id, child.installation)
        sent = uow.pickup.sent(organisation_id, child.installation).get(child_id)
        parent = {p.id: p for p in uow.pickup.parents(organisation_id)}.get(parent_id)
    records = [
        record
        for record in (sent.parents if sent else ())
        if parent is not None and record.email == parent.email
    ]
    if account is None or not records or parent_id not in child.parents:
        raise NotFound(
            Text(
                "{parent} of {child} is not at HopHop as the daycare knows her: sync first",
                parent=parent_id,
                child=child_id,
            )
        )
    platform.resend_activation(account, records[0])
