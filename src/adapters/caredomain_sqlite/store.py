"""The SQLite store: one file in WAL mode, a connection for each unit of work in progress.

A write unit of work begins with ``BEGIN IMMEDIATE``: it takes the file's write lock at
once, so two writers never both read and then collide at commit. A writer that cannot get
the lock within the busy timeout gets :class:`~caredomain.errors.Conflict`. A read-only
unit (``write=False``) begins with ``BEGIN``, reads one consistent snapshot (WAL readers
never wait for writers) and refuses every write with :class:`~caredomain.errors.Forbidden`
before touching the database, as any store must.

Each unit of work on one store object has a connection of its own
(:mod:`caredomain_sqlite.connections`), so that threads read at once while another writes;
a thread opens one unit at a time. A unit is used once; after its
``commit`` or ``rollback`` (leaving the ``with`` block rolls back if it did not commit)
it refuses further use with ``Forbidden``. No sqlite3 exception leaves this module: locks
and uniqueness become ``Conflict``, an unreadable file ``InvalidInput`` naming it, anything
else a :class:`~caredomain.errors.CareDomainError` naming the store.

Documents are the JSON of :func:`caredomain.serialization.unstructure`.
"""

from __future__ import annotations

import functools
import json
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC
from enum import Enum
from types import TracebackType
from typing import Any, Self, TypeVar

from caredomain.errors import Conflict, Forbidden, InvalidInput, NotFound
from caredomain.events import Event
from caredomain.organisation import Organisation, OrganisationId
from caredomain.ports import EventJournal, OrganisationRepository
from caredomain.serialization import structure, unstructure
from caredomain.text import Text, counted
from caredomain_sqlite.connections import DEFAULT_CONNECTIONS, Connections, Lent, Params
from caredomain_sqlite.interventions import SqliteInterventions
from caredomain_sqlite.migrations import migrate
from caredomain_sqlite.outbox import SqliteNotifications
from caredomain_sqlite.pickup import SqlitePickup
from caredomain_sqlite.roster import SqliteRoster
from caredomain_sqlite.slots import SqliteSlots
from caredomain_sqlite.url import DEFAULT_CACHE_MIB, DEFAULT_TIMEOUT, SqliteLocation

__all__ = ["SqliteEventJournal", "SqliteOrganisations", "SqliteStore", "SqliteUnitOfWork"]

T = TypeVar("T")


class SqliteStore:
    """The embedded store. ``SqliteStore("care.db")``, or by URL through :meth:`from_url`.

    Opening applies pending migrations; :attr:`schema_version` is the version it then has.
    Up to ``connections`` units of work run at once (one per thread); more wait for one to
    finish, for the store's timeout at most.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        timeout: float = DEFAULT_TIMEOUT,
        cache_mib: int = DEFAULT_CACHE_MIB,
        connections: int = DEFAULT_CONNECTIONS,
        synchronous: str = "full",
    ) -> None:
        self._location = SqliteLocation(os.fspath(path), timeout, cache_mib, synchronous)
        self._connections = Connections(self._location, most=connections)
        try:
            first = self._connections.first()
            with first.translated():
                self._schema_version = migrate(first.connection, source=self.url)
        except BaseException:
            self._connections.close()
            raise

    @classmethod
    def from_url(cls, url: str) -> SqliteStore:
        """The store a ``sqlite://`` URL names (see :mod:`caredomain_sqlite.url`)."""
        location = SqliteLocation.parse(url)
        return cls(
            location.path,
            timeout=location.timeout,
            cache_mib=location.cache_mib,
            synchronous=location.synchronous,
        )

    @property
    def url(self) -> str:
        return self._location.url()

    @property
    def path(self) -> str:
        """The database file, or ``:memory:``."""
        return self._location.path

    @property
    def schema_version(self) -> int:
        return self._schema_version

    def unit_of_work(self, *, write: bool = True) -> SqliteUnitOfWork:
        return SqliteUnitOfWork(self._connections, write=write)

    def close(self) -> None:
        """Close the connections, once the units of work in progress have finished."""
        self._connections.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SqliteStore({self.url!r})"


class _Stage(Enum):
    NEW = "new"
    OPEN = "open"
    FINISHED = "finished"


