"""Opening hours as the seed writes them: weekdays, time ranges, reference weeks.

Seed 003 ("Gestion des semaines de référence"): opening hours are typed one value a line,
``XXhXX-XXhXX``. The two duration fields of an appointment type are in
:mod:`caredomain.durations`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, time
from enum import IntEnum
from itertools import pairwise

from attrs import field, frozen

from caredomain.errors import InvalidInput
from caredomain.text import Text

__all__ = [
    "MINUTES_PER_DAY",
    "ReferenceWeek",
    "TimeRange",
    "Weekday",
    "format_ranges",
    "parse_ranges",
]

MINUTES_PER_DAY = 24 * 60


class Weekday(IntEnum):
    """Days of the week, numbered as :meth:`datetime.date.weekday` numbers them."""

    MONDAY = 0
    TUESDAY = 1
    WEDNESDAY = 2
    THURSDAY = 3
    FRIDAY = 4
    SATURDAY = 5
    SUNDAY = 6

    @classmethod
    def of(cls, day: date) -> Weekday:
        return cls(day.weekday())

    @classmethod
    def named(cls, name: str) -> Weekday:
        """The weekday called ``name`` in English or French (``"monday"``, ``"lundi"``)."""
        key = name.strip().lower()
        if key in _FRENCH_WEEKDAYS:
            return _FRENCH_WEEKDAYS[key]
        try:
            return cls[key.upper()]
        except KeyError:
            raise InvalidInput(Text("not a weekday"), text=name) from None

    @property
    def key(self) -> str:
        """The lowercase English name used in configuration files."""
        return self.name.lower()


_FRENCH_WEEKDAYS = {
    "lundi": Weekday.MONDAY,
    "mardi": Weekday.TUESDAY,
    "mercredi": Weekday.WEDNESDAY,
    "jeudi": Weekday.THURSDAY,
    "vendredi": Weekday.FRIDAY,
    "samedi": Weekday.SATURDAY,
    "dimanche": Weekday.SUNDAY,
}

# ---------------------------------------------------------------------------------------
# Time ranges: "XXhXX-XXhXX"
# ---------------------------------------------------------------------------------------

_RANGE = re.compile(r"^(\d{2})h(\d{2})-(\d{2})h(\d{2})$", re.ASCII)


def _minute_of_day(hours: int, minutes: int, *, is_end: bool) -> int | None:
    """Minutes since midnight, or None when the clock reading does not exist.

    ``24h00`` is accepted as an end (closing at midnight), never as a start.
    """
    if minutes > 59:
        return None
    if hours == 24 and minutes == 0 and is_end:
        return MINUTES_PER_DAY
    if hours > 23:
        return None
    return hours * 60 + minutes


def _check_minute(instance: object, attribute: object, value: int) -> None:
    if not 0 <= value <= MINUTES_PER_DAY:
        name = getattr(attribute, "name", "minute")
        raise InvalidInput(Text("must lie between 0 and 1440"), field=name, text=str(value))


@frozen(order=True)
class TimeRange:
    """An opening range within one day, in minutes since midnight, end excluded."""

    start_minute: int = field(validator=_check_minute)
    end_minute: int = field(validator=_check_minute)

    def __attrs_post_init__(self) -> None:
        if self.end_minute <= self.start_minute:
            raise InvalidInput(
                Text("the end of a range must come after its start"), field="end", text=str(self)
            )

    @classmethod
    def parse(cls, text: str) -> TimeRange:
        """Read one ``XXhXX-XXhXX`` value, such as ``08h30-12h00``."""
        match = _RANGE.match(text.strip())
        if match is None:
            raise InvalidInput(Text("expected one range written XXhXX-XXhXX"), text=text)
        h1, m1, h2, m2 = (int(part) for part in match.groups())
        start = _minute_of_day(h1, m1, is_end=False)
        end = _minute_of_day(h2, m2, is_end=True)
        if start is None or end is None:
            raise InvalidInput(Text("not a time of day"), text=text)
        if end <= start:
            raise InvalidInput(Text("the end of a range must come after its start"), text=text)
        return cls(start, end)

    @classmethod
    def between(cls, start: time, end: time) -> TimeRange:
        """The range from ``start`` to ``end``; ``time(0)`` as the end means midnight."""
        end_minute = end.hour * 60 + end.minute or MINUTES_PER_DAY
        return cls(start.hour * 60 + start.minute, end_minute)

    @property
    def minutes(self) -> int:
        return self.end_minute - self.start_minute

    def overlaps(self, other: TimeRange) -> bool:
        return self.start_minute < other.end_minute and other.start_minute < self.end_minute

    def __str__(self) -> str:
        return f"{_hhmm(self.start_minute)}-{_hhmm(self.end_minute)}"


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}h{minute % 60:02d}"


def parse_ranges(text: str, *, source: str | None = None) -> tuple[TimeRange, ...]:
    """Read the ranges of one day, one ``XXhXX-XXhXX`` a line, as the seed prescribes.

    Blank lines are skipped. A malformed line, a range whose end is not after its start,
    and a range overlapping an earlier one are each refused with their line number.
    The ranges come back sorted by start.
    """
    ranges: list[tuple[int, TimeRange]] = []
    # Lines end at "\n" only: splitlines() would also split on form feeds and the like.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            current = TimeRange.parse(line)
        except InvalidInput as error:
            raise error.located(source=source, line=number) from None
        for earlier_line, earlier in ranges:
            if current.overlaps(earlier):
                raise InvalidInput(
                    Text("overlaps {range} on line {line}", range=str(earlier), line=earlier_line),
                    source=source,
                    line=number,
                    text=line,
                )
        ranges.append((number, current))
    return tuple(sorted(r for _, r in ranges))


def format_ranges(ranges: Iterable[TimeRange]) -> str:
    """Write ranges back as the seed's text, one a line."""
    return "\n".join(str(r) for r in ranges)


