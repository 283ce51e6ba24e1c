"""Booking, rescheduling, cancelling and no-shows: each rule refuses with its stable code,
and every change records the event the notifications need."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from attrs import evolve

from caredomain import (
    Actor,
    ActorId,
    Closure,
    Forbidden,
    InvalidInput,
    ReferenceWeek,
    Role,
    RuleViolation,
)
from caredomain.organisation import ConfigurationId
from caredomain.slots import (
    Agenda,
    Appointment,
    AppointmentBooked,
    AppointmentCancelledByAgent,
    AppointmentCancelledByCitizen,
    AppointmentDeprogrammed,
    AppointmentMarkedNoShow,
    AppointmentRescheduled,
    AppointmentStatus,
    AppointmentType,
    Beneficiary,
    Channel,
    CounterId,
    RefreshReport,
    TypeId,
    WeekApplication,
    WeekName,
)

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2025, 3, 3, 8, 0, tzinfo=PARIS)
TUESDAY_9_10 = datetime(2025, 3, 4, 9, 10, tzinfo=PARIS)
G1, G2 = CounterId("g1"), CounterId("g2")


@pytest.fixture
def book(
    agenda: Agenda, agent: Actor, marie: Beneficiary, new_id: Callable[[], str]
) -> Callable[..., Appointment]:
    """Book with the usual arguments, any of which a test may replace."""

    def book(**changes: Any) -> Appointment:
        arguments: dict[str, Any] = {
            "counter_id": G1,
            "start": TUESDAY_9_10,
            "beneficiary": marie,
            "channel": Channel.BACK_OFFICE,
            "now": NOW,
            "new_id": new_id,
            "option": "CNI",
        }
        return agenda.book(changes.pop("actor", agent), **(arguments | changes))

    return book


def _give_seats(
    agenda: Agenda, admin: Actor, new_id: Callable[[], str], seats: int
) -> RefreshReport:
    """Counter G1 gets ``seats`` seats, saved by the administrator; the refresh's report."""
    counter = agenda.settings.counter(G1)
    return agenda.reconfigure(
        admin,
        as_of=NOW,
        new_id=new_id,
        settings=agenda.settings.with_counter(evolve(counter, seats=seats)),
    ).report


def _refused(code: str, action: Callable[[], object]) -> None:
    with pytest.raises(RuleViolation) as caught:
        action()
    assert caught.value.code == code


def _reconfigure_type(
    agenda: Agenda, admin: Actor, new_id: Callable[[], str], **changes: Any
) -> None:
    kind = evolve(agenda.settings.type(TypeId("id-card")), **changes)
    agenda.reconfigure(admin, as_of=NOW, new_id=new_id, settings=agenda.settings.with_type(kind))


# -- booking --------------------------------------------------------------------------------


def test_an_agent_books_for_a_citizen(agenda: Agenda, book: Callable[..., Appointment]) -> None:
    appointment = book()
    assert appointment.status is AppointmentStatus.BOOKED
    assert (appointment.start, appointment.end) == (
        TUESDAY_9_10,
        TUESDAY_9_10 + timedelta(minutes=20),
    )
    assert agenda.taken(G1, TUESDAY_9_10) == 1
    [event] = agenda.collect_events()
    assert isinstance(event, AppointmentBooked)
    assert event.event_id == "id-0002"  # after the appointment's own id
    assert event.merge_values() == (
        "Marie Curie",
        TUESDAY_9_10,
        "Guichet 1",
        "Hôtel de ville",
        "1 place de la Mairie",
        "Pièces d'identité",
        20,
        None,
    )
    assert agenda.collect_events() == []


def test_one_booking_per_slot_unless_the_counter_has_more_seats(
    agenda: Agenda, admin: Actor, book: Callable[..., Appointment], new_id: Callable[[], str]
) -> None:
    book()
    bob = Beneficiary("cit-2", "Bob Martin")
    _refused("slot.full", lambda: book(beneficiary=bob))
    _give_seats(agenda, admin, new_id, 2)
    assert book(beneficiary=bob).seat == 1
    _refused("slot.full", lambda: book(beneficiary=Beneficiary("cit-3", "Chloé")))


