"""Access to the appointment book (issue 16), on a real SQLite file: every use case asks
who acts before it looks anything up, whether or not the call changes anything, and the
back office reads only the types its services manage."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import date, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caredomain import (
    Actor,
    ActorId,
    Closure,
    FixedClock,
    Forbidden,
    NotFound,
    OpeningCalendar,
    Organisation,
    OrganisationId,
    ReferenceWeek,
    Role,
    RuleViolation,
)
from caredomain.calendar import WORKING_WEEK
from caredomain.organisation import ConfigurationId
from caredomain.services import ServiceContext, configure_organisation
from caredomain.slots import (
    Appointment,
    AppointmentId,
    AppointmentType,
    Beneficiary,
    Channel,
    Counter,
    CounterId,
    Place,
    PlaceId,
    SlotSettings,
    TypeId,
    WeekApplication,
    WeekName,
)
from caredomain.slots.services import (
    add_closure,
    book_slot,
    cancel_appointment,
    change_opening_calendar,
    configure_slots,
    find_appointment,
    free_slots,
    mark_appointment_no_show,
    preview_planning_change,
    refresh_slots,
    remove_closure,
    reschedule_appointment,
    slot_settings,
    switch_public_holiday,
    why_no_slot,
)
from caredomain_sqlite import SqliteStore

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2025, 3, 3, 8, 0, tzinfo=PARIS)  # a Monday
TUESDAY_9_10 = datetime(2025, 3, 4, 9, 10, tzinfo=PARIS)
TOWN = OrganisationId("sainte-anne")
ID_CARD = TypeId("id-card")
HALL = PlaceId("hall")
G1 = CounterId("g1")
ADMIN = Actor.administrator(configuration=ConfigurationId("sainte-anne"))
CIVIL_AGENT = Actor(
    ActorId("agent-1"), {Role.AGENT}, {"état civil"}, configuration=ConfigurationId("sainte-anne")
)
PLANNING_AGENT = Actor(
    ActorId("agent-2"), {Role.AGENT}, {"urbanisme"}, configuration=ConfigurationId("sainte-anne")
)
CAREGIVER = Actor(
    ActorId("cg-1"), {Role.AGENT}, configuration=ConfigurationId("sainte-anne")
)  # a home-care caregiver: no service
CIVIL_MANAGER = Actor(
    ActorId("m-1"), {Role.MANAGER}, {"état civil"}, configuration=ConfigurationId("sainte-anne")
)
NO_ROLE = Actor(ActorId("stranger"), set(), configuration=ConfigurationId("sainte-anne"))
CITIZEN = Actor(ActorId("cit-1"), {Role.CITIZEN}, configuration=ConfigurationId("sainte-anne"))
OTHER_CITIZEN = Actor(
    ActorId("cit-2"), {Role.CITIZEN}, configuration=ConfigurationId("sainte-anne")
)
MARIE = Beneficiary("cit-1", "Marie Curie", email="marie@example.org")
OUTSIDERS: list[Any] = [None, NO_ROLE]


def town_settings() -> SlotSettings:
    kind = AppointmentType(
        ID_CARD, "Pièces d'identité", 20, "2m", "60m", services={"état civil"}, on_portal=True
    )
    week = ReferenceWeek.parse(
        "standard",
        dict.fromkeys(("lundi", "mardi", "mercredi", "jeudi", "vendredi"), "08h30-12h00"),
    )
    hall = Place(HALL, "Hôtel de ville", "1 place de la Mairie", on_portal=True)
    counter = Counter(G1, "Guichet 1", ID_CARD, HALL)
    application = WeekApplication(G1, WeekName("standard"), date(2025, 1, 1), date(2026, 12, 31))
    return SlotSettings((kind,), (hall,), (counter,), (week,), [application])


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "town.db"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def context(path: Path, clock: FixedClock) -> Iterator[ServiceContext]:
    ids = count(1)
    with SqliteStore(path) as store:
        context = ServiceContext(store=store, clock=clock, new_id=lambda: f"id-{next(ids):04d}")
        calendar = OpeningCalendar(WORKING_WEEK)
        configure_organisation(context, ADMIN, Organisation(TOWN, "Mairie", PARIS, calendar))
        configure_slots(context, ADMIN, TOWN, town_settings())
        yield context


@pytest.fixture
def booked(context: ServiceContext) -> Appointment:
    return book_slot(
        context,
        CIVIL_AGENT,
        TOWN,
        counter_id=G1,
        start=TUESDAY_9_10,
        beneficiary=MARIE,
        channel=Channel.BACK_OFFICE,
    )


def dump(path: Path) -> list[str]:
    """Everything the SQLite file holds, as SQL."""
    with closing(sqlite3.connect(path)) as connection:
        return list(connection.iterdump())


def calendar_of(context: ServiceContext) -> OpeningCalendar:
    with context.store.unit_of_work(write=False) as uow:
        return uow.organisations.get(TOWN).calendar


# -- the campaign's cases ---------------------------------------------------------------------


@pytest.mark.parametrize("reader", [PLANNING_AGENT, CAREGIVER, OTHER_CITIZEN, NO_ROLE])
def test_find_appointment_applies_the_services_of_the_type(
    context: ServiceContext, booked: Appointment, reader: Actor
) -> None:
    with pytest.raises(Forbidden):
        find_appointment(context, reader, TOWN, booked.id)


def test_find_appointment_answers_those_the_listings_answer(
    context: ServiceContext, booked: Appointment
) -> None:
    for reader in (CIVIL_AGENT, CIVIL_MANAGER, ADMIN, CITIZEN):
        assert find_appointment(context, reader, TOWN, booked.id) == booked
    # The listing and the cancelling refuse the agent the appointment itself refuses.
    with pytest.raises(RuleViolation) as listing:
        free_slots(context, PLANNING_AGENT, TOWN, ID_CARD)
    assert listing.value.code == "slot.service_not_allowed"
    with pytest.raises(RuleViolation):
        cancel_appointment(context, PLANNING_AGENT, TOWN, booked.id, channel=Channel.BACK_OFFICE)


def test_an_outsider_is_refused_before_the_appointment_is_looked_up(
    context: ServiceContext,
) -> None:
    for outsider in OUTSIDERS:
        with pytest.raises(Forbidden):
            find_appointment(context, outsider, TOWN, AppointmentId("no-such"))
    with pytest.raises(NotFound):
        find_appointment(context, ADMIN, TOWN, AppointmentId("no-such"))


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_unchanged_settings_are_refused_to_an_outsider_and_commit_nothing(
    context: ServiceContext, path: Path, clock: FixedClock, outsider: Any
) -> None:
    clock.advance(timedelta(days=3))  # days entered the window: a replan would commit them
    before = dump(path)
    with pytest.raises(Forbidden):
        configure_slots(context, outsider, TOWN, town_settings())
    with pytest.raises(Forbidden):
        change_opening_calendar(context, outsider, TOWN, calendar_of(context))
    assert dump(path) == before


def test_the_opening_calendar_is_the_administrators_even_unchanged(
    context: ServiceContext, path: Path
) -> None:
    before = dump(path)
    for actor in (CIVIL_MANAGER, CIVIL_AGENT, CITIZEN):
        with pytest.raises(Forbidden):
            change_opening_calendar(context, actor, TOWN, calendar_of(context))
    assert dump(path) == before
    change_opening_calendar(context, ADMIN, TOWN, calendar_of(context))


def test_remove_closure_answers_forbidden_before_not_found(context: ServiceContext) -> None:
    missing = Closure.on(date(2025, 3, 4))
    for actor in (*OUTSIDERS, CIVIL_AGENT, CIVIL_MANAGER, CITIZEN):
        with pytest.raises(Forbidden):
            remove_closure(context, actor, TOWN, missing)
    with pytest.raises(NotFound):
        remove_closure(context, ADMIN, TOWN, missing)


def test_an_outsider_is_refused_on_an_unknown_organisation(context: ServiceContext) -> None:
    elsewhere = OrganisationId("elsewhere")
    with pytest.raises(Forbidden):
        free_slots(context, NO_ROLE, elsewhere, ID_CARD)
    with pytest.raises(Forbidden):
        configure_slots(context, None, elsewhere, town_settings())  # type: ignore[arg-type]
    with pytest.raises(Forbidden, match="not of agent-1's configuration"):
        free_slots(context, CIVIL_AGENT, elsewhere, ID_CARD)


# -- every use case, for an outsider ----------------------------------------------------------

UseCase = Callable[[ServiceContext, Any, AppointmentId], object]
BACK, PORTAL = Channel.BACK_OFFICE, Channel.PORTAL
LATER = TUESDAY_9_10 + timedelta(minutes=20)

USE_CASES: dict[str, UseCase] = {
    "slot_settings": lambda c, a, _: slot_settings(c, a, TOWN),
    "configure_slots": lambda c, a, _: configure_slots(c, a, TOWN, town_settings()),
    "change_opening_calendar": lambda c, a, _: change_opening_calendar(
        c, a, TOWN, OpeningCalendar(WORKING_WEEK)
    ),
    "add_closure": lambda c, a, _: add_closure(c, a, TOWN, Closure.on(date(2025, 3, 5))),
    "remove_closure": lambda c, a, _: remove_closure(c, a, TOWN, Closure.on(date(2025, 3, 5))),
    "switch_public_holiday": lambda c, a, _: switch_public_holiday(
        c, a, TOWN, "Lundi de Pâques", closed=False
    ),
    "preview_planning_change": lambda c, a, _: preview_planning_change(
        c, a, TOWN, settings=town_settings()
    ),
    "refresh_slots": lambda c, a, _: refresh_slots(c, a, TOWN),
    "free_slots": lambda c, a, _: free_slots(c, a, TOWN, ID_CARD),
    "free_slots on the portal": lambda c, a, _: free_slots(c, a, TOWN, ID_CARD, channel=PORTAL),
    "why_no_slot": lambda c, a, _: why_no_slot(c, a, TOWN, ID_CARD, date(2025, 3, 4)),
    "find_appointment": lambda c, a, i: find_appointment(c, a, TOWN, i),
    "book_slot": lambda c, a, _: book_slot(
        c, a, TOWN, counter_id=G1, start=LATER, beneficiary=MARIE, channel=BACK
    ),
    "book_slot on the portal": lambda c, a, _: book_slot(
        c, a, TOWN, counter_id=G1, start=LATER, beneficiary=MARIE, channel=PORTAL
    ),
    "reschedule_appointment": lambda c, a, i: reschedule_appointment(
        c, a, TOWN, i, counter_id=G1, start=LATER, channel=BACK
    ),
    "cancel_appointment": lambda c, a, i: cancel_appointment(c, a, TOWN, i, channel=BACK),
    "cancel_appointment on the portal": lambda c, a, i: cancel_appointment(
        c, a, TOWN, i, channel=PORTAL
    ),
    "mark_appointment_no_show": lambda c, a, i: mark_appointment_no_show(c, a, TOWN, i),
}


@given(
    st.tuples(
        st.sampled_from(sorted(USE_CASES)),
        st.sampled_from(OUTSIDERS),
        st.sampled_from(["booked", "no-such", "x" * 300]),
    )
)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_every_use_case_refuses_an_outsider_and_changes_nothing(
    context: ServiceContext, booked: Appointment, path: Path, case: tuple[str, Any, str]
) -> None:
    name, outsider, which = case
    appointment_id = booked.id if which == "booked" else AppointmentId(which)
    before = dump(path)
    with pytest.raises(Forbidden):
        USE_CASES[name](context, outsider, appointment_id)
    assert dump(path) == before
