"""Access rights in the store (:class:`~caredomain.access.ports.AccessRepository`):
configurations; users, wrong-password counts, sessions and break-glass interventions as JSON
documents of one configuration each (``access_records``, by kind); and the audit journal,
``access_audit``, which triggers keep append-only as the punch log is.

A write unit that reads anything of a configuration holds the configuration until it ends
(:meth:`~caredomain_sql.statements.Statements.serialise`): its use cases read it and write
back what they derive — a wrong-password count, a session, a break-glass step, the next
audit entry chained to the last — so that another one waits, then reads what this one
committed, and counts every wrong password."""

from __future__ import annotations

from typing import Any, TypeVar

from caredomain.access.audit import AuditEntry
from caredomain.access.breakglass import BreakGlass, BreakGlassId
from caredomain.access.configurations import Configuration, User, UserId
from caredomain.access.modes import Mode
from caredomain.access.sessions import Attempts, Session, SessionId
from caredomain.errors import Conflict, NotFound
from caredomain.organisation import ConfigurationId
from caredomain.text import Text
from caredomain_sql.documents import as_json, loaded
from caredomain_sql.statements import Statements

__all__ = ["SqlAccess"]

T = TypeVar("T")


class SqlAccess:
    """:class:`~caredomain.access.ports.AccessRepository` over the ``access_*`` tables."""

    def __init__(self, unit: Statements) -> None:
        self._unit = unit

    def _query(self, configuration_id: str, sql: str, params: tuple[object, ...]) -> list[Any]:
        """Rows of a read of one configuration, held first in a write unit."""
        self._unit.serialise([f"access {configuration_id}"])
        return self._unit.query(sql, params)

    # -- configurations -------------------------------------------------------------------

    def configuration(self, configuration_id: ConfigurationId) -> Configuration:
        rows = self._query(
            configuration_id,
            "SELECT document FROM access_configurations WHERE id = ?",
            (configuration_id,),
        )
        if not rows:
            raise NotFound(Text("no configuration {id}", id=configuration_id))
        return loaded(rows[0][0], Configuration, "access configuration")

    def configurations(self) -> list[Configuration]:
        rows = self._unit.query("SELECT document FROM access_configurations ORDER BY id")
        return [loaded(document, Configuration, "access configuration") for (document,) in rows]

    def save_configuration(self, configuration: Configuration) -> None:
        self._unit.change(
            "INSERT INTO access_configurations (id, document) VALUES (?, ?) "
            "ON CONFLICT (id) DO UPDATE SET document = excluded.document",
            (configuration.id, as_json(configuration)),
        )

    # -- one configuration's records ------------------------------------------------------

    def _records(self, configuration_id: str, kind: type[T], name: str) -> list[T]:
        rows = self._query(
            configuration_id,
            "SELECT document FROM access_records WHERE configuration = ? AND kind = ? ORDER BY id",
            (configuration_id, name),
        )
        return [loaded(document, kind, f"access {name}") for (document,) in rows]

    def _record(self, configuration_id: str, kind: type[T], name: str, key: str) -> T | None:
        rows = self._query(
            configuration_id,
            "SELECT document FROM access_records WHERE configuration = ? AND kind = ? AND id = ?",
            (configuration_id, name, key),
        )
        return loaded(rows[0][0], kind, f"access {name}") if rows else None

    def _save(self, configuration_id: str, name: str, key: str, value: object) -> None:
        self._unit.change(
            "INSERT INTO access_records (configuration, kind, id, document) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (configuration, kind, id) DO UPDATE SET document = excluded.document",
            (configuration_id, name, key, as_json(value)),
        )

    def users(self, configuration_id: ConfigurationId) -> list[User]:
        return self._records(configuration_id, User, "user")

    def user(self, configuration_id: ConfigurationId, user_id: UserId) -> User:
        found = self._record(configuration_id, User, "user", user_id)
        if found is None:
            raise NotFound(
                Text(
                    "no user {id} in configuration {configuration}",
                    id=user_id,
                    configuration=configuration_id,
                )
            )
        return found

    def save_user(self, user: User) -> None:
        self._save(user.configuration, "user", user.id, user)

    def attempts(self, configuration_id: ConfigurationId, mode: Mode) -> Attempts:
        return self._record(configuration_id, Attempts, "attempts", mode.value) or Attempts()

    def save_attempts(
        self, configuration_id: ConfigurationId, mode: Mode, attempts: Attempts
    ) -> None:
        self._save(configuration_id, "attempts", mode.value, attempts)

    def session(self, configuration_id: ConfigurationId, session_id: SessionId) -> Session:
        found = self._record(configuration_id, Session, "session", session_id)
        if found is None:
            raise NotFound(Text("no session {id}", id=session_id))
        return found

    def save_session(self, session: Session) -> None:
        self._save(session.configuration, "session", session.id, session)

    def breakglass(self, configuration_id: ConfigurationId, record_id: BreakGlassId) -> BreakGlass:
        found = self._record(configuration_id, BreakGlass, "breakglass", record_id)
        if found is None:
            raise NotFound(Text("no break-glass intervention {id}", id=record_id))
        return found

    def breakglasses(self, configuration_id: ConfigurationId) -> list[BreakGlass]:
        return self._records(configuration_id, BreakGlass, "breakglass")

    def save_breakglass(self, record: BreakGlass) -> None:
        self._save(record.configuration, "breakglass", record.id, record)

    # -- the audit journal ----------------------------------------------------------------

    def audit(self, configuration_id: ConfigurationId) -> list[AuditEntry]:
        rows = self._query(
            configuration_id,
            "SELECT document FROM access_audit WHERE configuration = ? ORDER BY sequence",
            (configuration_id,),
        )
        return [loaded(document, AuditEntry, "audit entry") for (document,) in rows]

    def last_audit(self, configuration_id: ConfigurationId) -> AuditEntry | None:
        rows = self._query(
            configuration_id,
            "SELECT document FROM access_audit WHERE configuration = ? "
            "ORDER BY sequence DESC LIMIT 1",
            (configuration_id,),
        )
        return loaded(rows[0][0], AuditEntry, "audit entry") if rows else None

    def append_audit(self, entry: AuditEntry) -> None:
        added = self._unit.change(
            "INSERT INTO access_audit (configuration, sequence, kind, hash, document) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (entry.configuration, entry.sequence, entry.kind.value, entry.hash, as_json(entry)),
        )
        if not added:
            raise Conflict(
                Text(
                    "audit entry {n} of configuration {configuration} is already written",
                    n=entry.sequence,
                    configuration=entry.configuration,
                )
            )