def test_the_same_citizen_does_not_take_two_seats_of_a_slot(
    agenda: Agenda, admin: Actor, book: Callable[..., Appointment], new_id: Callable[[], str]
) -> None:
    _give_seats(agenda, admin, new_id, 2)
    book()
    _refused("slot.already_booked", book)


def test_an_option_is_chosen_when_the_counter_has_options(book: Callable[..., Appointment]) -> None:
    _refused("slot.option_required", lambda: book(option=None))
    _refused("slot.unknown_option", lambda: book(option="permis"))
    _refused("slot.unknown_option", lambda: book(counter_id=G2, option="passeport"))  # narrowed
    assert book(option="passeport").option == "passeport"


def test_no_option_when_the_type_has_none(
    agenda: Agenda, admin: Actor, book: Callable[..., Appointment], new_id: Callable[[], str]
) -> None:
    counter = agenda.settings.counter(G2)
    settings = agenda.settings.with_counter(evolve(counter, options=None))
    kind = evolve(settings.type(TypeId("id-card")), options=())
    agenda.reconfigure(admin, as_of=NOW, new_id=new_id, settings=settings.with_type(kind))
    _refused("slot.unknown_option", book)
    assert book(option=None).option is None


def test_the_partner_type_must_match(
    agenda: Agenda, admin: Actor, book: Callable[..., Appointment], new_id: Callable[[], str]
) -> None:
    _reconfigure_type(agenda, admin, new_id, partner_types={"association"})
    _refused("slot.partner_type", book)
    member = Beneficiary("asso-1", "Les Amis du Parc", partner_type="association")
    assert book(beneficiary=member).beneficiary == member


def test_the_agents_service_must_manage_the_type(
    agenda: Agenda, admin: Actor, book: Callable[..., Appointment], new_id: Callable[[], str]
) -> None:
    planner = Actor(
        ActorId("agent-2"),
        {Role.AGENT},
        {"urbanisme"},
        configuration=ConfigurationId("sainte-anne"),
    )
    _refused("slot.service_not_allowed", lambda: book(actor=planner))
    assert book(actor=admin).booked_by == "admin"
    _reconfigure_type(agenda, admin, new_id, services=frozenset())
    assert book(actor=planner, start=TUESDAY_9_10 + timedelta(minutes=20)).booked_by == "agent-2"


def test_a_citizen_books_on_the_portal_for_themself(
    citizen: Actor, marie: Beneficiary, agent: Actor, book: Callable[..., Appointment]
) -> None:
    appointment = book(actor=citizen, channel=Channel.PORTAL)
    assert appointment.channel is Channel.PORTAL
    with pytest.raises(Forbidden):
        book(actor=citizen, channel=Channel.PORTAL, beneficiary=Beneficiary("cit-2", "Bob"))
    with pytest.raises(Forbidden):
        book(actor=agent, channel=Channel.PORTAL)
    with pytest.raises(Forbidden):
        book(actor=citizen, channel=Channel.BACK_OFFICE)


def test_the_portal_offers_only_what_is_visible_there(
    agenda: Agenda,
    admin: Actor,
    citizen: Actor,
    book: Callable[..., Appointment],
    new_id: Callable[[], str],
) -> None:
    _refused(
        "slot.not_on_portal", lambda: book(actor=citizen, channel=Channel.PORTAL, counter_id=G2)
    )
    portal = agenda.free_slots(
        TypeId("id-card"), date(2025, 3, 4), date(2025, 3, 4), now=NOW, channel=Channel.PORTAL
    )
    assert {slot.counter_id for slot in portal} == {G1}
    _reconfigure_type(agenda, admin, new_id, on_portal=False)
    _refused("slot.not_on_portal", lambda: book(actor=citizen, channel=Channel.PORTAL))
    assert (
        agenda.free_slots(
            TypeId("id-card"), date(2025, 3, 4), date(2025, 3, 4), now=NOW, channel=Channel.PORTAL
        )
        == []
    )
    assert book(channel=Channel.BACK_OFFICE).counter_id == G1


