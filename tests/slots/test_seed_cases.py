"""The cases seed 003 spells out, as plain examples."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from attrs import evolve

from caredomain import Actor, Organisation, PublicHolidays, ReferenceWeek, RuleViolation
from caredomain.slots import (
    Agenda,
    Beneficiary,
    Channel,
    CounterId,
    PlaceId,
    SlotSettings,
    TypeId,
    WeekApplication,
    WeekName,
)

PARIS = ZoneInfo("Europe/Paris")
ID_CARD, HALL, G1 = TypeId("id-card"), PlaceId("hall"), CounterId("g1")


def _slot_days(agenda: Agenda, first: date, last: date, now: datetime) -> set[date]:
    return {slot.start.date() for slot in agenda.free_slots(ID_CARD, first, last, now=now)}


def test_a_2m_window_opens_two_months_of_slots(agenda: Agenda) -> None:
    plan = agenda.plan
    assert plan is not None
    assert plan.counters[G1].last == date(2025, 5, 3)  # 3 March + two months
    now = datetime(2025, 3, 3, 8, tzinfo=PARIS)
    days = _slot_days(agenda, date(2025, 4, 28), date(2025, 5, 31), now)
    # 1 May is a public holiday; Saturday 3 May is the window's last day.
    assert days == {
        date(2025, 4, 28),
        date(2025, 4, 29),
        date(2025, 4, 30),
        date(2025, 5, 2),
        date(2025, 5, 3),
    }


def test_the_window_is_counted_in_calendar_months(
    town_hall: Organisation, town_settings: SlotSettings, new_id: Callable[[], str]
) -> None:
    agenda = Agenda(town_hall, town_settings)
    agenda.refresh(datetime(2025, 1, 31, 7, tzinfo=PARIS), new_id=new_id)
    assert agenda.plan is not None
    assert agenda.plan.counters[G1].last == date(2025, 3, 31)


def test_the_nightly_refresh_opens_the_day_that_entered_the_window(
    agenda: Agenda, new_id: Callable[[], str]
) -> None:
    saturday = datetime(2025, 3, 8, 8, tzinfo=PARIS)
    assert date(2025, 5, 5) not in _slot_days(agenda, date(2025, 5, 5), date(2025, 5, 5), saturday)
    agenda.refresh(datetime(2025, 3, 5, 2, tzinfo=PARIS), new_id=new_id)
    assert _slot_days(agenda, date(2025, 5, 5), date(2025, 5, 5), saturday) == {date(2025, 5, 5)}


def test_a_60m_notice_closes_a_slot_one_hour_before_it_starts(
    agenda: Agenda, agent: Actor, marie: Beneficiary, new_id: Callable[[], str]
) -> None:
    nine_ten = datetime(2025, 3, 4, 9, 10, tzinfo=PARIS)
    in_time = nine_ten - timedelta(minutes=60)
    assert nine_ten in {
        s.start for s in agenda.free_slots(ID_CARD, date(2025, 3, 4), date(2025, 3, 4), now=in_time)
    }
    too_late = in_time + timedelta(seconds=1)
    assert nine_ten not in {
        s.start
        for s in agenda.free_slots(ID_CARD, date(2025, 3, 4), date(2025, 3, 4), now=too_late)
    }
    with pytest.raises(RuleViolation) as caught:
        agenda.book(
            agent,
            counter_id=G1,
            start=nine_ten,
            beneficiary=marie,
            channel=Channel.BACK_OFFICE,
            now=too_late,
            new_id=new_id,
            option="CNI",
        )
    assert caught.value.code == "slot.min_notice"
    booked = agenda.book(
        agent,
        counter_id=G1,
        start=nine_ten,
        beneficiary=marie,
        channel=Channel.BACK_OFFICE,
        now=in_time,
        new_id=new_id,
        option="CNI",
    )
    assert booked.start == nine_ten


def _holiday_agenda(
    town_hall: Organisation,
    town_settings: SlotSettings,
    new_id: Callable[[], str],
    today: date,
    holidays: PublicHolidays | None = None,
) -> Agenda:
    """The town hall open every weekday, planned as of ``today`` for a year ahead."""
    kind = evolve(town_settings.type(ID_CARD), window="1y")
    calendar = (
        town_hall.calendar if holidays is None else evolve(town_hall.calendar, holidays=holidays)
    )
    agenda = Agenda(evolve(town_hall, calendar=calendar), town_settings.with_type(kind))
    agenda.refresh(datetime.combine(today, datetime.min.time(), PARIS), new_id=new_id)
    return agenda


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 1, 1), "Jour de l'an"),
        (date(2025, 4, 21), "Lundi de Pâques"),
        (date(2025, 7, 14), "Fête nationale"),
        (date(2025, 11, 11), "Armistice"),
    ],
)
def test_public_holidays_are_closed_by_default(
    town_hall: Organisation,
    town_settings: SlotSettings,
    new_id: Callable[[], str],
    day: date,
    name: str,
) -> None:
    agenda = _holiday_agenda(town_hall, town_settings, new_id, date(2025, 3, 3))
    now = datetime(2025, 3, 3, 8, tzinfo=PARIS)
    assert _slot_days(agenda, day, day, now) == set()
    why = agenda.why(ID_CARD, HALL, day, now=now)
    assert why.slots
    assert {r.code for s in why.slots for r in s.reasons} == {"day.public_holiday"}
    assert name in why.slots[0].reasons[0].message


def test_unchecking_easter_monday_opens_it(
    agenda: Agenda, admin: Actor, new_id: Callable[[], str]
) -> None:
    now = datetime(2025, 3, 3, 8, tzinfo=PARIS)
    easter_monday = date(2025, 4, 21)
    assert _slot_days(agenda, easter_monday, easter_monday, now) == set()
    calendar = agenda.organisation.calendar.without_holiday("Lundi de Pâques")
    agenda.reconfigure(admin, as_of=now, new_id=new_id, calendar=calendar)
    assert _slot_days(agenda, easter_monday, easter_monday, now) == {easter_monday}
    assert _slot_days(agenda, date(2025, 5, 1), date(2025, 5, 1), now) == set()  # still closed


@pytest.mark.parametrize(
    ("day", "today"),
    [(date(2025, 4, 18), date(2025, 3, 3)), (date(2025, 12, 26), date(2025, 11, 3))],
)
def test_alsace_moselle_closes_good_friday_and_26_december(
    town_hall: Organisation,
    town_settings: SlotSettings,
    new_id: Callable[[], str],
    day: date,
    today: date,
) -> None:
    now = datetime.combine(today, datetime.min.time(), PARIS)
    france = _holiday_agenda(town_hall, town_settings, new_id, today)
    assert _slot_days(france, day, day, now) == {day}
    moselle = _holiday_agenda(town_hall, town_settings, new_id, today, PublicHolidays("FR", "57"))
    assert _slot_days(moselle, day, day, now) == set()
    assert moselle.why(ID_CARD, HALL, day, now=now).slots[0].reasons[0].code == "day.public_holiday"


def test_a_reference_week_is_typed_one_range_a_line() -> None:
    week = ReferenceWeek.parse(
        "standard", {"lundi": "08h30-12h00\n13h30-17h00", "samedi": "09h00-12h00"}
    )
    application = WeekApplication(G1, WeekName(week.name), date(2025, 1, 1), date(2025, 6, 30))
    assert [str(r) for r in week.days[0]] == ["08h30-12h00", "13h30-17h00"]
    assert application.covers(date(2025, 3, 3))
