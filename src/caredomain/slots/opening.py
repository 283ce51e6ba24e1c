"""A counter's opening hours over time, and how they are cut into slots (seed 003)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from datetime import date
from functools import cached_property, lru_cache

from attrs import frozen

from caredomain.durations import OpeningWindow
from caredomain.hours import ReferenceWeek, TimeRange, format_ranges
from caredomain.slots.wallclock import Runs

__all__ = [
    "CounterInputs",
    "Span",
    "WeekPatterns",
    "cut_into_slots",
    "last_day",
    "wall_slots",
    "week_patterns",
]


@lru_cache(maxsize=4096)
def last_day(window: OpeningWindow, today: date) -> date:
    """The last day of ``window`` from ``today`` (memoized: relativedelta is slow)."""
    return window.last_day(today)


def cut_into_slots(ranges: Iterable[TimeRange], duration_minutes: int) -> Runs:
    """Cut opening ranges into slots ("créneaux"), as wall-clock runs of seconds after midnight.

    Seed 003: each range of an open day is cut into consecutive slots of the type's
    duration; a remainder shorter than a slot is dropped.
    """
    step = duration_minutes * 60
    runs = []
    for opening in ranges:
        count = opening.minutes // duration_minutes
        if count:
            first = opening.start_minute * 60
            runs.append((first, first + count * step, step))
    return tuple(runs)


def wall_slots(ranges: Iterable[TimeRange], duration_minutes: int) -> Iterator[TimeRange]:
    """The same cut, one wall-clock :class:`TimeRange` per slot."""
    for first, stop, step in cut_into_slots(ranges, duration_minutes):
        for second in range(first, stop, step):
            yield TimeRange(second // 60, second // 60 + duration_minutes)


@frozen
class Span:
    """A reference week in force from ``first`` to ``last`` inclusive."""

    first: date
    last: date
    week: ReferenceWeek


WeekPatterns = tuple[Runs, ...]
"""The wall-clock runs of each weekday, Monday first."""


def week_patterns(week: ReferenceWeek, duration_minutes: int) -> WeekPatterns:
    """A reference week cut into slots of ``duration_minutes``, weekday by weekday."""
    return tuple(cut_into_slots(day, duration_minutes) for day in week.days)


@frozen
class CounterInputs:
    """Everything one counter's slots and seats depend on: equal inputs, equal slots.

    ``spans`` are the counter's week applications in the order they were made; where two
    overlap, the later one wins. ``fingerprint`` is a stable digest of the inputs, so that
    a refresh recomputes only the counters whose fingerprint changed.
    """

    duration_minutes: int
    window: OpeningWindow
    seats: int
    spans: tuple[Span, ...]

    def week_on(self, day: date) -> ReferenceWeek | None:
        """The reference week in force on ``day``: the latest application covering it."""
        for span in reversed(self.spans):
            if span.first <= day <= span.last:
                return span.week
        return None

    @cached_property
    def fingerprint(self) -> str:
        lines = [f"{self.duration_minutes}/{self.window}/{self.seats}"]
        lines += [
            f"{span.first.isoformat()}/{span.last.isoformat()}/{week_text(span.week)}"
            for span in self.spans
        ]
        return hashlib.blake2b("\n".join(lines).encode(), digest_size=16).hexdigest()


@lru_cache(maxsize=4096)
def week_text(week: ReferenceWeek) -> str:
    """A week's ranges as one line (memoized: counters applying one week share it)."""
    return "|".join(format_ranges(day).replace("\n", ",") for day in week.days)
