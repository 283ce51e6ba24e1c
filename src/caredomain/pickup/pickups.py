"""A child's pickup, from the parent's announcement to the child's departure (seed 001).

The rules, each in one place here:

* **Call window** ("plage d'heure des appels", :func:`check_call_window`): an arrival outside
  the account's window is refused with the reason the parent's app shows; a request made
  before the window for an arrival inside it is accepted.
* **Preparation time** ("temps de préparation", :attr:`Pickup.due_at`): the alert is due
  that long before the arrival — an estimated time (HEA), or, with GPS, the moment the
  travel time left falls to it.
* **One alert per arrival** (:meth:`Pickup.tick`): however often the GPS reports, twice or out
  of order; an arrival that moves later by :data:`MATERIAL_CHANGE` or more after its alert
  withdraws it, and the next alert is a new one (its ``sequence`` says so), never a duplicate.
* **Statuses, in order only** (:meth:`Pickup.call`, :meth:`Pickup.ready`,
  :meth:`Pickup.depart`): announced → called ("Appeler") → ready ("Prêt") → departed
  ("Départ"); anything else is refused with the code ``pickup.status_order``.
* **Expiry** (:data:`EXPIRY`): a pickup with no departure that long after its arrival ends.
* **Location kept no longer than needed**: only the latest GPS position is held, and none once
  the pickup has ended, however it ended.

A :class:`Pickup` is one child's: a parent announcing for two children makes two, each
alerting in its child's group.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from attrs import define

from caredomain.access import ActorId
from caredomain.errors import RuleViolation
from caredomain.events import IdFactory
from caredomain.geo import GeoPoint
from caredomain.pickup.events import (
    ChildCalled,
    ChildDeparted,
    ChildReady,
    PickupAlertDue,
    PickupCancelled,
    PickupDelayed,
    PickupEvent,
    PickupExpired,
)
from caredomain.pickup.model import AccountSettings, ChildId, InstallationId, ParentId
from caredomain.text import Text

__all__ = [
    "EXPIRY",
    "MATERIAL_CHANGE",
    "ArrivalMode",
    "Pickup",
    "PickupStatus",
    "check_call_window",
]

MATERIAL_CHANGE = timedelta(minutes=10)
"""How much later an arrival must move, after its alert, for a new alert to be due."""
EXPIRY = timedelta(hours=1)
"""How long after the expected arrival a pickup with no departure ends."""


class ArrivalMode(StrEnum):
    ETA = "eta"  # an estimated arrival time ("heure estimée d'arrivée", HEA)
    GPS = "gps"


class PickupStatus(StrEnum):
    ANNOUNCED = "announced"
    CALLED = "called"  # "Appeler"
    READY = "ready"  # "Prêt"
    DEPARTED = "departed"  # "Départ"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


_OPEN = frozenset({PickupStatus.ANNOUNCED, PickupStatus.CALLED, PickupStatus.READY})
_NEXT = {
    PickupStatus.ANNOUNCED: PickupStatus.CALLED,
    PickupStatus.CALLED: PickupStatus.READY,
    PickupStatus.READY: PickupStatus.DEPARTED,
}


def check_call_window(arrival: datetime, settings: AccountSettings, zone: ZoneInfo) -> None:
    """Refuse an arrival outside the call window, on the installation's wall clock; both ends
    of the window are inside it."""
    local = arrival.astimezone(zone)
    since_midnight = timedelta(
        hours=local.hour, minutes=local.minute, seconds=local.second, microseconds=local.microsecond
    )
    window = settings.call_window
    start, end = timedelta(minutes=window.start_minute), timedelta(minutes=window.end_minute)
    if not start <= since_midnight <= end:
        raise RuleViolation(
            "pickup.outside_window",
            Text(
                "HopHop is not used at {time}: calls are taken {start}–{end}",
                time=local.strftime("%H:%M"),
                start=_clock(window.start_minute),
                end=_clock(window.end_minute),
            ),
        )


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@define
class Pickup:
    """One child's pickup. Its methods enforce the rules above and return the events of what
    they changed; ``new_id`` makes each event's id."""

    id: str
    organisation_id: str
    child: ChildId
    parent: ParentId
    installation: InstallationId
    mode: ArrivalMode
    requested_at: datetime
    arrival: datetime
    preparation: timedelta
    status: PickupStatus = PickupStatus.ANNOUNCED
    alerts: int = 0
    alerted_arrival: datetime | None = None
    last_report: datetime | None = None
    position: GeoPoint | None = None
    ended_at: datetime | None = None
    released_by: ActorId | None = None

    @property
    def due_at(self) -> datetime:
        """When the alert is due: the preparation time before the arrival."""
        return self.arrival - self.preparation

    @property
    def is_open(self) -> bool:
        return self.status in _OPEN

    @property
    def alerting(self) -> bool:
        """Its alert has rung and stands (not withdrawn by a later arrival)."""
        return self.is_open and self.alerted_arrival is not None

    def tick(self, now: datetime, new_id: IdFactory) -> list[PickupEvent]:
        """What the passing of time brings at ``now``: the alert once due, or the expiry."""
        if not self.is_open:
            return []
        if now >= self.arrival + EXPIRY:
            return [self._end(PickupStatus.EXPIRED, now, PickupExpired, new_id)]
        if (
            self.status is PickupStatus.ANNOUNCED
            and self.alerted_arrival is None
            and now >= self.due_at
        ):
            self.alerts += 1
            self.alerted_arrival = self.arrival
            return [
                self._event(PickupAlertDue, now, new_id, arrival=self.arrival, sequence=self.alerts)
            ]
        return []

    def report(
        self, at: datetime, position: GeoPoint, travel: timedelta, new_id: IdFactory
    ) -> list[PickupEvent]:
        """A GPS report made at ``at``: the parent is ``travel`` away. A report no newer than
        the latest applied (a duplicate, or one overtaken in transit) changes nothing."""
        if self.mode is not ArrivalMode.GPS or not self.is_open:
            return []
        if self.last_report is not None and at <= self.last_report:
            return []
        self.last_report = at
        self.position = position
        return self._moved(at, at + travel, new_id)

    def reannounce(self, at: datetime, arrival: datetime, new_id: IdFactory) -> list[PickupEvent]:
        """The parent gives a new estimated arrival time for the same pickup: the alert is
        then due the preparation time before it; a standing alert is withdrawn only if the
        arrival moved later by :data:`MATERIAL_CHANGE` or more."""
        if not self.is_open:
            return []
        return self._moved(at, arrival, new_id)

    def _moved(self, at: datetime, arrival: datetime, new_id: IdFactory) -> list[PickupEvent]:
        self.arrival = arrival
        events: list[PickupEvent] = []
        if (
            self.status is PickupStatus.ANNOUNCED
            and self.alerted_arrival is not None
            and arrival - self.alerted_arrival >= MATERIAL_CHANGE
        ):
            self.alerted_arrival = None
            events.append(self._event(PickupDelayed, at, new_id, arrival=arrival))
        return events + self.tick(at, new_id)

    def call(self, by: ActorId, at: datetime, new_id: IdFactory) -> list[PickupEvent]:
        """The "Appeler" tap: start preparing the child."""
        self._advance(PickupStatus.CALLED)
        return [self._event(ChildCalled, at, new_id, by=by)]

    def ready(self, by: ActorId, at: datetime, new_id: IdFactory) -> list[PickupEvent]:
        """The "Prêt" tap: the child is ready, and the parent is told."""
        self._advance(PickupStatus.READY)
        return [self._event(ChildReady, at, new_id, by=by)]

    def depart(self, by: ActorId, at: datetime, new_id: IdFactory) -> list[PickupEvent]:
        """The "Départ" tap: the child left with the parent; who released her is kept."""
        self._advance(PickupStatus.DEPARTED)
        self.released_by = by
        return [self._end(PickupStatus.DEPARTED, at, ChildDeparted, new_id, by=by)]

    def cancel(self, at: datetime, new_id: IdFactory) -> list[PickupEvent]:
        """The parent cancels before the child has left."""
        if not self.is_open:
            raise self._out_of_order(PickupStatus.CANCELLED)
        return [self._end(PickupStatus.CANCELLED, at, PickupCancelled, new_id)]

    def _advance(self, wanted: PickupStatus) -> None:
        if _NEXT.get(self.status) is not wanted:
            raise self._out_of_order(wanted)
        self.status = wanted

    def _out_of_order(self, wanted: PickupStatus) -> RuleViolation:
        return RuleViolation(
            "pickup.status_order",
            Text(
                "{child} is {status}: cannot be {wanted}",
                child=self.child,
                status=self.status.value,
                wanted=wanted.value,
            ),
        )

    def _end(
        self,
        status: PickupStatus,
        at: datetime,
        kind: type[PickupEvent],
        new_id: IdFactory,
        **values: object,
    ) -> PickupEvent:
        self.status = status
        self.ended_at = at
        self.position = None  # no location is kept once the pickup has ended
        return self._event(kind, at, new_id, **values)

    def _event(
        self, kind: type[PickupEvent], at: datetime, new_id: IdFactory, **values: object
    ) -> PickupEvent:
        return kind(
            event_id=new_id(),
            occurred_at=at,
            organisation_id=self.organisation_id,
            pickup_id=self.id,
            child_id=self.child,
            parent_id=self.parent,
            installation_id=self.installation,
            **values,
        )
