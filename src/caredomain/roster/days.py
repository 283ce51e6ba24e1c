"""Agent-days: the code each agent holds on each day, and where it came from.

Seed 000: a code comes from the GTT feed, with the extraction time of the batch that stated
it, or from a local edit made in the scheduling tool ("Gestion Desiderata"). A local edit
is never sent upstream: it stays *pending* until a later GTT row confirms it (the same code:
the two merge) or overwrites it (another code).

What the GTT said is kept compactly, one :class:`AgentDays` per agent: her consecutive days
from ``first``, their codes as one space-separated text, and for each day the extraction time
of the latest batch that stated it. A whole hospital group's feed (a million agent-days) then
fits in a few tens of thousands of small records, compared and rewritten per agent.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple

from attrs import field, frozen

from caredomain.clock import require_aware
from caredomain.errors import InvalidInput
from caredomain.roster.model import AgentId
from caredomain.text import Text

__all__ = [
    "NEVER",
    "AgentDays",
    "DayCode",
    "LocalEdit",
    "Provenance",
    "from_micros",
    "micros",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
NEVER = 0
"""The extraction time held for a day the GTT never stated."""


def micros(moment: datetime) -> int:
    """``moment`` as whole microseconds since 1970 (UTC): extraction times compare as ints."""
    return (require_aware(moment, "extracted_at") - _EPOCH) // _MICROSECOND


def from_micros(value: int) -> datetime:
    return _EPOCH + value * _MICROSECOND


class Provenance(StrEnum):
    GTT = "gtt"  # from the feed
    LOCAL = "local"  # a local edit, not yet confirmed by the GTT


def _utc(value: datetime) -> datetime:
    return require_aware(value, "edited_at").astimezone(UTC)


@frozen
class LocalEdit:
    """A code changed in the scheduling tool. Never sent to the GTT: the next feed confirms
    it (same code) or overwrites it (another code)."""

    agent: AgentId
    day: date
    code: str
    edited_at: datetime = field(converter=_utc)
    edited_by: str
    previous: str | None = None  # the code the agent held before the edit

    def __str__(self) -> str:
        if self.previous:
            return Text(
                "{agent} {day} {code} (was {previous}) by {by}",
                agent=self.agent,
                day=self.day.isoformat(),
                code=self.code,
                previous=self.previous,
                by=self.edited_by,
            )
        return Text(
            "{agent} {day} {code} by {by}",
            agent=self.agent,
            day=self.day.isoformat(),
            code=self.code,
            by=self.edited_by,
        )


@frozen
class DayCode:
    """The code an agent holds on a day, with its provenance: from the GTT (``extracted_at``
    is the extraction time of the latest batch that stated it) or a pending local edit
    (``edit``; ``gtt_code`` is then what the GTT last said, if anything)."""

    agent: AgentId
    day: date
    code: str
    provenance: Provenance
    extracted_at: datetime | None = None
    edit: LocalEdit | None = None
    gtt_code: str | None = None


class AgentDays(NamedTuple):
    """What the GTT said of one agent: the codes of the consecutive days from ``first`` (a
    proleptic ordinal), space-separated, ``""`` for a day it did not state; and per day the
    extraction time (microseconds, :data:`NEVER` for none) of the latest batch that changed
    or set it. ``confirmed`` is the extraction time of a later batch that stated every day of
    the record again, unchanged: it counts for every day, and spares rewriting the record.
    ``digest`` is the :attr:`~caredomain.roster.batch.RecognisedRun.digest` of the export lines
    that last stated the record whole, ``b""`` if none did: a reader that meets the same
    lines again may give them as a recognised run instead of parsing them.

    A named tuple rather than an attrs class: a feed makes tens of thousands of them."""

    agent: AgentId
    first: int
    codes: str
    times: tuple[int, ...]
    confirmed: int = NEVER
    digest: bytes = b""

    @classmethod
    def decode(
        cls,
        agent: str,
        first: int,
        codes: str,
        times: str,
        confirmed: int = NEVER,
        *,
        digest: bytes = b"",
    ) -> AgentDays:
        """A record as a store keeps it (``times`` run-length encoded: :meth:`encoded_times`)."""
        length = codes.count(" ") + 1
        held = _decode_times(times, length, agent)
        return cls._make((agent, first, codes, held, confirmed, digest))

    @classmethod
    def decode_all(cls, rows: Iterable[tuple[str, int, str, str, int, bytes]]) -> list[AgentDays]:
        """:meth:`decode` of each row ``(agent, first, codes, times, confirmed, digest)``: a
        store reads a whole hospital group's records at once, and most share their times."""
        make = cls._make
        shared: dict[str, tuple[int, ...]] = {}
        records = []
        for agent, first, codes, times, confirmed, digest in rows:
            length = codes.count(" ") + 1
            held = shared.get(times)
            if held is None or len(held) != length:
                held = _decode_times(times, length, agent)
                shared[times] = held
            records.append(make((agent, first, codes, held, confirmed, digest)))
        return records

    @property
    def length(self) -> int:
        return len(self.times)

    @property
    def last(self) -> int:
        return self.first + len(self.times) - 1

    @property
    def first_day(self) -> date:
        return date.fromordinal(self.first)

    @property
    def last_day(self) -> date:
        return date.fromordinal(self.last)

    def code_list(self) -> list[str]:
        return self.codes.split(" ")

    def code_at(self, ordinal: int) -> str | None:
        """The GTT's code on a day, ``None`` if it never stated one."""
        if not self.first <= ordinal <= self.last:
            return None
        return self.codes.split(" ")[ordinal - self.first] or None

    def held_at(self, ordinal: int) -> int:
        """The extraction time of the latest batch that stated a day, :data:`NEVER` if none."""
        if not self.first <= ordinal <= self.last:
            return NEVER
        held = self.times[ordinal - self.first]
        return max(held, self.confirmed) if held else NEVER

    @property
    def latest(self) -> int:
        """The extraction time of the latest batch that stated any of its days."""
        return max(*self.times, self.confirmed)

    def held_times(self) -> list[int]:
        """Each day's :meth:`held_at`, from ``first``."""
        confirmed = self.confirmed
        return [max(held, confirmed) if held else NEVER for held in self.times]

    def confirmed_by(self, extracted_at: int) -> AgentDays:
        """The record once a batch extracted at ``extracted_at`` stated all its days again."""
        return self._replace(confirmed=extracted_at)

    def items(self) -> Iterator[tuple[date, str, datetime]]:
        """Each day the GTT stated, with its code and extraction time."""
        for offset, (code, held) in enumerate(
            zip(self.code_list(), self.held_times(), strict=True)
        ):
            if code:
                yield date.fromordinal(self.first + offset), code, from_micros(held)

    def encoded_times(self) -> str:
        """The times run-length encoded: ``"t"`` when every day has the same, otherwise
        ``"count*t count*t …"``."""
        times = self.times
        if times.count(times[0]) == len(times):
            return str(times[0])
        runs: list[str] = []
        start = 0
        for index in range(1, len(times) + 1):
            if index == len(times) or times[index] != times[start]:
                runs.append(f"{index - start}*{times[start]}")
                start = index
        return " ".join(runs)


@lru_cache(maxsize=64)
def _uniform(text: str, length: int) -> tuple[int, ...]:
    """The times of ``length`` days all stated by one batch: records share these tuples."""
    return (int(text),) * length


def _decode_times(text: str, length: int, agent: str) -> tuple[int, ...]:
    try:
        if "*" not in text:
            return _uniform(text, length)
        times: list[int] = []
        for run in text.split(" "):
            count, _, value = run.partition("*")
            times.extend([int(value)] * int(count))
    except ValueError:
        raise InvalidInput(
            Text("corrupt extraction times"), field=f"agent {agent}", text=text
        ) from None
    if len(times) != length:
        raise InvalidInput(
            Text("extraction times do not match the codes"), field=f"agent {agent}", text=text
        )
    return tuple(times)
