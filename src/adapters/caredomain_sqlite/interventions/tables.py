"""What the parts of :class:`~caredomain_sqlite.interventions.repository.SqliteInterventions`
share: the JSON documents records are kept as, instants as integer microseconds since the
epoch (in UTC), and the queries with their ``IN`` lists cut in chunks.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from caredomain.errors import InvalidInput
from caredomain.organisation import OrganisationId
from caredomain.serialization import structure, unstructure
from caredomain.text import Text
from caredomain_sqlite.connections import Statements

__all__ = ["T", "Tables", "Where", "as_json", "loaded", "micros", "query"]

T = TypeVar("T")

_CHUNK = 500  # values per "IN (…)" list, well under SQLite's limit on parameters
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


def as_json(value: object) -> str:
    return json.dumps(unstructure(value), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def loaded(document: str, cls: type[T], source: str) -> T:
    try:
        data = json.loads(document)
    except json.JSONDecodeError as error:
        raise InvalidInput(
            Text("stored document is not JSON: {error}", error=str(error)), source=source
        ) from None
    return structure(data, cls, source=source)


def micros(moment: datetime) -> int:
    return (moment.astimezone(UTC) - _EPOCH) // _MICRO


class Where:
    """The conditions of a query, with their parameters; a collection becomes ``IN``
    lists of at most :data:`_CHUNK` values, one query each."""

    def __init__(self, organisation_id: OrganisationId) -> None:
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


def query(unit: Statements, where: Where, select: str, order: str) -> list[Any]:
    """Rows whose first column is the order key (the chunks of an IN list are merged)."""
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
