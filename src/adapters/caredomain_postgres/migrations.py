"""Applying :data:`~caredomain_postgres.schema.MIGRATIONS` on open.

Every pending migration runs in one transaction that first takes a transaction-level
advisory lock keyed on the schema (``pg_advisory_xact_lock``): two instances opening the
store at once do not both migrate it; the second waits, then finds the work done. The
schema is created if it does not exist. A database whose schema is newer than this code is
refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg

from caredomain_postgres.schema import MIGRATIONS
from caredomain_sql.migration import Migration, checked_version

__all__ = ["migrate", "recorded_version"]

_VERSION_TABLE = """
    CREATE TABLE IF NOT EXISTS schema_version (
        version integer PRIMARY KEY,
        description text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
    )
"""


def recorded_version(connection: psycopg.Connection[Any], schema: str) -> int:
    """The schema version the database records: 0 for a new schema."""
    row = connection.execute(
        "SELECT to_regclass(%s) IS NOT NULL", (f"{schema}.schema_version",)
    ).fetchone()
    if not row or not row[0]:
        return 0
    found = connection.execute(f"SELECT coalesce(max(version), 0) FROM {schema}.schema_version")
    (version,) = found.fetchone() or (0,)
    return int(version)


def _applied(connection: psycopg.Connection[Any], schema: str) -> set[int]:
    if recorded_version(connection, schema) == 0:
        return set()
    rows = connection.execute(f"SELECT version FROM {schema}.schema_version").fetchall()
    return {row[0] for row in rows}


def migrate(
    connection: psycopg.Connection[Any],
    *,
    schema: str,
    source: str,
    migrations: Sequence[Migration] = MIGRATIONS,
) -> int:
    """Apply the pending ``migrations`` to ``schema``; return the version it now has.

    ``connection`` is in autocommit mode; psycopg errors are left to the caller.
    """
    latest = migrations[-1].version
    if _applied(connection, schema) >= {migration.version for migration in migrations}:
        checked_version(recorded_version(connection, schema), latest, source)
        return latest
    with connection.transaction():
        connection.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
            (f"caredomain migrations {schema}",),
        )
        connection.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        connection.execute(f"SET LOCAL search_path TO {schema}")
        connection.execute(_VERSION_TABLE)
        checked_version(recorded_version(connection, schema), latest, source)
        applied = _applied(connection, schema)
        for migration in migrations:
            if migration.version not in applied:
                connection.execute(migration.sql)
                connection.execute(
                    "INSERT INTO schema_version (version, description) VALUES (%s, %s)",
                    (migration.version, migration.description),
                )
    return latest
