"""What a store keeps of access rights inside one unit of work (``uow.access`` of an
:class:`AccessUnitOfWork`): configurations, users, the wrong-password counts, sessions,
break-glass interventions and the audit journal. A configuration's bases are organisations
(``uow.organisations``), whose ``configuration`` names it.

The audit journal is append-only: a store offers no way to change or remove an entry, and
refuses one whose number is taken (:class:`~caredomain.errors.Conflict`).
"""

from __future__ import annotations

from typing import Protocol, cast

from caredomain.access.audit import AuditEntry
from caredomain.access.breakglass import BreakGlass, BreakGlassId
from caredomain.access.configurations import Configuration, User, UserId
from caredomain.access.modes import Mode
from caredomain.access.sessions import Attempts, Session, SessionId
from caredomain.organisation import ConfigurationId
from caredomain.ports import Store, UnitOfWork, holding

__all__ = ["AccessRepository", "AccessUnitOfWork", "access_unit_of_work"]


class AccessRepository(Protocol):
    """Access rights of every configuration. Saves replace what has the same key."""

    def configuration(self, configuration_id: ConfigurationId) -> Configuration:
        """The configuration, or :class:`~caredomain.errors.NotFound`."""
        ...

    def configurations(self) -> list[Configuration]:
        """Every configuration, by id."""
        ...

    def save_configuration(self, configuration: Configuration) -> None: ...

    def users(self, configuration_id: ConfigurationId) -> list[User]:
        """The configuration's users, by id."""
        ...

    def user(self, configuration_id: ConfigurationId, user_id: UserId) -> User:
        """The user, or :class:`~caredomain.errors.NotFound`."""
        ...

    def save_user(self, user: User) -> None: ...

    def attempts(self, configuration_id: ConfigurationId, mode: Mode) -> Attempts:
        """The wrong-password count of the mode (none yet: ``Attempts()``)."""
        ...

    def save_attempts(
        self, configuration_id: ConfigurationId, mode: Mode, attempts: Attempts
    ) -> None: ...

    def session(self, configuration_id: ConfigurationId, session_id: SessionId) -> Session:
        """The session, or :class:`~caredomain.errors.NotFound`."""
        ...

    def save_session(self, session: Session) -> None: ...

    def breakglass(self, configuration_id: ConfigurationId, record_id: BreakGlassId) -> BreakGlass:
        """The break-glass intervention, or :class:`~caredomain.errors.NotFound`."""
        ...

    def breakglasses(self, configuration_id: ConfigurationId) -> list[BreakGlass]:
        """The configuration's break-glass interventions, by id."""
        ...

    def save_breakglass(self, record: BreakGlass) -> None: ...

    def audit(self, configuration_id: ConfigurationId) -> list[AuditEntry]:
        """The configuration's audit journal, in the order it was written."""
        ...

    def last_audit(self, configuration_id: ConfigurationId) -> AuditEntry | None:
        """The journal's last entry, ``None`` while it is empty."""
        ...

    def append_audit(self, entry: AuditEntry) -> None:
        """Add ``entry`` at the end; :class:`~caredomain.errors.Conflict` if its number is
        taken (another writer came first)."""
        ...


class AccessUnitOfWork(UnitOfWork, Protocol):
    """A unit of work of a store that keeps access rights."""

    @property
    def access(self) -> AccessRepository: ...


def access_unit_of_work(store: Store, *, write: bool = True) -> AccessUnitOfWork:
    """A new unit of work of ``store``, which must keep access rights
    (:func:`caredomain.ports.holding`)."""
    return cast(AccessUnitOfWork, holding(store, "access", write=write))