def test_only_planned_slots_are_booked(book: Callable[..., Appointment]) -> None:
    monday_8_30 = datetime(2025, 3, 3, 8, 30, tzinfo=PARIS)
    _refused("slot.past", lambda: book(start=monday_8_30, now=monday_8_30 + timedelta(seconds=1)))
    _refused("slot.not_planned", lambda: book(start=TUESDAY_9_10 + timedelta(minutes=5)))
    _refused(
        "slot.not_planned", lambda: book(start=datetime(2025, 3, 9, 9, 10, tzinfo=PARIS))
    )  # Sunday
    _refused(
        "slot.not_planned", lambda: book(start=datetime(2025, 5, 6, 9, 10, tzinfo=PARIS))
    )  # after the window
    with pytest.raises(RuleViolation) as caught:
        book(start=datetime(2025, 4, 21, 9, 10, tzinfo=PARIS))
    assert "Lundi de Pâques" in caught.value.message
    with pytest.raises(InvalidInput):
        book(start=datetime(2025, 3, 4, 9, 10))


# -- rescheduling, cancelling, no-show ------------------------------------------------------


def test_rescheduling_keeps_the_previous_date(
    agenda: Agenda, agent: Actor, book: Callable[..., Appointment], new_id: Callable[[], str]
) -> None:
    first = book()
    agenda.collect_events()
    later = datetime(2025, 3, 5, 14, 10, tzinfo=PARIS)
    moved = agenda.reschedule(
        agent,
        first.id,
        counter_id=G2,
        start=later,
        channel=Channel.BACK_OFFICE,
        now=NOW,
        new_id=new_id,
    )
    assert (moved.start, moved.counter_id, moved.previous_start) == (later, G2, TUESDAY_9_10)
    assert agenda.taken(G1, TUESDAY_9_10) == 0
    assert agenda.taken(G2, later) == 1
    [event] = agenda.collect_events()
    assert isinstance(event, AppointmentRescheduled)
    assert event.merge_values()[1] == later
    assert event.merge_values()[7] == TUESDAY_9_10
    assert event.place_name == "Mairie annexe"


def test_what_cannot_be_rescheduled(
    agenda: Agenda, agent: Actor, book: Callable[..., Appointment], new_id: Callable[[], str]
) -> None:
    appointment = book()

    def move(start: datetime, now: datetime = NOW, counter: CounterId = G1) -> object:
        return agenda.reschedule(
            agent,
            appointment.id,
            counter_id=counter,
            start=start,
            channel=Channel.BACK_OFFICE,
            now=now,
            new_id=new_id,
        )

    _refused("appointment.same_slot", lambda: move(TUESDAY_9_10))
    _refused("slot.not_planned", lambda: move(datetime(2025, 3, 9, 9, 10, tzinfo=PARIS)))
    _refused(
        "appointment.started", lambda: move(TUESDAY_9_10 + timedelta(days=1), now=TUESDAY_9_10)
    )
    agenda.cancel(agent, appointment.id, channel=Channel.BACK_OFFICE, now=NOW, new_id=new_id)
    _refused("appointment.not_active", lambda: move(TUESDAY_9_10 + timedelta(days=1)))


def test_a_counter_of_another_type_is_refused(
    agenda: Agenda,
    admin: Actor,
    agent: Actor,
    book: Callable[..., Appointment],
    new_id: Callable[[], str],
) -> None:
    other = AppointmentType(TypeId("wedding"), "Mariage", 60, "2m")
    counter = evolve(
        agenda.settings.counter(G2), id=CounterId("g3"), type_id=other.id, options=None
    )
    settings = agenda.settings.with_type(other).with_counter(counter)
    settings = settings.with_application(
        WeekApplication(counter.id, WeekName("standard"), date(2025, 1, 1), date(2025, 12, 31))
    )
    agenda.reconfigure(admin, as_of=NOW, new_id=new_id, settings=settings)
    appointment = book()
    _refused(
        "appointment.other_type",
        lambda: agenda.reschedule(
            agent,
            appointment.id,
            counter_id=counter.id,
            start=datetime(2025, 3, 5, 9, 30, tzinfo=PARIS),
            channel=Channel.BACK_OFFICE,
            now=NOW,
            new_id=new_id,
        ),
    )


