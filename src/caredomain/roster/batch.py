"""What a feed reader hands the roster: a GTT export's rows as columns
(:class:`FeedBatch`), the lines it could not read (:class:`FeedRejection`), and the runs of
lines the roster has applied before (:class:`RecognisedRun`). The readers themselves are
ports (:mod:`caredomain.roster.ports`)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from itertools import repeat
from typing import Any, NamedTuple, overload

from attrs import field, frozen

from caredomain.errors import InvalidInput
from caredomain.text import Text

__all__ = ["FeedBatch", "FeedRejection", "FeedRow", "RecognisedRun", "RunColumn"]


class FeedRow(NamedTuple):
    """One agent-day code as read from a feed, with the line it came from."""

    line: int
    agent: str
    day: date
    code: str


class FeedRejection(NamedTuple):
    """A line of a feed that could not be read, and why (``text`` is the line as read)."""

    line: int
    reason: str
    text: str = ""


class RunColumn(Sequence[str]):
    """A column whose values come in runs, as an export sorted by agent gives its agents:
    ``values[i]`` repeated from ``starts[i]`` up to the next start (or ``size``). Read-only;
    :meth:`runs` gives the runs without looking at a million entries."""

    __slots__ = ("_size", "_starts", "_values")

    def __init__(self, values: Sequence[str], starts: Sequence[int], size: int) -> None:
        if len(values) != len(starts) or (starts and (starts[0] != 0 or starts[-1] >= size)):
            raise InvalidInput(Text("runs do not match the column's size"), text=str(size))
        self._values = tuple(values)
        self._starts = tuple(starts)
        self._size = size

    def runs(self) -> list[tuple[str, int, int]]:
        """Each run: its value, first index and end (excluded)."""
        ends = (*self._starts[1:], self._size) if self._starts else ()
        return list(zip(self._values, self._starts, ends, strict=True))

    def __len__(self) -> int:
        return self._size

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[str, ...]: ...

    def __getitem__(self, index: int | slice) -> str | tuple[str, ...]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(self._size)))
        if index < 0:
            index += self._size
        if not 0 <= index < self._size:
            raise IndexError("column index out of range")
        return self._values[bisect_right(self._starts, index) - 1]

    def __iter__(self) -> Iterator[str]:
        for value, start, end in self.runs():
            yield from repeat(value, end - start)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RunColumn):
            return self.runs() == other.runs()
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    def __hash__(self) -> int:
        return hash(tuple(self.runs()))

    def __repr__(self) -> str:
        return f"RunColumn({len(self._values)} runs, {self._size} values)"


@frozen
class RecognisedRun:
    """One agent's run of export lines that a reader recognised as the lines that last
    stated her whole GTT record (whose :attr:`~caredomain.roster.days.AgentDays.digest` is
    ``basis``), and so did not parse: ``count`` rows from ``line``, whose own digest is
    ``digest``. Where part of the run differs from those lines, ``parsed`` gives its rows,
    each as (offset in the run, day, code); every other row is the record's. The roster
    applies such a run in one step, or, if the record has moved on since, asks for the
    file to be read in full."""

    agent: str
    digest: bytes = field(repr=lambda digest: digest.hex())
    line: int
    count: int
    parsed: tuple[tuple[int, date, str], ...] = field(default=(), kw_only=True)
    basis: bytes = field(default=b"", kw_only=True, repr=False)

    @property
    def held_digest(self) -> bytes:
        """The digest of the record the run was recognised against."""
        return self.basis or self.digest


def _column(values: Iterable[Any]) -> Sequence[Any]:
    """A read-only column: tuples, ranges and run columns are kept as they are, anything
    else copied."""
    return values if isinstance(values, (tuple, range, RunColumn)) else tuple(values)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInput(
            Text("a timezone-aware datetime is required"), field="extracted_at", text=str(moment)
        )
    return moment.astimezone(UTC)


@frozen
class FeedBatch:
    """What one feed source holds, as of the moment the upstream system extracted it.

    Kept by column, so that a whole hospital group's export (a million rows) costs a few
    sequences rather than a million objects: row ``i`` is ``agents[i]`` on ``days[i]`` with
    ``codes[i]``, read from line ``lines[i]``; a reader of an export sorted by agent may
    give ``agents`` as a :class:`RunColumn`. :meth:`of_rows` builds one from rows, and
    :attr:`rows` gives them back. ``rejected`` holds the lines the reader could not read;
    ``strict`` (the default) asks that a batch with any bad row be refused as a whole,
    ``strict=False`` that its good rows be applied and the bad ones reported.
    ``extracted_at`` is kept in UTC. A reader may give ``distinct_days``, the set of
    ``days``, when it knows it without another pass.

    A reader that digests its lines may give, for each run of rows that is one agent's
    whole run of lines, that run's digest (``run_digests``: first row → digest), and the
    runs it recognised without parsing them (``recognised``: see
    :class:`RecognisedRun`). Their rows are not in the columns.
    """

    source: str
    extracted_at: datetime = field(converter=_utc)
    agents: Sequence[str] = field(converter=_column)
    days: Sequence[date] = field(converter=_column)
    codes: Sequence[str] = field(converter=_column)
    lines: Sequence[int] = field(converter=_column)
    rejected: Sequence[FeedRejection] = field(default=(), converter=_column)
    strict: bool = True
    distinct_days: frozenset[date] | None = field(default=None, kw_only=True)
    run_digests: Mapping[int, bytes] = field(factory=dict, kw_only=True, repr=False)
    recognised: Sequence[RecognisedRun] = field(default=(), converter=_column, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if not len(self.agents) == len(self.days) == len(self.codes) == len(self.lines):
            raise InvalidInput(
                Text("the columns of a feed batch differ in length"), source=self.source
            )

    def covered_days(self) -> frozenset[date]:
        """The days the rows speak of: ``distinct_days`` when the reader gave them (it met
        each day as it read, which spares a pass over a million rows), else from ``days``."""
        if self.distinct_days is not None:
            return self.distinct_days
        return frozenset(self.days)

    @classmethod
    def of_rows(
        cls,
        source: str,
        extracted_at: datetime,
        rows: Iterable[FeedRow],
        *,
        rejected: Iterable[FeedRejection] = (),
        strict: bool = True,
    ) -> FeedBatch:
        """A batch from its rows."""
        listed = list(rows)
        return cls(
            source,
            extracted_at,
            [row.agent for row in listed],
            [row.day for row in listed],
            [row.code for row in listed],
            [row.line for row in listed],
            rejected=rejected,
            strict=strict,
        )

    @property
    def rows(self) -> list[FeedRow]:
        """The rows, in the order read."""
        columns = zip(self.lines, self.agents, self.days, self.codes, strict=True)
        return [FeedRow(*row) for row in columns]

    def __len__(self) -> int:
        """The number of rows read well (``rejected`` and ``recognised`` not counted)."""
        return len(self.agents)

    @property
    def recognised_rows(self) -> int:
        """The rows of the ``recognised`` runs."""
        return sum(run.count for run in self.recognised)
