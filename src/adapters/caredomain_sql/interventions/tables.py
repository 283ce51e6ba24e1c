"""What the parts of :class:`~caredomain_sql.interventions.repository.SqlInterventions`
share: the JSON documents records are kept as, instants as integer microseconds since the
epoch (in UTC), and the queries with their ``IN`` lists cut in chunks.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, TypeVar

from caredomain.organisation import OrganisationId
from caredomain_sql.documents import as_json, loaded, micros
from caredomain_sql.statements import Statements

__all__ = ["T", "Tables", "Where", "as_json", "hold", "loaded", "micros", "query"]

T = TypeVar("T")

_CHUNK = 500  # values per "IN (…)" list, well under SQLite's limit on parameters


class Where:
    """The conditions of a query, with their parameters; a collection becomes ``IN``
    lists of at most :data:`_CHUNK` values, one query each."""

    def __init__(self, organisation_id: OrganisationId) -> None:
        self.organisation_id = organisation_id
        self.clauses = ["organisation = ?"]
        self.params: list[Any] = [organisation_id]
        self.listed: tuple[str, list[str]] | None = None

    def equal(self, column: str, value: object | None) -> Where:
        if value is not None:
            self.clauses.append(f"{column} = ?")
            self.params.append(value)
        return self

    def compare(self, column: str, operator: str, value: object | None) -> Where:
        if value is not None:
            self.clauses.append(f"{column} {operator} ?")
            self.params.append(value)
        return self

    def among(self, column: str, values: Collection[str] | None) -> Where:
        """Only one ``among`` per query: the others are checked after reading."""
        if values is not None:
            self.listed = (column, sorted(set(values)))
        return self


def hold(unit: Statements, organisation_id: OrganisationId) -> None:
    """In a write unit, hold the agency until the unit ends, before reading anything of it:
    its use cases read records and write back what they derive (a visit's next step, an
    alarm's state, a thread, the platform's cursor), so that another one waits, then reads
    what this one committed."""
    unit.serialise([f"interventions {organisation_id}"])


def query(unit: Statements, where: Where, select: str, order: str) -> list[Any]:
    """Rows whose first column is the order key (the chunks of an IN list are merged); the
    agency held first (:func:`hold`)."""
    hold(unit, where.organisation_id)
    if where.listed is None:
        return unit.query(
            f"{select} WHERE {' AND '.join(where.clauses)} ORDER BY {order}", tuple(where.params)
        )
    column, values = where.listed
    if not values:
        return []
    rows: list[Any] = []
    for start in range(0, len(values), _CHUNK):
        chunk = values[start : start + _CHUNK]
        marks = ", ".join("?" * len(chunk))
        clauses = " AND ".join([*where.clauses, f"{column} IN ({marks})"])
        rows += unit.query(f"{select} WHERE {clauses} ORDER BY {order}", (*where.params, *chunk))
    return rows if len(values) <= _CHUNK else sorted(rows, key=lambda row: row[0])


class Tables:
    """The unit of work's statements, which every part of the repository goes through."""

    def __init__(self, unit: Statements) -> None:
        self._unit = unit
