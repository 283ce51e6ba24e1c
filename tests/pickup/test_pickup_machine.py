"""A state machine over the pickups of a daycare with two installations (seed 001): parents
announce (an estimated time, checked against the call window, or their GPS), the GPS
reports (twice, out of order, the travel time going down and up), parents re-announce (by a
little or by a lot), the clock moves forward, educators tap "Appeler", "Prêt" and "Départ"
in any order, parents cancel, and children move between groups.

Whatever the order:

* one standing alert per arrival: a second ``PickupAlertDue`` for a pickup only after a
  ``PickupDelayed``, its ``sequence`` one more than the last;
* the alert is never early (not before the preparation time before the arrival) and, at each
  tick, never missing once due;
* a pickup's arrival is the latest its parent gave (an estimated time, or a GPS report's);
* statuses only in order: each pickup's history is a prefix of announced → called → ready →
  departed, or such a prefix ended by cancelled or expired; a wrong tap is refused with
  ``pickup.status_order`` and changes nothing;
* once the clock has passed the arrival plus :data:`EXPIRY`, the pickup has ended;
* a pickup that has ended holds no position;
* a standing alert shows in the views of the child's group *now* (and all groups of her
  installation), nowhere else.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from attrs import evolve
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from caredomain.access import ActorId
from caredomain.errors import RuleViolation
from caredomain.geo import GeoPoint
from caredomain.hours import TimeRange
from caredomain.pickup import (
    EXPIRY,
    MATERIAL_CHANGE,
    AccountSettings,
    ArrivalMode,
    Child,
    ChildCalled,
    ChildDeparted,
    ChildId,
    ChildReady,
    GroupId,
    InstallationId,
    ParentId,
    Pickup,
    PickupAlertDue,
    PickupCancelled,
    PickupDelayed,
    PickupEvent,
    PickupExpired,
    PickupStatus,
    View,
    alerts_for,
    check_call_window,
)

MONTREAL = ZoneInfo("America/Toronto")
START = datetime(2027, 3, 2, 15, 20, tzinfo=MONTREAL)
SITE_1, SITE_2 = InstallationId("site-1"), InstallationId("site-2")
SETTINGS = {
    SITE_1: AccountSettings(timedelta(minutes=5), TimeRange.parse("15h30-18h00")),
    SITE_2: AccountSettings(timedelta(minutes=10), TimeRange.parse("15h00-17h30")),
}
GROUPS = {
    SITE_1: (GroupId("poussins"), GroupId("lutins")),
    SITE_2: (GroupId("castors"), GroupId("hiboux")),
}
PARENTS = (ParentId("marie"), ParentId("paul"), ParentId("awa"))
CHILDREN = (
    Child("lea", "Léa", "Tremblay", SITE_1, "poussins", parents=frozenset({"marie"})),
    Child("noe", "Noé", "Tremblay", SITE_2, "castors", parents=frozenset({"marie"})),
    Child("sam", "Sam", "Gagnon", SITE_1, "lutins", parents=frozenset({"paul"})),
    Child("ines", "Inès", "Diallo", SITE_1, "poussins", parents=frozenset({"paul", "awa"})),
    Child("yan", "Yan", "Diallo", SITE_2, "hiboux", parents=frozenset({"awa"})),
)
EDUCATORS = (ActorId("ana"), ActorId("bea"))
HOME = GeoPoint(45.5, -73.6)

SECONDS = st.integers(0, 59)
LEAD = st.builds(  # how far ahead of now a parent announces her arrival: mostly soon, up to 3 h
    lambda minutes, seconds: timedelta(minutes=minutes, seconds=seconds),
    st.one_of(st.integers(0, 30), st.integers(0, 180)),
    SECONDS,
)
SMALL_CHANGE = st.integers(-9 * 60 - 59, 9 * 60 + 59).map(lambda s: timedelta(seconds=s))
MATERIAL = st.integers(10 * 60, 90 * 60).map(lambda s: timedelta(seconds=s))
TRAVEL = st.one_of(  # the travel time left: near the preparation time, or anything up to 40 min
    st.integers(0, 12 * 60), st.integers(0, 40 * 60)
).map(lambda s: timedelta(seconds=s))
LAG = st.integers(0, 10 * 60).map(lambda s: timedelta(seconds=s))  # a report late in transit
STEP = st.one_of(  # mostly minutes, sometimes an hour or more (expiries)
    st.integers(0, 5 * 60), st.integers(0, 15 * 60), st.integers(15 * 60, 90 * 60)
).map(lambda s: timedelta(seconds=s))
PICK = st.integers(0, 10_000)  # which pickup, modulo how many there are

_CHAIN = (PickupStatus.ANNOUNCED, PickupStatus.CALLED, PickupStatus.READY, PickupStatus.DEPARTED)
_ENDINGS = {PickupStatus.CANCELLED, PickupStatus.EXPIRED}
_TAPS = {"call": PickupStatus.CALLED, "ready": PickupStatus.READY, "depart": PickupStatus.DEPARTED}
_TAP_OF = {status: tap for tap, status in _TAPS.items()}
_BY_EVENT: dict[type[PickupEvent], PickupStatus] = {
    ChildCalled: PickupStatus.CALLED,
    ChildReady: PickupStatus.READY,
    ChildDeparted: PickupStatus.DEPARTED,
    PickupCancelled: PickupStatus.CANCELLED,
    PickupExpired: PickupStatus.EXPIRED,
}


def in_window(arrival: datetime, window: TimeRange) -> bool:
    """The arrival's wall-clock time is within the window, both ends included, to the
    microsecond."""
    local = arrival.astimezone(MONTREAL)
    since_midnight = timedelta(
        hours=local.hour, minutes=local.minute, seconds=local.second, microseconds=local.microsecond
    )
    start, end = timedelta(minutes=window.start_minute), timedelta(minutes=window.end_minute)
    return start <= since_midnight <= end


def is_valid_history(history: list[PickupStatus]) -> bool:
    """A prefix of announced → called → ready → departed, or such a prefix (not departed)
    ended by cancelled or expired."""
    if history and history[-1] in _ENDINGS:
        history = history[:-1]
        if not history or history[-1] is PickupStatus.DEPARTED:
            return False
    return history == list(_CHAIN[: len(history)]) and len(history) >= 1


class PickupMachine(RuleBasedStateMachine):
    """The pickups of five children, three parents, two installations of two groups each,
    against a small model: each pickup's expected arrival, its events and its statuses."""

    @initialize()
    def start(self) -> None:
        self.now = START
        self.ids = itertools.count(1)
        self.children = {child.id: child for child in CHILDREN}
        self.pickups: list[Pickup] = []
        self.arrivals: dict[str, datetime] = {}  # what the parent last gave
        self.events: dict[str, list[PickupEvent]] = defaultdict(list)
        self.history: dict[str, list[PickupStatus]] = {}
        self.refused: list[tuple[ChildId, datetime]] = []
        self.last_report: tuple[Pickup, datetime, GeoPoint, timedelta] | None = None

    def new_id(self) -> str:
        return f"e{next(self.ids)}"

    def pick(self, index: int) -> Pickup | None:
        return self.pickups[index % len(self.pickups)] if self.pickups else None

    def record(self, pickup: Pickup, events: list[PickupEvent]) -> None:
        """Keep the events of ``pickup`` and its status; check what each event says."""
        settings = SETTINGS[pickup.installation]
        for happened in events:
            assert happened.pickup_id == pickup.id
            event(
                type(happened).__name__
            )  # how often each kind happens: --hypothesis-show-statistics
            if isinstance(happened, PickupAlertDue):
                # Never early: the preparation time before the arrival it was given for,
                # which is the pickup's arrival when it rings.
                assert happened.arrival == pickup.arrival
                assert happened.occurred_at >= happened.arrival - settings.preparation
                if happened.sequence > 1:
                    event("a second alert after a delay")
        self.events[pickup.id] += events
        if self.history[pickup.id][-1] is not pickup.status:
            self.history[pickup.id].append(pickup.status)

    def accepted(self, child: ChildId, arrival: datetime, settings: AccountSettings) -> bool:
        """Whether the call window takes ``arrival``; a refusal is recorded, with its code."""
        if in_window(arrival, settings.call_window):
            check_call_window(arrival, settings, MONTREAL)
            return True
        with pytest.raises(RuleViolation) as refused:
            check_call_window(arrival, settings, MONTREAL)
        assert refused.value.code == "pickup.outside_window"
        self.refused.append((child, arrival))
        return False

    # -- announcements --------------------------------------------------------------------

    @rule(parent=st.sampled_from(PARENTS), gps=st.booleans(), lead=LEAD)
    def announce(self, parent: ParentId, gps: bool, lead: timedelta) -> None:
        """A parent announces her arrival for each of her children with no open pickup: a
        pickup per child, each checked against her installation's call window."""
        arrival = self.now + lead
        open_children = {p.child for p in self.pickups if p.is_open}
        for child in self.children.values():
            if parent not in child.parents or child.id in open_children:
                continue
            settings = SETTINGS[child.installation]
            if not self.accepted(child.id, arrival, settings):
                continue
            pickup = Pickup(
                id=f"k{len(self.pickups)}",
                organisation_id="cpe-soleil",
                child=child.id,
                parent=parent,
                installation=child.installation,
                mode=ArrivalMode.GPS if gps else ArrivalMode.ETA,
                requested_at=self.now,
                arrival=arrival,
                preparation=settings.preparation,
            )
            self.pickups.append(pickup)
            self.arrivals[pickup.id] = arrival
            self.history[pickup.id] = [pickup.status]
            self.record(pickup, pickup.tick(self.now, self.new_id))

    @rule(index=PICK, change=st.one_of(SMALL_CHANGE, MATERIAL, MATERIAL.map(lambda t: -t)))
    def reannounce(self, index: int, change: timedelta) -> None:
        """The parent gives a new estimated time, a little or much later or earlier."""
        etas = [p for p in self.pickups if p.mode is ArrivalMode.ETA]
        if not etas:
            return
        pickup = etas[index % len(etas)]
        arrival = pickup.arrival + change
        if not self.accepted(pickup.child, arrival, SETTINGS[pickup.installation]):
            return
        was_open = pickup.is_open
        before = evolve(pickup)
        events = pickup.reannounce(self.now, arrival, self.new_id)
        if was_open:
            self.arrivals[pickup.id] = arrival
        else:
            assert (events, pickup) == ([], before)
        self.record(pickup, events)

    # -- GPS --------------------------------------------------------------------------------

    @rule(index=PICK, lag=LAG, travel=TRAVEL, drift=st.floats(-0.05, 0.05))
    def report(self, index: int, lag: timedelta, travel: timedelta, drift: float) -> None:
        """A GPS report made ``lag`` ago: the travel time left goes down, or up."""
        gps = [p for p in self.pickups if p.mode is ArrivalMode.GPS]
        if not gps:
            return
        pickup = gps[index % len(gps)]
        at = self.now - lag
        position = GeoPoint(HOME.latitude + drift, HOME.longitude - drift)
        before = evolve(pickup)
        stale = pickup.last_report is not None and at <= pickup.last_report
        events = pickup.report(at, position, travel, self.new_id)
        if stale or not before.is_open:
            assert (events, pickup) == ([], before)
            return
        assert (pickup.last_report, pickup.position) == (at, position)
        self.arrivals[pickup.id] = at + travel
        self.record(pickup, events)
        self.last_report = (pickup, at, position, travel)

    @rule()
    def report_again(self) -> None:
        """The same report, delivered twice: nothing changes."""
        if self.last_report is None:
            return
        pickup, at, position, travel = self.last_report
        before = evolve(pickup)
        assert pickup.report(at, position, travel, self.new_id) == []
        assert pickup == before

    # -- the clock --------------------------------------------------------------------------

    @rule(step=STEP)
    def tick(self, step: timedelta) -> None:
        self.now += step
        for pickup in self.pickups:
            self.record(pickup, pickup.tick(self.now, self.new_id))
            if pickup.status is PickupStatus.ANNOUNCED and self.now >= pickup.due_at:
                assert pickup.alerting  # an alert due is never missing at a tick

    # -- the educators' taps, the parents' cancellations, group moves ------------------------

    @rule(index=PICK, tap=st.sampled_from([*sorted(_TAPS), "next"]), by=st.sampled_from(EDUCATORS))
    def status(self, index: int, tap: str, by: ActorId) -> None:
        """An educator taps a status: any of them, right or wrong, or (``next``) the one that
        comes next, so that pickups also go all the way."""
        pickup = self.pick(index)
        if pickup is None:
            return
        if tap == "next":
            following = _CHAIN[_CHAIN.index(pickup.status) + 1] if pickup.is_open else None
            tap = _TAP_OF.get(following, "call")  # type: ignore[arg-type]
        wanted = _TAPS[tap]
        before = evolve(pickup)
        allowed = pickup.is_open and _CHAIN[_CHAIN.index(pickup.status) + 1] is wanted
        action = getattr(pickup, tap)
        if not allowed:
            with pytest.raises(RuleViolation) as refused:
                action(by, self.now, self.new_id)
            assert refused.value.code == "pickup.status_order"
            assert pickup == before
            return
        (event,) = action(by, self.now, self.new_id)
        assert (event.by, event.occurred_at) == (by, self.now)
        assert pickup.status is wanted
        self.record(pickup, [event])

    @rule(index=PICK)
    def cancel(self, index: int) -> None:
        pickup = self.pick(index)
        if pickup is None:
            return
        before = evolve(pickup)
        if not pickup.is_open:
            with pytest.raises(RuleViolation) as refused:
                pickup.cancel(self.now, self.new_id)
            assert refused.value.code == "pickup.status_order"
            assert pickup == before
            return
        (event,) = pickup.cancel(self.now, self.new_id)
        assert isinstance(event, PickupCancelled)
        self.record(pickup, [event])

    @rule(child=st.sampled_from([child.id for child in CHILDREN]), to=st.integers(0, 1))
    def move(self, child: ChildId, to: int) -> None:
        """The child moves to a group of her installation (maybe the one she is in)."""
        moved = self.children[child]
        self.children[child] = moved.moved_to(GROUPS[moved.installation][to])

    # -- invariants -------------------------------------------------------------------------

    @invariant()
    def one_standing_alert_per_arrival(self) -> None:
        for pickup in self.pickups:
            standing, sequence, alerted = False, 0, pickup.arrival
            for happened in self.events[pickup.id]:
                if isinstance(happened, PickupAlertDue):
                    assert not standing, "a second alert while the first stands"
                    assert happened.sequence == sequence + 1
                    standing, sequence, alerted = True, happened.sequence, happened.arrival
                elif isinstance(happened, PickupDelayed):
                    assert standing, "an arrival delayed with no alert standing"
                    assert happened.arrival - alerted >= MATERIAL_CHANGE
                    standing = False
            assert pickup.alerts == sequence
            assert pickup.alerting == (standing and pickup.is_open)

    @invariant()
    def the_arrival_is_the_latest_given(self) -> None:
        for pickup in self.pickups:
            assert pickup.arrival == self.arrivals[pickup.id]

    @invariant()
    def statuses_only_in_order(self) -> None:
        for pickup in self.pickups:
            assert is_valid_history(self.history[pickup.id]), self.history[pickup.id]
            from_events = [PickupStatus.ANNOUNCED] + [
                _BY_EVENT[type(e)] for e in self.events[pickup.id] if type(e) in _BY_EVENT
            ]
            assert from_events == self.history[pickup.id]

    @invariant()
    def every_pickup_ends_within_the_expiry(self) -> None:
        for pickup in self.pickups:
            if self.now >= pickup.arrival + EXPIRY:
                assert not pickup.is_open, (pickup.id, pickup.arrival, self.now)

    @invariant()
    def no_ended_pickup_holds_a_position(self) -> None:
        for pickup in self.pickups:
            if not pickup.is_open or pickup.mode is ArrivalMode.ETA:
                assert pickup.position is None
            if not pickup.is_open:
                assert pickup.ended_at is not None

    @invariant()
    def an_alert_shows_where_the_child_is_now(self) -> None:
        for installation, groups in GROUPS.items():
            for group in (*groups, None):
                view = View(installation, group)
                shown = alerts_for(view, self.pickups, self.children)
                expected = {
                    p.id
                    for p in self.pickups
                    if p.alerting
                    and self.children[p.child].installation == installation
                    and group in (None, self.children[p.child].group)
                }
                assert {p.id for p in shown} == expected
                assert [p.due_at for p in shown] == sorted(p.due_at for p in shown)


TestPickupMachine = PickupMachine.TestCase
