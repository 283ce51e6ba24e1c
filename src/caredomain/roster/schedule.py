"""When the GTT feed runs (seed 000: "between every hour and a few times a day").

A :class:`FeedSchedule` is either *every* so many hours (1 to 24, counted in real time from
local midnight of 1 January 2000, so ``every 6h`` runs at 00:00, 06:00, 12:00 and 18:00
outside daylight-saving changes) or *at* set times of day on the local wall clock. Runs are
computed with dateutil's rrule. A set time that does not exist on a day (the spring change
of clocks) is skipped that day; one that happens twice (the autumn change) runs once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from attrs import field, frozen
from dateutil.rrule import DAILY, MINUTELY, rrule, rruleset

from caredomain.clock import require_aware
from caredomain.errors import InvalidInput
from caredomain.text import Text

__all__ = ["FeedSchedule"]

_PARIS = ZoneInfo("Europe/Paris")
_MIN_EVERY = timedelta(hours=1)
_MAX_EVERY = timedelta(hours=24)
_MAX_TIMES = 24
_EVERY_RANGE = Text("between every hour and once a day, in whole minutes")


def _times(values: Iterable[time]) -> tuple[time, ...]:
    return tuple(sorted(set(values)))


@frozen
class FeedSchedule:
    """Every ``every`` (from 1 to 24 hours), or at the times of day ``at``, in ``zone``."""

    every: timedelta | None = None
    at: tuple[time, ...] = field(default=(), converter=_times)
    zone: ZoneInfo = _PARIS

    def __attrs_post_init__(self) -> None:
        if (self.every is None) == (not self.at):
            raise InvalidInput(Text("a feed schedule runs either every N hours or at set times"))
        if self.every is not None and not (
            _MIN_EVERY <= self.every <= _MAX_EVERY
            and self.every % timedelta(minutes=1) == timedelta(0)
        ):
            raise InvalidInput(_EVERY_RANGE, field="every", text=str(self.every))
        if len(self.at) > _MAX_TIMES:
            raise InvalidInput(
                Text("at most {most} times a day", most=_MAX_TIMES),
                field="at",
                text=str(len(self.at)),
            )

    @classmethod
    def parse(cls, text: str, zone: ZoneInfo = _PARIS) -> FeedSchedule:
        """``every 2h``, ``every 90m``, or ``at 06:00,12:00,18:00``."""
        kind, *rest = text.split(maxsplit=1) or [""]
        given = rest[0] if rest else ""  # "at " names no time: refused as the time ''
        if kind == "every":
            return cls(every=_duration(given), zone=zone)
        if kind == "at":
            return cls(at=[_time_of_day(part) for part in given.split(",")], zone=zone)
        raise InvalidInput(
            Text("expected 'every 2h', 'every 90m' or 'at 06:00,12:00'"),
            field="schedule",
            text=text,
        )

    def next_runs(self, after: datetime, n: int = 1) -> list[datetime]:
        """The next ``n`` runs strictly after ``after``, on the zone's wall clock."""
        require_aware(after, "after")
        if n < 0:
            raise InvalidInput(Text("must be zero or more"), field="n", text=str(n))
        if n == 0:
            return []
        if self.every is not None:
            return self._every(after, n, self.every)
        return self._at(after, n)

    def _every(self, after: datetime, n: int, every: timedelta) -> list[datetime]:
        anchor = datetime(2000, 1, 1, tzinfo=self.zone).astimezone(UTC)
        steps = (after.astimezone(UTC) - anchor) // every
        start = (anchor + steps * every).replace(tzinfo=None)
        minutes = int(every / timedelta(minutes=1))
        rule = rrule(MINUTELY, interval=minutes, dtstart=start, count=n + 2)
        runs = [moment.replace(tzinfo=UTC) for moment in rule]
        return [run.astimezone(self.zone) for run in runs if run > after][:n]

    def _at(self, after: datetime, n: int) -> list[datetime]:
        local = after.astimezone(self.zone)
        first_day = datetime(local.year, local.month, local.day)
        rules = rruleset()
        for moment in self.at:
            rules.rrule(
                rrule(
                    DAILY,
                    dtstart=first_day,
                    byhour=moment.hour,
                    byminute=moment.minute,
                    bysecond=0,
                )
            )
        runs: list[datetime] = []
        for wall in rules:
            run = wall.replace(tzinfo=self.zone)
            if run.astimezone(UTC).astimezone(self.zone).replace(tzinfo=None) != wall:
                continue  # this wall-clock time does not exist that day
            if run > after:
                runs.append(run)
                if len(runs) == n:
                    break
        return runs

    @property
    def spec(self) -> str:
        """The schedule as :meth:`parse` reads it: ``every 2h``, ``at 06:00,12:00``."""
        if self.every is not None:
            minutes = int(self.every / timedelta(minutes=1))
            return f"every {minutes // 60}h" if minutes % 60 == 0 else f"every {minutes}m"
        return "at " + ",".join(moment.strftime("%H:%M") for moment in self.at)

    def __str__(self) -> str:
        """The schedule for people, with its zone: ``every 2h (Europe/Paris)``."""
        zone = self.zone.key
        if self.every is not None:
            minutes = int(self.every / timedelta(minutes=1))
            if minutes % 60 == 0:
                return Text("every {hours}h ({zone})", hours=minutes // 60, zone=zone)
            return Text("every {minutes}m ({zone})", minutes=minutes, zone=zone)
        times = ",".join(moment.strftime("%H:%M") for moment in self.at)
        return Text("at {times} ({zone})", times=times, zone=zone)


def _duration(text: str) -> timedelta:
    value = text.strip().lower()
    for unit, size in (("h", timedelta(hours=1)), ("m", timedelta(minutes=1))):
        number = value.removesuffix(unit)
        if number != value and number.isascii() and number.isdigit():
            if int(number) > _MAX_EVERY // size:  # before timedelta overflows
                raise InvalidInput(_EVERY_RANGE, field="every", text=text)
            return int(number) * size
    raise InvalidInput(Text("expected hours '2h' or minutes '90m'"), field="every", text=text)


def _time_of_day(text: str) -> time:
    value = text.strip().replace("h", ":")
    try:
        moment = time.fromisoformat(value)
    except ValueError:
        raise InvalidInput(Text("expected a time of day HH:MM"), field="at", text=text) from None
    if moment.second or moment.microsecond or not value.isascii():
        raise InvalidInput(Text("expected a time of day HH:MM"), field="at", text=text)
    return moment
