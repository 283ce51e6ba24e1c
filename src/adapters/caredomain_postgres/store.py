"""The PostgreSQL store: several application instances and workers on one database.

A write unit of work is one ``READ COMMITTED`` transaction; each statement sees what other
units committed before it began. What the SQLite store gets from its single writer, this
one gets from the database: a unique index refuses a second booking of a seat, a booking
holds its counter (a transaction-level advisory lock) from the moment it reads the
counter's appointments, so that another booking of that counter waits and then finds the
seat taken; the outbox is claimed ``FOR UPDATE SKIP LOCKED``; the event journal is
appended under a lock held until commit, so that positions follow the order of commits and
a reader that has seen position *n* never later finds a smaller one. A use case that reads
something and writes back what it derives does not lose another instance's change: the
repositories hold what a write unit reads (:meth:`PostgresUnitOfWork.serialise`, shared
where many units only read, such as bookings reading their organisation's planning) before
reading it, as the SQLite store's single writer would. A read-only unit
(``write=False``) is one ``REPEATABLE READ READ ONLY`` snapshot, and refuses every write
with :class:`~caredomain.errors.Forbidden` before touching the database.

A unit is used once, in one thread at a time; after ``commit`` or ``rollback`` (leaving the
``with`` block rolls back if it did not commit) it refuses further use with ``Forbidden``.
Each write runs in a savepoint: one the database refuses raises
:class:`~caredomain_sql.statements.ConstraintViolated` (a ``Conflict``) and leaves the unit
usable.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from types import TracebackType
from typing import Any

import psycopg

from caredomain_postgres.connections import Connections, driver_sql, translated, translation
from caredomain_postgres.migrations import migrate
from caredomain_postgres.roster import PostgresRoster
from caredomain_postgres.url import PostgresLocation
from caredomain_sql.statements import Dialect, Params, Statements
from caredomain_sql.unit import ClosingStore, UnitLife

__all__ = ["POSTGRES", "PostgresStore", "PostgresUnitOfWork"]

POSTGRES = Dialect(
    "postgresql",
    skip_locked=" FOR UPDATE SKIP LOCKED",
    json_values="json_array_elements(CAST(? AS json)) AS w (value)",
    json_texts="json_array_elements_text(CAST(? AS json)) AS w (value)",
)


class PostgresStore(ClosingStore):
    """The store on a PostgreSQL database: ``PostgresStore.from_url("postgresql://…")``.

    Opening applies pending migrations (once, whoever else opens the database at the same
    time); :attr:`schema_version` is the version it then has. Up to the URL's ``pool``
    units of work run at once on one store object; more wait for a connection, for the
    store's timeout at most.
    """

    def __init__(self, location: PostgresLocation) -> None:
        self._location = location
        self._listener: psycopg.Connection[Any] | None = None
        self._connections = Connections(location)
        try:
            connection = self._connections.lend()
            try:
                with translated(location):
                    self._schema_version = migrate(
                        connection, schema=location.schema, source=self.url
                    )
            finally:
                self._connections.give_back(connection)
        except BaseException:
            self._connections.close()
            raise

    @classmethod
    def from_url(cls, url: str) -> PostgresStore:
        """The store a ``postgresql://`` URL names (see :mod:`caredomain_postgres.url`)."""
        return cls(PostgresLocation.parse(url))

    @property
    def url(self) -> str:
        """The URL, with the password masked."""
        return self._location.url()

    @property
    def location(self) -> PostgresLocation:
        return self._location

    @property
    def schema_version(self) -> int:
        return self._schema_version

    def unit_of_work(self, *, write: bool = True) -> PostgresUnitOfWork:
        return PostgresUnitOfWork(self._connections, write=write)

    def wait_for_events(self, timeout: float) -> None:
        """:class:`~caredomain.ports.EventWaiting`: return once another unit has committed
        events (a ``NOTIFY`` of the ``events`` table's trigger), or after ``timeout``
        seconds. The first call opens a connection of its own that listens, and returns."""
        if self._listener is None:
            self._listener = self._connections.direct()
            with translated(self._location):
                self._listener.execute(f'LISTEN "{self._location.schema}.caredomain_events"')
            return
        with translated(self._location):
            for _ in self._listener.notifies(timeout=timeout, stop_after=1):
                pass
            # Several commits may have notified meanwhile: one read of the journal serves all.
            for _ in self._listener.notifies(timeout=0):
                pass

    def close(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        self._connections.close()

    def __repr__(self) -> str:
        return f"PostgresStore({self.url!r})"


class PostgresUnitOfWork(UnitLife[psycopg.Connection[Any]]):
    """One PostgreSQL transaction. Use it once, in a ``with`` block."""

    def __init__(self, connections: Connections, *, write: bool) -> None:
        self._connections = connections
        self._location = connections.location
        self._locks: dict[str, bool] = {}  # the keys held, and whether only shared
        super().__init__(write=write, source=self._location.url())

    def _roster(self, statements: Statements) -> PostgresRoster:
        return PostgresRoster(self)

    @property
    def dialect(self) -> Dialect:
        return POSTGRES

    def _begin(self) -> psycopg.Connection[Any]:
        connection = self._connections.lend()
        try:
            with translated(self._location):
                connection.execute(
                    "BEGIN" if self._write else "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
                )
        except BaseException:
            self._connections.give_back(connection)
            raise
        return connection

    def _commit(self, held: psycopg.Connection[Any]) -> None:
        with translated(self._location):
            held.execute("COMMIT")

    def _end(self, held: psycopg.Connection[Any]) -> None:
        try:
            if held.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                with translated(self._location):
                    held.execute("ROLLBACK")
        finally:
            self._connections.give_back(held)

    def query(self, sql: str, params: Params = ()) -> list[Any]:
        """Rows of a read, inside this unit's transaction."""
        connection = self._require_open()
        with translated(self._location):
            return connection.execute(driver_sql(sql), params).fetchall()

    def change(self, sql: str, params: Params = ()) -> int:
        """Run a write in a savepoint; the number of rows it changed."""
        connection = self._require_writable()
        with self._savepoint(connection):
            return connection.execute(driver_sql(sql), params).rowcount

    def change_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        """Run a write once per row of parameters, all of them or none; the rows changed."""
        connection = self._require_writable()
        listed = list(rows)
        if not listed:
            return 0
        with self._savepoint(connection), connection.cursor() as cursor:
            cursor.executemany(driver_sql(sql), listed)
            return cursor.rowcount

    def copy_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """``COPY`` ``rows`` into ``table`` (a staging table of this unit's)."""
        connection = self._require_writable()
        with (
            self._savepoint(connection),
            connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)

    def serialise(self, keys: Collection[str], *, shared: bool = False) -> None:
        """Hold ``keys`` (transaction-level advisory locks, taken in sorted order;
        ``shared``: ``pg_advisory_xact_lock_shared``) until this unit ends; nothing
        for a read-only unit, which changes nothing, nor for a key this unit already holds
        as firmly (no round trip: repositories ask before every read). Advisory locks are
        the database's: a key is hashed with the schema's name, so that stores in two
        schemas of one database hold different locks."""
        connection = self._require_open()
        if not self._write:
            return
        wanted = sorted(
            key for key in set(keys) if key not in self._locks or (self._locks[key] and not shared)
        )
        if not wanted:
            return
        lock = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
        with translated(self._location):
            connection.execute(
                f"SELECT {lock}(h) FROM (SELECT hashtextextended(current_schema() || ' ' || k, 0) "
                "AS h FROM unnest(%s::text[]) AS k ORDER BY k) AS held",
                (wanted,),
            )
        self._locks.update(dict.fromkeys(wanted, shared))

    def _savepoint(self, connection: psycopg.Connection[Any]) -> _Savepoint:
        return _Savepoint(connection, self._location)


class _Savepoint:
    """A savepoint around one write: released when it succeeds, rolled back to (leaving the
    transaction usable) when it fails; psycopg errors translated."""

    def __init__(self, connection: psycopg.Connection[Any], location: PostgresLocation) -> None:
        self._connection = connection
        self._location = location

    def __enter__(self) -> None:
        with translated(self._location):
            self._connection.execute("SAVEPOINT write")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with translated(self._location):
            if exc is None:
                self._connection.execute("RELEASE SAVEPOINT write")
                return
            if self._connection.info.transaction_status == psycopg.pq.TransactionStatus.INERROR:
                self._connection.execute("ROLLBACK TO SAVEPOINT write")
                self._connection.execute("RELEASE SAVEPOINT write")
            else:
                self._connection.execute("RELEASE SAVEPOINT write")
        if isinstance(exc, psycopg.Error):
            raise translation(exc, self._location) from None
