"""The SQLite store's schema: the shared migrations (:mod:`caredomain_sql.schema`), applied on
open. Each is applied once, in order, and recorded in ``schema_version``.
Opening runs every pending migration inside one ``BEGIN IMMEDIATE`` transaction, so two
processes opening a new file at once do not both migrate it: the second waits, then finds
the work done. A file whose schema is newer than this code is refused.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence

from caredomain_sql.migration import Migration, checked_version
from caredomain_sql.schema import LATEST_VERSION, MIGRATIONS

__all__ = ["LATEST_VERSION", "MIGRATIONS", "Migration", "migrate", "recorded_version"]


_VERSION_TABLE = """
    CREATE TABLE IF NOT EXISTS schema_version (
        version INTEGER PRIMARY KEY,
        description TEXT NOT NULL,
        applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    )
"""


def recorded_version(connection: sqlite3.Connection) -> int:
    """The schema version the database records: 0 for a new file."""
    has_table = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    ).fetchone()
    if not has_table:
        return 0
    (version,) = connection.execute(
        "SELECT coalesce(max(version), 0) FROM schema_version"
    ).fetchone()
    return int(version)


def _applied(connection: sqlite3.Connection) -> set[int]:
    if recorded_version(connection) == 0:
        return set()
    return {row[0] for row in connection.execute("SELECT version FROM schema_version")}


def migrate(
    connection: sqlite3.Connection,
    *,
    source: str,
    migrations: Sequence[Migration] = MIGRATIONS,
) -> int:
    """Apply the pending ``migrations``; return the schema version the database now has.

    ``connection`` must be in autocommit mode (``isolation_level=None``). Raw sqlite3
    errors are left to the caller to translate.
    """
    latest = migrations[-1].version
    if _applied(connection) >= {migration.version for migration in migrations}:
        checked_version(recorded_version(connection), latest, source)
        return latest
    connection.execute("BEGIN IMMEDIATE")
    try:
        connection.execute(_VERSION_TABLE)
        checked_version(recorded_version(connection), latest, source)
        applied = _applied(connection)
        # Every migration not yet recorded, in order: one that reached a database after a
        # later one (during development) is applied too, not skipped.
        for migration in migrations:
            if migration.version not in applied:
                _apply(connection, migration)
        connection.execute("COMMIT")
    finally:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
    return latest


def _apply(connection: sqlite3.Connection, migration: Migration) -> None:
    for statement in statements(migration.sql):
        connection.execute(statement)
    connection.execute(
        "INSERT INTO schema_version (version, description) VALUES (?, ?)",
        (migration.version, migration.description),
    )


def statements(script: str) -> Iterator[str]:
    """The statements of ``script`` one by one (``execute`` takes one at a time, and
    ``executescript`` would commit the open transaction first)."""
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \t\r\n;"):
                yield pending.strip()
            pending = ""
    if pending.strip(" \t\r\n;"):
        yield pending.strip()  # incomplete: let SQLite report the syntax error
