"""Two instances of an application on one PostgreSQL schema, each reading the same thing and
writing back what it derives from it, at the worst moment: the second reads while the first
has read and not yet committed. Neither change may be lost, as none is on SQLite, whose
writers run one at a time: the second waits, then reads what the first committed.

The first use case runs with a :class:`Rival` as its notifier, which the service layer calls
inside the unit of work just before it commits: it starts the second use case on another
store object, and lets the first commit only once the second waits for a lock — once it has
gone as far as it can while the first is open.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest

from caredomain import Actor, ActorId, FixedClock, Role
from caredomain.access import Everywhere
from caredomain.access.audit import AuditKind
from caredomain.access.configurations import UserId
from caredomain.access.modes import Mode
from caredomain.access.passwords import Hasher
from caredomain.access.ports import access_unit_of_work
from caredomain.access.services import (
    AccessSettings,
    configure_configuration,
    designate_administrator,
    enter,
)
from caredomain.calendar import Closure
from caredomain.errors import CareDomainError, Forbidden
from caredomain.events import Event
from caredomain.organisation import ConfigurationId, Organisation, OrganisationId
from caredomain.pickup.events import ChildCalled
from caredomain.pickup.model import ChildId, InstallationId, ParentId
from caredomain.pickup.pickups import ArrivalMode, Pickup
from caredomain.pickup.ports import pickup_unit_of_work
from caredomain.pickup.services import call_child
from caredomain.ports import UnitOfWork
from caredomain.roster import (
    Agent,
    AgentId,
    Planning,
    PlanningId,
    PlanningStatus,
    Post,
    PostId,
    RosterSettings,
    french_hospital_catalogue,
)
from caredomain.roster.ports import roster_unit_of_work
from caredomain.roster.services import edit_code_locally
from caredomain.secret import Secret
from caredomain.services import ServiceContext
from caredomain.slots import Beneficiary, Channel
from caredomain.slots.services import add_closure, book_slot
from caredomain_postgres.store import PostgresStore

from .conftest import Server
from .test_processes import COUNTER, SLOT, TOWN, admin, prepare

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 20, tzinfo=PARIS)

Step = Callable[[ServiceContext], object]


class Rival:
    """A notifier (:class:`~caredomain.services.context.EventQueue`) that, in the unit it is
    called in, runs ``second`` in a thread on ``context`` and returns once the backend
    ``pid`` (the second's one connection) waits for a lock, or the second has ended."""

    def __init__(self, server: str, pid: int, second: Step, context: ServiceContext) -> None:
        self._server = server
        self._pid = pid
        self._second = second
        self._context = context
        self.thread: threading.Thread | None = None
        self.outcome: object = None

    def queue(self, uow: UnitOfWork, events: Sequence[Event]) -> None:
        if self.thread is not None:
            return
        self.thread = threading.Thread(target=self._run)
        self.thread.start()
        deadline = time.monotonic() + 10
        with psycopg.connect(self._server, autocommit=True) as watcher:
            while self.thread.is_alive() and time.monotonic() < deadline:
                waiting = watcher.execute(
                    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = %s AND NOT granted)",
                    (self._pid,),
                ).fetchone()
                if waiting and waiting[0]:
                    return
                time.sleep(0.005)

    def _run(self) -> None:
        try:
            self.outcome = self._second(self._context)
        except CareDomainError as error:
            self.outcome = error


@contextmanager
def instance(url: str) -> Iterator[tuple[PostgresStore, int]]:
    """A store object with one connection, and the process id of its backend."""
    with PostgresStore.from_url(url) as store:
        with store.unit_of_work(write=False) as uow:
            pid = int(uow.query("SELECT pg_backend_pid()")[0][0])
        yield store, pid


def race(
    server: Server, url: str, first: Step, second: Step, *, now: datetime = NOW
) -> tuple[object, object]:
    """Run ``first`` on one instance and ``second`` on another, the second reading while the
    first is open; their outcomes (a result, or the caredomain error raised)."""
    with instance(url) as (one, _), instance(url) as (other, pid):
        clock = FixedClock(now)
        rival = Rival(server.url, pid, second, ServiceContext(store=other, clock=clock))
        try:
            outcome: object = first(ServiceContext(store=one, clock=clock, notifier=rival))
        except CareDomainError as error:
            outcome = error
        assert rival.thread is not None, "the first use case never reached its commit"
        rival.thread.join(timeout=30)
        return outcome, rival.outcome


