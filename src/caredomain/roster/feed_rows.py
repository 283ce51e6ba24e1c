"""The codes step of applying a GTT batch, row by row: :class:`RowWork` holds the step in
progress (counts, resolutions, what changed so far) and applies an agent's rows one by one
through the rules of :mod:`~caredomain.roster.feed_rules`; :class:`CodeChanges` is what the
step gives :func:`~caredomain.roster.feed.settle_absences`.

The one-step comparison of an agent's whole run, and recognised runs, build on it in
:mod:`~caredomain.roster.feed_runs`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from attrs import frozen

from caredomain.roster.batch import FeedBatch, FeedRejection
from caredomain.roster.days import NEVER, AgentDays, micros
from caredomain.roster.feed_rules import (
    RowVerdict,
    gtt_merges_or_overwrites_local_edit,
    late_rows_never_regress,
    never_guessed,
)
from caredomain.roster.model import AgentId
from caredomain.roster.report import EditResolution
from caredomain.roster.state import Roster
from caredomain.text import Text

__all__ = ["CodeChanges", "Flip", "RowWork"]


Flip = tuple[AgentId, int, str | None, str | None]
"""An agent-day whose absence status changes: agent, day (ordinal), code before, after."""


@frozen
class CodeChanges:
    """The first step of applying a batch: what it does to the codes and local edits, and
    the agent-days whose absence status it flips (``flips``, for agents who hold posts), for
    :func:`~caredomain.roster.feed.settle_absences` to take the agents off their posts that
    day or put them back."""

    batch: FeedBatch
    read: int
    applied: int
    unchanged: int
    stale: int
    rejected: tuple[FeedRejection, ...]
    merged: tuple[EditResolution, ...]
    overwritten: tuple[EditResolution, ...]
    records: tuple[AgentDays, ...]
    confirmed: tuple[AgentId, ...]
    cleared: tuple[tuple[AgentId, date], ...]
    flips: tuple[Flip, ...]
    refused: bool
    absences: frozenset[str] = frozenset()

    def flipped_days(self) -> set[tuple[AgentId, date]]:
        """The agent-days whose posts :func:`~caredomain.roster.feed.settle_absences` needs:
        each flipped day, and the days around a withdrawn absence (to check that the way back
        to a post is clear)."""
        wanted: set[tuple[AgentId, date]] = set()
        for agent, ordinal, before, _ in self.flips:
            around = (-1, 0, 1) if before in self.absences else (0,)
            wanted.update((agent, date.fromordinal(ordinal + shift)) for shift in around)
        return wanted


class RowWork:
    """The codes step in progress: counts, resolutions and what changed so far."""

    def __init__(self, roster: Roster, batch: FeedBatch) -> None:
        self.roster = roster
        self.batch = batch
        self.extracted_at = micros(batch.extracted_at)
        self.known_codes = frozenset(code.code for code in roster.catalogue)
        self.absences = roster.catalogue.absences
        self.held = roster.gtt_records()
        self.edited = roster.edited_agents()
        self.records: dict[AgentId, AgentDays] = {}
        self.confirmed: list[AgentId] = []
        self.cleared: list[tuple[AgentId, date]] = []
        self.flips: list[Flip] = []
        self.applied = self.unchanged = self.stale = 0
        self.rejected: list[FeedRejection] = list(batch.rejected)
        self.merged: list[EditResolution] = []
        self.overwritten: list[EditResolution] = []
        self._ordinals: dict[date, int] = {}
        self._previous_days: Sequence[date] = ()
        self._previous_run: tuple[int, bool] = (0, False)
        self._times: dict[int, tuple[int, ...]] = {}
        self._latest: dict[int, int] = {}  # id of a times tuple (records share them) -> max
        self.known = roster.known_agents()
        self.shape: Sequence[date] | None = None

    def ordinal(self, day: date) -> int:
        ordinal = self._ordinals.get(day)
        if ordinal is None:
            ordinal = self._ordinals[day] = day.toordinal()
        return ordinal

    def reject(self, line: int, agent: str, day: date, code: str, reason: str) -> None:
        self.rejected.append(FeedRejection(line, reason, f"{agent};{day.isoformat()};{code}"))

    def changes(self) -> CodeChanges:
        batch = self.batch
        read = len(batch) + len(batch.rejected) + batch.recognised_rows
        refused = batch.strict and bool(self.rejected)
        return CodeChanges(
            batch,
            read,
            self.applied,
            self.unchanged,
            self.stale,
            tuple(sorted(self.rejected, key=lambda rejection: rejection.line)),
            tuple(self.merged),
            tuple(self.overwritten),
            () if refused else tuple(self.records.values()),
            () if refused else tuple(self.confirmed),
            () if refused else tuple(self.cleared),
            () if refused else tuple(self.flips),
            refused,
            self.absences,
        )

    # -- one agent's rows -------------------------------------------------------------

    def agent_rows(
        self, agent: AgentId, days: Sequence[date], codes: Sequence[str], lines: Sequence[int]
    ) -> None:
        """Apply all the rows of one agent, row by row."""
        if agent not in self.known:
            reason = never_guessed(self.roster, agent, "")
            for day, code, line in zip(days, codes, lines, strict=True):
                self.reject(line, agent, day, code, reason or Text("unknown agent"))
            return
        self._row_by_row(agent, days, codes, lines)

    def _row_by_row(
        self, agent: AgentId, days: Sequence[date], codes: Sequence[str], lines: Sequence[int]
    ) -> None:
        record = self.roster.gtt_days(agent)
        edits = self.roster.edits_of(agent)
        updates: dict[int, str] = {}
        seen: dict[int, int] = {}
        ordinals: list[int] = []
        before: list[str | None] = []
        after: list[str] = []
        for day, code, line in zip(days, codes, lines, strict=True):
            reason = never_guessed(self.roster, agent, code)
            if reason is not None:
                self.reject(line, agent, day, code, reason)
                continue
            ordinal = self.ordinal(day)
            if ordinal in seen:
                self.reject(
                    line,
                    agent,
                    day,
                    code,
                    Text("agent-day already given on line {line}", line=seen[ordinal]),
                )
                continue
            seen[ordinal] = line
            held_code = record.code_at(ordinal) if record else None
            held_at = record.held_at(ordinal) if record else NEVER
            verdict = late_rows_never_regress(self.extracted_at, held_at, code, held_code)
            if verdict is RowVerdict.STALE:
                self.stale += 1
                continue
            if verdict is RowVerdict.SAME:
                self.unchanged += 1
                continue
            if code == held_code:
                self.unchanged += 1
            else:
                self.applied += 1
            updates[ordinal] = code
            held = held_code
            edit = edits.get(ordinal)
            if edit is not None:
                held = edit.code
                resolution = EditResolution(edit, code, line)
                if gtt_merges_or_overwrites_local_edit(edit, code):
                    self.merged.append(resolution)
                else:
                    self.overwritten.append(resolution)
                self.cleared.append((agent, day))
            ordinals.append(ordinal)
            before.append(held)
            after.append(code)
        if not updates:
            return
        self.records[agent] = _merged_record(agent, record, updates, self.extracted_at)
        if not self.roster.has_postings(agent):
            return
        absences = self.absences
        self.flips += [
            (agent, ordinal, held, code)
            for ordinal, held, code in zip(ordinals, before, after, strict=True)
            if (held in absences) != (code in absences)
        ]


def _merged_record(
    agent: AgentId, record: AgentDays | None, updates: dict[int, str], extracted_at: int
) -> AgentDays:
    """``record`` with ``updates`` (ordinal → code) stated at ``extracted_at``."""
    low, high = min(updates), max(updates)
    if record is not None:
        low, high = min(low, record.first), max(high, record.last)
    codes = [""] * (high - low + 1)
    times = [NEVER] * (high - low + 1)
    if record is not None:
        offset = record.first - low
        codes[offset : offset + record.length] = record.code_list()
        times[offset : offset + record.length] = record.held_times()
    for ordinal, code in updates.items():
        codes[ordinal - low] = code
        times[ordinal - low] = extracted_at
    return AgentDays(agent, low, " ".join(codes), tuple(times))
