"""The appointment services on SQLite behave exactly as one agenda kept in memory.

Each use case reloads the agenda with only the appointments it needs and rebuilds the plan
from its stored basis; a state machine mixing bookings, cancellations, reschedules,
no-shows, closures, holiday switches, seat changes and nightly refreshes checks that this
changes nothing: every outcome, every stored appointment and every free-slot list agree
with an :class:`~caredomain.slots.Agenda` that never left memory.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import date, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from attrs import evolve
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from caredomain import (
    Actor,
    ActorId,
    CareDomainError,
    Closure,
    FixedClock,
    OpeningCalendar,
    Organisation,
    OrganisationId,
    ReferenceWeek,
    Role,
    RuleViolation,
    Weekday,
)
from caredomain.calendar import WORKING_WEEK
from caredomain.organisation import ConfigurationId
from caredomain.services import ServiceContext, configure_organisation
from caredomain.slots import (
    Agenda,
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
    SLOT_PLANNER,
    book_slot,
    cancel_appointment,
    change_opening_calendar,
    configure_slots,
    free_slots,
    mark_appointment_no_show,
    refresh_slots,
    reschedule_appointment,
)
from caredomain_sqlite import SqliteStore

PARIS = ZoneInfo("Europe/Paris")
START = datetime(2025, 4, 14, 8, 0, tzinfo=PARIS)  # a Monday; Easter Monday is 21 April
TOWN = OrganisationId("town")
KIND = AppointmentType(TypeId("passport"), "Passeports", 30, "3w", "60m", on_portal=True)
WEEK = ReferenceWeek.parse(
    "week",
    {
        **dict.fromkeys(("lundi", "mardi", "mercredi", "jeudi", "vendredi"), "09h00-11h00"),
        "samedi": "09h00-10h00",
    },
)
HALL = Place(PlaceId("hall"), "Hôtel de ville", "1 place de la Mairie", on_portal=True)
G1, G2 = CounterId("g1"), CounterId("g2")
SETTINGS = SlotSettings(
    (KIND,),
    (HALL,),
    (Counter(G1, "Guichet 1", KIND.id, HALL.id), Counter(G2, "Guichet 2", KIND.id, HALL.id, 2)),
    (WEEK,),
    [WeekApplication(c, WeekName("week"), date(2025, 1, 1), date(2025, 12, 31)) for c in (G1, G2)],
)
CALENDAR = OpeningCalendar(WORKING_WEEK | {Weekday.SATURDAY})
ADMIN = Actor.administrator(configuration=ConfigurationId(TOWN))
AGENT = Actor(ActorId("agent"), {Role.AGENT}, configuration=ConfigurationId(TOWN))
CITIZENS = [Beneficiary(f"cit-{n}", f"Citizen {n}") for n in range(3)]
DAYS = [START.date() + timedelta(days=n) for n in range(22)]
HOLIDAYS = ["Lundi de Pâques", "Fête du Travail"]
# Planned and unplanned starts alike: the booking must refuse the latter as the model does.
STARTS = [
    datetime.combine(day, datetime.min.time(), PARIS).replace(hour=hour, minute=minute)
    for day in DAYS[:10]
    for hour, minute in ((9, 0), (9, 30), (10, 30), (11, 0))
]


def citizen(beneficiary: Beneficiary) -> Actor:
    return Actor(ActorId(beneficiary.id), {Role.CITIZEN}, configuration=ConfigurationId(TOWN))


def outcome(action: Any) -> object:
    """What an action gave, comparable across the two sides: a value or the error's kind."""
    try:
        return action()
    except RuleViolation as error:
        return (type(error).__name__, error.code)
    except CareDomainError as error:
        return type(error).__name__


