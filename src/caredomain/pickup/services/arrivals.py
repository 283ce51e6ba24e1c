"""What parents send through HopHop — an announcement (an estimated time or GPS), GPS
reports, a cancellation, a photo change — and the clock that makes alerts due and pickups
expire. HopHop's messages run as :data:`HOPHOP_ACTOR`; each carries its own id, applied once
however often it is delivered, and an id applied to one message is refused for another
(:mod:`caredomain.pickup.inbound`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from attrs import frozen

from caredomain.access import (
    Action,
    Actor,
    ActorId,
    Everywhere,
    Role,
    authorize,
    authorize_action,
    authorize_base,
)
from caredomain.arguments import checked
from caredomain.errors import NotFound
from caredomain.events import Event
from caredomain.geo import GeoPoint
from caredomain.organisation import OrganisationId
from caredomain.pickup.approvals import check_may_announce, photo_changed
from caredomain.pickup.events import ChildUnmatched, PickupAnnounced
from caredomain.pickup.inbound import first_delivery, inbound_digest
from caredomain.pickup.model import AccountSettings, Child, ChildId, InstallationId, ParentId
from caredomain.pickup.pickups import ArrivalMode, Pickup, check_call_window
from caredomain.pickup.ports import PickupUnitOfWork, pickup_unit_of_work
from caredomain.pickup.services.configuring import daycare_resource
from caredomain.pickup.sync import differences
from caredomain.services.context import ServiceContext
from caredomain.text import Text

__all__ = [
    "HOPHOP_ACTOR",
    "AnnouncedChild",
    "Announcement",
    "announce_pickup",
    "cancel_pickups",
    "hophop_parent",
    "parent_photo_changed",
    "report_position",
    "tick_pickups",
]

HOPHOP_ACTOR = Actor(
    ActorId("hophop"),
    {Role.ADMINISTRATOR},
    name="HopHop",
    configuration=Everywhere("HopHop's webhooks come in for every daycare of the store"),
)
"""The system actor HopHop's messages run as."""


@frozen
class AnnouncedChild:
    """A child as HopHop names her in an announcement: the reference the sync sent, and her
    names as HopHop holds them (a parent may have changed them there)."""

    reference: str
    first_name: str
    last_name: str


@frozen
class Announcement:
    """What an announcement did: the pickups it opened, and the children it could not match
    with what was sent (each reported by a ``ChildUnmatched`` event)."""

    pickups: tuple[Pickup, ...]
    unmatched: tuple[str, ...]


@checked
def announce_pickup(
    context: ServiceContext,
    actor: Actor,
    organisation_id: str,
    *,
    inbound_id: str,
    parent: ParentId,
    children: Sequence[AnnouncedChild],
    at: datetime,
    arrival: datetime | None = None,
    travel: timedelta | None = None,
    position: GeoPoint | None = None,
) -> Announcement:
    """A parent announces her arrival for her children: at ``arrival`` (an estimated time),
    or ``travel`` away from ``position`` (GPS). Each child gets her own pickup, alerting in
    her own group; a child HopHop names otherwise than the sync sent her is reported as
    unmatched, not dropped. Refused, whole, for an arrival outside the call window or a
    parent awaiting the centre's approval."""
    authorize_action(actor, Action.PICKUP_ANNOUNCE)
    mode = ArrivalMode.GPS if arrival is None else ArrivalMode.ETA
    expected = arrival if arrival is not None else at + (travel or timedelta(0))
    with pickup_unit_of_work(context.store) as uow:
        configuration = authorize_base(actor, uow, OrganisationId(organisation_id))
        authorize(actor, Action.PICKUP_ANNOUNCE, daycare_resource(organisation_id, configuration))
        asked = inbound_digest(
            "announce_pickup",
            parent=parent,
            children=children,
            at=at,
            arrival=arrival,
            travel=travel,
            position=position,
        )
        if not first_delivery(uow, organisation_id, inbound_id, asked):
            return Announcement((), ())
        zone = uow.organisations.get(OrganisationId(organisation_id)).zone
        events: list[Event] = []
        opened: list[Pickup] = []
        unmatched: list[str] = []
        for named in children:
            child, differ = _matched(uow, organisation_id, named)
            if child is None or differ:
                events.append(
                    ChildUnmatched(
                        event_id=context.new_id(),
                        occurred_at=at,
                        organisation_id=organisation_id,
                        reference=named.reference,
                        differences=differ,
                    )
                )
                unmatched.append(named.reference)
                continue
            check_may_announce(child, parent)
            settings = _settings(uow, organisation_id, child.installation)
            check_call_window(expected, settings, zone)
            pickup = Pickup(
                id=f"{inbound_id}:{child.id}",
                organisation_id=organisation_id,
                child=child.id,
                parent=parent,
                installation=child.installation,
                mode=mode,
                requested_at=at,
                arrival=expected,
                preparation=settings.preparation,
                position=position if mode is ArrivalMode.GPS else None,
                last_report=at if mode is ArrivalMode.GPS else None,
            )
            events.append(
                PickupAnnounced(
                    event_id=context.new_id(),
                    occurred_at=at,
                    organisation_id=organisation_id,
                    pickup_id=pickup.id,
                    child_id=child.id,
                    parent_id=parent,
                    installation_id=child.installation,
                    mode=mode.value,
                    arrival=expected,
                )
            )
            events += pickup.tick(max(at, context.clock.now()), context.new_id)
            uow.pickup.save_pickup(organisation_id, pickup)
            opened.append(pickup)
        context.commit(uow, events)
    return Announcement(tuple(opened), tuple(unmatched))


