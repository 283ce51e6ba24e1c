"""What an educator's tablet does: the alerts of what it shows, the ring of new ones, and the
taps "Appeler", "Prêt" (HopHop tells the parent) and "Départ" (who released which child,
when)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from caredomain.access import Action, Actor, authorize, authorize_action, authorize_base
from caredomain.arguments import checked
from caredomain.errors import NotFound, RuleViolation
from caredomain.events import Event, IdFactory
from caredomain.organisation import OrganisationId
from caredomain.pickup.events import PickupAlertDue
from caredomain.pickup.model import LinkProblem
from caredomain.pickup.pickups import Pickup
from caredomain.pickup.ports import HopHopPlatform, pickup_unit_of_work
from caredomain.pickup.services.configuring import cut_bridge, installation_resource
from caredomain.pickup.views import View, alerts_for, rings_for
from caredomain.services.context import ServiceContext
from caredomain.text import Text

__all__ = ["call_child", "pickup_alerts", "pickup_rings", "ready_child", "release_child"]

RING_PAGE = 1000
"""Journal events read at once when looking for new alerts."""


@checked
def pickup_alerts(
    context: ServiceContext, actor: Actor, organisation_id: str, view: View
) -> list[Pickup]:
    """The standing alerts of the children the view shows now, the soonest due first."""
    authorize_action(actor, Action.PICKUP_ATTEND)
    with pickup_unit_of_work(context.store, write=False) as uow:
        configuration = authorize_base(actor, uow, OrganisationId(organisation_id))
        authorize(
            actor, Action.PICKUP_ATTEND, installation_resource(view.installation, configuration)
        )
        children = {child.id: child for child in uow.pickup.children(organisation_id)}
        pickups = uow.pickup.open_pickups(organisation_id, installation=view.installation)
    return alerts_for(view, pickups, children)


@checked
def pickup_rings(
    context: ServiceContext, actor: Actor, organisation_id: str, view: View, *, after: int = 0
) -> list[tuple[int, PickupAlertDue]]:
    """The alerts journaled after position ``after`` that make the view's tablet ring,
    with their positions: ask again with the last position seen."""
    authorize_action(actor, Action.PICKUP_ATTEND)
    with pickup_unit_of_work(context.store, write=False) as uow:
        configuration = authorize_base(actor, uow, OrganisationId(organisation_id))
        authorize(
            actor, Action.PICKUP_ATTEND, installation_resource(view.installation, configuration)
        )
        children = {child.id: child for child in uow.pickup.children(organisation_id)}
        alerts: list[tuple[int, PickupAlertDue]] = []
        while page := uow.events.since(after, RING_PAGE):
            alerts += [
                (position, event)
                for position, event in page
                if isinstance(event, PickupAlertDue) and event.organisation_id == organisation_id
            ]
            after = page[-1][0]
    return rings_for(view, alerts, children)


Tap = Callable[[Pickup, IdFactory], Sequence[Event]]


def _tap(
    context: ServiceContext, actor: Actor, organisation_id: str, pickup_id: str, tap: Tap
) -> Pickup:
    authorize_action(actor, Action.PICKUP_ATTEND)
    with pickup_unit_of_work(context.store) as uow:
        configuration = authorize_base(actor, uow, OrganisationId(organisation_id))
        pickup = uow.pickup.pickup(organisation_id, pickup_id)
        authorize(
            actor, Action.PICKUP_ATTEND, installation_resource(pickup.installation, configuration)
        )
        events = tap(pickup, context.new_id)
        uow.pickup.save_pickup(organisation_id, pickup)
        context.commit(uow, list(events))
    return pickup


@checked
def call_child(
    context: ServiceContext, actor: Actor, organisation_id: str, pickup_id: str
) -> Pickup:
    """The "Appeler" tap: start preparing the child."""
    now = context.clock.now()
    return _tap(
        context, actor, organisation_id, pickup_id, lambda p, ids: p.call(actor.id, now, ids)
    )


@checked
def ready_child(
    context: ServiceContext,
    actor: Actor,
    organisation_id: str,
    pickup_id: str,
    platform: HopHopPlatform,
) -> Pickup:
    """The "Prêt" tap: the child is ready; once recorded, HopHop tells the parent. When
    HopHop cannot (the installation's link is red, or turns red now), the child stays ready
    and :class:`~caredomain.errors.RuleViolation` ``pickup.parent_not_told`` says so."""
    now = context.clock.now()
    pickup = _tap(
        context, actor, organisation_id, pickup_id, lambda p, ids: p.ready(actor.id, now, ids)
    )
    with pickup_unit_of_work(context.store, write=False) as uow:
        account = uow.pickup.account(organisation_id, pickup.installation)
    if account is None:
        raise _not_told(pickup, LinkProblem.NOT_LINKED)
    if account.problem is not None:
        raise _not_told(pickup, account.problem)
    try:
        platform.tell_ready(account, pickup)
    except NotFound:
        raise _not_told(pickup, cut_bridge(context, organisation_id, account)) from None
    return pickup


def _not_told(pickup: Pickup, problem: LinkProblem) -> RuleViolation:
    return RuleViolation(
        "pickup.parent_not_told",
        Text(
            "{child} is ready, but HopHop could not tell the parent: the link of {installation}"
            " is red ({problem})",
            child=pickup.child,
            installation=pickup.installation,
            problem=problem.value,
        ),
    )


@checked
def release_child(
    context: ServiceContext, actor: Actor, organisation_id: str, pickup_id: str
) -> Pickup:
    """The "Départ" tap: the child left; the audit line keeps who released her, when."""
    now = context.clock.now()
    return _tap(
        context, actor, organisation_id, pickup_id, lambda p, ids: p.depart(actor.id, now, ids)
    )
