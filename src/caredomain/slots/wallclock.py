"""The organisation's wall clock, one local day at a time, in UTC seconds.

Slots are planned on the wall clock of the organisation's zone (design §3). Converting each
slot through ``zoneinfo`` would cost two datetimes per slot; instead each local day is
converted once. On a day that keeps one UTC offset, the wall-clock time ``s`` seconds after
midnight is ``base + s`` seconds since the epoch, so a day's slots are a few ``range``\\ s.
Only the days on which the offset changes (daylight saving) convert slot by slot:

* a slot that overlaps the hour the clock skips (spring forward) is not generated; one
  that ends right when the clock jumps is;
* a slot whose wall-clock time happens twice (fall back) is generated once, at the first
  occurrence that keeps its wall-clock times throughout, so it lasts its duration exactly.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from attrs import frozen

__all__ = ["DayClock", "Runs", "day_clock"]

Runs = tuple[tuple[int, int, int], ...]
"""Slot starts as ``(first, stop, step)`` seconds after a base: ``range(first, stop, step)``."""

_EPOCH = date(1970, 1, 1).toordinal()
_DAY = 86_400


def _offset(day: date, hour: int, zone: ZoneInfo) -> timedelta:
    # A ZoneInfo always knows the offset; "or" only satisfies the Optional in its signature.
    return datetime(day.year, day.month, day.day, hour, tzinfo=zone).utcoffset() or timedelta(0)


def _wall(moment: float, zone: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(moment, zone).replace(tzinfo=None)


@frozen
class DayClock:
    """One local day of ``zone``: ``base`` is the UTC second of its (first) midnight."""

    ordinal: int
    zone: ZoneInfo
    base: int
    uniform: bool
    """The whole day keeps one UTC offset."""

    @property
    def day(self) -> date:
        return date.fromordinal(self.ordinal)

    def runs(self, pattern: Runs) -> Runs:
        """The day's slot starts, after ``base``, for a wall-clock ``pattern`` (seconds)."""
        if self.uniform:
            return pattern
        starts = [
            start - self.base
            for first, stop, step in pattern
            for second in range(first, stop, step)
            if (start := self.start(second // 60, step // 60)) is not None
        ]
        return _as_runs(sorted(starts), pattern[0][2]) if starts else ()

    def start(self, minute: int, duration_minutes: int) -> int | None:
        """The UTC second a slot starting at wall ``minute`` starts, or None if not generated."""
        if self.uniform:
            return self.base + minute * 60
        midnight = datetime.combine(self.day, datetime.min.time())
        wall_start = midnight + timedelta(minutes=minute)
        # The last second, not the end: a slot may end right when the clock jumps.
        wall_last = wall_start + timedelta(minutes=duration_minutes, seconds=-1)
        for fold in (0, 1):
            moment = int(wall_start.replace(tzinfo=self.zone, fold=fold).timestamp())
            if (
                _wall(moment, self.zone) == wall_start
                and _wall(moment + duration_minutes * 60 - 1, self.zone) == wall_last
            ):
                return moment
        return None


def _as_runs(starts: list[int], step: int) -> Runs:
    """Group sorted starts into arithmetic runs of ``step``."""
    runs: list[tuple[int, int, int]] = []
    first = previous = starts[0]
    for start in starts[1:]:
        if start != previous + step:
            runs.append((first, previous + step, step))
            first = start
        previous = start
    runs.append((first, previous + step, step))
    return tuple(runs)


@lru_cache(maxsize=8192)
def day_clock(zone: ZoneInfo, ordinal: int) -> DayClock:
    """The wall clock of local day ``ordinal`` (a :meth:`date.toordinal`) in ``zone``."""
    day = date.fromordinal(ordinal)
    morning = _offset(day, 0, zone)
    noon = _offset(day, 12, zone)
    tomorrow = _offset(day + timedelta(days=1), 0, zone)
    base = (ordinal - _EPOCH) * _DAY - int(morning.total_seconds())
    return DayClock(ordinal, zone, base, morning == noon == tomorrow)
