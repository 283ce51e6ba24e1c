"""What happens to a child's pickup, as domain events (seed 001): announced, alert due,
called ("Appeler"), ready ("Prêt", the parent is told), departed ("Départ"), cancelled,
expired, and an announcement HopHop made for a child that no longer matches what was sent."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from caredomain.access import ActorId
from caredomain.events import Event

__all__ = [
    "ChildCalled",
    "ChildDeparted",
    "ChildReady",
    "ChildUnmatched",
    "PickupAlertDue",
    "PickupAnnounced",
    "PickupCancelled",
    "PickupDelayed",
    "PickupEvent",
    "PickupExpired",
]


@frozen(kw_only=True)
class PickupEvent(Event):
    """Common to every pickup event: whose pickup, of which child, where."""

    organisation_id: str
    pickup_id: str
    child_id: str
    parent_id: str
    installation_id: str


@frozen(kw_only=True)
class PickupAnnounced(PickupEvent):
    """A parent announced her arrival: an estimated time (``eta``) or her GPS (``gps``)."""

    mode: str
    arrival: datetime


@frozen(kw_only=True)
class PickupAlertDue(PickupEvent):
    """The parent is the preparation time away: the tablets of the child's group ring.
    ``sequence`` counts the alerts of this pickup: 2 after a material change of arrival."""

    arrival: datetime
    sequence: int


@frozen(kw_only=True)
class PickupDelayed(PickupEvent):
    """After its alert, the parent's arrival moved later by a material change: the alert is
    withdrawn and a new one will come."""

    arrival: datetime


@frozen(kw_only=True)
class ChildCalled(PickupEvent):
    """An educator tapped "Appeler": the child is being prepared."""

    by: ActorId


@frozen(kw_only=True)
class ChildReady(PickupEvent):
    """An educator tapped "Prêt": the child is ready, and the parent is told."""

    by: ActorId


@frozen(kw_only=True)
class ChildDeparted(PickupEvent):
    """An educator tapped "Départ": the audit line of who released which child, when. The
    pickup's GPS position is gone."""

    by: ActorId


@frozen(kw_only=True)
class PickupCancelled(PickupEvent):
    """The parent cancelled her announcement before the child left."""


@frozen(kw_only=True)
class PickupExpired(PickupEvent):
    """No departure came within the expiry after the expected arrival."""


@frozen(kw_only=True)
class ChildUnmatched(Event):
    """HopHop announced a pickup for a child whose synced fields were changed on its side, so
    that it no longer matches what was sent: reported, never silently dropped."""

    organisation_id: str
    reference: str
    differences: tuple[str, ...]
