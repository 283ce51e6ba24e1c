"""The core's ports: the store and its unit of work, as ``typing.Protocol`` classes.

The core's unit of work holds what every module shares — the organisations and the event
journal — and ``commit``. Each module declares the repository it needs in its own
``ports.py``, with a unit of work of its own that extends this one
(:class:`caredomain.slots.ports.SlotsUnitOfWork` and the like); a store implements the
ones it supports. The senders are the notifications' ports
(:mod:`caredomain.notifications.sending`), the feed readers the roster's
(:mod:`caredomain.roster.ports`).

Adapters implement these; nothing here builds anything on import. The store port is kept
free of SQLite-isms so that a PostgreSQL store can implement it as well.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from types import TracebackType
from typing import Protocol, Self, runtime_checkable

from caredomain.errors import NotFound
from caredomain.events import Event
from caredomain.organisation import Organisation, OrganisationId
from caredomain.text import Text

__all__ = [
    "EventJournal",
    "EventWaiting",
    "OrganisationRepository",
    "Store",
    "UnitOfWork",
    "holding",
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
        """Replace a stored organisation; :class:`~caredomain.errors.NotFound` if absent,
        :class:`~caredomain.errors.Conflict` if another unit replaced it since this unit
        read it (:meth:`get`)."""
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

    A use case may read something in a write unit and write back what it derives from it:
    no other unit's change may be lost that way. A store whose write units run one at a
    time has nothing to do; one whose write units run side by side holds what a write
    unit reads until the unit ends, so that another unit rewriting it waits and then
    reads what the first committed (each module's repository says what it holds, and how:
    :meth:`caredomain.slots.ports.SlotRepository.hold_planning`), or refuses the late
    write with ``Conflict`` (:meth:`OrganisationRepository.replace`).
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


@runtime_checkable
class EventWaiting(Protocol):
    """What a store offers, beside :class:`Store`, when a process can wait for the events
    another commits without polling (PostgreSQL's ``LISTEN``/``NOTIFY``). A consumer
    reads the journal (:meth:`EventJournal.since`), then waits, then reads again."""

    def wait_for_events(self, timeout: float) -> None:
        """Return once events may have been committed since the previous call (the first
        call returns at once, listening from then on), or after ``timeout`` seconds."""
        ...


def holding(store: Store, repository: str, *, write: bool = True) -> UnitOfWork:
    """A new unit of work of ``store`` that has the module repository ``repository``
    (``"slots"``, ``"roster"``…): what each module's ``…_unit_of_work`` function returns,
    typed as that module's unit of work. A store that keeps none of that module is
    :class:`~caredomain.errors.NotFound` naming it, before any transaction begins."""
    uow = store.unit_of_work(write=write)
    if not (hasattr(type(uow), repository) or repository in getattr(uow, "__dict__", ())):
        raise NotFound(Text("the store {url} keeps no {what}", url=store.url, what=repository))
    return uow


_MOVED = {
    **dict.fromkeys(
        ("Attachment", "CalendarEntry", "CalendarMethod", "OutboundMessage", "SendResult"),
        "caredomain.notifications.outbound",
    ),
    "SendStatus": "caredomain.notifications.outbound",
    **dict.fromkeys(
        ("ConnectingSender", "Connection", "Sender", "SenderSpec"),
        "caredomain.notifications.ports",
    ),
    **dict.fromkeys(
        ("FeedBatch", "FeedRejection", "FeedRow", "RecognisedRun", "RunColumn"),
        "caredomain.roster.batch",
    ),
    **dict.fromkeys(
        ("FeedReader", "FeedReaderSpec", "RecognisingFeedReader"), "caredomain.roster.ports"
    ),
}


def __getattr__(name: str) -> object:
    # Deprecated in 0.2, removed in 0.3 (docs/versioning.md): the senders are the
    # notifications' ports, the feed readers the roster's; the core knows no module.
    home = _MOVED.get(name)
    if home is None:
        raise AttributeError(f"module 'caredomain.ports' has no attribute {name!r}")
    warnings.warn(
        f"caredomain.ports.{name} moved to {home}.{name}; the old name goes in caredomain 0.3",
        DeprecationWarning,
        stacklevel=2,
    )
    from importlib import import_module

    return getattr(import_module(home), name)
