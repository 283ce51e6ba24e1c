"""The appointment use cases on a real SQLite file: each authorizes, loads only what it
needs, commits its events through ``ServiceContext.commit``, and agrees with the others."""

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
from attrs import evolve

from caredomain import (
    Actor,
    ActorId,
    Closure,
    Conflict,
    Event,
    FixedClock,
    Forbidden,
    InvalidInput,
    NotFound,
    OpeningCalendar,
    Organisation,
    OrganisationId,
    ReferenceWeek,
    Role,
    RuleViolation,
    Weekday,
)
from caredomain.calendar import WORKING_WEEK
from caredomain.documents import DocumentCache
from caredomain.errors import SlotTaken
from caredomain.organisation import ConfigurationId
from caredomain.services import ServiceContext, configure_organisation
from caredomain.slots import (
    Appointment,
    AppointmentBooked,
    AppointmentCancelledByAgent,
    AppointmentCancelledByCitizen,
    AppointmentDeprogrammed,
    AppointmentId,
    AppointmentMarkedNoShow,
    AppointmentRescheduled,
    AppointmentStatus,
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
    SLOT_PLANNER,
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
HALL, ANNEX = PlaceId("hall"), PlaceId("annex")
G1, G2 = CounterId("g1"), CounterId("g2")
ADMIN = Actor.administrator(configuration=ConfigurationId("sainte-anne"))
AGENT = Actor(
    ActorId("agent-1"), {Role.AGENT}, {"état civil"}, configuration=ConfigurationId("sainte-anne")
)
CITIZEN = Actor(ActorId("cit-1"), {Role.CITIZEN}, configuration=ConfigurationId("sainte-anne"))
MARIE = Beneficiary("cit-1", "Marie Curie", email="marie@example.org")
BOB = Beneficiary("cit-2", "Bob Martin")


def town_settings() -> SlotSettings:
    kind = AppointmentType(
        ID_CARD,
        "Pièces d'identité",
        20,
        "2m",
        "60m",
        services={"état civil"},
        options=("CNI", "passeport"),
        on_portal=True,
    )
    week = ReferenceWeek.parse(
        "standard",
        {
            **dict.fromkeys(("lundi", "mardi", "mercredi", "jeudi", "vendredi"), "08h30-12h00"),
            "samedi": "09h00-12h00",
        },
    )
    hall = Place(HALL, "Hôtel de ville", "1 place de la Mairie", on_portal=True)
    annex = Place(ANNEX, "Mairie annexe", "12 rue des Lilas")
    counters = (
        Counter(G1, "Guichet 1", ID_CARD, HALL),
        Counter(G2, "Guichet annexe", ID_CARD, ANNEX, options=("CNI",)),
    )
    applications = [
        WeekApplication(c.id, WeekName("standard"), date(2025, 1, 1), date(2026, 12, 31))
        for c in counters
    ]
    return SlotSettings((kind,), (hall, annex), counters, (week,), applications)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def published() -> list[Event]:
    return []


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "town.db"


@pytest.fixture
def context(path: Path, clock: FixedClock, published: list[Event]) -> Iterator[ServiceContext]:
    ids = count(1)
    with SqliteStore(path) as store:
        context = ServiceContext(
            store=store, clock=clock, new_id=lambda: f"id-{next(ids):04d}", publish=published.append
        )
        calendar = OpeningCalendar(WORKING_WEEK | {Weekday.SATURDAY})
        configure_organisation(context, ADMIN, Organisation(TOWN, "Mairie", PARIS, calendar))
        configure_slots(context, ADMIN, TOWN, town_settings())
        published.clear()
        yield context


@pytest.fixture
def book(context: ServiceContext) -> Callable[..., Appointment]:
    def book(**changes: Any) -> Appointment:
        arguments: dict[str, Any] = {
            "counter_id": G1,
            "start": TUESDAY_9_10,
            "beneficiary": MARIE,
            "channel": Channel.BACK_OFFICE,
            "option": "CNI",
        }
        actor = changes.pop("actor", AGENT)
        return book_slot(context, actor, TOWN, **(arguments | changes))

    return book


def journal(context: ServiceContext) -> list[Event]:
    with context.store.unit_of_work(write=False) as uow:
        return [event for _, event in uow.events.since()]


def stored(context: ServiceContext, appointment_id: AppointmentId) -> Appointment:
    with context.store.unit_of_work(write=False) as uow:
        return uow.slots.appointment(TOWN, appointment_id)


def starts(slots: list[Any]) -> list[datetime]:
    return [slot.start for slot in slots]


# -- settings --------------------------------------------------------------------------------


def test_settings_are_saved_and_planned_at_once(context: ServiceContext) -> None:
    assert slot_settings(context, CITIZEN, TOWN) == town_settings()
    free = free_slots(context, AGENT, TOWN, ID_CARD, days=1)
    # Monday from 08:00 with a 60-minute notice: 09:10 is the first slot still bookable.
    assert starts(free)[:3] == [
        datetime(2025, 3, 3, 9, 10, tzinfo=PARIS),
        datetime(2025, 3, 3, 9, 10, tzinfo=PARIS),
        datetime(2025, 3, 3, 9, 30, tzinfo=PARIS),
    ]
    assert [slot.counter_id for slot in free[:2]] == [G1, G2]


def test_saving_settings_checks_them_and_returns_the_warnings(context: ServiceContext) -> None:
    settings = town_settings()
    too_long = evolve(settings.type(ID_CARD), notice="90d")
    with pytest.raises(RuleViolation) as caught:
        configure_slots(context, ADMIN, TOWN, settings.with_type(too_long))
    assert caught.value.code == "type.notice_exceeds_window"
    assert slot_settings(context, ADMIN, TOWN) == settings  # nothing saved

    lonely = Counter(CounterId("g3"), "Guichet 3", ID_CARD, HALL)
    saved = configure_slots(context, ADMIN, TOWN, settings.with_counter(lonely))
    assert [(w.code, w.subject) for w in saved.warnings] == [("counter.no_reference_week", "g3")]
    assert slot_settings(context, ADMIN, TOWN).counter(CounterId("g3")) == lonely


def test_settings_saved_over_another_administrators_are_refused(
    context: ServiceContext, path: Path
) -> None:
    read_by_one = slot_settings(context, ADMIN, TOWN)
    read_by_other = slot_settings(context, ADMIN, TOWN)
    two_seats = evolve(read_by_one.counter(G1), seats=2)
    configure_slots(context, ADMIN, TOWN, read_by_one.with_counter(two_seats), based_on=read_by_one)
    renamed = evolve(read_by_other.counter(G2), name="Guichet 2")
    with pytest.raises(Conflict, match="read them again"):
        configure_slots(
            context, ADMIN, TOWN, read_by_other.with_counter(renamed), based_on=read_by_other
        )
    kept = slot_settings(context, ADMIN, TOWN)
    assert (kept.counter(G1).seats, kept.counter(G2).name) == (2, "Guichet annexe")
    # Read again, from a store the process had not read before: equal settings are enough.
    with SqliteStore(path) as store:
        fresh = evolve(context, store=store, documents=DocumentCache())
        again = slot_settings(fresh, ADMIN, TOWN)
        configure_slots(fresh, ADMIN, TOWN, again.with_counter(renamed), based_on=again)
    assert slot_settings(context, ADMIN, TOWN).counter(G2).name == "Guichet 2"


def test_who_may_change_the_planning(context: ServiceContext) -> None:
    closure = Closure.on(date(2025, 3, 4))
    for actor in (AGENT, CITIZEN):
        with pytest.raises(Forbidden):
            configure_slots(context, actor, TOWN, town_settings().without_counter(G2))
        with pytest.raises(Forbidden):
            add_closure(context, actor, TOWN, closure)
        with pytest.raises(Forbidden):
            refresh_slots(context, actor, TOWN)
    manager = Actor(
        ActorId("m-1"), {Role.MANAGER}, {"état civil"}, configuration=ConfigurationId("sainte-anne")
    )
    counter = evolve(town_settings().counter(G2), seats=2)
    configure_slots(context, manager, TOWN, town_settings().with_counter(counter))
    assert slot_settings(context, manager, TOWN).counter(G2).seats == 2


def test_an_unknown_organisation_is_not_found_by_the_operator_only(
    context: ServiceContext,
) -> None:
    with pytest.raises(Forbidden):  # to a tenant, not hers: whether it exists is not said
        free_slots(context, AGENT, OrganisationId("elsewhere"), ID_CARD)
    with pytest.raises(Forbidden):
        refresh_slots(context, ADMIN, OrganisationId("elsewhere"))
    with pytest.raises(NotFound):
        refresh_slots(context, SLOT_PLANNER, OrganisationId("elsewhere"))


# -- queries ---------------------------------------------------------------------------------


def test_free_slots_by_place_and_on_the_portal(context: ServiceContext) -> None:
    at_annex = free_slots(context, AGENT, TOWN, ID_CARD, days=2, place_id=ANNEX)
    assert {slot.counter_id for slot in at_annex} == {G2}
    on_portal = free_slots(context, CITIZEN, TOWN, ID_CARD, days=2, channel=Channel.PORTAL)
    assert {slot.counter_id for slot in on_portal} == {G1}  # the annex is not on the portal
    passports = free_slots(context, AGENT, TOWN, ID_CARD, days=2, option="passeport")
    assert {slot.counter_id for slot in passports} == {G1}
    later = free_slots(context, AGENT, TOWN, ID_CARD, first=date(2025, 3, 8), days=1)
    assert starts(later)[0] == datetime(2025, 3, 8, 9, 0, tzinfo=PARIS)  # a Saturday


def test_free_slots_refuse_what_the_booking_would(context: ServiceContext) -> None:
    planner = Actor(
        ActorId("agent-2"),
        {Role.AGENT},
        {"urbanisme"},
        configuration=ConfigurationId("sainte-anne"),
    )
    with pytest.raises(RuleViolation) as caught:
        free_slots(context, planner, TOWN, ID_CARD)
    assert caught.value.code == "slot.service_not_allowed"
    with pytest.raises(Forbidden):
        free_slots(context, CITIZEN, TOWN, ID_CARD)  # a citizen lists on the portal
    with pytest.raises(InvalidInput) as invalid:
        free_slots(context, AGENT, TOWN, ID_CARD, days=0)
    assert invalid.value.field == "days"
    with pytest.raises(NotFound):
        free_slots(context, AGENT, TOWN, TypeId("ghost"))
    with pytest.raises(NotFound):
        free_slots(context, AGENT, TOWN, ID_CARD, place_id=PlaceId("ghost"))


def test_why_no_slot_on_a_public_holiday_for_each_place(context: ServiceContext) -> None:
    easter_monday = date(2025, 4, 21)
    answers = why_no_slot(context, AGENT, TOWN, ID_CARD, easter_monday)
    assert [answer.place_id for answer in answers] == [ANNEX, HALL]
    for answer in answers:
        assert len(answer.slots) == 10
        assert {r.code for slot in answer.slots for r in slot.reasons} == {"day.public_holiday"}
    [hall] = why_no_slot(context, AGENT, TOWN, ID_CARD, easter_monday, place_id=HALL)
    assert "Lundi de Pâques" in hall.slots[0].reasons[0].message


def test_the_list_the_why_and_the_booking_agree(
    context: ServiceContext, book: Callable[..., Appointment]
) -> None:
    book()
    day = TUESDAY_9_10.date()
    free = {
        (s.counter_id, s.start)
        for s in free_slots(context, AGENT, TOWN, ID_CARD, first=day, days=1)
    }
    explained = {
        (slot.counter_id, slot.start)
        for answer in why_no_slot(context, AGENT, TOWN, ID_CARD, day)
        for slot in answer.free()
    }
    assert free == explained
    assert (G1, TUESDAY_9_10) not in free
    [hall] = why_no_slot(context, AGENT, TOWN, ID_CARD, day, place_id=HALL)
    [taken] = [slot for slot in hall.slots if slot.start == TUESDAY_9_10]
    assert [r.code for r in taken.reasons] == ["slot.full"]


# -- bookings --------------------------------------------------------------------------------


def test_a_booking_is_stored_and_its_event_committed_then_published(
    context: ServiceContext, book: Callable[..., Appointment], published: list[Event]
) -> None:
    appointment = book()
    assert stored(context, appointment.id) == appointment
    assert find_appointment(context, AGENT, TOWN, appointment.id).start.tzinfo == PARIS
    [event] = published
    assert isinstance(event, AppointmentBooked)
    assert journal(context)[-1] == event
    assert event.merge_values()[:3] == ("Marie Curie", TUESDAY_9_10, "Guichet 1")
    assert TUESDAY_9_10 not in starts(free_slots(context, AGENT, TOWN, ID_CARD, place_id=HALL))


def test_a_full_slot_is_a_rule_violation_and_a_conflict(
    context: ServiceContext, book: Callable[..., Appointment], published: list[Event]
) -> None:
    book()
    with pytest.raises(SlotTaken) as caught:
        book(beneficiary=BOB)
    assert isinstance(caught.value, Conflict)
    assert isinstance(caught.value, RuleViolation)
    assert caught.value.code == "slot.full"
    assert len(published) == 1  # the refused booking committed nothing


def test_each_booking_rule_refuses_with_its_code(
    context: ServiceContext, book: Callable[..., Appointment]
) -> None:
    cases: list[tuple[str, dict[str, Any]]] = [
        ("slot.option_required", {"option": None}),
        ("slot.unknown_option", {"counter_id": G2, "option": "passeport"}),
        ("slot.min_notice", {"start": datetime(2025, 3, 3, 8, 50, tzinfo=PARIS)}),
        ("slot.not_on_portal", {"counter_id": G2, "actor": CITIZEN, "channel": Channel.PORTAL}),
        ("slot.not_planned", {"start": datetime(2025, 3, 4, 9, 15, tzinfo=PARIS)}),
    ]
    for code, changes in cases:
        with pytest.raises(RuleViolation) as caught:
            book(**changes)
        assert caught.value.code == code, changes
    with pytest.raises(RuleViolation, match="public holiday: Lundi de Pâques"):
        book(start=datetime(2025, 4, 21, 9, 10, tzinfo=PARIS))
    with pytest.raises(InvalidInput):
        book(start=datetime(2025, 3, 4, 9, 10))  # naive
    with pytest.raises(Forbidden):
        book(actor=CITIZEN, channel=Channel.PORTAL, beneficiary=BOB)


def test_rescheduling_moves_the_seat_and_keeps_the_previous_date(
    context: ServiceContext, book: Callable[..., Appointment], published: list[Event]
) -> None:
    appointment = book(actor=CITIZEN, channel=Channel.PORTAL)
    later = TUESDAY_9_10 + timedelta(minutes=40)
    moved = reschedule_appointment(
        context, CITIZEN, TOWN, appointment.id, counter_id=G1, start=later, channel=Channel.PORTAL
    )
    assert (moved.start, moved.previous_start) == (later, TUESDAY_9_10)
    assert stored(context, appointment.id) == moved
    assert isinstance(published[-1], AppointmentRescheduled)
    assert published[-1].merge_values()[7] == TUESDAY_9_10
    # The old seat is free again, the new one is taken.
    assert book(beneficiary=BOB).start == TUESDAY_9_10
    with pytest.raises(SlotTaken):
        book(beneficiary=BOB, start=later)


def test_cancelling_says_who_cancelled(
    context: ServiceContext, book: Callable[..., Appointment], published: list[Event]
) -> None:
    mine = book(actor=CITIZEN, channel=Channel.PORTAL)
    cancelled = cancel_appointment(context, CITIZEN, TOWN, mine.id, channel=Channel.PORTAL)
    assert cancelled.status is AppointmentStatus.CANCELLED
    assert isinstance(published[-1], AppointmentCancelledByCitizen)
    bobs = book(beneficiary=BOB)
    cancel_appointment(context, AGENT, TOWN, bobs.id, channel=Channel.BACK_OFFICE)
    assert isinstance(published[-1], AppointmentCancelledByAgent)
    with pytest.raises(Forbidden):
        cancel_appointment(context, CITIZEN, TOWN, bobs.id, channel=Channel.PORTAL)
    with pytest.raises(NotFound):
        cancel_appointment(
            context, AGENT, TOWN, AppointmentId("ghost"), channel=Channel.BACK_OFFICE
        )
    assert [a.status for a in (stored(context, mine.id), stored(context, bobs.id))] == [
        AppointmentStatus.CANCELLED
    ] * 2


def test_a_no_show_is_marked_once_the_appointment_started(
    context: ServiceContext, book: Callable[..., Appointment], clock: FixedClock
) -> None:
    appointment = book()
    with pytest.raises(RuleViolation) as caught:
        mark_appointment_no_show(context, AGENT, TOWN, appointment.id)
    assert caught.value.code == "appointment.not_started"
    clock.set(TUESDAY_9_10 + timedelta(minutes=5))
    missed = mark_appointment_no_show(context, AGENT, TOWN, appointment.id)
    assert missed.status is AppointmentStatus.NO_SHOW
    assert isinstance(journal(context)[-1], AppointmentMarkedNoShow)


def test_a_citizen_sees_only_their_own_appointments(
    context: ServiceContext, book: Callable[..., Appointment]
) -> None:
    mine = book()
    assert find_appointment(context, CITIZEN, TOWN, mine.id) == mine
    bobs = book(beneficiary=BOB, start=TUESDAY_9_10 + timedelta(minutes=20))
    with pytest.raises(Forbidden):
        find_appointment(context, CITIZEN, TOWN, bobs.id)


# -- planning changes ------------------------------------------------------------------------


def test_a_closure_previewed_then_saved_deprograms_the_booking(
    context: ServiceContext, book: Callable[..., Appointment], published: list[Event]
) -> None:
    appointment = book()
    closure = Closure.on(TUESDAY_9_10.date(), "Grève")
    preview = preview_planning_change(
        context, ADMIN, TOWN, calendar=lambda calendar: calendar.with_closure(closure)
    )
    [would] = preview.report.deprogrammed
    assert would.appointment == appointment  # shown as it is now: still booked
    assert would.reason.code == "day.closure"
    assert stored(context, appointment.id).status is AppointmentStatus.BOOKED  # nothing saved
    with pytest.raises(Forbidden):
        preview_planning_change(context, AGENT, TOWN, settings=town_settings().without_counter(G2))

    saved = add_closure(context, ADMIN, TOWN, closure)
    [done] = saved.report.deprogrammed
    assert done.appointment.status is AppointmentStatus.DEPROGRAMMED
    assert stored(context, appointment.id).status is AppointmentStatus.DEPROGRAMMED
    event = published[-1]
    assert isinstance(event, AppointmentDeprogrammed)
    assert (event.reason_code, event.appointment_id) == ("day.closure", appointment.id)
    assert free_slots(context, AGENT, TOWN, ID_CARD, first=closure.first, days=1) == []

    remove_closure(context, ADMIN, TOWN, closure)
    assert free_slots(context, AGENT, TOWN, ID_CARD, first=closure.first, days=1)
    assert stored(context, appointment.id).status is AppointmentStatus.DEPROGRAMMED  # kept so
    with pytest.raises(NotFound):
        remove_closure(context, ADMIN, TOWN, closure)


def test_ticking_a_holiday_again_deprograms_the_bookings_on_it(
    context: ServiceContext, book: Callable[..., Appointment]
) -> None:
    easter_monday = datetime(2025, 4, 21, 9, 10, tzinfo=PARIS)
    switch_public_holiday(context, ADMIN, TOWN, "Lundi de Pâques", closed=False)
    appointment = book(start=easter_monday)
    saved = switch_public_holiday(context, ADMIN, TOWN, "Lundi de Pâques", closed=True)
    assert [d.reason.code for d in saved.report.deprogrammed] == ["day.public_holiday"]
    assert stored(context, appointment.id).status is AppointmentStatus.DEPROGRAMMED
    with pytest.raises(InvalidInput):
        switch_public_holiday(context, ADMIN, TOWN, "Lundi de Paques", closed=False)


def test_a_calendar_changed_elsewhere_is_caught_up_on_load(
    context: ServiceContext, book: Callable[..., Appointment], published: list[Event]
) -> None:
    appointment = book()
    closed = OpeningCalendar(
        WORKING_WEEK | {Weekday.SATURDAY}, closures=[Closure.on(TUESDAY_9_10.date(), "Travaux")]
    )
    configure_organisation(context, ADMIN, Organisation(TOWN, "Mairie", PARIS, closed))
    # Reading already sees the day closed; the next write saves the deprogramming.
    assert free_slots(context, AGENT, TOWN, ID_CARD, first=TUESDAY_9_10.date(), days=1) == []
    assert stored(context, appointment.id).status is AppointmentStatus.BOOKED
    book(beneficiary=BOB, start=TUESDAY_9_10 + timedelta(days=1))
    assert stored(context, appointment.id).status is AppointmentStatus.DEPROGRAMMED
    assert [type(e).__name__ for e in published[-2:]] == [
        "AppointmentDeprogrammed",
        "AppointmentBooked",
    ]


def test_changing_the_whole_calendar_replans(context: ServiceContext) -> None:
    weekdays_only = OpeningCalendar(WORKING_WEEK)
    change_opening_calendar(context, ADMIN, TOWN, weekdays_only)
    assert free_slots(context, AGENT, TOWN, ID_CARD, first=date(2025, 3, 8), days=2) == []


def test_the_nightly_refresh_opens_the_day_that_entered_the_window(
    context: ServiceContext, clock: FixedClock
) -> None:
    # The window of "2m" from Monday 3 March ends on Saturday 3 May.
    assert free_slots(context, AGENT, TOWN, ID_CARD, first=date(2025, 5, 5), days=1) == []
    clock.set(datetime(2025, 3, 5, 1, 0, tzinfo=PARIS))  # Wednesday night
    report = refresh_slots(context, SLOT_PLANNER, TOWN)
    assert (report.day, report.replanned, report.deprogrammed) == (date(2025, 3, 5), (), ())
    assert free_slots(context, AGENT, TOWN, ID_CARD, first=date(2025, 5, 5), days=1)


def test_a_counter_with_appointments_even_past_ones_is_not_removed(
    context: ServiceContext, book: Callable[..., Appointment], clock: FixedClock
) -> None:
    book(counter_id=G2)
    clock.set(datetime(2025, 6, 1, tzinfo=PARIS))
    with pytest.raises(RuleViolation) as caught:
        configure_slots(context, ADMIN, TOWN, town_settings().without_counter(G2))
    assert caught.value.code == "counter.in_use"
    saved = configure_slots(context, ADMIN, TOWN, town_settings().without_counter(G1))
    assert saved.warnings == ()


def test_a_booking_does_not_read_the_past(
    context: ServiceContext, book: Callable[..., Appointment], path: Path, clock: FixedClock
) -> None:
    old = book()
    clock.set(datetime(2025, 3, 10, 8, 0, tzinfo=PARIS))
    # Spoil the document of last week's appointment: any use case reading it would fail.
    with closing(sqlite3.connect(path)) as connection:
        connection.execute(
            "UPDATE slot_appointments SET document = 'spoilt' WHERE id = ?", (old.id,)
        )
        connection.commit()
    book(start=datetime(2025, 3, 11, 9, 10, tzinfo=PARIS))
    free_slots(context, AGENT, TOWN, ID_CARD)
    refresh_slots(context, SLOT_PLANNER, TOWN)
    add_closure(context, ADMIN, TOWN, Closure.on(date(2025, 3, 12)))
    with pytest.raises(InvalidInput):
        find_appointment(context, AGENT, TOWN, old.id)


def test_on_the_portal_why_shows_only_the_places_shown_there(context: ServiceContext) -> None:
    day = TUESDAY_9_10.date()
    [hall] = why_no_slot(context, CITIZEN, TOWN, ID_CARD, day, channel=Channel.PORTAL)
    assert hall.place_id == HALL
    free = free_slots(context, CITIZEN, TOWN, ID_CARD, first=day, days=1, channel=Channel.PORTAL)
    assert [s.start for s in free] == [s.start for s in hall.free()]
    with pytest.raises(RuleViolation) as caught:
        why_no_slot(context, CITIZEN, TOWN, ID_CARD, day, place_id=ANNEX, channel=Channel.PORTAL)
    assert caught.value.code == "slot.not_on_portal"
