"""The PostgreSQL store's connections (a :mod:`psycopg_pool` pool, one connection lent to each
unit of work) and the translation of the driver's errors into caredomain's.

The connections run in autocommit mode: a unit of work says ``BEGIN`` and ``COMMIT``
itself, and wraps each write in a savepoint, so that a write the database refuses (a taken
id, a booked seat) leaves the unit usable, as it does in SQLite. Each connection sets its
``search_path`` to the store's schema, and its ``lock_timeout`` to the store's timeout: a
unit that waits longer for a lock another holds gets :class:`~caredomain.errors.Conflict`.

No psycopg exception leaves this package: a constraint becomes
:class:`~caredomain_sql.statements.ConstraintViolated`, a lock timeout, a deadlock or a
serialisation failure ``Conflict``, bad data ``InvalidInput``, anything else a
:class:`~caredomain.errors.CareDomainError` naming the store. The password is scrubbed from
every message.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg_pool import ConnectionPool, PoolTimeout

from caredomain.errors import CareDomainError, Conflict, InvalidInput
from caredomain.secret import scrub
from caredomain.text import Text
from caredomain_postgres.url import PostgresLocation
from caredomain_sql.statements import ConstraintViolated

__all__ = ["Connections", "driver_sql", "translated", "translation"]

_PLACEHOLDERS = re.compile(r"'(?:[^']|'')*'|\?|%")


@lru_cache(maxsize=1024)
def driver_sql(sql: str) -> str:
    """``sql`` written with ``?`` placeholders, as psycopg takes it: ``%s`` for each ``?``
    outside a quoted literal, and every ``%`` doubled."""

    def replaced(match: re.Match[str]) -> str:
        text = match.group(0)
        if text == "?":
            return "%s"
        if text == "%":
            return "%%"
        return text.replace("%", "%%")

    return _PLACEHOLDERS.sub(replaced, sql)


def translation(error: Exception, location: PostgresLocation) -> CareDomainError:
    """The caredomain error for a psycopg one."""
    source = location.url()
    # libpq adds a hint on a line of its own ("\tIs the server running…"): one line.
    message = " ".join(scrub(str(error), [location.password]).split())
    if isinstance(error, pg_errors.IntegrityError):
        return ConstraintViolated(Text("{store}: {error}", store=source, error=message))
    if isinstance(
        error,
        pg_errors.LockNotAvailable
        | pg_errors.DeadlockDetected
        | pg_errors.SerializationFailure
        | PoolTimeout,
    ):
        return Conflict(
            Text(
                "{store}: another unit of work held what this one needs for more than "
                "{seconds:g} s; try again",
                store=source,
                seconds=location.timeout,
            )
        )
    if isinstance(error, psycopg.DataError):
        return InvalidInput(Text("refused by the store: {error}", error=message), source=source)
    return CareDomainError(Text("{store}: {error}", store=source, error=message))


@contextmanager
def translated(location: PostgresLocation) -> Iterator[None]:
    """Turn psycopg exceptions into caredomain errors naming this store."""
    try:
        yield
    except (psycopg.Error, PoolTimeout) as error:
        raise translation(error, location) from None


class Connections:
    """The pool of one store object."""

    def __init__(self, location: PostgresLocation) -> None:
        self.location = location
        schema = location.schema
        lock_ms = max(1, round(location.timeout * 1000))

        def configure(connection: psycopg.Connection[Any]) -> None:
            connection.execute(f"SET search_path TO {schema}")
            connection.execute(f"SET lock_timeout = {lock_ms}")

        self._pool = ConnectionPool(
            location.libpq_url(),
            min_size=1,
            max_size=location.pool,
            kwargs={"autocommit": True},
            configure=configure,
            timeout=location.timeout,
            open=False,
            name=f"caredomain {location.url()}",
        )
        with translated(location):
            # One connection first, so that a server that refuses it (down, unknown role,
            # wrong password) is said at once, with libpq's reason: the pool would retry it
            # in the background and time out as if a lock were held.
            psycopg.connect(location.libpq_url(), autocommit=True).close()
            self._pool.open(wait=True, timeout=max(location.timeout, 10.0))

    def lend(self) -> psycopg.Connection[Any]:
        with translated(self.location):
            return self._pool.getconn()

    def give_back(self, connection: psycopg.Connection[Any]) -> None:
        self._pool.putconn(connection)

    def close(self) -> None:
        self._pool.close()

    def direct(self) -> psycopg.Connection[Any]:
        """A connection of its own, outside the pool (to wait for notifications)."""
        with translated(self.location):
            return psycopg.connect(self.location.libpq_url(), autocommit=True)
