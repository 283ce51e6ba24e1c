"""Work counted, not timed: the SQL statements a SQLite store's units of work run and the
rows they change. A count does not move with the machine's load, where a time does: a
figure that swings around its target is read beside the work behind it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from caredomain_sqlite import SqliteStore
from caredomain_sqlite.store import SqliteUnitOfWork

__all__ = ["CountingStore"]


class CountingStore(SqliteStore):
    """The SQLite store, counting in :attr:`statements` every statement its units run after
    their ``BEGIN`` (``COMMIT`` included; each row of an ``executemany`` is one), in
    :attr:`characters` the length of those statements with their values written in (what
    they carry to the file, documents included), and in :attr:`rows` the rows they insert,
    update or delete."""

    def __init__(self, path: Path, **options: Any) -> None:
        super().__init__(path, **options)
        self.statements = 0
        self.characters = 0
        self.rows = 0

    def unit_of_work(self, *, write: bool = True) -> SqliteUnitOfWork:
        unit = _CountingUnit(self._connections, write=write)
        unit.store = self
        return unit


class _CountingUnit(SqliteUnitOfWork):
    store: CountingStore

    def __enter__(self) -> _CountingUnit:
        entered = super().__enter__()
        assert self._held is not None
        self._changes = self._held.connection.total_changes
        self._held.connection.set_trace_callback(self._count)
        return entered

    def _count(self, statement: str) -> None:
        self.store.statements += 1
        self.store.characters += len(statement)

    def _finish(self) -> None:
        held = self._held
        if held is not None:
            self.store.rows += held.connection.total_changes - self._changes
            held.connection.set_trace_callback(None)
        super()._finish()
