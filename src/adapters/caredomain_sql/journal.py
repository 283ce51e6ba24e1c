"""The organisations and the event journal, in the tables ``organisations`` and ``events``
(documents are the JSON of :func:`caredomain.serialization.unstructure`)."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable
from datetime import UTC

from caredomain.errors import Conflict, InvalidInput, NotFound
from caredomain.events import Event
from caredomain.organisation import Organisation, OrganisationId
from caredomain.text import Text, counted
from caredomain_sql.documents import as_json, loaded
from caredomain_sql.statements import Statements

__all__ = ["SqlEventJournal", "SqlOrganisations"]

_ID_CHUNK = 500  # ids per "IN (…)" query, well under SQLite's limit on parameters


def _int64(number: int) -> int:
    """``number`` within SQLite's integer range, which the driver refuses to exceed."""
    return max(-(2**63), min(number, 2**63 - 1))


@functools.lru_cache(maxsize=64)
def _organisation(document: str, organisation_id: str) -> Organisation:
    """The organisation a stored text gives. Organisations are immutable values: the few
    texts read last are structured once, not at every use case that reads their base."""
    return loaded(document, Organisation, Text("organisation {id}", id=repr(organisation_id)))


class SqlOrganisations:
    """:class:`~caredomain.ports.OrganisationRepository` over the ``organisations`` table.

    Every use case reads its organisation, few rewrite it: a read takes no lock, and
    :meth:`replace` writes only over the document this unit read, else refuses with
    :class:`Conflict` (on PostgreSQL another instance may have replaced it meanwhile; on
    SQLite no other writer can have)."""

    def __init__(self, unit: Statements) -> None:
        self._unit = unit
        self._read: dict[str, str] = {}  # the document of each organisation this unit read

    def get(self, organisation_id: OrganisationId) -> Organisation:
        rows = self._unit.query(
            "SELECT document FROM organisations WHERE id = ?", (organisation_id,)
        )
        if not rows:
            raise NotFound(Text("no organisation {id}", id=repr(organisation_id)))
        self._read[organisation_id] = rows[0][0]
        return _organisation(rows[0][0], organisation_id)

    def add(self, organisation: Organisation) -> None:
        document = as_json(organisation)
        added = self._unit.change(
            "INSERT INTO organisations (id, document) VALUES (?, ?) ON CONFLICT (id) DO NOTHING",
            (organisation.id, document),
        )
        if not added:
            raise Conflict(Text("organisation {id} already exists", id=repr(organisation.id)))
        self._read[organisation.id] = document

    def replace(self, organisation: Organisation) -> None:
        document = as_json(organisation)
        read = self._read.get(organisation.id)
        if read is None:
            replaced = self._unit.change(
                "UPDATE organisations SET document = ? WHERE id = ?", (document, organisation.id)
            )
        else:
            replaced = self._unit.change(
                "UPDATE organisations SET document = ? WHERE id = ? AND document = ?",
                (document, organisation.id, read),
            )
        if not replaced:
            if read is not None and self._exists(organisation.id):
                raise Conflict(
                    Text(
                        "organisation {id} was changed by another unit of work since this "
                        "one read it; try again",
                        id=repr(organisation.id),
                    )
                )
            raise NotFound(Text("no organisation {id} to replace", id=repr(organisation.id)))
        self._read[organisation.id] = document

    def _exists(self, organisation_id: OrganisationId) -> bool:
        rows = self._unit.query("SELECT 1 FROM organisations WHERE id = ?", (organisation_id,))
        return bool(rows)

    def remove(self, organisation_id: OrganisationId) -> None:
        self._read.pop(organisation_id, None)
        if not self._unit.change("DELETE FROM organisations WHERE id = ?", (organisation_id,)):
            raise NotFound(Text("no organisation {id} to remove", id=repr(organisation_id)))

    def ids(self) -> list[OrganisationId]:
        rows = self._unit.query("SELECT id FROM organisations ORDER BY id")
        return [OrganisationId(row[0]) for row in rows]


class SqlEventJournal:
    """:class:`~caredomain.ports.EventJournal` over the ``events`` table; positions are
    increasing integers that are never reused."""

    def __init__(self, unit: Statements) -> None:
        self._unit = unit

    def append(self, event: Event) -> None:
        self.extend([event])

    def extend(self, events: Iterable[Event]) -> None:
        """Record ``events`` in order, all of them or none: :class:`Conflict` naming the ids
        given twice or already in the journal."""
        rows = [self._row(event) for event in events]
        # Positions in the order of commits: a reader that has seen position n never finds
        # a smaller one committed later (one writer at a time in SQLite; a lock elsewhere).
        self._unit.serialise(["events"])
        try:
            self._unit.change_many(
                "INSERT INTO events (event_id, kind, occurred_at, document) VALUES (?, ?, ?, ?)",
                rows,
            )
        except Conflict:
            ids = [row[0] for row in rows]
            repeated = sorted(event_id for event_id, n in Counter(ids).items() if n > 1)
            if repeated:
                twice = ", ".join(map(repr, repeated))
                raise Conflict(Text("events given twice: {ids}", ids=twice)) from None
            taken = self._recorded(ids)
            if taken:
                raise Conflict(
                    counted(
                        "event {ids} is already in the journal",
                        "events {ids} are already in the journal",
                        n=len(taken),
                        ids=", ".join(map(repr, taken)),
                    )
                ) from None
            raise

    def _recorded(self, ids: list[str]) -> list[str]:
        """Those of ``ids`` already in the journal."""
        found: list[str] = []
        for start in range(0, len(ids), _ID_CHUNK):
            chunk = ids[start : start + _ID_CHUNK]
            marks = ", ".join("?" * len(chunk))
            rows = self._unit.query(
                f"SELECT event_id FROM events WHERE event_id IN ({marks})", tuple(chunk)
            )
            found += [row[0] for row in rows]
        return sorted(found)

    @staticmethod
    def _row(event: Event) -> tuple[str, str, str, str]:
        return (
            event.event_id,
            event.kind,
            event.occurred_at.astimezone(UTC).isoformat(),
            as_json(event),
        )

    def since(self, position: int = 0, limit: int = 1000) -> list[tuple[int, Event]]:
        if limit < 0:
            raise InvalidInput(Text("must be zero or more"), field="limit", text=str(limit))
        rows = self._unit.query(
            "SELECT position, document FROM events WHERE position > ? ORDER BY position LIMIT ?",
            (_int64(position), _int64(limit)),
        )
        return [(row[0], self._event(row[0], row[1])) for row in rows]

    @staticmethod
    def _event(position: int, document: str) -> Event:
        return loaded(document, Event, Text("event at position {position}", position=position))
