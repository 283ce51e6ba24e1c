"""The pickups' use cases on a real SQLite file, with the reference HopHop: a Québec daycare
with two installations, the seed's story from the sync to the child's departure."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from caredomain import Actor, ActorId, FixedClock, Organisation, Role
from caredomain.errors import Conflict, Forbidden, RuleViolation
from caredomain.events import Event
from caredomain.geo import GeoPoint
from caredomain.hours import TimeRange
from caredomain.organisation import ConfigurationId
from caredomain.pickup import (
    AccountSettings,
    Child,
    ChildUnmatched,
    Group,
    HopHopAccount,
    Installation,
    LinkProblem,
    Parent,
    PickupAlertDue,
    PickupStatus,
    View,
)
from caredomain.pickup.ports import HopHopPlatform
from caredomain.pickup.services import (
    HOPHOP_ACTOR,
    AnnouncedChild,
    activations,
    announce_pickup,
    approve_child,
    call_child,
    hophop_accounts,
    link_account,
    move_child,
    parent_photo_changed,
    pickup_alerts,
    pickup_rings,
    ready_child,
    release_child,
    report_position,
    set_up_daycare,
    sync_hophop,
    tick_pickups,
)
from caredomain.pickup.sync import SyncDiff
from caredomain.secret import Secret
from caredomain.services import ServiceContext, configure_organisation
from caredomain.testing.hophop import ReferenceHopHop
from caredomain_hophop import HopHopClient, HopHopSettings, HopHopUnavailable
from caredomain_sqlite import SqliteStore

MONTREAL = ZoneInfo("America/Toronto")
DAYCARE = "cpe-soleil"
ADMIN = Actor.administrator("direction", "Direction du CPE", configuration=ConfigurationId(DAYCARE))
EDUCATOR = Actor(
    ActorId("ana"),
    {Role.AGENT},
    services={"site-1"},
    name="Ana",
    configuration=ConfigurationId(DAYCARE),
)
OTHER_SITE = Actor(
    ActorId("bo"),
    {Role.AGENT},
    services={"site-2"},
    name="Bo",
    configuration=ConfigurationId(DAYCARE),
)
WINDOW = AccountSettings(timedelta(minutes=5), TimeRange.parse("15h30-18h00"))


def at(hhmm: str) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(2027, 3, 2, hours, minutes, tzinfo=MONTREAL)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(at("14:30"))


@pytest.fixture
def context(tmp_path: Path, clock: FixedClock) -> Iterator[ServiceContext]:
    counter = itertools.count()
    with SqliteStore(tmp_path / "daycare.db") as store:
        yield ServiceContext(store, clock=clock, new_id=lambda: f"id{next(counter)}")


@pytest.fixture
def hophop() -> ReferenceHopHop:
    return ReferenceHopHop()


def _two_sites(context: ServiceContext) -> None:
    configure_organisation(context, ADMIN, Organisation(DAYCARE, "CPE Soleil", zone=MONTREAL))
    set_up_daycare(
        context,
        ADMIN,
        DAYCARE,
        installations=[
            Installation("site-1", "Installation 1", "CPE Soleil installation 1"),
            Installation("site-2", "Installation 2", "CPE Soleil installation 2"),
        ],
    )


@pytest.fixture
def daycare(context: ServiceContext, hophop: ReferenceHopHop) -> ServiceContext:
    _two_sites(context)
    set_up_daycare(
        context,
        ADMIN,
        DAYCARE,
        groups=[Group("poussins", "site-1", "Poussins"), Group("lutins", "site-1", "Lutins")],
        parents=[
            Parent("marie", "Marie", "Tremblay", "marie@example.ca", activated=True),
            Parent("paul", "Paul", "Gagnon", "paul@example.ca"),
        ],
        children=[
            Child("lea", "Léa", "Tremblay", "site-1", "poussins", frozenset({"marie", "paul"})),
            Child("max", "Max", "Gagnon", "site-1", "lutins", frozenset({"paul"})),
        ],
    )
    for site in ("site-1", "site-2"):
        link_account(
            context,
            ADMIN,
            DAYCARE,
            site,
            email=f"soleil_{site}@hophop.ca",
            password=Secret("mot-de-passe"),
            platform=hophop,
            create=True,
            settings=WINDOW,
        )
    sync_hophop(context, ADMIN, DAYCARE, hophop)
    return context


def _announce(context: ServiceContext, arrival: str, inbound: str = "in-1") -> list[str]:
    done = announce_pickup(
        context,
        HOPHOP_ACTOR,
        DAYCARE,
        inbound_id=inbound,
        parent="marie",
        children=[AnnouncedChild("lea", "Léa", "Tremblay")],
        at=context.clock.now(),
        arrival=at(arrival),
    )
    return [pickup.id for pickup in done.pickups]


def test_an_email_another_installation_holds_is_refused_and_hophop_says_why(
    daycare: ServiceContext, hophop: ReferenceHopHop
) -> None:
    with pytest.raises(Conflict):
        link_account(
            daycare,
            ADMIN,
            DAYCARE,
            "site-2",
            email="soleil_site-1@hophop.ca",
            password=Secret("x"),
            platform=hophop,
        )
    wrong = link_account(
        daycare,
        ADMIN,
        DAYCARE,
        "site-2",
        email="soleil_site-2@hophop.ca",
        password=Secret("not it"),
        platform=hophop,
    )
    assert (wrong.link.value, wrong.problem) == ("broken", LinkProblem.BAD_CREDENTIALS)
    assert "not it" not in repr(wrong)


class RivalHopHop(ReferenceHopHop):
    """The reference HopHop, and another administrator's links made while it answers the
    first link it is asked for (the window between the use case's two units of work)."""

    def __init__(self, rivals: Callable[[], object]) -> None:
        super().__init__()
        self.rivals: Callable[[], object] | None = rivals
        self.asked: list[str] = []

    def link(self, account: HopHopAccount, password: Secret, *, create: bool) -> LinkProblem | None:
        self.asked.append(f"{account.installation} {account.email}")
        rivals, self.rivals = self.rivals, None
        if rivals is not None:
            rivals()
        return super().link(account, password, create=create)


def _link(context: ServiceContext, site: str, email: str, hophop: HopHopPlatform) -> None:
    link_account(
        context,
        ADMIN,
        DAYCARE,
        site,
        email=email,
        password=Secret("mot-de-passe"),
        platform=hophop,
        create=True,
    )


def _emails(context: ServiceContext) -> dict[str, tuple[str, str] | None]:
    return {
        installation.id: None if account is None else (account.email, account.link.value)
        for installation, account in hophop_accounts(context, ADMIN, DAYCARE)
    }


def test_an_email_claimed_while_hophop_answers_is_refused_before_hophop_is_asked(
    context: ServiceContext,
) -> None:
    _two_sites(context)
    refused: list[Conflict] = []

    def rival() -> None:
        with pytest.raises(Conflict) as caught:
            _link(context, "site-2", "soleil@hophop.ca", hophop)
        refused.append(caught.value)

    hophop = RivalHopHop(rival)
    _link(context, "site-1", "soleil@hophop.ca", hophop)
    assert "site-1" in str(refused[0])
    assert hophop.asked == ["site-1 soleil@hophop.ca"]  # the rival was not sent to HopHop
    assert _emails(context) == {"site-1": ("soleil@hophop.ca", "ok"), "site-2": None}


def test_a_change_of_email_hophop_never_answers_leaves_the_green_link_as_it_was(
    daycare: ServiceContext,
) -> None:
    third = Installation("site-3", "Installation 3", "CPE Soleil installation 3")
    set_up_daycare(daycare, ADMIN, DAYCARE, installations=[third])
    settings = HopHopSettings(url="http://127.0.0.1:9/", token=Secret("t"), attempts=1)
    with HopHopClient(settings) as unreachable:
        with pytest.raises(HopHopUnavailable):
            _link(daycare, "site-1", "nouveau@hophop.ca", unreachable)
        # A first link HopHop never answers leaves its e-mail claimed, red: not linked.
        with pytest.raises(HopHopUnavailable):
            _link(daycare, "site-3", "trois@hophop.ca", unreachable)
    emails = _emails(daycare)
    assert emails["site-1"] == ("soleil_site-1@hophop.ca", "ok")
    assert emails["site-3"] == ("trois@hophop.ca", "broken")


def test_an_email_gone_to_another_installation_while_hophop_answers_is_not_saved(
    context: ServiceContext,
) -> None:
    _two_sites(context)

    def rivals() -> None:  # site-1 is given another e-mail, then site-2 takes the first
        _link(context, "site-1", "autre@hophop.ca", hophop)
        _link(context, "site-2", "soleil@hophop.ca", hophop)

    hophop = RivalHopHop(rivals)
    with pytest.raises(Conflict, match="site-2"):
        _link(context, "site-1", "soleil@hophop.ca", hophop)
    assert _emails(context) == {
        "site-1": ("autre@hophop.ca", "ok"),
        "site-2": ("soleil@hophop.ca", "ok"),
    }


def test_the_sync_sends_what_changed_once(daycare: ServiceContext, hophop: ReferenceHopHop) -> None:
    assert sorted(hophop.held["site-1"]) == ["lea", "max"]
    again = sync_hophop(daycare, ADMIN, DAYCARE, hophop)
    assert all(change.empty for change in again.pushed.values())
    assert len(hophop.pushes) == 1  # nothing sent the second time


class GatedHopHop(ReferenceHopHop):
    """The reference HopHop, and what a test runs just before the first push lands and just
    after the second has (each once)."""

    def __init__(self) -> None:
        super().__init__()
        self.before_first: Callable[[], object] | None = None
        self.after_second: Callable[[], object] | None = None
        self.calls = 0

    def push(self, account: HopHopAccount, diff: SyncDiff) -> None:
        self.calls += 1
        number = self.calls
        if number == 1 and self.before_first is not None:
            self.before_first()
        super().push(account, diff)
        if number == 2 and self.after_second is not None:
            self.after_second()


def _marie_writes_from(context: ServiceContext, email: str) -> None:
    marie = Parent("marie", "Marie", "Tremblay", email, activated=True)
    set_up_daycare(context, ADMIN, DAYCARE, parents=[marie])


def _emails_held(hophop: ReferenceHopHop) -> set[str]:
    return {parent.email for parent in hophop.held["site-1"]["lea"].parents}


def test_a_sync_that_lost_the_race_to_record_sends_again_what_hophop_may_hold_wrong(
    daycare: ServiceContext, hophop: ReferenceHopHop
) -> None:
    """Sync A reads v1; Marie's e-mail becomes v2; sync B reads v2 and pushes it; A's push
    (v1) lands after B's; A records v1, then B finds A's record where it read another. B
    sends Léa again, as she stands (v2), and records that: HopHop and the record agree,
    and a later sync has nothing to send."""
    gated = GatedHopHop()
    gated.passwords, gated.owners, gated.held = hophop.passwords, hophop.owners, hophop.held
    _marie_writes_from(daycare, "v1@example.ca")
    b_pushed, a_recorded = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def sync_b() -> None:
        try:
            sync_hophop(daycare, ADMIN, DAYCARE, gated)
        except BaseException as error:
            failures.append(error)
            b_pushed.set()

    def start_b_and_let_its_push_land_first() -> None:
        _marie_writes_from(daycare, "v2@example.ca")
        rival.start()
        assert b_pushed.wait(30)

    def hold_b_until_a_recorded() -> None:
        b_pushed.set()
        assert a_recorded.wait(30)

    rival = threading.Thread(target=sync_b)
    gated.before_first = start_b_and_let_its_push_land_first
    gated.after_second = hold_b_until_a_recorded
    try:
        sync_hophop(daycare, ADMIN, DAYCARE, gated)
    finally:
        a_recorded.set()
        rival.join(30)
    assert not failures
    assert _emails_held(gated) == {"v2@example.ca", "paul@example.ca"}
    again = sync_hophop(daycare, ADMIN, DAYCARE, gated)
    assert all(change.empty for change in again.pushed.values())


class MeddlingHopHop(ReferenceHopHop):
    """The reference HopHop, and, after each push of the sync under test, Marie's e-mail
    changed and another whole sync run before that one records what it sent."""

    def __init__(self, context: ServiceContext) -> None:
        super().__init__()
        self.context = context
        self.rivals = 0

    def push(self, account: HopHopAccount, diff: SyncDiff) -> None:
        super().push(account, diff)
        if self.rivals == 0 or self.rivals % 2 == 0:  # not the rival's own push
            self.rivals += 1
            _marie_writes_from(self.context, f"v{self.rivals}@example.ca")
            sync_hophop(self.context, ADMIN, DAYCARE, self)
            self.rivals += 1


def test_a_sync_that_keeps_losing_the_race_to_record_gives_up_with_a_conflict(
    daycare: ServiceContext, hophop: ReferenceHopHop
) -> None:
    meddling = MeddlingHopHop(daycare)
    meddling.passwords, meddling.owners, meddling.held = (
        hophop.passwords,
        hophop.owners,
        hophop.held,
    )
    _marie_writes_from(daycare, "v0@example.ca")
    with pytest.raises(Conflict, match="synchronise again"):
        sync_hophop(daycare, ADMIN, DAYCARE, meddling)
    assert meddling.rivals == 10  # five rounds, each lost to another sync
    assert all(
        change.empty for change in sync_hophop(daycare, ADMIN, DAYCARE, hophop).pushed.values()
    )


def test_the_seeds_story_from_announcement_to_departure(
    daycare: ServiceContext, hophop: ReferenceHopHop, clock: FixedClock
) -> None:
    (pickup_id,) = _announce(daycare, "15:45")
    clock.advance(at("15:39") - clock.now())
    assert tick_pickups(daycare, HOPHOP_ACTOR, DAYCARE) == []
    clock.advance(timedelta(minutes=1))
    (alert,) = tick_pickups(daycare, HOPHOP_ACTOR, DAYCARE)
    assert isinstance(alert, PickupAlertDue)
    poussins, lutins = View("site-1", "poussins"), View("site-1", "lutins")
    assert [p.id for p in pickup_alerts(daycare, EDUCATOR, DAYCARE, poussins)] == [pickup_id]
    assert pickup_alerts(daycare, EDUCATOR, DAYCARE, lutins) == []
    assert [a.pickup_id for _, a in pickup_rings(daycare, EDUCATOR, DAYCARE, poussins)] == [
        pickup_id
    ]
    with pytest.raises(Forbidden):
        pickup_alerts(daycare, OTHER_SITE, DAYCARE, poussins)
    with pytest.raises(Forbidden):
        call_child(daycare, OTHER_SITE, DAYCARE, pickup_id)
    with pytest.raises(RuleViolation):
        release_child(daycare, EDUCATOR, DAYCARE, pickup_id)
    call_child(daycare, EDUCATOR, DAYCARE, pickup_id)
    ready_child(daycare, EDUCATOR, DAYCARE, pickup_id, hophop)
    assert hophop.told_ready == [pickup_id]
    left = release_child(daycare, EDUCATOR, DAYCARE, pickup_id)
    assert (left.status, left.released_by) == (PickupStatus.DEPARTED, "ana")
    assert pickup_alerts(daycare, EDUCATOR, DAYCARE, poussins) == []


def test_a_child_moved_to_another_group_alerts_there(
    daycare: ServiceContext, clock: FixedClock
) -> None:
    _announce(daycare, "15:45")
    move_child(daycare, EDUCATOR, DAYCARE, "lea", "lutins")
    clock.advance(at("15:40") - clock.now())
    tick_pickups(daycare, HOPHOP_ACTOR, DAYCARE)
    assert len(pickup_alerts(daycare, EDUCATOR, DAYCARE, View("site-1", "lutins"))) == 1
    assert pickup_alerts(daycare, EDUCATOR, DAYCARE, View("site-1", "poussins")) == []


def test_18_10_is_refused_with_its_reason_and_nothing_is_kept(daycare: ServiceContext) -> None:
    with pytest.raises(RuleViolation) as refused:
        _announce(daycare, "18:10")
    assert "calls are taken 15:30–18:00" in str(refused.value)
    assert pickup_alerts(daycare, ADMIN, DAYCARE, View("site-1")) == []
    assert _announce(daycare, "17:00") != []  # the refused message did not use up its id


def test_the_same_inbound_message_twice_is_applied_once(daycare: ServiceContext) -> None:
    assert len(_announce(daycare, "15:45", inbound="msg-7")) == 1
    assert _announce(daycare, "15:45", inbound="msg-7") == []


def test_twenty_gps_reports_ring_once(daycare: ServiceContext, clock: FixedClock) -> None:
    clock.advance(at("16:00") - clock.now())
    announce_pickup(
        daycare,
        HOPHOP_ACTOR,
        DAYCARE,
        inbound_id="gps-0",
        parent="marie",
        children=[AnnouncedChild("lea", "Léa", "Tremblay")],
        at=at("16:00"),
        travel=timedelta(minutes=25),
        position=GeoPoint(45.50, -73.57),
    )
    events: list[Event] = []
    for n in range(20):
        moment = at("16:01") + timedelta(minutes=n)
        clock.advance(moment - clock.now())
        for copy in range(2):  # each report delivered twice
            events += report_position(
                daycare,
                HOPHOP_ACTOR,
                DAYCARE,
                inbound_id=f"gps-{n}-{copy}",
                parent="marie",
                at=moment,
                position=GeoPoint(45.5, -73.6),
                travel=timedelta(minutes=24 - n),
            )
    assert sum(isinstance(event, PickupAlertDue) for event in events) == 1


def test_a_photo_change_waits_for_approval(daycare: ServiceContext) -> None:
    parent_photo_changed(
        daycare, HOPHOP_ACTOR, DAYCARE, inbound_id="photo-1", parent="marie", children=["lea"]
    )
    with pytest.raises(RuleViolation, match="awaiting approval by the centre"):
        _announce(daycare, "15:45")
    approve_child(daycare, EDUCATOR, DAYCARE, "lea")
    assert len(_announce(daycare, "15:45")) == 1


def test_a_child_renamed_in_hophop_is_reported_not_lost(daycare: ServiceContext) -> None:
    done = announce_pickup(
        daycare,
        HOPHOP_ACTOR,
        DAYCARE,
        inbound_id="renamed",
        parent="marie",
        children=[AnnouncedChild("lea", "Léa-Rose", "Tremblay")],
        at=at("14:30"),
        arrival=at("15:45"),
    )
    assert (done.pickups, done.unmatched) == ((), ("lea",))
    journal = daycare.store.unit_of_work(write=False)
    with journal as uow:
        unmatched = [e for _, e in uow.events.since(0) if isinstance(e, ChildUnmatched)]
    assert [e.differences for e in unmatched] == [("first_name",)]


def test_activations_list_who_has_not_activated(daycare: ServiceContext) -> None:
    listed = activations(daycare, EDUCATOR, DAYCARE, "site-1")
    assert [(a.child.id, a.colour, [p.id for p in a.not_activated]) for a in listed] == [
        ("max", "orange", ["paul"]),
        ("lea", "orange", ["paul"]),
    ]


def test_a_gps_report_that_comes_late_rings_at_once(
    daycare: ServiceContext, clock: FixedClock
) -> None:
    clock.advance(at("16:00") - clock.now())
    announce_pickup(
        daycare,
        HOPHOP_ACTOR,
        DAYCARE,
        inbound_id="late-0",
        parent="marie",
        children=[AnnouncedChild("lea", "Léa", "Tremblay")],
        at=at("16:00"),
        travel=timedelta(minutes=30),
        position=GeoPoint(45.50, -73.57),
    )
    clock.advance(at("16:09") - clock.now())  # the report made at 16:02 arrives at 16:09
    events = report_position(
        daycare,
        HOPHOP_ACTOR,
        DAYCARE,
        inbound_id="late-1",
        parent="marie",
        at=at("16:02"),
        position=GeoPoint(45.5, -73.6),
        travel=timedelta(minutes=10),
    )
    assert [type(event) for event in events] == [PickupAlertDue]
    assert events[0].occurred_at == at("16:09")


def test_a_password_changed_on_hophops_side_turns_the_link_red_at_the_next_sync(
    daycare: ServiceContext, hophop: ReferenceHopHop
) -> None:
    hophop.change_password("soleil_site-1@hophop.ca", "changed on app.hophop.ca")
    set_up_daycare(
        daycare, ADMIN, DAYCARE, parents=[Parent("paul", "Paul", "Gagnon", "p.g@example.ca")]
    )
    report = sync_hophop(daycare, ADMIN, DAYCARE, hophop)
    assert report.skipped == {"site-1": LinkProblem.PASSWORD_CHANGED}
    again = sync_hophop(daycare, ADMIN, DAYCARE, hophop)  # red now: not even tried
    assert again.skipped == {"site-1": LinkProblem.PASSWORD_CHANGED}
    assert len(hophop.pushes) == 1  # the first sync's, in the fixture


def test_a_parent_not_told_because_the_link_is_cut_is_said_and_the_child_stays_ready(
    daycare: ServiceContext, hophop: ReferenceHopHop
) -> None:
    (pickup_id,) = _announce(daycare, "15:45")
    hophop.change_password("soleil_site-1@hophop.ca", "changed on app.hophop.ca")
    call_child(daycare, EDUCATOR, DAYCARE, pickup_id)
    with pytest.raises(RuleViolation) as refused:
        ready_child(daycare, EDUCATOR, DAYCARE, pickup_id, hophop)
    assert refused.value.code == "pickup.parent_not_told"
    assert "password-changed" in str(refused.value)
    assert release_child(daycare, EDUCATOR, DAYCARE, pickup_id).status is PickupStatus.DEPARTED
