"""The PostgreSQL store's schema: the shared migrations (:mod:`caredomain_sql.schema`, written
in SQLite's dialect), each translated by :func:`translated`, so that one list and one version
number describe both stores.

The translation, and why:

* every ``TEXT`` column is ``ordered_text``, a domain of ``text`` collated ``"C"``: ids sort
  by code point, as in SQLite and in Python, whatever the database's locale;
* every ``INTEGER`` is ``bigint`` (SQLite's integers are 64-bit); an
  ``INTEGER PRIMARY KEY AUTOINCREMENT`` is a ``bigint`` identity, never reused either;
* ``BLOB`` is ``bytea``; the flags SQLite keeps as 0 and 1 (:data:`FLAGS`) are ``boolean``;
* ``WITHOUT ROWID`` (an SQLite storage choice) is dropped;
* a trigger that refuses a change with ``RAISE(ABORT, …)`` becomes a PL/pgSQL function
  raising an integrity error (SQLSTATE 23000), and the append-only table refuses
  ``TRUNCATE`` as well.

Migration 1 also creates the domain, and a trigger that notifies
``"<schema>.caredomain_events"`` when events are inserted (delivered at commit: what
:meth:`~caredomain_postgres.store.PostgresStore.wait_for_events` waits for). A migration
this translation cannot read is refused when the test suite opens a store.
"""

from __future__ import annotations

import re

from caredomain_sql.migration import Migration
from caredomain_sql.schema import MIGRATIONS as SHARED

__all__ = ["FLAGS", "LATEST_VERSION", "MIGRATIONS", "translated"]

FLAGS = {
    "closed INTEGER NOT NULL CHECK (closed IN (0, 1))": "closed boolean NOT NULL",
    "open INTEGER NOT NULL": "open boolean NOT NULL",
}

_FIRST = """
CREATE DOMAIN ordered_text AS text COLLATE "C";
"""

_EVENTS_NOTIFY = """
CREATE FUNCTION events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(TG_TABLE_SCHEMA || '.caredomain_events', '');
    RETURN NULL;
END $$;
CREATE TRIGGER events_committed AFTER INSERT ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_notify();
"""

_REFUSING = re.compile(
    r"CREATE TRIGGER (\w+) BEFORE (UPDATE|DELETE) ON (\w+)\s+"
    r"BEGIN SELECT RAISE\(ABORT, '([^']*)'\); END;"
)

_REFUSAL = """CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{message}' USING ERRCODE = 'integrity_constraint_violation';
END $$;
CREATE TRIGGER {name} BEFORE {what} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}();"""

_TRUNCATE = """
CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION {function}();"""


def _refusal(match: re.Match[str]) -> str:
    name, what, table, message = match.groups()
    refusal = _REFUSAL.format(name=name, what=what, table=table, message=message)
    if what == "DELETE":
        refusal += _TRUNCATE.format(table=table, function=name)
    return refusal


def translated(sql: str) -> str:
    """A shared migration's SQL in PostgreSQL's dialect."""
    for flag, boolean in FLAGS.items():
        sql = sql.replace(flag, boolean)
    sql = _REFUSING.sub(_refusal, sql)
    sql = sql.replace(") WITHOUT ROWID;", ");")
    sql = sql.replace(
        "INTEGER PRIMARY KEY AUTOINCREMENT", "bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
    )
    sql = re.sub(r"\bBLOB NOT NULL DEFAULT x''", r"bytea NOT NULL DEFAULT '\\x'", sql)
    sql = re.sub(r"\bINTEGER\b", "bigint", sql)
    return re.sub(r"\bTEXT\b", "ordered_text", sql)


def _migration(shared: Migration) -> Migration:
    sql = translated(shared.sql)
    if shared.version == 1:
        sql = _FIRST + sql + _EVENTS_NOTIFY
    return Migration(shared.version, shared.description, sql)


MIGRATIONS: tuple[Migration, ...] = tuple(_migration(migration) for migration in SHARED)

LATEST_VERSION = MIGRATIONS[-1].version