def test_cancelling_frees_the_seat_and_says_who_cancelled(
    agenda: Agenda,
    agent: Actor,
    citizen: Actor,
    book: Callable[..., Appointment],
    new_id: Callable[[], str],
) -> None:
    by_citizen = agenda.cancel(citizen, book().id, channel=Channel.PORTAL, now=NOW, new_id=new_id)
    assert by_citizen.status is AppointmentStatus.CANCELLED
    assert agenda.taken(G1, TUESDAY_9_10) == 0
    by_agent = agenda.cancel(agent, book().id, channel=Channel.BACK_OFFICE, now=NOW, new_id=new_id)
    kinds = [type(e) for e in agenda.collect_events()]
    assert kinds == [
        AppointmentBooked,
        AppointmentCancelledByCitizen,
        AppointmentBooked,
        AppointmentCancelledByAgent,
    ]
    _refused(
        "appointment.not_active",
        lambda: agenda.cancel(
            agent, by_agent.id, channel=Channel.BACK_OFFICE, now=NOW, new_id=new_id
        ),
    )
    other = Actor(ActorId("cit-2"), {Role.CITIZEN}, configuration=ConfigurationId("sainte-anne"))
    with pytest.raises(Forbidden):
        agenda.cancel(other, by_agent.id, channel=Channel.PORTAL, now=NOW, new_id=new_id)


def test_a_no_show_is_marked_only_after_the_start(
    agenda: Agenda,
    agent: Actor,
    citizen: Actor,
    book: Callable[..., Appointment],
    new_id: Callable[[], str],
) -> None:
    appointment = book()
    _refused(
        "appointment.not_started",
        lambda: agenda.mark_no_show(
            agent, appointment.id, now=TUESDAY_9_10 - timedelta(seconds=1), new_id=new_id
        ),
    )
    with pytest.raises(Forbidden):
        agenda.mark_no_show(citizen, appointment.id, now=TUESDAY_9_10, new_id=new_id)
    missed = agenda.mark_no_show(agent, appointment.id, now=TUESDAY_9_10, new_id=new_id)
    assert missed.status is AppointmentStatus.NO_SHOW
    assert isinstance(agenda.collect_events()[-1], AppointmentMarkedNoShow)
    _refused(
        "appointment.not_active",
        lambda: agenda.mark_no_show(agent, appointment.id, now=TUESDAY_9_10, new_id=new_id),
    )
    _refused(
        "appointment.not_active",
        lambda: agenda.cancel(
            agent, appointment.id, channel=Channel.BACK_OFFICE, now=NOW, new_id=new_id
        ),
    )


# -- deprogramming --------------------------------------------------------------------------


def test_a_closure_deprograms_the_booking_and_a_preview_tells_first(
    agenda: Agenda, admin: Actor, book: Callable[..., Appointment], new_id: Callable[[], str]
) -> None:
    appointment = book()
    agenda.collect_events()
    calendar = agenda.organisation.calendar.with_closure(Closure.on(date(2025, 3, 4), "inventaire"))
    preview = agenda.preview(as_of=NOW, calendar=calendar)
    assert [d.appointment.id for d in preview.deprogrammed] == [appointment.id]
    assert preview.deprogrammed[0].reason.code == "day.closure"
    assert agenda.appointment(appointment.id).is_booked
    assert agenda.collect_events() == []
    report = agenda.reconfigure(admin, as_of=NOW, new_id=new_id, calendar=calendar).report
    assert [d.appointment.status for d in report.deprogrammed] == [AppointmentStatus.DEPROGRAMMED]
    assert agenda.appointment(appointment.id).status is AppointmentStatus.DEPROGRAMMED
    assert agenda.taken(G1, TUESDAY_9_10) == 0
    [event] = agenda.collect_events()
    assert isinstance(event, AppointmentDeprogrammed)
    assert (event.reason_code, event.appointment_id) == ("day.closure", appointment.id)
    assert "inventaire" in event.reason


def test_re_enabling_a_holiday_deprograms_the_bookings_on_it(
    agenda: Agenda, admin: Actor, book: Callable[..., Appointment], new_id: Callable[[], str]
) -> None:
    open_easter = agenda.organisation.calendar.without_holiday("Lundi de Pâques")
    agenda.reconfigure(admin, as_of=NOW, new_id=new_id, calendar=open_easter)
    appointment = book(start=datetime(2025, 4, 21, 9, 10, tzinfo=PARIS))
    report = agenda.reconfigure(
        admin, as_of=NOW, new_id=new_id, calendar=open_easter.with_holiday("Lundi de Pâques")
    ).report
    assert [(d.appointment.id, d.reason.code) for d in report.deprogrammed] == [
        (appointment.id, "day.public_holiday")
    ]


