"""The opening calendar of seed 003: open weekdays, public holidays on by default, closures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from caredomain.calendar import (
    WORKING_WEEK,
    ClosedWeekday,
    Closure,
    OpeningCalendar,
    PublicHoliday,
    PublicHolidays,
)
from caredomain.errors import InvalidInput
from caredomain.hours import Weekday
from caredomain.testing import strategies as cds

EVERY_DAY = frozenset(Weekday)
years = st.integers(2000, 2060)


def each_day(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def names_on(holidays: PublicHolidays, day: date) -> set[str]:
    """Every holiday name the region gives ``day``, switched off or not."""
    joined = holidays.in_year(day.year).get(day)
    return set(joined.split("; ")) if joined else set()


# ---------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------


@given(year=years, data=st.data())
def test_switching_off_one_holiday_opens_exactly_the_dates_carrying_it(
    year: int, data: st.DataObject
) -> None:
    first, last = date(year, 1, 1), date(year, 12, 31)
    calendar = data.draw(
        cds.opening_calendars(closure=cds.closures(min_day=first, max_day=last)), label="calendar"
    )
    holidays = calendar.holidays
    enabled = sorted(
        {name for day in holidays.in_year(year) for name in names_on(holidays, day)}
        - holidays.disabled
    )
    assume(enabled)
    name = data.draw(st.sampled_from(enabled), label="name")

    after = calendar.without_holiday(name)

    expected = {
        day
        for day in holidays.in_year(year)
        if name in names_on(holidays, day)
        and not names_on(holidays, day) - holidays.disabled - {name}
        and Weekday.of(day) in calendar.open_weekdays
        and not any(closure.covers(day) for closure in calendar.closures)
    }
    opened = {d for d in each_day(first, last) if after.is_open(d) and not calendar.is_open(d)}
    closed = {d for d in each_day(first, last) if calendar.is_open(d) and not after.is_open(d)}
    assert opened == expected
    assert not closed
    for day in each_day(first, last):
        if name not in names_on(holidays, day):
            assert after.closed_reasons(day) == calendar.closed_reasons(day)
    assert after.with_holiday(name) == calendar


@given(
    calendar=cds.opening_calendars(
        closure=cds.closures(min_day=date(2026, 1, 1), max_day=date(2026, 3, 31))
    ),
    closure=cds.closures(min_day=date(2026, 1, 10), max_day=date(2026, 3, 20)),
)
def test_adding_a_closure_closes_exactly_its_dates(
    calendar: OpeningCalendar, closure: Closure
) -> None:
    after = calendar.with_closure(closure)
    for day in each_day(date(2026, 1, 1), date(2026, 3, 31)):
        assert after.is_open(day) == (calendar.is_open(day) and not closure.covers(day))
        assert (closure in after.closed_reasons(day)) == closure.covers(day)
    if closure not in calendar.closures:
        assert after.without_closure(closure) == calendar


@st.composite
def calendars_and_days(draw: st.DrawFn) -> tuple[OpeningCalendar, date]:
    """A calendar and a day, the day often a public holiday of the calendar's region."""
    calendar = draw(cds.opening_calendars())
    year = draw(years)
    holiday_days = sorted(calendar.holidays.in_year(year))
    near_closure = [c.first for c in calendar.closures]
    day = draw(
        st.one_of(
            st.sampled_from(holiday_days),
            st.dates(date(year, 1, 1), date(year, 12, 31)),
            *([st.sampled_from(near_closure)] if near_closure else []),
        )
    )
    return calendar, day


@given(calendars_and_days())
def test_closed_reasons_are_empty_exactly_when_the_day_is_open(
    case: tuple[OpeningCalendar, date],
) -> None:
    calendar, day = case
    reasons = calendar.closed_reasons(day)
    assert (reasons == ()) == calendar.is_open(day)
    status = calendar.status(day)
    assert status.day == day
    assert status.reasons == reasons
    assert status.is_open == calendar.is_open(day)


