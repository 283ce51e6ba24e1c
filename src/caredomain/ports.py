"""The ports: what the core needs from the outside world, as ``typing.Protocol`` classes.

Adapters implement these; nothing here builds anything on import. The store port is kept
free of SQLite-isms so that a PostgreSQL store can implement it as well.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from itertools import repeat
from types import TracebackType
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, Self, overload, runtime_checkable

from attrs import field, frozen

from caredomain.errors import InvalidInput
from caredomain.events import Event
from caredomain.organisation import Organisation, OrganisationId
from caredomain.sending import (
    Attachment,
    CalendarEntry,
    CalendarMethod,
    ConnectingSender,
    Connection,
    OutboundMessage,
    Sender,
    SenderSpec,
    SendResult,
    SendStatus,
)
from caredomain.text import Text

if TYPE_CHECKING:  # the roster's port imports this module: name it for type checkers only
    from caredomain.interventions.ports import InterventionRepository
    from caredomain.notifications.repository import NotificationRepository
    from caredomain.roster.ports import RosterRepository
    from caredomain.slots.ports import SlotRepository

__all__ = [
    "Attachment",
    "CalendarEntry",
    "CalendarMethod",
    "ConnectingSender",
    "Connection",
    "EventJournal",
    "FeedBatch",
    "FeedReader",
    "FeedReaderSpec",
    "FeedRejection",
    "FeedRow",
    "OrganisationRepository",
    "OutboundMessage",
    "RecognisedRun",
    "RecognisingFeedReader",
    "RunColumn",
    "SendResult",
    "SendStatus",
    "Sender",
    "SenderSpec",
    "Store",
    "UnitOfWork",
]

# ---------------------------------------------------------------------------------------
# Store and unit of work
# ---------------------------------------------------------------------------------------


class OrganisationRepository(Protocol):
    """Organisations by id, inside one unit of work."""

    def get(self, organisation_id: OrganisationId) -> Organisation:
        """The organisation, or :class:`~caredomain.errors.NotFound`."""
        ...

    def add(self, organisation: Organisation) -> None:
        """Store a new organisation; :class:`~caredomain.errors.Conflict` if the id is taken."""
        ...

    def replace(self, organisation: Organisation) -> None:
        """Replace a stored organisation; :class:`~caredomain.errors.NotFound` if absent."""
        ...

    def remove(self, organisation_id: OrganisationId) -> None:
        """Delete an organisation; :class:`~caredomain.errors.NotFound` if absent."""
        ...

    def ids(self) -> list[OrganisationId]:
        """Every stored id, sorted."""
        ...


class EventJournal(Protocol):
    """The committed domain events, in the order they were recorded."""

    def append(self, event: Event) -> None:
        """Record ``event``; :class:`~caredomain.errors.Conflict` if its id is already there."""
        ...

    def extend(self, events: Iterable[Event]) -> None:
        """Record ``events`` in order, all of them or none: as many :meth:`append` calls,
        in one step for the store (a feed batch journals hundreds)."""
        ...

    def since(self, position: int = 0, limit: int = 1000) -> list[tuple[int, Event]]:
        """Events after ``position`` (exclusive), with their positions, oldest first."""
        ...


class UnitOfWork(Protocol):
    """One transaction: repositories read and change state; ``commit`` makes it durable.

    Leaving the ``with`` block without ``commit`` rolls everything back. A write unit of
    work that loses a race with another writer raises :class:`~caredomain.errors.Conflict`.
    """

    organisations: OrganisationRepository
    events: EventJournal

    @property
    def roster(self) -> RosterRepository:  # see caredomain.roster.ports
        ...

    @property
    def notifications(self) -> NotificationRepository:  # caredomain.notifications.repository
        ...

    @property
    def slots(self) -> SlotRepository:  # see caredomain.slots.ports
        ...

    @property
    def interventions(self) -> InterventionRepository:  # caredomain.interventions.ports
        ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class Store(Protocol):
    """Where state lives. Opened by URL through the ``caredomain_open_store`` hook."""

    @property
    def url(self) -> str:
        """The store's URL, with any secret masked: safe to print and to log."""
        ...

    @property
    def schema_version(self) -> int: ...

    def unit_of_work(self, *, write: bool = True) -> UnitOfWork:
        """A new unit of work; ``write=False`` for a read-only snapshot."""
        ...

    def close(self) -> None: ...


# ---------------------------------------------------------------------------------------
# Feed readers (GTT exports…)
# ---------------------------------------------------------------------------------------


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


class FeedReader(Protocol):
    """Turns a source (a file path, a URL) into a feed batch."""

    def read(self, source: str) -> FeedBatch:
        """The batch, or :class:`~caredomain.errors.InvalidInput` naming the line at fault."""
        ...


@runtime_checkable
class RecognisingFeedReader(Protocol):
    """A feed reader that can leave unparsed the runs of lines it recognises."""

    def read_recognising(self, source: str, known: Mapping[bytes, str]) -> FeedBatch:
        """The batch, with each run whose digest is in ``known`` (digest → agent) given as a
        :class:`RecognisedRun` rather than parsed; otherwise as :meth:`FeedReader.read`."""
        ...


@frozen
class FeedReaderSpec:
    """A kind of feed reader a plugin offers: ``create(settings)`` builds one."""

    name: str
    create: Callable[[Mapping[str, str]], FeedReader]
    description: str = ""
