"""The roster's tables behind :class:`~caredomain.roster.ports.RosterRepository`.

The GTT codes are one row per agent (``roster_codes``): her first day, her days' codes as one
space-separated text and the extraction times run-length encoded — so a batch of a million
agent-days reads and writes some twenty thousand small rows, each agent rewritten only when
what the GTT holds for her changed. Posts and their assignments are rows of their own;
the catalogue and the settings are JSON documents.

A write unit that reads any of it holds the whole roster until it ends
(:meth:`~caredomain_sql.statements.Statements.serialise`, ``"roster"``): a roster use case
loads the roster whole and writes back what it derives from it (a feed batch, a swap, a
catalogue), so one key is as fine as its use cases are.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from operator import itemgetter
from typing import Any, cast
from zoneinfo import ZoneInfo

from caredomain.errors import InvalidInput
from caredomain.roster.codes import CodeCatalogue
from caredomain.roster.days import AgentDays, LocalEdit, micros
from caredomain.roster.model import (
    DEFAULT_PLAUSIBLE_YEARS,
    Agent,
    AgentId,
    Planning,
    PlanningId,
    PlanningStatus,
    Post,
    PostId,
    RosterSettings,
)
from caredomain.roster.ports import AppliedBatch
from caredomain.roster.schedule import FeedSchedule
from caredomain.serialization import structure, unstructure
from caredomain.text import Text
from caredomain_sql.documents import plain_json
from caredomain_sql.statements import Statements

__all__ = ["SqlRoster"]

_CHUNK = 500  # ids per "IN (…)" query, well under SQLite's limit on parameters


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


class SqlRoster:
    """:class:`~caredomain.roster.ports.RosterRepository` over the ``roster_*`` tables."""

    def __init__(self, unit: Statements) -> None:
        self._unit = unit

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        """Rows of a read. In a write unit the roster is held first, until the unit ends:
        its use cases read it whole and write back what they derive, so that another
        write unit waits, then reads what this one committed."""
        self._unit.serialise(["roster"])
        return self._unit.query(sql, params)

    def _write_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self._unit.change_many(sql, rows)

    # -- documents --------------------------------------------------------------------

    def _document(self, key: str) -> Any | None:
        rows = self._query("SELECT document FROM roster_documents WHERE key = ?", (key,))
        return json.loads(rows[0][0]) if rows else None

    def _save_document(self, key: str, value: object) -> None:
        self._unit.change(
            "INSERT INTO roster_documents (key, document) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET document = excluded.document",
            (key, plain_json(value)),
        )

    def settings(self) -> RosterSettings | None:
        data = self._document("settings")
        if data is None:
            return None
        zone = structure(data["zone"], ZoneInfo, source="roster settings")
        schedule = data.get("feed_schedule")
        return RosterSettings(
            zone,
            timedelta(minutes=data["minimum_rest_minutes"]),
            FeedSchedule.parse(schedule, zone) if schedule else None,
            data.get("plausible_years", DEFAULT_PLAUSIBLE_YEARS),
            data.get("organisation"),
        )

    def save_settings(self, settings: RosterSettings) -> None:
        minutes = int(settings.minimum_rest / timedelta(minutes=1))
        schedule = settings.feed_schedule.spec if settings.feed_schedule else None
        self._save_document(
            "settings",
            {
                "zone": settings.zone.key,
                "minimum_rest_minutes": minutes,
                "feed_schedule": schedule,
                "plausible_years": settings.plausible_years,
                "organisation": settings.organisation,
            },
        )

    def catalogue(self) -> CodeCatalogue | None:
        data = self._document("catalogue")
        return None if data is None else structure(data, CodeCatalogue, source="catalogue")

    def save_catalogue(self, catalogue: CodeCatalogue) -> None:
        self._save_document("catalogue", unstructure(catalogue))

    # -- agents, plannings, posts -----------------------------------------------------

    def agents(self) -> list[Agent]:
        rows = self._query("SELECT id, name, skills FROM roster_agents ORDER BY id")
        return [Agent(AgentId(i), name, json.loads(skills)) for i, name, skills in rows]

    def agent_ids(self) -> set[AgentId]:
        return _ids(self._query("SELECT id FROM roster_agents"))

    def save_agents(self, agents: Iterable[Agent]) -> None:
        self._write_many(
            "INSERT INTO roster_agents (id, name, skills) VALUES (?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET name = excluded.name, skills = excluded.skills",
            ((a.id, a.name, plain_json(sorted(a.skills))) for a in agents),
        )

    def plannings(self) -> list[Planning]:
        rows = self._query("SELECT id, unit, label, status FROM roster_plannings ORDER BY id")
        return [
            Planning(PlanningId(i), unit, label, PlanningStatus(status))
            for i, unit, label, status in rows
        ]

    def save_plannings(self, plannings: Iterable[Planning]) -> None:
        self._write_many(
            "INSERT INTO roster_plannings (id, unit, label, status) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET unit = excluded.unit, label = excluded.label, "
            "status = excluded.status",
            ((p.id, p.unit, p.label, p.status.value) for p in plannings),
        )

    def posts(self, first: date | None = None, last: date | None = None) -> list[Post]:
        low = first.toordinal() if first else 0
        high = last.toordinal() if last else date.max.toordinal()
        return self._posts("p.day BETWEEN ? AND ?", (low, high))

    def holders(self, first: date, last: date) -> set[AgentId]:
        # A loose index scan: one seek per agent holding any post, then one to see whether
        # she holds one in the range, rather than reading every assignment of the range.
        rows = self._query(
            "WITH RECURSIVE holder (agent) AS ("
            " SELECT min(agent) FROM roster_assignments"
            " UNION ALL SELECT (SELECT min(agent) FROM roster_assignments a"
            " WHERE a.agent > holder.agent) FROM holder WHERE holder.agent IS NOT NULL) "
            "SELECT agent FROM holder WHERE agent IS NOT NULL AND EXISTS (SELECT 1 FROM "
            "roster_assignments a WHERE a.agent = holder.agent AND a.day BETWEEN ? AND ?)",
            (first.toordinal(), last.toordinal()),
        )
        return _ids(rows)

    def posts_held(self, agent_days: Iterable[tuple[AgentId, date]]) -> list[Post]:
        wanted = sorted({(agent, day.toordinal()) for agent, day in agent_days})
        if not wanted:
            return []
        rows = self._query(
            f"SELECT DISTINCT a.post FROM {self._unit.dialect.json_values} "
            "JOIN roster_assignments a "
            "ON a.agent = w.value ->> 0 AND a.day = CAST(w.value ->> 1 AS INTEGER)",
            (json.dumps(wanted),),
        )
        ids = sorted(row[0] for row in rows)
        posts: list[Post] = []
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            posts += self._posts(f"p.id IN ({','.join('?' * len(chunk))})", tuple(chunk))
        return posts

    def _posts(self, where: str, params: tuple[Any, ...]) -> list[Post]:
        rows = self._query(
            "SELECT p.id, p.planning, p.day, p.starts_at, p.ends_at, p.skills, p.required, "
            f"p.closed FROM roster_posts p WHERE {where} ORDER BY p.day, p.starts_at, p.id",
            params,
        )
        holders: dict[str, tuple[list[str], list[str]]] = {row[0]: ([], []) for row in rows}
        for post_id, agent, state in self._query(
            "SELECT a.post, a.agent, a.state FROM roster_assignments a "
            f"JOIN roster_posts p ON p.id = a.post WHERE {where}",
            params,
        ):
            holders[post_id][0 if state == "assigned" else 1].append(agent)
        return [
            Post(
                PostId(post_id),
                PlanningId(planning),
                date.fromordinal(day),
                datetime.fromisoformat(starts_at),
                datetime.fromisoformat(ends_at),
                json.loads(skills),
                required,
                [AgentId(a) for a in holders[post_id][0]],
                [AgentId(a) for a in holders[post_id][1]],
                bool(closed),
            )
            for post_id, planning, day, starts_at, ends_at, skills, required, closed in rows
        ]

    def save_posts(self, posts: Iterable[Post]) -> None:
        listed = list(posts)
        self._write_many(
            "INSERT INTO roster_posts "
            "(id, planning, day, starts_at, ends_at, skills, required, closed) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
            "planning = excluded.planning, day = excluded.day, starts_at = excluded.starts_at, "
            "ends_at = excluded.ends_at, skills = excluded.skills, "
            "required = excluded.required, closed = excluded.closed",
            (
                (
                    p.id,
                    p.planning,
                    p.day.toordinal(),
                    _utc_text(p.start),
                    _utc_text(p.end),
                    plain_json(sorted(p.skills)),
                    p.required,
                    p.closed,
                )
                for p in listed
            ),
        )
        self._write_many("DELETE FROM roster_assignments WHERE post = ?", ((p.id,) for p in listed))
        self._write_many(
            "INSERT INTO roster_assignments (post, agent, day, state) VALUES (?, ?, ?, ?)",
            [
                (p.id, agent, p.day.toordinal(), state)
                for p in listed
                for state, agents in (("assigned", p.assigned), ("stood_down", p.stood_down))
                for agent in agents
            ],
        )

    # -- GTT codes and local edits ----------------------------------------------------

    def agent_days(self, agents: Iterable[AgentId] | None = None) -> list[AgentDays]:
        select = "SELECT agent, first, codes, times, confirmed, digest FROM roster_codes"
        if agents is None:
            rows = self._query(select)
        else:
            wanted = sorted(set(agents))
            rows = []
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows += self._query(f"{select} WHERE agent IN ({marks})", tuple(chunk))
        return AgentDays.decode_all(rows)

    def save_agent_days(self, records: Iterable[AgentDays]) -> None:
        self._write_many(
            "INSERT INTO roster_codes (agent, first, codes, times, confirmed, digest) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (agent) DO UPDATE SET first = excluded.first, "
            "codes = excluded.codes, times = excluded.times, confirmed = excluded.confirmed, "
            "digest = excluded.digest",
            (
                (r.agent, r.first, r.codes, r.encoded_times(), r.confirmed, r.digest)
                for r in records
            ),
        )

    def record_digests(self) -> dict[bytes, AgentId]:
        rows = self._unit.query("SELECT digest, agent FROM roster_codes WHERE length(digest) > 0")
        return {bytes(digest): AgentId(agent) for digest, agent in rows}

    def confirm_agent_days(self, agents: Iterable[AgentId], extracted_at: datetime) -> None:
        # One statement for tens of thousands of agents: their ids as one JSON array.
        self._unit.change(
            "UPDATE roster_codes SET confirmed = ? "
            f"WHERE agent IN (SELECT w.value FROM {self._unit.dialect.json_texts})",
            (micros(extracted_at), json.dumps(list(agents))),
        )

    def local_edits(self) -> list[LocalEdit]:
        rows = self._query(
            "SELECT agent, day, code, edited_at, edited_by, previous FROM roster_local_edits "
            "ORDER BY day, agent"
        )
        return [
            LocalEdit(
                AgentId(agent),
                date.fromordinal(day),
                code,
                datetime.fromisoformat(edited_at),
                edited_by,
                previous,
            )
            for agent, day, code, edited_at, edited_by, previous in rows
        ]

    def save_local_edits(
        self, edits: Iterable[LocalEdit], cleared: Iterable[tuple[AgentId, date]] = ()
    ) -> None:
        self._write_many(
            "DELETE FROM roster_local_edits WHERE agent = ? AND day = ?",
            ((agent, day.toordinal()) for agent, day in cleared),
        )
        self._write_many(
            "INSERT INTO roster_local_edits "
            "(agent, day, code, edited_at, edited_by, previous) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (agent, day) DO UPDATE SET code = excluded.code, "
            "edited_at = excluded.edited_at, edited_by = excluded.edited_by, "
            "previous = excluded.previous",
            (
                (
                    e.agent,
                    e.day.toordinal(),
                    e.code,
                    _utc_text(e.edited_at),
                    e.edited_by,
                    e.previous,
                )
                for e in edits
            ),
        )

    # -- batches applied --------------------------------------------------------------

    def applied_batch(self, source: str, extracted_at: datetime, size: int) -> AppliedBatch | None:
        rows = self._query(
            "SELECT source, extracted_at, size, applied_at, summary FROM gtt_batches "
            "WHERE source = ? AND extracted_at = ? AND size = ?",
            (source, _utc_text(extracted_at), size),
        )
        return _batch(rows[0]) if rows else None

    def record_batch(self, batch: AppliedBatch) -> None:
        self._unit.change(
            "INSERT INTO gtt_batches (source, extracted_at, size, applied_at, summary) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                batch.source,
                _utc_text(batch.extracted_at),
                batch.size,
                _utc_text(batch.applied_at),
                batch.summary,
            ),
        )

    def applied_batches(self, limit: int = 20) -> list[AppliedBatch]:
        if limit < 0:
            raise InvalidInput(Text("must be zero or more"), field="limit", text=str(limit))
        rows = self._query(
            "SELECT source, extracted_at, size, applied_at, summary FROM gtt_batches "
            "ORDER BY applied_at DESC, extracted_at DESC LIMIT ?",
            (limit,),
        )
        return [_batch(row) for row in rows]

    def clear(self) -> None:
        """Forget the whole roster (the demo starts each run from its sample ward)."""
        for table in (
            "roster_assignments",
            "roster_posts",
            "roster_plannings",
            "roster_agents",
            "roster_codes",
            "roster_local_edits",
            "roster_documents",
            "gtt_batches",
        ):
            self._unit.change(f"DELETE FROM {table}")


def _ids(rows: list[Any]) -> set[AgentId]:
    """The agent ids of one-column rows (tens of thousands: no call per row)."""
    return set(cast(list[AgentId], list(map(itemgetter(0), rows))))


def _batch(row: Sequence[Any]) -> AppliedBatch:
    source, extracted_at, size, applied_at, summary = row
    return AppliedBatch(
        source,
        datetime.fromisoformat(extracted_at),
        size,
        datetime.fromisoformat(applied_at),
        summary,
    )
