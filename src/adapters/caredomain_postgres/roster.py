"""The roster on PostgreSQL: the shared repository (:class:`~caredomain_sql.roster.SqlRoster`),
with the GTT records of a batch written by ``COPY``.

A batch of a million agent-days rewrites tens of thousands of agents' records; one
``INSERT`` each would be a round trip each. They are copied into a staging table that
lives for the transaction (``ON COMMIT DROP``), then merged into ``roster_codes`` by one
``INSERT … SELECT … ON CONFLICT``: all of it inside the unit's transaction, so that a
process killed during the apply leaves the store as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from caredomain.roster.days import AgentDays
from caredomain_sql.roster import SqlRoster
from caredomain_sql.statements import Statements

__all__ = ["PostgresRoster"]

_COLUMNS = ("agent", "first", "codes", "times", "confirmed", "digest")


class Copying(Statements, Protocol):
    """A unit of work that can ``COPY`` rows
    (:class:`~caredomain_postgres.store.PostgresUnitOfWork`)."""

    def copy_rows(
        self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> None: ...


class PostgresRoster(SqlRoster):
    """:class:`~caredomain.roster.ports.RosterRepository` on PostgreSQL."""

    def __init__(self, unit: Copying) -> None:
        super().__init__(unit)
        self._copying = unit

    def save_agent_days(self, records: Iterable[AgentDays]) -> None:
        rows = (
            (r.agent, r.first, r.codes, r.encoded_times(), r.confirmed, r.digest) for r in records
        )
        self._unit.change(
            "CREATE TEMPORARY TABLE IF NOT EXISTS roster_codes_staged "
            "(LIKE roster_codes INCLUDING DEFAULTS) ON COMMIT DROP"
        )
        self._unit.change("TRUNCATE roster_codes_staged")
        self._copying.copy_rows("roster_codes_staged", _COLUMNS, rows)
        self._unit.change(
            f"INSERT INTO roster_codes ({', '.join(_COLUMNS)}) "
            f"SELECT {', '.join(_COLUMNS)} FROM roster_codes_staged "
            "ON CONFLICT (agent) DO UPDATE SET first = excluded.first, "
            "codes = excluded.codes, times = excluded.times, confirmed = excluded.confirmed, "
            "digest = excluded.digest"
        )