# -- the appointment book -------------------------------------------------------------------


@pytest.fixture
def town(postgres: Server) -> str:
    url = postgres.fresh_url(pool=1)
    prepare(url, seats=1)
    return url


def test_two_closures_added_at_once_are_both_kept(postgres: Server, town: str) -> None:
    christmas_eve, new_year_eve = date(2026, 12, 24), date(2026, 12, 31)
    outcomes = race(
        postgres,
        town,
        lambda context: add_closure(context, admin(), TOWN, Closure.on(christmas_eve)),
        lambda context: add_closure(context, admin(), TOWN, Closure.on(new_year_eve)),
    )

    assert not any(isinstance(outcome, CareDomainError) for outcome in outcomes), outcomes
    with PostgresStore.from_url(town) as store, store.unit_of_work(write=False) as uow:
        closures = uow.organisations.get(TOWN).calendar.closures
    assert [closure.first for closure in closures] == [christmas_eve, new_year_eve]


def test_a_booking_never_outlives_a_closure_of_its_day_made_meanwhile(
    postgres: Server, town: str
) -> None:
    citizen = Actor(
        ActorId("citizen-1"), {Role.CITIZEN}, configuration=ConfigurationId("sarreguemines")
    )
    outcomes = race(
        postgres,
        town,
        lambda context: add_closure(context, admin(), TOWN, Closure.on(SLOT.date())),
        lambda context: book_slot(
            context,
            citizen,
            TOWN,
            counter_id=COUNTER,
            start=SLOT,
            beneficiary=Beneficiary("citizen-1", "Jeanne Dupont"),
            channel=Channel.PORTAL,
            option="CNI",
        ),
    )

    with PostgresStore.from_url(town) as store, store.unit_of_work(write=False) as uow:
        booked = uow.slots.appointments(TOWN, booked_only=True)
    # Either the booking waited and found the day closed, or the closure waited and
    # deprogrammed it: never a seat held on a closed day.
    assert booked == [], outcomes


# -- the roster -----------------------------------------------------------------------------

DAY = date(2026, 11, 23)
POST = PostId("cardio-2026-11-23-M-IDE")


@pytest.fixture
def ward(postgres: Server) -> str:
    """A roster whose one post needs two nurses, both posted."""
    url = postgres.fresh_url(pool=1)
    start = datetime(2026, 11, 23, 6, 45, tzinfo=PARIS)
    with PostgresStore.from_url(url) as store, roster_unit_of_work(store) as uow:
        uow.roster.save_settings(RosterSettings(PARIS))
        uow.roster.save_catalogue(french_hospital_catalogue())
        uow.roster.save_agents(
            [
                Agent(AgentId("A1"), "Claire Martin", {"IDE"}),
                Agent(AgentId("A2"), "Julie Bernard", {"IDE"}),
            ]
        )
        planning = Planning(PlanningId("cardio"), "Cardiologie", "S48", PlanningStatus.PUBLISHED)
        uow.roster.save_plannings([planning])
        uow.roster.save_posts(
            [
                Post(
                    POST,
                    planning.id,
                    DAY,
                    start,
                    start + timedelta(hours=7, minutes=30),
                    {"IDE"},
                    required=2,
                    assigned=(AgentId("A1"), AgentId("A2")),
                )
            ]
        )
        uow.commit()
    return url


def test_two_absences_on_one_post_at_once_unassign_both(postgres: Server, ward: str) -> None:
    operator = Actor(
        ActorId("cadre"), {Role.ADMINISTRATOR}, configuration=Everywhere("the tests' operator")
    )
    outcomes = race(
        postgres,
        ward,
        lambda context: edit_code_locally(context, operator, "A1", DAY, "MAL"),
        lambda context: edit_code_locally(context, operator, "A2", DAY, "MAL"),
    )

    assert not any(isinstance(outcome, CareDomainError) for outcome in outcomes), outcomes
    with PostgresStore.from_url(ward) as store, roster_unit_of_work(store, write=False) as uow:
        (post,) = uow.roster.posts()
        edits = uow.roster.local_edits()
    assert post.assigned == ()
    assert sorted(post.stood_down) == ["A1", "A2"]
    assert sorted(edit.agent for edit in edits) == ["A1", "A2"]


