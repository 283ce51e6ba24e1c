"""The seed's own cases (seed 001): the call window and the preparation time, one alert per
arrival, statuses in order only, a child moved to another group, a photo awaiting approval,
what is synced."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from caredomain.errors import RuleViolation
from caredomain.geo import GeoPoint
from caredomain.hours import TimeRange
from caredomain.pickup import (
    AccountSettings,
    ArrivalMode,
    Child,
    ChildId,
    GroupId,
    Installation,
    InstallationId,
    Parent,
    ParentId,
    Pickup,
    PickupAlertDue,
    PickupDelayed,
    PickupStatus,
    View,
    activation,
    alerts_for,
    approved,
    check_call_window,
    check_may_announce,
    diff,
    differences,
    payload,
    photo_changed,
)

MONTREAL = ZoneInfo("America/Toronto")
SETTINGS = AccountSettings(
    preparation=timedelta(minutes=5), call_window=TimeRange.parse("15h30-18h00")
)
ids = (f"e{n}" for n in itertools.count())


def new_id() -> str:
    return next(ids)


def at(hhmm: str) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(2027, 3, 2, hours, minutes, tzinfo=MONTREAL)


def pickup(arrival: str, requested: str = "14:30", mode: ArrivalMode = ArrivalMode.ETA) -> Pickup:
    check_call_window(at(arrival), SETTINGS, MONTREAL)
    return Pickup(
        id="p1",
        organisation_id="cpe-soleil",
        child=ChildId("lea"),
        parent=ParentId("marie"),
        installation=InstallationId("site-1"),
        mode=mode,
        requested_at=at(requested),
        arrival=at(arrival),
        preparation=SETTINGS.preparation,
    )


def test_a_request_at_14_30_for_15_45_is_accepted_and_alerts_at_15_40() -> None:
    announced = pickup("15:45")
    assert announced.due_at == at("15:40")
    assert announced.tick(at("15:39"), new_id) == []
    (alert,) = announced.tick(at("15:40"), new_id)
    assert isinstance(alert, PickupAlertDue)
    assert (alert.arrival, alert.sequence) == (at("15:45"), 1)
    assert announced.tick(at("15:41"), new_id) == []  # the alert rings once


def test_an_arrival_at_18_10_is_refused_with_its_reason() -> None:
    with pytest.raises(RuleViolation) as refused:
        check_call_window(at("18:10"), SETTINGS, MONTREAL)
    assert refused.value.code == "pickup.outside_window"
    assert refused.value.message == "HopHop is not used at 18:10: calls are taken 15:30–18:00"


@pytest.mark.parametrize("arrival", ["15:30", "16:45", "18:00"])
def test_the_window_holds_both_its_ends(arrival: str) -> None:
    check_call_window(at(arrival), SETTINGS, MONTREAL)


@pytest.mark.parametrize("arrival", ["15:29", "18:01", "09:00"])
def test_outside_the_window_is_refused(arrival: str) -> None:
    with pytest.raises(RuleViolation):
        check_call_window(at(arrival), SETTINGS, MONTREAL)


@pytest.mark.parametrize("seconds", [-1, 1])
def test_a_second_outside_the_window_is_outside(seconds: int) -> None:
    """15:29:59 is before a window opening at 15:30, as 18:00:01 is after one closing at 18:00
    (the minute was once rounded up, which let 15:29:01 in)."""
    edge = at("15:30") if seconds < 0 else at("18:00")
    with pytest.raises(RuleViolation):
        check_call_window(edge + timedelta(seconds=seconds), SETTINGS, MONTREAL)
    check_call_window(edge - timedelta(seconds=seconds), SETTINGS, MONTREAL)


def test_statuses_go_called_ready_departed_and_nothing_else() -> None:
    announced = pickup("15:45")
    with pytest.raises(RuleViolation) as refused:
        announced.ready("ana", at("15:41"), new_id)
    assert refused.value.code == "pickup.status_order"
    announced.call("ana", at("15:41"), new_id)
    with pytest.raises(RuleViolation):
        announced.call("ana", at("15:42"), new_id)
    with pytest.raises(RuleViolation):
        announced.depart("ana", at("15:42"), new_id)
    announced.ready("ana", at("15:43"), new_id)
    (departed,) = announced.depart("ana", at("15:46"), new_id)
    assert announced.status is PickupStatus.DEPARTED
    assert announced.released_by == "ana"
    assert (departed.occurred_at, departed.by) == (at("15:46"), "ana")  # type: ignore[attr-defined]
    with pytest.raises(RuleViolation):
        announced.cancel(at("15:47"), new_id)


def test_twenty_gps_reports_give_one_alert() -> None:
    gps = pickup("16:30", requested="16:00", mode=ArrivalMode.GPS)
    home = GeoPoint(45.5, -73.6)
    alerts = []
    for minute in range(8, 28):  # twenty reports: 17 minutes away, 16, … then there
        moment = at("16:00") + timedelta(minutes=minute)
        travel = timedelta(minutes=max(0, 25 - minute))
        alerts += gps.report(moment, home, travel, new_id)
        alerts += gps.report(moment, home, travel, new_id)  # the same report again
    assert [a.sequence for a in alerts if isinstance(a, PickupAlertDue)] == [1]
    assert gps.position == home


def test_a_report_overtaken_in_transit_changes_nothing() -> None:
    gps = pickup("16:30", requested="16:00", mode=ArrivalMode.GPS)
    gps.report(at("16:10"), GeoPoint(45.5, -73.6), timedelta(minutes=20), new_id)
    assert gps.report(at("16:05"), GeoPoint(46, -73), timedelta(minutes=1), new_id) == []
    assert gps.arrival == at("16:30")


def test_an_arrival_much_later_after_its_alert_gives_a_new_alert_not_a_duplicate() -> None:
    announced = pickup("15:45")
    announced.tick(at("15:40"), new_id)
    assert announced.reannounce(at("15:41"), at("15:48"), new_id) == []  # not material
    (delayed,) = announced.reannounce(at("15:42"), at("16:30"), new_id)
    assert isinstance(delayed, PickupDelayed)
    assert not announced.alerting
    (again,) = announced.tick(at("16:25"), new_id)
    assert isinstance(again, PickupAlertDue)
    assert again.sequence == 2


def test_an_arrival_a_little_earlier_moves_the_alert_earlier() -> None:
    """Re-announced nine minutes earlier, not a material change: the alert still comes the
    preparation time before the new arrival, not after the parent is there."""
    announced = pickup("16:30")
    assert announced.reannounce(at("16:00"), at("16:21"), new_id) == []
    assert announced.due_at == at("16:16")
    (alert,) = announced.tick(at("16:16"), new_id)
    assert isinstance(alert, PickupAlertDue)
    assert (alert.arrival, alert.sequence) == (at("16:21"), 1)
    assert announced.reannounce(at("16:17"), at("16:29"), new_id) == []  # not material: stands
    assert (announced.alerting, announced.arrival) == (True, at("16:29"))


def test_an_announcement_never_followed_by_an_arrival_expires_and_keeps_no_position() -> None:
    gps = pickup("16:30", requested="16:00", mode=ArrivalMode.GPS)
    gps.report(at("16:10"), GeoPoint(45.5, -73.6), timedelta(minutes=20), new_id)
    gps.tick(at("17:29"), new_id)
    assert gps.is_open
    (expired,) = gps.tick(at("17:30"), new_id)
    assert gps.status is PickupStatus.EXPIRED
    assert expired.occurred_at == at("17:30")
    assert gps.position is None


def test_a_child_moved_from_group_a_to_b_alerts_in_b_not_a() -> None:
    announced = pickup("15:45")
    announced.tick(at("15:40"), new_id)
    lea = Child("lea", "Léa", "Tremblay", "site-1", "group-a", parents=frozenset({"marie"}))
    moved = {ChildId("lea"): lea.moved_to(GroupId("group-b"))}
    assert alerts_for(View("site-1", "group-b"), [announced], moved) == [announced]
    assert alerts_for(View("site-1", "group-a"), [announced], moved) == []
    assert alerts_for(View("site-1"), [announced], moved) == [announced]  # all groups
    assert alerts_for(View("site-2"), [announced], moved) == []  # another installation


def test_a_photo_change_blocks_that_parent_until_the_centre_approves() -> None:
    lea = Child("lea", "Léa", "Tremblay", "site-1", "g", parents=frozenset({"marie", "paul"}))
    waiting = photo_changed(lea, ParentId("marie"))
    with pytest.raises(RuleViolation) as refused:
        check_may_announce(waiting, ParentId("marie"))
    assert refused.value.code == "pickup.awaiting_approval"
    assert refused.value.message == "awaiting approval by the centre"
    check_may_announce(waiting, ParentId("paul"))  # the other parent is not blocked
    check_may_announce(approved(waiting), ParentId("marie"))


def test_a_child_is_white_once_every_parent_activated_and_orange_before() -> None:
    parents = {
        ParentId("marie"): Parent("marie", "Marie", "Tremblay", "marie@example.ca", activated=True),
        ParentId("paul"): Parent("paul", "Paul", "Gagnon", "paul@example.ca"),
    }
    lea = Child("lea", "Léa", "Tremblay", "site-1", "g", parents=frozenset(parents))
    orange = activation(lea, parents)
    assert (orange.colour, [p.id for p in orange.not_activated]) == ("orange", ["paul"])
    parents[ParentId("paul")] = Parent("paul", "Paul", "Gagnon", "paul@example.ca", activated=True)
    assert activation(lea, parents).colour == "white"


def test_the_sync_sends_the_seeds_fields_for_enabled_children_and_is_a_diff() -> None:
    site = {InstallationId("site-1"): Installation("site-1", "Installation 1", "CPE Soleil")}
    marie = Parent("marie", "Marie", "Tremblay", "marie@example.ca")
    lea = Child("lea", "Léa", "Tremblay", "site-1", "g", parents=frozenset({"marie"}))
    off = Child("max", "Max", "Roy", "site-1", "g", hophop_enabled=False)
    now = payload("CPE Soleil", site, [lea, off], {ParentId("marie"): marie})
    assert list(now) == ["lea"]
    record = now["lea"]
    assert (record.daycare, record.installation, record.agreement_active) == (
        "CPE Soleil",
        "CPE Soleil",
        True,
    )
    first = diff({}, now)
    assert [r.reference for r in first.added] == ["lea"]
    assert diff(now, now).empty  # idempotent
    corrected = {ParentId("marie"): Parent("marie", "Marie", "Tremblay", "m.tremblay@example.ca")}
    later = payload("CPE Soleil", site, [lea], corrected)
    assert [r.parents[0].email for r in diff(now, later).changed] == ["m.tremblay@example.ca"]
    assert diff(now, {}).removed == ("lea",)


def test_a_child_renamed_on_the_hophop_side_is_reported_with_what_differs() -> None:
    site = {InstallationId("site-1"): Installation("site-1", "Installation 1")}
    lea = Child("lea", "Léa", "Tremblay", "site-1", "g")
    sent = payload("CPE Soleil", site, [lea], {})["lea"]
    assert differences(sent, "léa", "TREMBLAY") == ()
    assert differences(sent, "Lea-Rose", "Tremblay") == ("first_name",)
    assert differences(None, "Léa", "Tremblay") == ("reference",)
