"""A state machine mixing bookings, cancellations, reschedules, refreshes, closures, holiday
switches and seat changes. Whatever the order: no slot holds more bookings than seats, no
booking is lost, and the free-slot query agrees with a recomputation from first principles
(and with what the booking accepts)."""

from __future__ import annotations

import math
from collections import Counter as Tally
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from itertools import count
from zoneinfo import ZoneInfo

from attrs import evolve
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from caredomain import (
    Actor,
    ActorId,
    Closure,
    OpeningCalendar,
    Organisation,
    OrganisationId,
    ReferenceWeek,
    Role,
    RuleViolation,
    Weekday,
)
from caredomain.organisation import ConfigurationId
from caredomain.slots import (
    Agenda,
    Appointment,
    AppointmentId,
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

PARIS = ZoneInfo("Europe/Paris")
# A Monday: the one-month window spans the change to summer time (30 March) and Easter.
START = datetime(2025, 3, 24, 7, 0, tzinfo=PARIS)
KIND = AppointmentType(TypeId("passport"), "Passeports", 30, "1m", "60m")
WEEK = ReferenceWeek.parse(
    "week",
    {
        **dict.fromkeys(("lundi", "mardi", "mercredi", "jeudi", "vendredi"), "09h00-11h00"),
        "samedi": "09h00-10h00",
        "dimanche": "01h00-04h00",  # crosses the skipped hour on 30 March
    },
)
COUNTERS = (
    Counter(CounterId("c1"), "Guichet 1", KIND.id, PlaceId("p")),
    Counter(CounterId("c2"), "Guichet 2", KIND.id, PlaceId("p"), seats=2),
)
SETTINGS = SlotSettings(
    (KIND,),
    (Place(PlaceId("p"), "Mairie", "1 place de la Mairie"),),
    COUNTERS,
    (WEEK,),
    [
        WeekApplication(c.id, WeekName("week"), date(2025, 1, 1), date(2025, 12, 31))
        for c in COUNTERS
    ],
)
ORGANISATION = Organisation(
    OrganisationId("o"), "Mairie", PARIS, OpeningCalendar(open_weekdays=set(Weekday))
)
ADMIN = Actor.administrator(configuration=ConfigurationId("o"))
AGENT = Actor(ActorId("agent"), {Role.AGENT}, configuration=ConfigurationId("o"))
CITIZENS = [Beneficiary(f"cit-{n}", f"Citoyen {n}") for n in range(3)]
OPEN = {AppointmentStatus.BOOKED, AppointmentStatus.DEPROGRAMMED}


def first_principles_start(day: date, minute: int, duration: int) -> int | None:
    """Through zoneinfo, slot by slot: the first occurrence keeping the wall times."""
    wall = datetime.combine(day, time()) + timedelta(minutes=minute)
    last = wall + timedelta(minutes=duration, seconds=-1)
    for fold in (0, 1):
        start = wall.replace(tzinfo=PARIS, fold=fold).astimezone(UTC)
        shown = start.astimezone(PARIS).replace(tzinfo=None)
        shown_last = (start + timedelta(minutes=duration, seconds=-1)).astimezone(PARIS)
        if shown == wall and shown_last.replace(tzinfo=None) == last:
            return int(start.timestamp())
    return None


def attempt(action: Callable[[], Appointment]) -> Appointment | RuleViolation:
    """The appointment an action returns, or the rule that refused it."""
    try:
        return action()
    except RuleViolation as refused:
        return refused


class AgendaMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = START
        self.ids = count(1)
        self.agenda = Agenda(ORGANISATION, SETTINGS)
        self.agenda.refresh(self.now, new_id=self.new_id)
        self.made: list[AppointmentId] = []

    def new_id(self) -> str:
        return f"id-{next(self.ids)}"

    # -- helpers ----------------------------------------------------------------------------

    def planned(self) -> list[tuple[CounterId, int]]:
        plan = self.agenda.plan
        assert plan is not None
        return sorted(
            (counter_id, start)
            for counter_id, counter_plan in plan.counters.items()
            for ordinal in sorted(counter_plan.days)
            for start in counter_plan.starts_on(ordinal)
        )

    def free(self) -> set[tuple[CounterId, int]]:
        plan = self.agenda.plan
        assert plan is not None
        last = plan.day + timedelta(days=40)
        slots = self.agenda.free_slots(KIND.id, plan.day, last, now=self.now)
        return {(slot.counter_id, slot.start_second) for slot in slots}

    def expected_free(self) -> set[tuple[CounterId, int]]:
        """The free slots recomputed from the settings, the calendar and the appointments."""
        plan = self.agenda.plan
        assert plan is not None
        settings, calendar = self.agenda.settings, self.agenda.organisation.calendar
        kind = settings.type(KIND.id)
        notice = kind.notice.delta.total_seconds() if kind.notice else 0
        earliest = self.now.timestamp() + notice
        booked = Tally(
            (a.counter_id, a.start_second) for a in self.agenda.appointments.values() if a.is_booked
        )
        found = set()
        last = kind.window.last_day(plan.day)
        for counter in settings.counters:
            for offset in range((last - plan.day).days + 1):
                day = plan.day + timedelta(days=offset)
                covering = [a for a in settings.applications_of(counter.id) if a.covers(day)]
                if not covering or not calendar.is_open(day):
                    continue
                for opening in settings.week(covering[-1].week).ranges_on(Weekday.of(day)):
                    for minute in range(
                        opening.start_minute,
                        opening.end_minute - kind.duration_minutes + 1,
                        kind.duration_minutes,
                    ):
                        start = first_principles_start(day, minute, kind.duration_minutes)
                        if (
                            start is not None
                            and start >= earliest
                            and booked[counter.id, start] < counter.seats
                        ):
                            found.add((counter.id, start))
        return found

    def moment(self, start: int) -> datetime:
        return datetime.fromtimestamp(start, PARIS)

    # -- rules ------------------------------------------------------------------------------

    @rule(data=st.data(), citizen=st.sampled_from(CITIZENS))
    def book(self, data: st.DataObject, citizen: Beneficiary) -> None:
        planned = self.planned()
        if not planned:
            return
        counter_id, start = data.draw(st.sampled_from(planned))
        offered = (counter_id, start) in self.free()
        outcome = attempt(
            lambda: self.agenda.book(
                AGENT,
                counter_id=counter_id,
                start=self.moment(start),
                beneficiary=citizen,
                channel=Channel.BACK_OFFICE,
                now=self.now,
                new_id=self.new_id,
            )
        )
        if isinstance(outcome, RuleViolation):
            # The list never offers what the booking refuses (but for the beneficiary's
            # own second seat, which depends on who books, not on the slot).
            assert not offered or outcome.code == "slot.already_booked"
        else:
            assert offered
            self.made.append(outcome.id)

    @precondition(lambda self: self.made)
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        appointment = self.agenda.appointment(data.draw(st.sampled_from(self.made)))
        outcome = attempt(
            lambda: self.agenda.cancel(
                AGENT, appointment.id, channel=Channel.BACK_OFFICE, now=self.now, new_id=self.new_id
            )
        )
        if isinstance(outcome, RuleViolation):
            assert outcome.code in {"appointment.not_active", "appointment.started"}
        else:
            assert appointment.status in OPEN

    @precondition(lambda self: self.made)
    @rule(data=st.data())
    def reschedule(self, data: st.DataObject) -> None:
        appointment = self.agenda.appointment(data.draw(st.sampled_from(self.made)))
        planned = self.planned()
        if not planned:
            return
        counter_id, start = data.draw(st.sampled_from(planned))
        moved = attempt(
            lambda: self.agenda.reschedule(
                AGENT,
                appointment.id,
                counter_id=counter_id,
                start=self.moment(start),
                channel=Channel.BACK_OFFICE,
                now=self.now,
                new_id=self.new_id,
            )
        )
        if isinstance(moved, RuleViolation):
            assert self.agenda.appointment(appointment.id) == appointment
        else:
            assert (moved.counter_id, moved.start_second, moved.previous_start) == (
                counter_id,
                start,
                appointment.start,
            )

    @precondition(lambda self: self.made)
    @rule(data=st.data())
    def mark_no_show(self, data: st.DataObject) -> None:
        appointment = self.agenda.appointment(data.draw(st.sampled_from(self.made)))
        outcome = attempt(
            lambda: self.agenda.mark_no_show(
                AGENT, appointment.id, now=self.now, new_id=self.new_id
            )
        )
        if isinstance(outcome, RuleViolation):
            assert outcome.code in {"appointment.not_active", "appointment.not_started"}

    @rule(hours=st.integers(1, 60))
    def nightly_refresh(self, hours: int) -> None:
        self.now += timedelta(hours=hours)
        self.agenda.refresh(self.now, new_id=self.new_id)

    @rule(offset=st.integers(0, 32))
    def close_a_day(self, offset: int) -> None:
        calendar = self.agenda.organisation.calendar
        day = self.now.date() + timedelta(days=offset)
        self.agenda.reconfigure(
            ADMIN,
            as_of=self.now,
            new_id=self.new_id,
            calendar=calendar.with_closure(Closure.on(day)),
        )

    @precondition(lambda self: self.agenda.organisation.calendar.closures)
    @rule(data=st.data())
    def reopen_a_day(self, data: st.DataObject) -> None:
        calendar = self.agenda.organisation.calendar
        closure = data.draw(st.sampled_from(calendar.closures))
        self.agenda.reconfigure(
            ADMIN, as_of=self.now, new_id=self.new_id, calendar=calendar.without_closure(closure)
        )

    @rule(name=st.sampled_from(["Lundi de Pâques", "Fête du Travail"]))
    def switch_a_holiday(self, name: str) -> None:
        calendar = self.agenda.organisation.calendar
        switched = (
            calendar.with_holiday(name)
            if name in calendar.holidays.disabled
            else calendar.without_holiday(name)
        )
        self.agenda.reconfigure(ADMIN, as_of=self.now, new_id=self.new_id, calendar=switched)

    @rule(counter=st.sampled_from(COUNTERS), seats=st.integers(1, 3))
    def change_seats(self, counter: Counter, seats: int) -> None:
        settings = self.agenda.settings.with_counter(evolve(counter, seats=seats))
        self.agenda.reconfigure(ADMIN, as_of=self.now, new_id=self.new_id, settings=settings)

    # -- invariants -------------------------------------------------------------------------

    @invariant()
    def bookings_never_exceed_seats(self) -> None:
        booked = Tally(
            (a.counter_id, a.start_second) for a in self.agenda.appointments.values() if a.is_booked
        )
        for (counter_id, start), taken in booked.items():
            assert taken <= self.agenda.settings.counter(counter_id).seats
            assert self.agenda.taken(counter_id, self.moment(start)) == taken

    @invariant()
    def booked_appointments_to_come_sit_on_planned_slots(self) -> None:
        plan = self.agenda.plan
        assert plan is not None
        for appointment in self.agenda.appointments.values():
            if appointment.is_booked and appointment.start_second >= self.now.timestamp():
                ordinal = appointment.start.astimezone(PARIS).toordinal()
                assert plan.counters[appointment.counter_id].has(ordinal, appointment.start_second)

    @invariant()
    def no_booking_is_lost(self) -> None:
        assert sorted(self.agenda.appointments) == sorted(self.made)
        assert all(a.status in AppointmentStatus for a in self.agenda.appointments.values())

    @invariant()
    def the_free_slot_query_agrees_with_a_recomputation(self) -> None:
        assert self.free() == self.expected_free()
        assert all(start >= math.ceil(self.now.timestamp()) for _, start in self.free())


AgendaMachine.TestCase.settings = settings(stateful_step_count=25)
test_agenda_machine = AgendaMachine.TestCase