@given(calendars_and_days())
def test_each_reason_names_its_cause(case: tuple[OpeningCalendar, date]) -> None:
    calendar, day = case
    reasons = calendar.closed_reasons(day)
    closures = [r for r in reasons if isinstance(r, Closure)]
    assert closures == [c for c in calendar.closures if c.covers(day)]
    holiday = calendar.holidays.on(day)
    assert [r for r in reasons if isinstance(r, PublicHoliday)] == (
        [PublicHoliday(holiday)] if holiday else []
    )
    weekday_closed = Weekday.of(day) not in calendar.open_weekdays
    assert [r for r in reasons if isinstance(r, ClosedWeekday)] == (
        [ClosedWeekday(Weekday.of(day))] if weekday_closed else []
    )
    assert reasons[: len(closures)] == tuple(closures)  # closures come first


@given(calendar=cds.opening_calendars(), first=st.dates(date(2000, 1, 1), date(2060, 12, 1)))
def test_days_lists_each_day_once_in_order(calendar: OpeningCalendar, first: date) -> None:
    last = first + timedelta(days=30)
    statuses = list(calendar.days(first, last))
    assert [s.day for s in statuses] == list(each_day(first, last))
    assert all(s == calendar.status(s.day) for s in statuses)


@given(cds.public_holidays(), years)
def test_unticked_holidays_are_never_reported(holidays: PublicHolidays, year: int) -> None:
    for day in holidays.in_year(year):
        name = holidays.on(day)
        shown = set(name.split("; ")) if name else set()
        assert shown == names_on(holidays, day) - holidays.disabled


# ---------------------------------------------------------------------------------------
# Examples from the seed and the regions
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 1, 1), "Jour de l'an"),
        (date(2026, 4, 6), "Lundi de Pâques"),
        (date(2026, 7, 14), "Fête nationale"),
        (date(2026, 11, 11), "Armistice"),
        (date(2026, 12, 25), "Noël"),
    ],
)
def test_french_holidays_are_closed_by_default_and_named(day: date, name: str) -> None:
    calendar = OpeningCalendar()
    assert Weekday.of(day) in WORKING_WEEK
    assert not calendar.is_open(day)
    assert calendar.closed_reasons(day) == (PublicHoliday(name),)
    assert str(calendar.closed_reasons(day)[0]) == f"public holiday: {name}"


def test_default_calendar_is_the_working_week_with_french_holidays() -> None:
    calendar = OpeningCalendar()
    assert calendar.open_weekdays == WORKING_WEEK
    assert calendar.holidays == PublicHolidays("FR")
    assert calendar.is_open(date(2026, 4, 7))  # the Tuesday after Easter Monday


def test_unchecking_easter_monday_opens_it_and_nothing_else() -> None:
    calendar = OpeningCalendar().without_holiday("Lundi de Pâques")
    assert calendar.is_open(date(2026, 4, 6))
    assert calendar.is_open(date(2027, 3, 29))  # every year
    assert not calendar.is_open(date(2026, 5, 25))  # Lundi de Pentecôte stays closed
    assert calendar.with_holiday("Lundi de Pâques") == OpeningCalendar()


@pytest.mark.parametrize("subdivision", ["57", "6AE"])
def test_alsace_moselle_also_closes_good_friday_and_saint_stephen(subdivision: str) -> None:
    local = OpeningCalendar(EVERY_DAY, PublicHolidays("FR", subdivision))
    plain = OpeningCalendar(EVERY_DAY, PublicHolidays("FR"))
    for day, name in [(date(2026, 4, 3), "Vendredi saint"), (date(2026, 12, 26), "Saint-Étienne")]:
        assert local.closed_reasons(day) == (PublicHoliday(name),)
        assert plain.is_open(day)
    assert {"Vendredi saint", "Saint-Étienne"} <= local.holidays.names()
    assert not {"Vendredi saint", "Saint-Étienne"} & plain.holidays.names()


