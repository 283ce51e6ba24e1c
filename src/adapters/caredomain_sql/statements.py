"""What a repository runs its SQL through (the unit of work it belongs to), and the few
places where SQLite and PostgreSQL write the same thing differently."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any, Protocol

from attrs import frozen

from caredomain.errors import Conflict

__all__ = ["SQLITE", "ConstraintViolated", "Dialect", "Params", "Statements"]

Params = tuple[Any, ...]


class ConstraintViolated(Conflict):
    """A write the database refused by one of its constraints (a unique key, a check, a
    trigger): the store's own guarantee, rather than a lock that could not be taken."""


@frozen
class Dialect:
    """How one database writes what the shared queries need.

    ``skip_locked`` ends a ``SELECT`` that chooses rows to claim: PostgreSQL locks them and
    passes over those another transaction holds; SQLite has one writer at a time and needs
    nothing. ``json_values`` and ``json_texts`` are table expressions named ``w`` with a
    column ``value``, over the elements of a JSON array given as the one parameter: as JSON values,
    and as texts.
    """

    name: str
    skip_locked: str
    json_values: str
    json_texts: str


SQLITE = Dialect(
    "sqlite",
    skip_locked="",
    json_values="json_each(?) AS w",
    json_texts="json_each(?) AS w",
)


class Statements(Protocol):
    """The unit of work a repository belongs to."""

    @property
    def dialect(self) -> Dialect: ...

    def query(self, sql: str, params: Params = ()) -> list[Any]:
        """Rows of a read, inside the unit's transaction."""
        ...

    def change(self, sql: str, params: Params = ()) -> int:
        """Run a write; the number of rows it changed. A failing write leaves the unit
        usable."""
        ...

    def change_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        """Run a write once per row of parameters, all of them or none."""
        ...

    def serialise(self, keys: Collection[str], *, shared: bool = False) -> None:
        """Hold ``keys`` until the unit ends, so that another write unit naming any of them
        waits for this one to finish and then reads what it committed (a write unit of the
        SQLite store already excludes every other writer: nothing to do there).

        ``shared`` holds them for reading only: other shared holders go on side by side,
        and only a unit holding a key exclusively waits for them (and they for it). A key
        held shared and then asked again exclusively is taken exclusively once the other
        shared holders are gone; a read-only unit, which changes nothing, holds nothing.
        Take every key of one step in one call: they are taken in sorted order, so that two
        units asking for the same keys cannot wait for each other."""
        ...
