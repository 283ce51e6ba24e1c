"""The SQLite store's connections: one lent to each unit of work, so that threads read at once.

In WAL mode readers never wait for the writer nor for each other, but only on separate
connections: a single shared connection would make every thread of an embedding web
application queue behind the one unit of work in progress, reads included. The pool opens
connections as units of work ask for them, up to a maximum, and keeps them open for the next
ones. Writers still take the file's write lock with ``BEGIN IMMEDIATE``; SQLite, not this
module, serialises them.

A private in-memory database (``:memory:``) lives in one connection, so its pool holds one:
its units of work take turns, as before.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from caredomain.errors import CareDomainError, Conflict, Forbidden, InvalidInput
from caredomain.text import Text
from caredomain_sql.statements import ConstraintViolated, Params
from caredomain_sqlite.url import SqliteLocation

__all__ = [
    "DEFAULT_CONNECTIONS",
    "Connections",
    "Lent",
    "Params",
    "is_busy",
    "translation",
]


DEFAULT_CONNECTIONS = 8
"""Units of work that may run at once on one store object; more wait for one to finish."""

_BUSY_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
_UNREADABLE_CODES = frozenset(
    {sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_CANTOPEN}
)


class Lent:
    """One connection, lent to one unit of work."""

    def __init__(self, connection: sqlite3.Connection, location: SqliteLocation) -> None:
        self.connection = connection
        self.location = location

    @property
    def source(self) -> str:
        """The store's URL, for errors (written only when one needs it)."""
        return self.location.url()

    def run(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        # What translated() does, inline: every statement of every unit comes this way.
        try:
            return self.connection.execute(sql, params)
        except sqlite3.Error as error:
            raise translation(error, self.location) from error
        except OverflowError:
            raise self._too_large() from None

    def rollback(self) -> None:
        if self.connection.in_transaction:
            self.run("ROLLBACK")

    @contextmanager
    def translated(self) -> Iterator[None]:
        """Turn sqlite3 exceptions into caredomain errors naming this store."""
        try:
            yield
        except sqlite3.Error as error:
            raise translation(error, self.location) from error
        except OverflowError:
            raise self._too_large() from None

    def _too_large(self) -> InvalidInput:
        """A parameter past SQLite's 64-bit integers (a limit of 2**63)."""
        return InvalidInput(
            Text("a number too large for the store (at most 2**63 - 1)"), source=self.source
        )


class Connections:
    """The connections of one store object, lent to one unit of work at a time each."""

    def __init__(self, location: SqliteLocation, *, most: int = DEFAULT_CONNECTIONS) -> None:
        if isinstance(most, bool) or not isinstance(most, int) or most < 1:
            raise InvalidInput(Text("must be a whole number, 1 or more"), field="connections")
        self.location = location
        self.source = location.url()
        self._most = 1 if location.in_memory else most
        self._idle: list[sqlite3.Connection] = []
        self._opened = 0
        self._holders: set[int] = set()
        self._closed = False
        self._changed = threading.Condition()
        self._idle.append(self._open())
        self._opened = 1

    def first(self) -> Lent:
        """The connection opened first, for the migrations run on open."""
        return Lent(self._idle[0], self.location)

    def lend(self) -> Lent:
        """A connection for the calling thread's unit of work; :class:`Conflict` when the
        thread already has one open, or none comes free within the store's timeout."""
        thread = threading.get_ident()
        with self._changed:
            if thread in self._holders:
                raise Conflict(
                    Text(
                        "{store}: a unit of work is already open on this store in this thread; "
                        "finish it before opening another",
                        store=self.source,
                    )
                )
            self._wait_for(lambda: self._closed or self._idle or self._opened < self._most)
            if self._closed:
                raise Forbidden(Text("{store}: the store is closed", store=self.source))
            if self._idle:
                connection = self._idle.pop()
            else:
                self._opened += 1
                connection = self._open_or_count_back()
            self._holders.add(thread)
        return Lent(connection, self.location)

    def give_back(self, lent: Lent) -> None:
        with self._changed:
            self._holders.discard(threading.get_ident())
            self._idle.append(lent.connection)
            self._changed.notify_all()

    def close(self) -> None:
        """Close every connection, once the units of work in progress have finished."""
        with self._changed:
            if self._closed:
                return
            self._wait_for(lambda: len(self._idle) == self._opened)
            self._closed = True
            idle, self._idle = self._idle, []
            self._changed.notify_all()
        for connection in idle:
            with Lent(connection, self.location).translated():
                connection.close()

    def _wait_for(self, ready: Callable[[], object]) -> None:
        if not self._changed.wait_for(ready, timeout=self.location.timeout):
            raise Conflict(
                Text(
                    "{store}: other threads kept this store busy for more than {seconds:g} s; "
                    "try again",
                    store=self.source,
                    seconds=self.location.timeout,
                )
            )

    def _open_or_count_back(self) -> sqlite3.Connection:
        try:
            return self._open()
        except BaseException:
            self._opened -= 1
            raise

    def _open(self) -> sqlite3.Connection:
        try:
            return _connect(self.location)
        except sqlite3.Error as error:
            raise translation(error, self.location) from error


def translation(error: sqlite3.Error, location: SqliteLocation) -> CareDomainError:
    """The caredomain error for a sqlite3 one: locks and uniqueness are ``Conflict``."""
    source = location.url()
    code = getattr(error, "sqlite_errorcode", -1) & 0xFF
    if is_busy(error):
        return Conflict(
            Text(
                "{store}: another writer held the database for more than {seconds:g} s; try again",
                store=source,
                seconds=location.timeout,
            )
        )
    if isinstance(error, sqlite3.IntegrityError):
        return ConstraintViolated(Text("{store}: {error}", store=source, error=str(error)))
    if code in _UNREADABLE_CODES:
        return InvalidInput(
            Text("cannot open as a SQLite database"), source=source, text=str(error)
        )
    return CareDomainError(Text("{store}: {error}", store=source, error=str(error)))


def is_busy(error: sqlite3.Error) -> bool:
    return (getattr(error, "sqlite_errorcode", -1) & 0xFF) in _BUSY_CODES


def _connect(location: SqliteLocation) -> sqlite3.Connection:
    connection = sqlite3.connect(
        location.path,
        timeout=location.timeout,
        isolation_level=None,
        check_same_thread=False,
    )
    try:
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute(f"PRAGMA cache_size = -{location.cache_mib * 1024}")
        connection.execute(f"PRAGMA synchronous = {location.synchronous.upper()}")
        if not location.in_memory:
            _switch_to_wal(connection, location.timeout)
    except BaseException:
        connection.close()
        raise
    return connection


def _switch_to_wal(connection: sqlite3.Connection, timeout: float) -> None:
    """SQLite reports "locked" at once, without its busy handler, when processes switch a
    new file to WAL together: wait here instead, as a writer would."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if not is_busy(error) or time.monotonic() >= deadline:
                raise
            time.sleep(0.005)
