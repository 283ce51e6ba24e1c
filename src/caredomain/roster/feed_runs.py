"""The codes step of applying a GTT batch, an agent's run at once: :class:`RunWork` extends
the row-by-row step (:mod:`~caredomain.roster.feed_rows`) with the one-step comparison — an
export sorted by agent and day, whose agent already holds the same days from an older batch
and has no pending local edit, is compared with what the roster holds in one step (one text
comparison per agent); everything else goes row by row through the same rules.

A reader may also give runs it recognised without parsing them
(:class:`~caredomain.roster.batch.RecognisedRun`): the lines that last stated an agent's whole
record, but for the rows it gives. Such a run is applied in one step, as the one-step
comparison applies an agent's rows; when the record has moved on since (a local edit, a
later batch, the agent gone), :class:`ReadInFull` asks for the file to be read again without
recognition, so that the outcome is always that of the rows themselves.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from itertools import compress
from operator import ne
from typing import cast

from caredomain.roster.batch import RecognisedRun
from caredomain.roster.days import NEVER, AgentDays
from caredomain.roster.feed_rows import RowWork
from caredomain.roster.model import AgentId

__all__ = ["ReadInFull", "RunWork"]


class ReadInFull(Exception):
    """A batch's recognised runs cannot stand for their rows — the agent's record has moved
    on since those lines stated it, or her rows are elsewhere in the batch too: the source
    is to be read again, every row parsed."""

    def __init__(self, run: RecognisedRun, why: str) -> None:
        super().__init__(f"{run.agent} (line {run.line}): {why}")
        self.run = run


class RunWork(RowWork):
    """The codes step in progress, applying each agent's run in one step where it can."""

    def same_days(self, runs: list[tuple[str, int, int]]) -> None:
        """Every agent over the same consecutive days (the usual export): the agents whose
        record holds exactly those days, older, with no local edit, are compared in one step
        each, in this one loop; the others go through :meth:`agent_run`."""
        shape = self.shape
        assert shape is not None
        first, consecutive = self._run(shape)
        agent_runs = cast(list[tuple[AgentId, int, int]], runs)
        if not consecutive:
            for agent, start, end in agent_runs:
                self.agent_run(agent, start, end)
            return
        count = len(shape)
        column = self.batch.codes
        # Each agent's codes as one text, joined in C: the one-step comparison is then one
        # text comparison with the record's.
        _, starts, ends = zip(*runs, strict=True)
        texts = map(" ".join, map(column.__getitem__, map(slice, starts, ends)))
        held = self.held
        digests = self.batch.run_digests
        same = 0
        for (agent, start, end), text in zip(agent_runs, texts, strict=True):
            record = held.get(agent)
            if record is None or not self._one_step_fits(agent, record, first, count):
                self.agent_run(agent, start, end)
            elif record.codes != text:
                digest = digests.get(start, b"")
                if not self._replaced(agent, record, text, column[start:end], digest):
                    self.agent_run(agent, start, end)
            elif _has_gaps(text):  # a day without a code: its row is to be rejected
                self.agent_run(agent, start, end)
            else:
                self._confirm(agent, record, digests.get(start, b""))
                same += 1
        self.unchanged += count * same

    def recognised(self, runs: Sequence[RecognisedRun], parsed: Counter[str]) -> None:
        """Apply each recognised run in one step: her rows are her record's days and codes,
        but for the rows the run gives (``parsed``). Valid only where the one-step
        comparison would apply those rows; otherwise :class:`ReadInFull`."""
        seen: set[str] = set()
        for run in runs:
            agent = AgentId(run.agent)
            if agent in parsed or agent in seen:
                raise ReadInFull(run, "her rows are elsewhere in the batch too")
            seen.add(agent)
            record = self._recognisable(agent, run)
            if not run.parsed:
                self.confirmed.append(agent)
                self.unchanged += run.count
                continue
            codes = record.code_list()
            for offset, day, code in run.parsed:
                if day.toordinal() != record.first + offset:
                    raise ReadInFull(run, f"line {run.line + offset} is not her day {offset + 1}")
                codes[offset] = code
            text = " ".join(codes)
            if text == record.codes:
                self.unchanged += run.count
                self._confirm(agent, record, run.digest)
            elif not self._replaced(agent, record, text, codes, run.digest):
                raise ReadInFull(run, "an unknown code")

    def _recognisable(self, agent: AgentId, run: RecognisedRun) -> AgentDays:
        """The record ``run`` was recognised against, if the one-step comparison applies to
        it as it does to an agent whose rows were all parsed; otherwise :class:`ReadInFull`."""
        record = self.held.get(agent)
        if (
            record is None
            or record.digest != run.held_digest
            or not self._one_step_fits(agent, record, record.first, run.count)
        ):
            raise ReadInFull(
                run, "her record has moved on: a local edit, a later batch, or the agent gone"
            )
        return record

    def _one_step_fits(self, agent: AgentId, record: AgentDays, first: int, count: int) -> bool:
        """Whether ``count`` rows of ``agent`` from day ``first`` can be applied in one
        step: she is known, has no pending local edit, and her record holds exactly those
        days, every one stated before this batch — so that each row is NEWER."""
        return (
            agent in self.known
            and agent not in self.edited
            and record.first == first
            and len(record.times) == count
            and max(record.confirmed, _latest(self._latest, record.times)) < self.extracted_at
        )

    def agent_run(self, agent: AgentId, start: int, end: int) -> None:
        """Apply the rows ``start`` to ``end`` of the batch: all the rows of one agent."""
        batch = self.batch
        codes = batch.codes[start:end]
        days = self.shape if self.shape is not None else batch.days[start:end]
        digest = batch.run_digests.get(start, b"")
        if agent in self.known and self._in_one_step(agent, days, codes, digest):
            return
        self.agent_rows(agent, batch.days[start:end], codes, batch.lines[start:end])

    def _run(self, days: Sequence[date]) -> tuple[int, bool]:
        """The first day (ordinal) of ``days`` and whether they are consecutive and ascending;
        exports give every agent the same days, so the answer is usually the previous one."""
        if days == self._previous_days:
            return self._previous_run
        ordinals = [self.ordinal(day) for day in days]
        first = ordinals[0]
        run = (first, ordinals == list(range(first, first + len(ordinals))))
        self._previous_days, self._previous_run = days, run
        return run

    def _in_one_step(
        self, agent: AgentId, days: Sequence[date], codes: Sequence[str], digest: bytes
    ) -> bool:
        """The rules applied to a whole agent at once, when her rows are her consecutive days,
        all newer than what the roster holds, with no local edit pending: every row is then
        NEWER, so the outcome is what the row-by-row rules give. ``False`` when not so.
        ``digest`` is that of her lines, if the reader gave one: her record keeps it."""
        first, consecutive = self._run(days)
        if not consecutive or agent in self.edited:
            return False
        record = self.held.get(agent)
        if record is None:
            return self._first_codes(agent, first, codes, digest)
        if not self._one_step_fits(agent, record, first, len(codes)) or _has_gaps(record.codes):
            return False
        return self._newer_codes(agent, record, codes, digest)

    def _now(self, count: int) -> tuple[int, ...]:
        """The times of ``count`` days all stated by this batch (one shared tuple)."""
        now = self._times.get(count)
        if now is None:
            now = self._times[count] = (self.extracted_at,) * count
        return now

    def _first_codes(self, agent: AgentId, first: int, codes: Sequence[str], digest: bytes) -> bool:
        """An agent the GTT never spoke of: every row is applied."""
        if not self.known_codes.issuperset(codes):
            return False
        count = len(codes)
        self.applied += count
        text = " ".join(codes)
        self.records[agent] = AgentDays(agent, first, text, self._now(count), NEVER, digest)
        if self.roster.has_postings(agent) and not self.absences.isdisjoint(codes):
            self._flips(agent, first, (None,) * count, codes, range(count))
        return True

    def _newer_codes(
        self, agent: AgentId, record: AgentDays, codes: Sequence[str], digest: bytes
    ) -> bool:
        """Rows newer than every day of the record they cover, exactly: the same codes only
        confirm it; other codes replace it."""
        text = " ".join(codes)
        if record.codes == text:
            self.unchanged += len(codes)
            self._confirm(agent, record, digest)
            return True
        return self._replaced(agent, record, text, codes, digest)

    def _confirm(self, agent: AgentId, record: AgentDays, digest: bytes) -> None:
        """Every day of the record stated again, unchanged. Lines other than those that
        stated it (another column changed, say) become its digest, so that the next export
        giving them again is recognised: the record is then rewritten rather than marked."""
        if digest and digest != record.digest:
            self.records[agent] = record._replace(confirmed=self.extracted_at, digest=digest)
        else:
            self.confirmed.append(agent)

    def _replaced(
        self, agent: AgentId, record: AgentDays, text: str, codes: Sequence[str], digest: bytes
    ) -> bool:
        """Rows newer than every day of the record, some with another code: they replace
        it (``text`` is ``codes`` joined). ``False`` if a new code is unknown: the rows then
        go one by one, to be rejected with their line."""
        held = record.code_list()
        count = len(codes)
        differ = list(compress(range(count), map(ne, held, codes)))
        if not self.known_codes.issuperset([codes[k] for k in differ]):
            return False
        self.applied += len(differ)
        self.unchanged += count - len(differ)
        self.records[agent] = AgentDays(agent, record.first, text, self._now(count), NEVER, digest)
        if self.roster.has_postings(agent):
            self._flips(agent, record.first, [h or None for h in held], codes, differ)
        return True

    def _flips(
        self,
        agent: AgentId,
        first: int,
        before: Sequence[str | None],
        after: Sequence[str],
        offsets: Iterable[int],
    ) -> None:
        """Note the days among ``offsets`` (from ``first``) on which the agent's absence
        status changes."""
        absences = self.absences
        for offset in offsets:
            if (before[offset] in absences) != (after[offset] in absences):
                self.flips.append((agent, first + offset, before[offset], after[offset]))


def _latest(known: dict[int, int], times: tuple[int, ...]) -> int:
    """The latest of ``times``, computed once per tuple: the records of agents stated by the
    same batches share one (see :meth:`caredomain.roster.days.AgentDays.decode_all`), and
    ``known`` outlives none of them."""
    latest = known.get(id(times))
    if latest is None:
        latest = known[id(times)] = max(times)
    return latest


def _has_gaps(codes: str) -> bool:
    """Whether a record's codes leave a day without a code."""
    return "  " in codes or codes.startswith(" ") or codes.endswith(" ") or not codes
