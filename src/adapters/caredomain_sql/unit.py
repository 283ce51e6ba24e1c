"""What the SQL stores' units of work share: their repositories, and their life — entered
once, open until ``commit`` or ``rollback`` (leaving the ``with`` block rolls back what did
not commit), then refusing every use with :class:`~caredomain.errors.Forbidden`; a read-only
unit refuses every write the same way, before touching the database. Each store says how to
begin, commit and end a transaction on its connection (the ``C`` of a unit)."""

from __future__ import annotations

import functools
from enum import Enum
from types import TracebackType
from typing import Generic, Self, TypeVar

from caredomain.errors import Forbidden
from caredomain.ports import EventJournal, OrganisationRepository
from caredomain.text import Text
from caredomain_sql.access import SqlAccess
from caredomain_sql.interventions import SqlInterventions
from caredomain_sql.journal import SqlEventJournal, SqlOrganisations
from caredomain_sql.outbox import SqlNotifications
from caredomain_sql.pickup import SqlPickup
from caredomain_sql.roster import SqlRoster
from caredomain_sql.slots import SqlSlots
from caredomain_sql.statements import Statements

__all__ = ["ClosingStore", "UnitLife"]

C = TypeVar("C")


class _Stage(Enum):
    NEW = "new"
    OPEN = "open"
    FINISHED = "finished"


class UnitLife(Generic[C]):
    """A unit of work's repositories and life; subclasses give :meth:`_begin`,
    :meth:`_commit` and :meth:`_end`, and the :class:`~caredomain_sql.statements.Statements`
    the repositories run through."""

    organisations: OrganisationRepository
    events: EventJournal

    def __init__(self, *, write: bool, source: str) -> None:
        self._write = write
        self._source = source
        self._stage = _Stage.NEW
        self._held: C | None = None
        self.organisations = SqlOrganisations(self._statements)
        self.events = SqlEventJournal(self._statements)

    # Each module's repository is made when first asked for: a unit of work uses one.

    @functools.cached_property
    def roster(self) -> SqlRoster:
        return self._roster(self._statements)

    @functools.cached_property
    def notifications(self) -> SqlNotifications:
        return SqlNotifications(self._statements)

    @functools.cached_property
    def slots(self) -> SqlSlots:
        return SqlSlots(self._statements)

    @functools.cached_property
    def interventions(self) -> SqlInterventions:
        return SqlInterventions(self._statements)

    @functools.cached_property
    def pickup(self) -> SqlPickup:
        return SqlPickup(self._statements)

    @functools.cached_property
    def access(self) -> SqlAccess:
        return SqlAccess(self._statements)

    @property
    def _statements(self) -> Statements:
        return self  # type: ignore[return-value]  # the subclass's

    def _roster(self, statements: Statements) -> SqlRoster:
        return SqlRoster(statements)

    def _begin(self) -> C:
        """A connection with this unit's transaction begun."""
        raise NotImplementedError

    def _commit(self, held: C) -> None:
        raise NotImplementedError

    def _end(self, held: C) -> None:
        """Roll back whatever did not commit, and hand the connection back."""
        raise NotImplementedError

    @property
    def writable(self) -> bool:
        return self._write

    def __enter__(self) -> Self:
        if self._stage is not _Stage.NEW:
            raise Forbidden(Text("a unit of work is used once: open a new one"))
        self._held = self._begin()
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
        held = self._require_open()
        try:
            self._commit(held)
        finally:
            self._finish()

    def rollback(self) -> None:
        if self._stage is _Stage.OPEN:
            self._finish()

    def _require_writable(self) -> C:
        held = self._require_open()
        if not self._write:
            raise Forbidden(Text("this unit of work is read-only: open one with write=True"))
        return held

    def _require_open(self) -> C:
        if self._stage is _Stage.NEW:
            raise Forbidden(Text("enter the unit of work (with store.unit_of_work() as uow) first"))
        if self._stage is _Stage.FINISHED or self._held is None:
            raise Forbidden(Text("this unit of work has committed or rolled back: open a new one"))
        return self._held

    def _finish(self) -> None:
        self._stage = _Stage.FINISHED
        held, self._held = self._held, None
        if held is not None:
            self._end(held)

    def __repr__(self) -> str:
        mode = "write" if self._write else "read"
        return f"<{type(self).__name__} {mode} {self._stage.value} on {self._source}>"


class ClosingStore:
    """A store used in a ``with`` block is closed at its end."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