# -- access ---------------------------------------------------------------------------------

CID = ConfigurationId("ville-metz")
CONSOLE = Secret("pupitre-2024-secret")
SETTINGS = AccessSettings(hasher=Hasher.cheap())
ADMINISTRATOR = Actor(ActorId("mdupont"), {Role.ADMINISTRATOR}, configuration=CID)


@pytest.fixture
def metz(postgres: Server) -> str:
    """A configuration with its console password and its administrator, in March 2024."""
    url = postgres.fresh_url(pool=1)
    vendor = Actor(ActorId("operator"), {Role.TECHNICIAN}, configuration=Everywhere("vendor"))
    technician = Actor(ActorId("tech-luc"), {Role.TECHNICIAN}, configuration=CID)
    with PostgresStore.from_url(url) as store:
        context = ServiceContext(store=store, clock=FixedClock(datetime(2024, 3, 15, tzinfo=UTC)))
        configure_configuration(
            context, vendor, CID, name="Ville de Metz", console_password=CONSOLE, settings=SETTINGS
        )
        designate_administrator(
            context, technician, CID, UserId("mdupont"), full_name="Marie DUPONT", settings=SETTINGS
        )
    return url


def test_two_wrong_passwords_at_once_are_both_counted_and_journaled(
    postgres: Server, metz: str
) -> None:
    def wrong(context: ServiceContext) -> object:
        return enter(
            context, ADMINISTRATOR, CID, Mode.ADMINISTRATOR, Secret("x"), settings=SETTINGS
        )

    outcomes = race(postgres, metz, wrong, wrong, now=datetime(2024, 5, 15, 10, tzinfo=UTC))

    assert all(isinstance(outcome, Forbidden) for outcome in outcomes), outcomes
    with PostgresStore.from_url(metz) as store, access_unit_of_work(store, write=False) as uow:
        failures = uow.access.attempts(CID, Mode.ADMINISTRATOR).failures
        kinds = [entry.kind for entry in uow.access.audit(CID)]
    assert len(failures) == 2
    assert kinds.count(AuditKind.ATTEMPT_REFUSED) == 2


# -- daycare pickups ------------------------------------------------------------------------

DAYCARE = OrganisationId("cpe-soleil")
EDUCATOR = Actor.administrator("educatrice", configuration=ConfigurationId("cpe"))
PICKUP = "pickup-1"


@pytest.fixture
def daycare(postgres: Server) -> str:
    """A daycare where a parent has announced her arrival."""
    url = postgres.fresh_url(pool=1)
    announced = datetime(2026, 12, 21, 16, 30, tzinfo=PARIS)
    pickup = Pickup(
        PICKUP,
        DAYCARE,
        ChildId("lea"),
        ParentId("marie"),
        InstallationId("site-1"),
        ArrivalMode.ETA,
        announced,
        announced + timedelta(minutes=20),
        timedelta(minutes=5),
    )
    with PostgresStore.from_url(url) as store, pickup_unit_of_work(store) as uow:
        uow.organisations.add(
            Organisation(DAYCARE, "CPE Soleil", configuration=ConfigurationId("cpe"))
        )
        uow.pickup.save_pickup(DAYCARE, pickup)
        uow.commit()
    return url


def test_two_taps_at_once_call_the_child_once(postgres: Server, daycare: str) -> None:
    def tap(context: ServiceContext) -> object:
        return call_child(context, EDUCATOR, DAYCARE, PICKUP)

    outcomes = race(postgres, daycare, tap, tap)

    assert sum(isinstance(outcome, Pickup) for outcome in outcomes) == 1, outcomes
    with PostgresStore.from_url(daycare) as store, store.unit_of_work(write=False) as uow:
        kinds = [event.kind for _, event in uow.events.since()]
    assert kinds == [ChildCalled.kind], kinds
