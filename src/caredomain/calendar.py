"""The opening calendar: which days are open, and why a closed day is closed.

Seed 003 ("Gestion des jours d'ouverture / jours fériés"): open weekdays are boxes to tick;
public holidays are built in and on by default, each can be unticked; the administrator
adds exceptional closures. Public holidays come from the ``holidays`` package, in French,
for France (with subdivisions such as Alsace-Moselle: ``57`` Moselle, ``6AE`` Alsace) and
Canada (``QC`` Québec).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date, timedelta
from functools import lru_cache

import holidays
from attrs import Factory, evolve, field, frozen

from caredomain.arguments import checked_fields
from caredomain.errors import InvalidInput
from caredomain.hours import Weekday
from caredomain.text import Text
from caredomain.validation import members_of

__all__ = [
    "WORKING_WEEK",
    "ClosedReason",
    "ClosedWeekday",
    "Closure",
    "DayStatus",
    "OpeningCalendar",
    "PublicHoliday",
    "PublicHolidays",
]

WORKING_WEEK = frozenset(
    {Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY, Weekday.FRIDAY}
)
_LANGUAGE = "fr"
# Years scanned to tell a misspelt holiday name from a real one.
_NAME_SCAN_YEARS = range(2000, 2061)


@lru_cache(maxsize=512)
def _holidays_of_year(country: str, subdivision: str | None, year: int) -> Mapping[date, str]:
    table = holidays.country_holidays(country, subdiv=subdivision, years=year, language=_LANGUAGE)
    return dict(table.items())


@lru_cache(maxsize=32)
def _holiday_names(country: str, subdivision: str | None) -> frozenset[str]:
    table = holidays.country_holidays(
        country, subdiv=subdivision, years=_NAME_SCAN_YEARS, language=_LANGUAGE
    )
    return frozenset(name for joined in table.values() for name in joined.split("; "))


@lru_cache(maxsize=64)
def _check_region(country: str, subdivision: str | None) -> None:
    try:
        holidays.country_holidays(country, years=2000)
    except NotImplementedError as error:
        raise InvalidInput(str(error), field="country", text=country) from None
    try:
        holidays.country_holidays(country, subdiv=subdivision, years=2000)
    except NotImplementedError as error:
        raise InvalidInput(str(error), field="subdivision", text=subdivision) from None


def _no_blank_subdivision(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


def _names(value: Iterable[str]) -> frozenset[str]:
    return frozenset(value)


@frozen(field_transformer=checked_fields)
class PublicHolidays:
    """Public holidays of a country (and subdivision), on by default, each switchable by name.

    ``disabled`` holds the French names of the holidays that stay open, such as
    ``"Lundi de Pâques"``; an unknown name is refused rather than silently ignored.
    """

    country: str = "FR"
    subdivision: str | None = field(default=None, converter=_no_blank_subdivision)
    disabled: frozenset[str] = field(default=frozenset(), converter=_names)

    def __attrs_post_init__(self) -> None:
        _check_region(self.country, self.subdivision)
        unknown = sorted(self.disabled - self.names())
        if unknown:
            raise InvalidInput(
                Text(
                    "no public holiday of that name in {region}; known: {known}",
                    region=self.region,
                    known=", ".join(sorted(self.names())),
                ),
                field="disabled",
                text=unknown[0],
            )

    @property
    def region(self) -> str:
        return f"{self.country}-{self.subdivision}" if self.subdivision else self.country

    def names(self) -> frozenset[str]:
        """Every holiday name this region knows (used to validate switches)."""
        return _holiday_names(self.country, self.subdivision)

    def on(self, day: date) -> str | None:
        """The name of the enabled holiday on ``day``, or None."""
        joined = _holidays_of_year(self.country, self.subdivision, day.year).get(day)
        if joined is None:
            return None
        enabled = [name for name in joined.split("; ") if name not in self.disabled]
        return "; ".join(enabled) or None

    def in_year(self, year: int) -> dict[date, str]:
        """All holidays of ``year`` with their names, disabled ones included."""
        return dict(_holidays_of_year(self.country, self.subdivision, year))

    def without(self, name: str) -> PublicHolidays:
        """Untick ``name``: that holiday becomes an ordinary day."""
        return evolve(self, disabled=self.disabled | {name})

    def with_(self, name: str) -> PublicHolidays:
        """Tick ``name`` again."""
        return evolve(self, disabled=self.disabled - {name})


def _check_closure(instance: Closure, attribute: object, last: date) -> None:
    if last < instance.first:
        raise InvalidInput(
            Text("a closure cannot end before it starts"), field="last", text=last.isoformat()
        )


@frozen(order=True, field_transformer=checked_fields)
class Closure:
    """An exceptional closure, ``first`` to ``last`` inclusive (``last`` defaults to ``first``)."""

    first: date
    last: date = field(
        default=Factory(lambda closure: closure.first, takes_self=True), validator=_check_closure
    )
    label: str = ""

    @classmethod
    def on(cls, day: date, label: str = "") -> Closure:
        return cls(day, day, label)

    def covers(self, day: date) -> bool:
        return self.first <= day <= self.last

    def __str__(self) -> str:
        span = (
            self.first.isoformat()
            if self.first == self.last
            else Text("{first} to {last}", first=self.first.isoformat(), last=self.last.isoformat())
        )
        if self.label:
            return Text("closure {span} ({label})", span=span, label=self.label)
        return Text("closure {span}", span=span)


_CLOSED_ON = (
    Text("closed on Mondays"),
    Text("closed on Tuesdays"),
    Text("closed on Wednesdays"),
    Text("closed on Thursdays"),
    Text("closed on Fridays"),
    Text("closed on Saturdays"),
    Text("closed on Sundays"),
)
"""Why an unticked weekday is closed, by weekday number: one text each, since the weekday's
name changes with the language and French does not put it in the plural."""


@frozen(field_transformer=checked_fields)
class ClosedWeekday:
    """The day is an unticked weekday."""

    weekday: Weekday

    def __str__(self) -> str:
        return _CLOSED_ON[self.weekday]


@frozen(field_transformer=checked_fields)
class PublicHoliday:
    """The day is an enabled public holiday."""

    name: str

    def __str__(self) -> str:
        return Text("public holiday: {name}", name=self.name)


ClosedReason = ClosedWeekday | PublicHoliday | Closure


@frozen
class DayStatus:
    day: date
    reasons: tuple[ClosedReason, ...]

    @property
    def is_open(self) -> bool:
        return not self.reasons


def _weekdays(values: Iterable[object]) -> frozenset[Weekday]:
    return members_of(Weekday, values, "open_weekdays")


def _sorted_closures(value: Iterable[Closure]) -> tuple[Closure, ...]:
    return tuple(sorted(value))


@frozen(field_transformer=checked_fields)
class OpeningCalendar:
    """Which days are open: ticked weekdays, less enabled public holidays and closures."""

    open_weekdays: frozenset[Weekday] = field(default=WORKING_WEEK, converter=_weekdays)
    holidays: PublicHolidays = field(factory=PublicHolidays)
    closures: tuple[Closure, ...] = field(default=(), converter=_sorted_closures)

    def closed_reasons(self, day: date) -> tuple[ClosedReason, ...]:
        """Every reason ``day`` is closed, closures first; empty when it is open."""
        reasons: list[ClosedReason] = [c for c in self.closures if c.covers(day)]
        holiday = self.holidays.on(day)
        if holiday is not None:
            reasons.append(PublicHoliday(holiday))
        weekday = Weekday.of(day)
        if weekday not in self.open_weekdays:
            reasons.append(ClosedWeekday(weekday))
        return tuple(reasons)

    def is_open(self, day: date) -> bool:
        return (
            Weekday.of(day) in self.open_weekdays
            and self.holidays.on(day) is None
            and not any(c.covers(day) for c in self.closures)
        )

    def status(self, day: date) -> DayStatus:
        return DayStatus(day, self.closed_reasons(day))

    def days(self, first: date, last: date) -> Iterator[DayStatus]:
        """The status of each day from ``first`` to ``last`` inclusive."""
        day = first
        while day <= last:
            yield self.status(day)
            day += timedelta(days=1)

    def with_closure(self, closure: Closure) -> OpeningCalendar:
        return evolve(self, closures=(*self.closures, closure))

    def without_closure(self, closure: Closure) -> OpeningCalendar:
        return evolve(self, closures=tuple(c for c in self.closures if c != closure))

    def without_holiday(self, name: str) -> OpeningCalendar:
        return evolve(self, holidays=self.holidays.without(name))

    def with_holiday(self, name: str) -> OpeningCalendar:
        return evolve(self, holidays=self.holidays.with_(name))
