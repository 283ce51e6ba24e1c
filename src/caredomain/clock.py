"""Time enters the core only through a :class:`Clock` or as an argument."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol

from caredomain.errors import InvalidInput
from caredomain.text import Text

__all__ = ["Clock", "FixedClock", "SystemClock", "require_aware"]


def require_aware(moment: datetime, what: str = "datetime") -> datetime:
    """Return ``moment`` if it carries a time zone; naive datetimes are refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInput(
            Text("a timezone-aware datetime is required"), field=what, text=str(moment)
        )
    return moment


class Clock(Protocol):
    """Tells the current instant, always timezone-aware."""

    def now(self) -> datetime: ...


class SystemClock:
    """The machine's clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


class FixedClock:
    """A clock that only moves when told to: for tests and replays."""

    def __init__(self, now: datetime) -> None:
        self._now = require_aware(now, "now")

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by ``delta`` (never backward) and return the new instant."""
        if delta < timedelta(0):
            raise InvalidInput(Text("a clock cannot go backward"), field="delta", text=str(delta))
        self._now += delta
        return self._now

    def set(self, now: datetime) -> None:
        """Jump to ``now``, backward included (replaying a scenario from its start)."""
        self._now = require_aware(now, "now")

    def __repr__(self) -> str:
        return f"FixedClock({self._now!r})"
