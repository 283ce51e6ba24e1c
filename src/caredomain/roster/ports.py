"""The roster's ports: what a store keeps of the roster, inside one unit of work
(``uow.roster`` of a :class:`RosterUnitOfWork`), and the feed readers that turn a GTT export
into a :class:`~caredomain.roster.batch.FeedBatch`.

The GTT codes are exchanged as :class:`~caredomain.roster.days.AgentDays`, one compact
record per agent, so that a batch of a million rows reads and writes a few tens of thousands
of records. Nothing here is specific to SQLite: a PostgreSQL store keeps the same records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Protocol, cast, runtime_checkable

from attrs import frozen

from caredomain.ports import Store, UnitOfWork, holding
from caredomain.roster.batch import FeedBatch
from caredomain.roster.codes import CodeCatalogue
from caredomain.roster.days import AgentDays, LocalEdit
from caredomain.roster.model import Agent, AgentId, Planning, Post, RosterSettings

__all__ = [
    "AppliedBatch",
    "ChunkingFeedReader",
    "FeedFolder",
    "FeedReader",
    "FeedReaderSpec",
    "FolderReader",
    "RecognisingFeedReader",
    "RosterRepository",
    "RosterUnitOfWork",
    "roster_unit_of_work",
]


@frozen
class AppliedBatch:
    """A feed batch the roster has applied: the source's name, its extraction time and size
    identify it, so that a folder source never applies one file twice."""

    source: str
    extracted_at: datetime
    size: int
    applied_at: datetime
    summary: str


class RosterRepository(Protocol):
    """The roster's state in a store. Writes replace what has the same key."""

    def settings(self) -> RosterSettings | None:
        """The roster settings, or ``None`` if never saved."""
        ...

    def save_settings(self, settings: RosterSettings) -> None: ...

    def catalogue(self) -> CodeCatalogue | None:
        """The code catalogue, or ``None`` if never saved."""
        ...

    def save_catalogue(self, catalogue: CodeCatalogue) -> None: ...

    def agents(self) -> list[Agent]:
        """Every agent, by id."""
        ...

    def agent_ids(self) -> set[AgentId]:
        """Every agent's id (what the feed needs to know of them)."""
        ...

    def save_agents(self, agents: Iterable[Agent]) -> None: ...

    def plannings(self) -> list[Planning]:
        """Every planning, by id."""
        ...

    def save_plannings(self, plannings: Iterable[Planning]) -> None: ...

    def posts(self, first: date | None = None, last: date | None = None) -> list[Post]:
        """The posts whose day is from ``first`` to ``last`` (either may be open), with their
        assignments."""
        ...

    def save_posts(self, posts: Iterable[Post]) -> None: ...

    def holders(self, first: date, last: date) -> set[AgentId]:
        """The agents holding (or stood down from) a post whose day is from ``first`` to
        ``last``."""
        ...

    def posts_held(self, agent_days: Iterable[tuple[AgentId, date]]) -> list[Post]:
        """The posts each agent holds (or was stood down from) on each day, without loading
        every post of those days."""
        ...

    def agent_days(self, agents: Iterable[AgentId] | None = None) -> list[AgentDays]:
        """The GTT records of ``agents`` (of every agent if ``None``)."""
        ...

    def save_agent_days(self, records: Iterable[AgentDays]) -> None: ...

    def record_digests(self) -> dict[bytes, AgentId]:
        """The :attr:`~caredomain.roster.days.AgentDays.digest` of every GTT record that has
        one, and whose record it is: what a feed reader recognises runs of lines against,
        without loading every record."""
        ...

    def confirm_agent_days(self, agents: Iterable[AgentId], extracted_at: datetime) -> None:
        """Mark the records of ``agents`` as stated again, unchanged, by a batch extracted at
        ``extracted_at`` (:attr:`~caredomain.roster.days.AgentDays.confirmed`)."""
        ...

    def local_edits(self) -> list[LocalEdit]:
        """The pending local edits, by day and agent."""
        ...

    def save_local_edits(
        self, edits: Iterable[LocalEdit], cleared: Iterable[tuple[AgentId, date]] = ()
    ) -> None:
        """Remove the ``cleared`` edits (agent, day), then store ``edits``."""
        ...

    def applied_batch(self, source: str, extracted_at: datetime, size: int) -> AppliedBatch | None:
        """The batch so identified, if it was applied."""
        ...

    def record_batch(self, batch: AppliedBatch) -> None: ...

    def applied_batches(self, limit: int = 20) -> list[AppliedBatch]:
        """The latest batches applied, the most recent first."""
        ...

    def clear(self) -> None:
        """Forget the whole roster: codes, edits, posts, plannings, agents, settings, batches."""
        ...


@runtime_checkable
class FeedFolder(Protocol):
    """A folder that feed files are dropped into (an adapter's). The roster's services apply
    each file in its own transaction — recording it as applied in that transaction — and only
    then move it, so a crash between the two neither loses a file nor applies it twice."""

    def pending(self) -> list[str]:
        """The files waiting, oldest extraction first."""
        ...

    def read(self, source: str) -> FeedBatch:
        """The batch of one file, or :class:`~caredomain.errors.InvalidInput`."""
        ...

    def size(self, source: str) -> int:
        """The file's size in bytes: with its name and extraction time, its identity."""
        ...

    def done(self, source: str, report: Sequence[str]) -> str:
        """Move an applied file to ``done/`` with its report; returns where it went."""
        ...

    def rejected(self, source: str, report: Sequence[str]) -> str:
        """Move a refused or unreadable file to ``rejected/`` with why; returns where."""
        ...


@runtime_checkable
class FolderReader(Protocol):
    """A feed reader that can also watch a folder (``caredomain gtt watch``)."""

    def read(self, source: str) -> FeedBatch: ...

    def folder(self, path: str) -> FeedFolder: ...


class RosterUnitOfWork(UnitOfWork, Protocol):
    """A unit of work of a store that keeps the roster."""

    @property
    def roster(self) -> RosterRepository: ...


def roster_unit_of_work(store: Store, *, write: bool = True) -> RosterUnitOfWork:
    """A new unit of work of ``store``, which must keep the roster
    (:func:`caredomain.ports.holding`)."""
    return cast(RosterUnitOfWork, holding(store, "roster", write=write))


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


@runtime_checkable
class ChunkingFeedReader(Protocol):
    """A feed reader that can hand an export over in chunks, so that applying it holds one
    chunk at a time (:func:`~caredomain.roster.services.apply_gtt_file`)."""

    def read_chunks(self, source: str, known: Mapping[bytes, str]) -> Iterator[FeedBatch]:
        """The export as batches of consecutive lines, in order, each ending where an agent's
        run of lines ends, and at least one (empty for an export of no rows); each run whose
        digest is in ``known`` given as :meth:`RecognisingFeedReader.read_recognising`
        gives it. Together they read as the whole export does; an export whose agent's lines
        are not together may give her in two chunks (the roster then reads it whole)."""
        ...


@frozen
class FeedReaderSpec:
    """A kind of feed reader a plugin offers: ``create(settings)`` builds one."""

    name: str
    create: Callable[[Mapping[str, str]], FeedReader]
    description: str = ""