class SqliteUnitOfWork:
    """One SQLite transaction. Use it once, in a ``with`` block."""

    organisations: OrganisationRepository
    events: EventJournal

    def __init__(self, connections: Connections, *, write: bool) -> None:
        self._connections = connections
        self._lent: Lent | None = None
        self._write = write
        self._stage = _Stage.NEW
        self.organisations = SqliteOrganisations(self)
        self.events = SqliteEventJournal(self)
        self.roster = SqliteRoster(self)
        self.notifications = SqliteNotifications(self)
        self.slots = SqliteSlots(self)
        self.interventions = SqliteInterventions(self)
        self.pickup = SqlitePickup(self)

    @property
    def writable(self) -> bool:
        return self._write

    def __enter__(self) -> Self:
        if self._stage is not _Stage.NEW:
            raise Forbidden(Text("a unit of work is used once: open a new one"))
        lent = self._connections.lend()
        try:
            lent.run("BEGIN IMMEDIATE" if self._write else "BEGIN")
        except BaseException:
            self._connections.give_back(lent)
            raise
        self._lent = lent
        self._stage = _Stage.OPEN
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    def commit(self) -> None:
        lent = self._require_open()
        try:
            lent.run("COMMIT")
        finally:
            self._finish()

    def rollback(self) -> None:
        if self._stage is _Stage.OPEN:
            self._finish()

    def query(self, sql: str, params: Params = ()) -> list[Any]:
        """Rows of a read, inside this unit's transaction."""
        return self._require_open().run(sql, params).fetchall()

    def change(self, sql: str, params: Params = ()) -> int:
        """Run a write; the number of rows it changed."""
        return self._require_writable().run(sql, params).rowcount

    def change_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        """Run a write once per row of parameters, all of them or none (a savepoint undoes
        the rows before a failing one); the number of rows changed."""
        lent = self._require_writable()
        lent.run("SAVEPOINT change_many")
        try:
            with lent.translated():
                changed = lent.connection.executemany(sql, rows).rowcount
        except BaseException:
            lent.run("ROLLBACK TO change_many")
            lent.run("RELEASE change_many")
            raise
        lent.run("RELEASE change_many")
        return changed

    def _require_writable(self) -> Lent:
        lent = self._require_open()
        if not self._write:
            raise Forbidden(Text("this unit of work is read-only: open one with write=True"))
        return lent

    def _require_open(self) -> Lent:
        if self._stage is _Stage.NEW:
            raise Forbidden(Text("enter the unit of work (with store.unit_of_work() as uow) first"))
        if self._stage is _Stage.FINISHED or self._lent is None:
            raise Forbidden(Text("this unit of work has committed or rolled back: open a new one"))
        return self._lent

    def _finish(self) -> None:
        """Roll back whatever did not commit, then hand the connection back."""
        self._stage = _Stage.FINISHED
        lent, self._lent = self._lent, None
        if lent is None:
            return
        try:
            lent.rollback()
        finally:
            self._connections.give_back(lent)

    def __repr__(self) -> str:
        mode = "write" if self._write else "read"
        return f"<SqliteUnitOfWork {mode} {self._stage.value} on {self._connections.source}>"