def test_changing_the_reference_week_deprograms_what_it_no_longer_opens(
    agenda: Agenda, admin: Actor, book: Callable[..., Appointment], new_id: Callable[[], str]
) -> None:
    morning = book()
    afternoon = book(start=datetime(2025, 3, 4, 14, 10, tzinfo=PARIS))
    mornings_only = ReferenceWeek.parse(
        "standard", dict.fromkeys(("lundi", "mardi"), "08h30-12h00")
    )
    report = agenda.reconfigure(
        admin, as_of=NOW, new_id=new_id, settings=agenda.settings.with_week(mornings_only)
    ).report
    assert report.replanned == (G1, G2)
    assert [(d.appointment.id, d.reason.code) for d in report.deprogrammed] == [
        (afternoon.id, "slot.hours_changed")
    ]
    assert agenda.appointment(morning.id).is_booked


def test_fewer_seats_deprogram_the_latest_bookings(
    agenda: Agenda, admin: Actor, book: Callable[..., Appointment], new_id: Callable[[], str]
) -> None:
    _give_seats(agenda, admin, new_id, 2)
    first = book()
    second = book(beneficiary=Beneficiary("cit-2", "Bob"), now=NOW + timedelta(minutes=1))
    report = _give_seats(agenda, admin, new_id, 1)
    assert [(d.appointment.id, d.reason.code) for d in report.deprogrammed] == [
        (second.id, "slot.seats_reduced")
    ]
    assert agenda.appointment(first.id).is_booked


def test_a_deprogrammed_appointment_can_be_rescheduled(
    agenda: Agenda,
    admin: Actor,
    agent: Actor,
    book: Callable[..., Appointment],
    new_id: Callable[[], str],
) -> None:
    appointment = book()
    calendar = agenda.organisation.calendar.with_closure(Closure.on(date(2025, 3, 4)))
    agenda.reconfigure(admin, as_of=NOW, new_id=new_id, calendar=calendar)
    later = datetime(2025, 3, 5, 9, 10, tzinfo=PARIS)
    moved = agenda.reschedule(
        agent,
        appointment.id,
        counter_id=G1,
        start=later,
        channel=Channel.BACK_OFFICE,
        now=NOW,
        new_id=new_id,
    )
    assert (moved.status, moved.previous_start) == (AppointmentStatus.BOOKED, TUESDAY_9_10)


def test_started_appointments_are_not_deprogrammed(
    agenda: Agenda, admin: Actor, book: Callable[..., Appointment], new_id: Callable[[], str]
) -> None:
    appointment = book()
    during = TUESDAY_9_10 + timedelta(minutes=5)
    calendar = agenda.organisation.calendar.with_closure(Closure.on(date(2025, 3, 4)))
    report = agenda.reconfigure(admin, as_of=during, new_id=new_id, calendar=calendar).report
    assert report.deprogrammed == ()
    assert agenda.appointment(appointment.id).is_booked


def test_a_counter_with_appointments_cannot_be_removed(
    agenda: Agenda, admin: Actor, book: Callable[..., Appointment], new_id: Callable[[], str]
) -> None:
    book()
    _refused(
        "counter.in_use",
        lambda: agenda.reconfigure(
            admin, as_of=NOW, new_id=new_id, settings=agenda.settings.without_counter(G1)
        ),
    )
    agenda.reconfigure(
        admin, as_of=NOW, new_id=new_id, settings=agenda.settings.without_counter(G2)
    )
    assert [c.id for c in agenda.settings.counters] == [G1]


def test_an_agenda_restored_from_its_appointments_holds_their_seats(
    agenda: Agenda, book: Callable[..., Appointment], new_id: Callable[[], str]
) -> None:
    appointment = book()
    restored = Agenda(agenda.organisation, agenda.settings, agenda.appointments.values())
    restored.refresh(NOW, new_id=new_id)
    assert restored.plan is not None
    assert agenda.plan is not None
    assert restored.plan.counters == agenda.plan.counters
    assert restored.taken(G1, TUESDAY_9_10) == 1
    with pytest.raises(InvalidInput):
        Agenda(agenda.organisation, agenda.settings, [appointment, appointment])