def test_quebec_closes_its_fete_nationale() -> None:
    calendar = OpeningCalendar(holidays=PublicHolidays("CA", "QC"))
    assert calendar.closed_reasons(date(2026, 6, 24)) == (
        PublicHoliday("Fête nationale du Québec"),
    )
    assert calendar.is_open(date(2026, 7, 14))  # not a holiday in Québec
    assert calendar.without_holiday("Fête nationale du Québec").is_open(date(2026, 6, 24))


def test_a_day_with_two_holidays_stays_closed_for_the_other() -> None:
    calendar = OpeningCalendar()
    may_day_2008 = date(2008, 5, 1)  # Ascension fell on 1 May
    assert calendar.closed_reasons(may_day_2008) == (PublicHoliday("Ascension; Fête du Travail"),)
    assert calendar.without_holiday("Ascension").closed_reasons(may_day_2008) == (
        PublicHoliday("Fête du Travail"),
    )
    both_off = calendar.without_holiday("Ascension").without_holiday("Fête du Travail")
    assert both_off.is_open(may_day_2008)


def test_a_sunday_holiday_lists_both_reasons() -> None:
    toussaint_2026 = date(2026, 11, 1)
    assert Weekday.of(toussaint_2026) is Weekday.SUNDAY
    calendar = OpeningCalendar()
    assert calendar.closed_reasons(toussaint_2026) == (
        PublicHoliday("Toussaint"),
        ClosedWeekday(Weekday.SUNDAY),
    )
    closure = Closure(date(2026, 10, 26), date(2026, 11, 1), "Vacances")
    assert calendar.with_closure(closure).closed_reasons(toussaint_2026) == (
        closure,
        PublicHoliday("Toussaint"),
        ClosedWeekday(Weekday.SUNDAY),
    )
    assert str(ClosedWeekday(Weekday.SUNDAY)) == "closed on Sundays"


@pytest.mark.parametrize("name", ["Pentecost", "lundi de pâques", "Fête nationale du Québec", ""])
def test_an_unknown_holiday_name_is_refused(name: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        OpeningCalendar().without_holiday(name)
    assert caught.value.field == "disabled"
    assert caught.value.text == name
    with pytest.raises(InvalidInput):
        PublicHolidays("FR", disabled={name})


@pytest.mark.parametrize(
    ("country", "subdivision"), [("FR", "99"), ("FR", "QC"), ("CA", "57"), ("XX", None)]
)
def test_an_unknown_region_is_refused(country: str, subdivision: str | None) -> None:
    with pytest.raises(InvalidInput) as caught:
        PublicHolidays(country, subdivision)
    assert caught.value.text == (subdivision or country)


@pytest.mark.parametrize(
    ("country", "subdivision", "field"), [("FR", "99", "subdivision"), ("XX", None, "country")]
)
def test_an_unknown_region_names_the_field_at_fault(
    country: str, subdivision: str | None, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        PublicHolidays(country, subdivision)
    assert caught.value.field == field


def test_a_closure_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        Closure(date(2026, 8, 14), date(2026, 8, 10))
    assert caught.value.field == "last"
    assert caught.value.text == "2026-08-10"


def test_closures() -> None:
    one_day = Closure.on(date(2026, 12, 24), "Réveillon")
    assert one_day == Closure(date(2026, 12, 24), date(2026, 12, 24), "Réveillon")
    assert str(one_day) == "closure 2026-12-24 (Réveillon)"
    summer = Closure(date(2026, 8, 10), date(2026, 8, 14))
    assert str(summer) == "closure 2026-08-10 to 2026-08-14"
    assert summer.covers(date(2026, 8, 10))
    assert summer.covers(date(2026, 8, 14))
    assert not summer.covers(date(2026, 8, 15))
    calendar = OpeningCalendar(closures=[summer, one_day])
    assert calendar.closures == (summer, one_day)  # kept sorted
    assert calendar.without_closure(summer).closures == (one_day,)