# ---------------------------------------------------------------------------------------
# Reference week ("semaine de référence")
# ---------------------------------------------------------------------------------------


def _seven_days(
    value: Iterable[Iterable[TimeRange]],
) -> tuple[tuple[TimeRange, ...], ...]:
    days = tuple(tuple(sorted(day)) for day in value)
    if len(days) != 7:
        raise InvalidInput(
            Text("a reference week has seven days"), field="days", text=str(len(days))
        )
    for weekday, ranges in zip(Weekday, days, strict=True):
        for first, second in pairwise(ranges):
            if first.overlaps(second):
                raise InvalidInput(
                    Text("{first} overlaps {second}", first=str(first), second=str(second)),
                    field=weekday.key,
                    text=str(second),
                )
    return days


@frozen
class ReferenceWeek:
    """A named typical week: the opening ranges of each weekday (seed 003).

    ``days[Weekday.MONDAY]`` holds Monday's ranges, sorted and never overlapping.
    """

    name: str
    days: tuple[tuple[TimeRange, ...], ...] = field(converter=_seven_days)

    @classmethod
    def parse(
        cls, name: str, texts: Mapping[str, str], *, source: str | None = None
    ) -> ReferenceWeek:
        """Build from one text per weekday (English or French names), as an admin types it.

        ``{"monday": "08h30-12h00\\n13h30-17h00", "samedi": "09h00-12h00"}``; weekdays not
        given have no range.
        """
        days: dict[Weekday, tuple[TimeRange, ...]] = {}
        for day_name, text in texts.items():
            try:
                weekday = Weekday.named(day_name)
            except InvalidInput as error:
                raise error.located(source=source, field=day_name) from None
            if weekday in days:
                raise InvalidInput(
                    Text("{day} is given twice", day=weekday.key),
                    source=source,
                    field=day_name,
                    text=day_name,
                )
            try:
                days[weekday] = parse_ranges(text, source=source)
            except InvalidInput as error:
                raise error.located(field=weekday.key) from None
        return cls(name, [days.get(weekday, ()) for weekday in Weekday])

    def ranges_on(self, weekday: Weekday) -> tuple[TimeRange, ...]:
        return self.days[weekday]

    def texts(self) -> dict[str, str]:
        """The admin's texts, by English weekday key, for the weekdays that have ranges."""
        return {wd.key: format_ranges(self.days[wd]) for wd in Weekday if self.days[wd]}

    @property
    def longest_range_minutes(self) -> int:
        return max((r.minutes for day in self.days for r in day), default=0)
