"""The two duration fields of an appointment type, as the seed writes them.

Seed 003: the two fields both use the letter ``m`` but mean different things: the opening
window ("Plage max d'ouverture", ``2m`` = two MONTHS, :class:`OpeningWindow`) and the minimum
notice ("Délai min avant heure du rendez-vous", ``60m`` = sixty MINUTES,
:class:`MinimumNotice`). Each field therefore has its own unit table, and each rejects what
its table does not hold.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from enum import StrEnum
from typing import TypeVar

from attrs import field, frozen
from dateutil.relativedelta import relativedelta

from caredomain.errors import InvalidInput
from caredomain.text import Text
from caredomain.validation import member_of

__all__ = ["MinimumNotice", "NoticeUnit", "OpeningWindow", "WindowUnit"]


_DURATION = re.compile(r"^\s*(\d{1,7})\s*([A-Za-z]+)\s*$", re.ASCII)


Unit = TypeVar("Unit", bound=StrEnum)


def _read_duration(
    text: str, units: type[Unit], *, what: str, field_name: str, legend: str
) -> tuple[int, Unit]:
    """The amount and unit of a duration field, read with that field's own unit table."""
    match = _DURATION.match(text)
    if match is None:
        raise InvalidInput(
            Text("expected a whole number followed by a unit ({legend})", legend=legend),
            field=field_name,
            text=text,
        )
    try:
        unit = units(match.group(2))
    except ValueError:
        raise InvalidInput(
            Text(
                "unknown unit {unit} for {what}; use {legend}",
                unit=repr(match.group(2)),
                what=what,
                legend=legend,
            ),
            field=field_name,
            text=text,
        ) from None
    return int(match.group(1)), unit


class WindowUnit(StrEnum):
    """Units of the opening window: here ``m`` is a month."""

    DAY = "d"
    WEEK = "w"
    MONTH = "m"
    YEAR = "y"


_WINDOW_UNITS = Text("d = days, w = weeks, m = months, y = years")
_SHORTEST_DAYS = {WindowUnit.DAY: 1, WindowUnit.WEEK: 7, WindowUnit.MONTH: 28, WindowUnit.YEAR: 365}
# Five years at most, in each unit.
_WINDOW_MAX = {WindowUnit.DAY: 1830, WindowUnit.WEEK: 261, WindowUnit.MONTH: 60, WindowUnit.YEAR: 5}


def _window_unit(value: object) -> WindowUnit:
    return member_of(WindowUnit, value, "unit")


def _positive_window(instance: OpeningWindow, attribute: object, amount: int) -> None:
    if amount < 1:
        raise InvalidInput(
            Text("an opening window must be at least 1"), field="window", text=str(amount)
        )
    if amount > _WINDOW_MAX[instance.unit]:
        raise InvalidInput(
            Text("an opening window cannot exceed five years"), field="window", text=f"{amount}"
        )


@frozen
class OpeningWindow:
    """How far ahead slots are opened ("plage max d'ouverture"): ``2m`` is two months."""

    amount: int = field(validator=_positive_window)
    unit: WindowUnit = field(converter=_window_unit)

    @classmethod
    def parse(cls, text: str) -> OpeningWindow:
        amount, unit = _read_duration(
            text,
            WindowUnit,
            what=Text("an opening window"),
            field_name="window",
            legend=_WINDOW_UNITS,
        )
        return cls(amount, unit)

    @property
    def delta(self) -> relativedelta:
        match self.unit:
            case WindowUnit.DAY:
                return relativedelta(days=self.amount)
            case WindowUnit.WEEK:
                return relativedelta(weeks=self.amount)
            case WindowUnit.MONTH:
                return relativedelta(months=self.amount)
            case WindowUnit.YEAR:
                return relativedelta(years=self.amount)

    def last_day(self, first_day: date) -> date:
        """The last day open for booking when the window starts on ``first_day``.

        ``2m`` from 22 November gives 22 January: calendar months, clipped to the month's
        end (``1m`` from 31 January is 28 or 29 February).
        """
        end: date = first_day + self.delta
        return end

    @property
    def shortest(self) -> timedelta:
        """The shortest span this window can cover (a month is at least 28 days)."""
        return timedelta(days=self.amount * _SHORTEST_DAYS[self.unit])

    def __str__(self) -> str:
        return f"{self.amount}{self.unit.value}"


class NoticeUnit(StrEnum):
    """Units of the minimum notice: here ``m`` is a minute."""

    MINUTE = "m"
    HOUR = "h"
    DAY = "d"


_NOTICE_UNITS = Text("m = minutes, h = hours, d = days")
_NOTICE_MINUTES_PER_UNIT = {NoticeUnit.MINUTE: 1, NoticeUnit.HOUR: 60, NoticeUnit.DAY: 1440}
_NOTICE_MAX_MINUTES = 366 * 1440


def _notice_unit(value: object) -> NoticeUnit:
    return member_of(NoticeUnit, value, "unit")


def _bounded_notice(instance: MinimumNotice, attribute: object, amount: int) -> None:
    if amount < 0 or amount * _NOTICE_MINUTES_PER_UNIT[instance.unit] > _NOTICE_MAX_MINUTES:
        raise InvalidInput(
            Text("a minimum notice lies between 0 and one year"), field="notice", text=str(amount)
        )


@frozen
class MinimumNotice:
    """How long before its start a slot closes ("délai min"): ``60m`` is sixty minutes."""

    amount: int = field(validator=_bounded_notice)
    unit: NoticeUnit = field(converter=_notice_unit)

    @classmethod
    def parse(cls, text: str) -> MinimumNotice:
        amount, unit = _read_duration(
            text,
            NoticeUnit,
            what=Text("a minimum notice"),
            field_name="notice",
            legend=_NOTICE_UNITS,
        )
        return cls(amount, unit)

    @property
    def delta(self) -> timedelta:
        return timedelta(minutes=self.amount * _NOTICE_MINUTES_PER_UNIT[self.unit])

    def __str__(self) -> str:
        return f"{self.amount}{self.unit.value}"