def _matched(
    uow: PickupUnitOfWork, organisation_id: str, named: AnnouncedChild
) -> tuple[Child | None, tuple[str, ...]]:
    """The child HopHop names, and how HopHop's names differ from what the sync sent her
    (``("reference",)`` for a reference the daycare does not know)."""
    try:
        child = uow.pickup.child(organisation_id, ChildId(named.reference))
    except NotFound:
        return None, ("reference",)
    sent = uow.pickup.sent(organisation_id, child.installation).get(child.id)
    return child, differences(sent, named.first_name, named.last_name)


def _settings(
    uow: PickupUnitOfWork, organisation_id: str, installation: InstallationId
) -> AccountSettings:
    account = uow.pickup.account(organisation_id, installation)
    return account.settings if account is not None else AccountSettings()


@checked
def hophop_parent(
    context: ServiceContext, actor: Actor, organisation_id: str, email: str
) -> ParentId:
    """The parent HopHop names by her e-mail — the one field of hers the sync sends that
    identifies her — compared without regard to case; :class:`~caredomain.errors.NotFound`
    when the daycare knows no parent by it."""
    authorize_action(actor, Action.PICKUP_ANNOUNCE)
    with pickup_unit_of_work(context.store, write=False) as uow:
        configuration = authorize_base(actor, uow, OrganisationId(organisation_id))
        authorize(actor, Action.PICKUP_ANNOUNCE, daycare_resource(organisation_id, configuration))
        parents = uow.pickup.parents(organisation_id)
    wanted = email.strip().casefold()
    for parent in sorted(parents, key=lambda p: p.id):
        if parent.email.casefold() == wanted:
            return parent.id
    raise NotFound(Text("the daycare knows no parent by the e-mail {email}", email=email))


@checked
def report_position(
    context: ServiceContext,
    actor: Actor,
    organisation_id: str,
    *,
    inbound_id: str,
    parent: ParentId,
    at: datetime,
    position: GeoPoint,
    travel: timedelta,
) -> list[Event]:
    """A GPS report from a parent on her way: her open GPS pickups follow it, and each
    alerts once she is the preparation time away. A report no newer than the last applied
    changes nothing."""
    authorize_action(actor, Action.PICKUP_ANNOUNCE)
    with pickup_unit_of_work(context.store) as uow:
        configuration = authorize_base(actor, uow, OrganisationId(organisation_id))
        authorize(actor, Action.PICKUP_ANNOUNCE, daycare_resource(organisation_id, configuration))
        asked = inbound_digest(
            "report_position", parent=parent, at=at, position=position, travel=travel
        )
        if not first_delivery(uow, organisation_id, inbound_id, asked):
            return []
        events: list[Event] = []
        now = max(at, context.clock.now())  # a report that came late: the alert is due now
        for pickup in uow.pickup.open_pickups(organisation_id, parent=parent):
            events += pickup.report(at, position, travel, context.new_id)
            events += pickup.tick(now, context.new_id)
            uow.pickup.save_pickup(organisation_id, pickup)
        context.commit(uow, events)
    return events


@checked
def cancel_pickups(
    context: ServiceContext,
    actor: Actor,
    organisation_id: str,
    *,
    inbound_id: str,
    parent: ParentId,
    at: datetime,
) -> list[Event]:
    """The parent cancels: her pickups whose child has not left end, their position gone."""
    authorize_action(actor, Action.PICKUP_ANNOUNCE)
    with pickup_unit_of_work(context.store) as uow:
        configuration = authorize_base(actor, uow, OrganisationId(organisation_id))
        authorize(actor, Action.PICKUP_ANNOUNCE, daycare_resource(organisation_id, configuration))
        asked = inbound_digest("cancel_pickups", parent=parent, at=at)
        if not first_delivery(uow, organisation_id, inbound_id, asked):
            return []
        events: list[Event] = []
        for pickup in uow.pickup.open_pickups(organisation_id, parent=parent):
            events += pickup.cancel(at, context.new_id)
            uow.pickup.save_pickup(organisation_id, pickup)
        context.commit(uow, events)
    return events


@checked
def parent_photo_changed(
    context: ServiceContext,
    actor: Actor,
    organisation_id: str,
    *,
    inbound_id: str,
    parent: ParentId,
    children: Sequence[ChildId],
) -> None:
    """A parent changed her photo, or added her children's: their files wait for the
    centre's approval, and she cannot announce for them until then."""
    authorize_action(actor, Action.PICKUP_ANNOUNCE)
    with pickup_unit_of_work(context.store) as uow:
        configuration = authorize_base(actor, uow, OrganisationId(organisation_id))
        authorize(actor, Action.PICKUP_ANNOUNCE, daycare_resource(organisation_id, configuration))
        asked = inbound_digest("parent_photo_changed", parent=parent, children=children)
        if not first_delivery(uow, organisation_id, inbound_id, asked):
            return
        for child_id in children:
            child = uow.pickup.child(organisation_id, child_id)
            uow.pickup.save_child(organisation_id, photo_changed(child, parent))
        context.commit(uow, [])


@checked
def tick_pickups(context: ServiceContext, actor: Actor, organisation_id: str) -> list[Event]:
    """What the clock brings now: the alerts that fall due, the pickups that expire. Run it
    every few seconds (``caredomain pickup serve`` does)."""
    authorize_action(actor, Action.PICKUP_ANNOUNCE)
    now = context.clock.now()
    with pickup_unit_of_work(context.store) as uow:
        configuration = authorize_base(actor, uow, OrganisationId(organisation_id))
        authorize(actor, Action.PICKUP_ANNOUNCE, daycare_resource(organisation_id, configuration))
        events: list[Event] = []
        for pickup in uow.pickup.open_pickups(organisation_id):
            changed = pickup.tick(now, context.new_id)
            if changed:
                uow.pickup.save_pickup(organisation_id, pickup)
                events += changed
        context.commit(uow, events)
    return events