def _document(value: object) -> str:
    return json.dumps(unstructure(value), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _loaded(document: str, cls: type[T], *, source: str) -> T:
    try:
        data = json.loads(document)
    except json.JSONDecodeError as error:
        raise InvalidInput(
            Text("stored document is not JSON: {error}", error=str(error)), source=source
        ) from None
    return structure(data, cls, source=source)


@functools.lru_cache(maxsize=64)
def _organisation(document: str, organisation_id: str) -> Organisation:
    """The organisation a stored text gives. Organisations are immutable values: the few
    texts read last are structured once, not at every use case that reads their base."""
    return _loaded(
        document, Organisation, source=Text("organisation {id}", id=repr(organisation_id))
    )


_ID_CHUNK = 500  # ids per "IN (…)" query, well under SQLite's limit on parameters


def _int64(number: int) -> int:
    """``number`` within SQLite's integer range, which the driver refuses to exceed."""
    return max(-(2**63), min(number, 2**63 - 1))


class SqliteOrganisations:
    """:class:`~caredomain.ports.OrganisationRepository` over the ``organisations`` table."""

    def __init__(self, unit: SqliteUnitOfWork) -> None:
        self._unit = unit

    def get(self, organisation_id: OrganisationId) -> Organisation:
        rows = self._unit.query(
            "SELECT document FROM organisations WHERE id = ?", (organisation_id,)
        )
        if not rows:
            raise NotFound(Text("no organisation {id}", id=repr(organisation_id)))
        return _organisation(rows[0][0], organisation_id)

    def add(self, organisation: Organisation) -> None:
        added = self._unit.change(
            "INSERT INTO organisations (id, document) VALUES (?, ?) ON CONFLICT (id) DO NOTHING",
            (organisation.id, _document(organisation)),
        )
        if not added:
            raise Conflict(Text("organisation {id} already exists", id=repr(organisation.id)))

    def replace(self, organisation: Organisation) -> None:
        replaced = self._unit.change(
            "UPDATE organisations SET document = ? WHERE id = ?",
            (_document(organisation), organisation.id),
        )
        if not replaced:
            raise NotFound(Text("no organisation {id} to replace", id=repr(organisation.id)))

    def remove(self, organisation_id: OrganisationId) -> None:
        if not self._unit.change("DELETE FROM organisations WHERE id = ?", (organisation_id,)):
            raise NotFound(Text("no organisation {id} to remove", id=repr(organisation_id)))

    def ids(self) -> list[OrganisationId]:
        rows = self._unit.query("SELECT id FROM organisations ORDER BY id")
        return [OrganisationId(row[0]) for row in rows]


class SqliteEventJournal:
    """:class:`~caredomain.ports.EventJournal` over the ``events`` table; positions are
    increasing integers that are never reused."""

    def __init__(self, unit: SqliteUnitOfWork) -> None:
        self._unit = unit

    def append(self, event: Event) -> None:
        self.extend([event])

    def extend(self, events: Iterable[Event]) -> None:
        """Record ``events`` in order, all of them or none: :class:`Conflict` naming the ids
        given twice or already in the journal."""
        rows = [self._row(event) for event in events]
        try:
            self._unit.change_many(
                "INSERT INTO events (event_id, kind, occurred_at, document) VALUES (?, ?, ?, ?)",
                rows,
            )
        except Conflict:
            ids = [row[0] for row in rows]
            repeated = sorted(event_id for event_id, n in Counter(ids).items() if n > 1)
            if repeated:
                twice = ", ".join(map(repr, repeated))
                raise Conflict(Text("events given twice: {ids}", ids=twice)) from None
            taken = self._recorded(ids)
            if taken:
                raise Conflict(
                    counted(
                        "event {ids} is already in the journal",
                        "events {ids} are already in the journal",
                        n=len(taken),
                        ids=", ".join(map(repr, taken)),
                    )
                ) from None
            raise

    def _recorded(self, ids: list[str]) -> list[str]:
        """Those of ``ids`` already in the journal."""
        found: list[str] = []
        for start in range(0, len(ids), _ID_CHUNK):
            chunk = ids[start : start + _ID_CHUNK]
            marks = ", ".join("?" * len(chunk))
            rows = self._unit.query(
                f"SELECT event_id FROM events WHERE event_id IN ({marks})", tuple(chunk)
            )
            found += [row[0] for row in rows]
        return sorted(found)

    @staticmethod
    def _row(event: Event) -> tuple[str, str, str, str]:
        return (
            event.event_id,
            event.kind,
            event.occurred_at.astimezone(UTC).isoformat(),
            _document(event),
        )

    def since(self, position: int = 0, limit: int = 1000) -> list[tuple[int, Event]]:
        if limit < 0:
            raise InvalidInput(Text("must be zero or more"), field="limit", text=str(limit))
        rows = self._unit.query(
            "SELECT position, document FROM events WHERE position > ? ORDER BY position LIMIT ?",
            (_int64(position), _int64(limit)),
        )
        return [(row[0], self._event(row[0], row[1])) for row in rows]

    @staticmethod
    def _event(position: int, document: str) -> Event:
        return _loaded(
            document, Event, source=Text("event at position {position}", position=position)
        )
