"""Why no slot? Each expected slot with the reasons it cannot be booked, and the listing,
the explanation and the booking agreeing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from attrs import evolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caredomain import Actor, Closure, ReferenceWeek, RuleViolation, Weekday
from caredomain.slots import (
    Agenda,
    Beneficiary,
    Channel,
    CounterId,
    PlaceId,
    TypeId,
    WeekApplication,
    WeekName,
)

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2025, 3, 3, 8, 0, tzinfo=PARIS)
ID_CARD, HALL, G1 = TypeId("id-card"), PlaceId("hall"), CounterId("g1")


def _codes(agenda: Agenda, day: date, now: datetime = NOW) -> set[str]:
    return {r.code for slot in agenda.why(ID_CARD, HALL, day, now=now).slots for r in slot.reasons}


def test_a_free_day_has_no_reason(agenda: Agenda) -> None:
    why = agenda.why(ID_CARD, HALL, date(2025, 3, 4), now=NOW)
    assert len(why.slots) == 20  # two ranges of 3h30, cut in 20-minute slots, remainders dropped
    assert all(slot.free for slot in why.slots)
    assert why.slots[0].start == datetime(2025, 3, 4, 8, 30, tzinfo=PARIS)
    walls = [str(slot.wall) for slot in why.slots]
    assert walls[9:11] == ["11h30-11h50", "13h30-13h50"]  # 11h50-12h00 is dropped
    assert walls[-1] == "16h30-16h50"


def test_each_closed_day_says_why(agenda: Agenda, admin: Actor, new_id: Callable[[], str]) -> None:
    calendar = agenda.organisation.calendar
    calendar = evolve(calendar, open_weekdays=calendar.open_weekdays - {Weekday.SATURDAY})
    calendar = calendar.with_closure(Closure(date(2025, 3, 10), date(2025, 3, 11), "travaux"))
    agenda.reconfigure(admin, as_of=NOW, new_id=new_id, calendar=calendar)
    assert _codes(agenda, date(2025, 3, 8)) == {"day.closed_weekday"}
    assert _codes(agenda, date(2025, 3, 11)) == {"day.closure"}
    assert _codes(agenda, date(2025, 5, 1)) == {"day.public_holiday"}
    assert _codes(agenda, date(2025, 5, 5)) == {"slot.outside_window"}
    [reason] = agenda.why(ID_CARD, HALL, date(2025, 3, 10), now=NOW).slots[0].reasons
    assert reason.message == "closure 2025-03-10 to 2025-03-11 (travaux)"


def test_timing_and_seats_say_why(
    agenda: Agenda, agent: Actor, marie: Beneficiary, new_id: Callable[[], str]
) -> None:
    agenda.book(
        agent,
        counter_id=G1,
        start=datetime(2025, 3, 3, 10, 30, tzinfo=PARIS),
        beneficiary=marie,
        channel=Channel.BACK_OFFICE,
        now=NOW,
        new_id=new_id,
        option="CNI",
    )
    now = datetime(2025, 3, 3, 8, 40, tzinfo=PARIS)
    by_start = {
        slot.wall.start_minute: slot.reasons
        for slot in agenda.why(ID_CARD, HALL, date(2025, 3, 3), now=now).slots
    }
    assert [r.code for r in by_start[8 * 60 + 30]] == ["slot.past"]
    assert [r.code for r in by_start[9 * 60 + 30]] == ["slot.min_notice"]
    assert by_start[9 * 60 + 50] == ()
    assert [r.code for r in by_start[10 * 60 + 30]] == ["slot.full"]


def test_a_counter_without_hours_that_day_says_why(
    agenda: Agenda, admin: Actor, new_id: Callable[[], str]
) -> None:
    sunday = agenda.why(ID_CARD, HALL, date(2025, 3, 9), now=NOW)
    assert sunday.slots == ()
    assert [(c, r.code) for c, r in sunday.without_slots] == [(G1, "counter.no_hours")]
    next_year = agenda.why(ID_CARD, HALL, date(2027, 3, 1), now=NOW)
    assert [(c, r.code) for c, r in next_year.without_slots] == [(G1, "counter.no_reference_week")]


def test_the_hour_skipped_by_daylight_saving_says_why(
    agenda: Agenda, admin: Actor, new_id: Callable[[], str]
) -> None:
    night = ReferenceWeek.parse("night", {"dimanche": "01h00-04h00"})
    settings = agenda.settings.with_week(night).with_application(
        WeekApplication(G1, WeekName("night"), date(2025, 3, 30), date(2025, 3, 30))
    )
    calendar = evolve(agenda.organisation.calendar, open_weekdays=set(Weekday))
    agenda.reconfigure(admin, as_of=NOW, new_id=new_id, settings=settings, calendar=calendar)
    why = agenda.why(ID_CARD, HALL, date(2025, 3, 30), now=NOW)
    skipped = [str(s.wall) for s in why.slots if s.reasons]
    assert skipped == ["02h00-02h20", "02h20-02h40", "02h40-03h00"]
    assert all(s.start is None for s in why.slots if s.reasons)
    assert {r.code for s in why.slots for r in s.reasons} == {"slot.skipped_hour"}
    assert len(why.free()) == 6
    free = agenda.free_slots(ID_CARD, date(2025, 3, 30), date(2025, 3, 30), now=NOW, place_id=HALL)
    assert [s.start for s in free] == [s.start for s in why.free()]


# The agenda fixture is shared by the examples: each only reads it (refused bookings
# change nothing), so its function scope is harmless.
@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    day=st.dates(date(2025, 3, 1), date(2025, 5, 10)),
    minutes=st.integers(0, 62 * 24 * 60),
)
def test_the_listing_the_explanation_and_the_booking_agree(
    agenda: Agenda, agent: Actor, new_id: Callable[[], str], day: date, minutes: int
) -> None:
    now = NOW + timedelta(minutes=minutes)
    listed = {s.start for s in agenda.free_slots(ID_CARD, day, day, now=now, place_id=HALL)}
    explained = agenda.why(ID_CARD, HALL, day, now=now)
    assert listed == {s.start for s in explained.free()}
    for slot in explained.slots:
        if slot.start is None or slot.free:
            continue
        with pytest.raises(RuleViolation) as caught:
            agenda.book(
                agent,
                counter_id=G1,
                start=slot.start,
                beneficiary=Beneficiary("b", "B"),
                channel=Channel.BACK_OFFICE,
                now=now,
                new_id=new_id,
                option="CNI",
            )
        expected = slot.reasons[0].code
        planned = expected in {"slot.past", "slot.min_notice", "slot.full"}
        assert caught.value.code == (expected if planned else "slot.not_planned")