class ServicesAgreeWithMemory(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="slots-"))
        self.store = SqliteStore(self.folder / "town.db")
        self.clock = FixedClock(START)
        organisation = Organisation(TOWN, "Mairie", PARIS, CALENDAR)
        setup = ServiceContext(store=self.store, clock=self.clock)
        configure_organisation(setup, ADMIN, organisation)
        ours, theirs = count(1), count(1)
        self.context = ServiceContext(
            store=self.store, clock=self.clock, new_id=lambda: f"id-{next(ours)}"
        )
        self.new_id = lambda: f"id-{next(theirs)}"
        self.model = Agenda(organisation)
        self.both(
            lambda: configure_slots(self.context, ADMIN, TOWN, SETTINGS),
            lambda: self.model.reconfigure(
                ADMIN, as_of=self.clock.now(), new_id=self.new_id, settings=SETTINGS
            ),
        )
        self.ids: list[AppointmentId] = []

    def teardown(self) -> None:
        self.store.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def both(self, service: Any, model: Any) -> object:
        ours, theirs = outcome(service), outcome(model)
        assert ours == theirs
        return ours

    # -- rules --------------------------------------------------------------------------

    @rule(
        who=st.sampled_from(CITIZENS),
        start=st.sampled_from(STARTS),
        counter=st.sampled_from([G1, G2]),
        portal=st.booleans(),
    )
    def book(self, who: Beneficiary, start: datetime, counter: CounterId, portal: bool) -> None:
        actor = citizen(who) if portal else AGENT
        channel = Channel.PORTAL if portal else Channel.BACK_OFFICE
        arguments: dict[str, Any] = {
            "counter_id": counter,
            "start": start,
            "beneficiary": who,
            "channel": channel,
        }
        booked = self.both(
            lambda: book_slot(self.context, actor, TOWN, **arguments),
            lambda: self.model.book(actor, now=self.clock.now(), new_id=self.new_id, **arguments),
        )
        if isinstance(booked, Appointment):
            self.ids.append(booked.id)

    @rule(data=st.data(), by_citizen=st.booleans())
    def cancel(self, data: st.DataObject, by_citizen: bool) -> None:
        if not self.ids:
            return
        appointment = self.model.appointment(data.draw(st.sampled_from(self.ids)))
        actor = citizen(appointment.beneficiary) if by_citizen else AGENT
        channel = Channel.PORTAL if by_citizen else Channel.BACK_OFFICE
        self.both(
            lambda: cancel_appointment(self.context, actor, TOWN, appointment.id, channel=channel),
            lambda: self.model.cancel(
                actor, appointment.id, channel=channel, now=self.clock.now(), new_id=self.new_id
            ),
        )

    @rule(data=st.data(), start=st.sampled_from(STARTS), counter=st.sampled_from([G1, G2]))
    def reschedule(self, data: st.DataObject, start: datetime, counter: CounterId) -> None:
        if not self.ids:
            return
        appointment_id = data.draw(st.sampled_from(self.ids))
        arguments: dict[str, Any] = {
            "counter_id": counter,
            "start": start,
            "channel": Channel.BACK_OFFICE,
        }
        self.both(
            lambda: reschedule_appointment(self.context, AGENT, TOWN, appointment_id, **arguments),
            lambda: self.model.reschedule(
                AGENT, appointment_id, now=self.clock.now(), new_id=self.new_id, **arguments
            ),
        )

    @rule(data=st.data())
    def no_show(self, data: st.DataObject) -> None:
        if not self.ids:
            return
        appointment_id = data.draw(st.sampled_from(self.ids))
        self.both(
            lambda: mark_appointment_no_show(self.context, AGENT, TOWN, appointment_id),
            lambda: self.model.mark_no_show(
                AGENT, appointment_id, now=self.clock.now(), new_id=self.new_id
            ),
        )

    @rule(day=st.sampled_from(DAYS[:10]))
    def toggle_closure(self, day: date) -> None:
        calendar = self.model.organisation.calendar
        closure = Closure.on(day, "fermeture")
        if closure in calendar.closures:
            changed = calendar.without_closure(closure)
        else:
            changed = calendar.with_closure(closure)
        self.change_calendar(changed)

    @rule(name=st.sampled_from(HOLIDAYS))
    def toggle_holiday(self, name: str) -> None:
        calendar = self.model.organisation.calendar
        if name in calendar.holidays.disabled:
            self.change_calendar(calendar.with_holiday(name))
        else:
            self.change_calendar(calendar.without_holiday(name))

    def change_calendar(self, calendar: OpeningCalendar) -> None:
        self.both(
            lambda: change_opening_calendar(self.context, ADMIN, TOWN, calendar).report,
            lambda: (
                self.model.reconfigure(
                    ADMIN, as_of=self.clock.now(), new_id=self.new_id, calendar=calendar
                ).report
            ),
        )

    @rule(counter=st.sampled_from([G1, G2]), seats=st.integers(1, 2))
    def change_seats(self, counter: CounterId, seats: int) -> None:
        settings = self.model.settings
        changed = settings.with_counter(evolve(settings.counter(counter), seats=seats))
        self.both(
            lambda: configure_slots(self.context, ADMIN, TOWN, changed).report,
            lambda: (
                self.model.reconfigure(
                    ADMIN, as_of=self.clock.now(), new_id=self.new_id, settings=changed
                ).report
            ),
        )

    @rule(hours=st.integers(1, 40))
    def night_passes(self, hours: int) -> None:
        self.clock.advance(timedelta(hours=hours))
        self.both(
            lambda: refresh_slots(self.context, SLOT_PLANNER, TOWN),
            lambda: self.model.refresh(self.clock.now(), new_id=self.new_id),
        )

    # -- invariants ---------------------------------------------------------------------

    @invariant()
    def every_appointment_is_stored_as_the_model_holds_it(self) -> None:
        with self.store.unit_of_work(write=False) as uow:
            stored = {a.id: a for a in uow.slots.appointments(TOWN)}
        assert stored == dict(self.model.appointments)

    @invariant()
    def the_free_slots_agree(self) -> None:
        today = self.model.organisation.today(self.clock.now())
        ours = free_slots(self.context, AGENT, TOWN, KIND.id, first=today, days=25)
        theirs = self.model.free_slots(
            KIND.id, today, today + timedelta(days=24), now=self.clock.now()
        )
        assert ours == theirs


ServicesAgreeWithMemory.TestCase.settings = settings(stateful_step_count=20, deadline=None)
test_services_agree_with_an_agenda_in_memory = ServicesAgreeWithMemory.TestCase
