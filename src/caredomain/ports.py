"""The ports: what the core needs from the outside world, as ``typing.Protocol`` classes.

Adapters implement these; nothing here builds anything on import. The store port is kept
free of SQLite-isms so that a PostgreSQL store can implement it as well.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from enum import StrEnum
from types import TracebackType
from typing import NamedTuple, Protocol, Self

from attrs import frozen

from caredomain.events import Event
from caredomain.organisation import Organisation, OrganisationId

__all__ = [
    "Attachment",
    "EventJournal",
    "FeedBatch",
    "FeedReader",
    "FeedReaderSpec",
    "FeedRow",
    "OrganisationRepository",
    "OutboundMessage",
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
# Senders (mail, SMS, push…)
# ---------------------------------------------------------------------------------------


@frozen
class Attachment:
    filename: str
    content_type: str
    data: bytes


@frozen
class OutboundMessage:
    """A message ready to leave. ``key`` is its idempotency key: the same on every retry."""

    key: str
    channel: str
    recipient: str
    subject: str
    body: str
    attachments: tuple[Attachment, ...] = ()


class SendStatus(StrEnum):
    SENT = "sent"
    TRANSIENT = "transient"  # retry later: a 4xx from SMTP, a 429 or 5xx from a gateway
    PERMANENT = "permanent"  # never retry: unknown mailbox, a 400 from a gateway


@frozen
class SendResult:
    key: str
    status: SendStatus
    detail: str = ""


class Sender(Protocol):
    """Delivers messages of one channel. Sends a batch so that it can reuse a connection."""

    @property
    def channel(self) -> str: ...

    def send(self, messages: Sequence[OutboundMessage]) -> list[SendResult]:
        """One result per message, in order. Never raises for a delivery failure."""
        ...


@frozen
class SenderSpec:
    """A kind of sender a plugin offers: ``create(settings)`` builds one from its settings."""

    name: str
    channel: str
    create: Callable[[Mapping[str, str]], Sender]
    description: str = ""


# ---------------------------------------------------------------------------------------
# Feed readers (GTT exports…)
# ---------------------------------------------------------------------------------------


class FeedRow(NamedTuple):
    """One agent-day code as read from a feed, with the line it came from."""

    line: int
    agent: str
    day: date
    code: str


@frozen
class FeedBatch:
    """What one feed source holds, as of the moment the upstream system extracted it."""

    source: str
    extracted_at: datetime
    rows: Sequence[FeedRow]


class FeedReader(Protocol):
    """Turns a source (a file path, a URL) into a feed batch."""

    def read(self, source: str) -> FeedBatch:
        """The batch, or :class:`~caredomain.errors.InvalidInput` naming the line at fault."""
        ...


@frozen
class FeedReaderSpec:
    """A kind of feed reader a plugin offers: ``create(settings)`` builds one."""

    name: str
    create: Callable[[Mapping[str, str]], FeedReader]
    description: str = ""
