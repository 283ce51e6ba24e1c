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

The repositories are those of :mod:`caredomain_sql`, shared with the PostgreSQL store.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from caredomain_sql.statements import SQLITE, Dialect, Params
from caredomain_sql.unit import ClosingStore, UnitLife
from caredomain_sqlite.connections import DEFAULT_CONNECTIONS, Connections, Lent
from caredomain_sqlite.migrations import migrate
from caredomain_sqlite.url import DEFAULT_CACHE_MIB, DEFAULT_TIMEOUT, SqliteLocation

__all__ = ["SqliteStore", "SqliteUnitOfWork"]


class SqliteStore(ClosingStore):
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

    def __repr__(self) -> str:
        return f"SqliteStore({self.url!r})"


class SqliteUnitOfWork(UnitLife[Lent]):
    """One SQLite transaction. Use it once, in a ``with`` block."""

    def __init__(self, connections: Connections, *, write: bool) -> None:
        self._connections = connections
        super().__init__(write=write, source=connections.source)

    @property
    def dialect(self) -> Dialect:
        return SQLITE

    def _begin(self) -> Lent:
        lent = self._connections.lend()
        try:
            lent.run("BEGIN IMMEDIATE" if self._write else "BEGIN")
        except BaseException:
            self._connections.give_back(lent)
            raise
        return lent

    def _commit(self, held: Lent) -> None:
        held.run("COMMIT")

    def _end(self, held: Lent) -> None:
        try:
            held.rollback()
        finally:
            self._connections.give_back(held)

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
        listed = rows if isinstance(rows, list) else list(rows)
        if len(listed) == 1:  # one statement is all or nothing by itself
            return lent.run(sql, tuple(listed[0])).rowcount
        lent.run("SAVEPOINT change_many")
        try:
            with lent.translated():
                changed = lent.connection.executemany(sql, listed).rowcount
        except BaseException:
            lent.run("ROLLBACK TO change_many")
            lent.run("RELEASE change_many")
            raise
        lent.run("RELEASE change_many")
        return changed

    def serialise(self, keys: Collection[str], *, shared: bool = False) -> None:
        """Nothing to do, shared or not: ``BEGIN IMMEDIATE`` already keeps every other
        writer out."""
        self._require_open()
