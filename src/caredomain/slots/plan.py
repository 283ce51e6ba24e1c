"""The planned slots of an organisation, held compactly.

A counter's slots on one local day are a :data:`Day`: ``(base, runs)``, where each run
``(first, stop, step)`` stands for the UTC seconds ``base + range(first, stop, step)``.
Counters with the same opening hours share their runs, and no datetime is built until a
slot is shown (:class:`~caredomain.slots.index.Slot`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from zoneinfo import ZoneInfo

from attrs import frozen

from caredomain.calendar import OpeningCalendar
from caredomain.slots.model import CounterId
from caredomain.slots.wallclock import Runs

__all__ = ["CounterPlan", "Day", "Plan"]

Day = tuple[int, Runs]


@frozen
class CounterPlan:
    """The slots of one counter from ``first`` to ``last``, by date ordinal.

    ``days`` holds only the days with at least one slot. ``fingerprint`` is that of the
    inputs the slots were computed from.
    """

    counter_id: CounterId
    fingerprint: str
    first: date
    last: date
    days: Mapping[int, Day]

    def starts_on(self, ordinal: int) -> Iterator[int]:
        """The UTC seconds of the slot starts on day ``ordinal``, in order."""
        base, runs = self.days.get(ordinal, (0, ()))
        for first, stop, step in runs:
            yield from range(base + first, base + stop, step)

    def has(self, ordinal: int, start: int) -> bool:
        """Whether a slot starts at UTC second ``start`` on day ``ordinal``."""
        base, runs = self.days.get(ordinal, (0, ()))
        offset = start - base
        return any(
            first <= offset < stop and (offset - first) % step == 0 for first, stop, step in runs
        )

    def count(self) -> int:
        return sum(len(range(*run)) for _, runs in self.days.values() for run in runs)


@frozen
class Plan:
    """Every counter's slots, planned on ``day`` (the organisation's local date).

    ``open_days`` are the ordinals the calendar kept open from ``day`` to ``horizon``;
    ``fingerprints`` those of the counters' inputs, to tell what a refresh must redo.
    """

    day: date
    zone: ZoneInfo
    calendar: OpeningCalendar
    horizon: date
    open_days: frozenset[int]
    counters: Mapping[CounterId, CounterPlan]
    fingerprints: Mapping[CounterId, str]

    def counter(self, counter_id: CounterId) -> CounterPlan | None:
        return self.counters.get(counter_id)

    def count(self) -> int:
        """How many slots are planned in all."""
        return sum(plan.count() for plan in self.counters.values())
