"""Applying a GTT batch to the roster: a pure function of (roster, batch).

:func:`apply_feed` reads the roster and the batch and returns a :class:`FeedOutcome` — the
batch's :class:`FeedReport` and the :class:`~caredomain.roster.state.RosterChange` to apply —
without changing either. The seed's rules, each in one function below:

* :func:`late_rows_never_regress` — a row older than what the roster already holds from the
  GTT for that agent-day is ignored; between two batches extracted at the same instant that
  disagree, the greater code wins, so that the order of arrival never matters;
* :func:`gtt_merges_or_overwrites_local_edit` — a newer row equal to a pending local edit
  confirms it (the two merge); a row that differs overwrites it, and the report lists it;
* :func:`never_guessed` — an unknown code or agent is never guessed: the row is rejected with
  its reason;
* :func:`~caredomain.roster.absences.absence_unassigns` — an absence code on a day the
  agent is posted unassigns her; on a published planning the post is vacated and shows
  ``0/1`` (in its own module: a local edit brings absences too).

Applying the same batch twice gives the same state and an empty second report; applying
batches in any order gives the state of applying them in extraction-time order.

The application works agent by agent. An export sorted by agent and day, whose agent already
holds the same days from an older batch and has no pending local edit, is compared with what
the roster holds in one step (one text comparison per agent); everything else goes row by row
through the same rules.

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
from enum import Enum
from functools import partial
from itertools import compress, islice
from operator import itemgetter, ne
from typing import cast

from attrs import frozen

from caredomain.errors import excerpt
from caredomain.roster.absences import Postings, Reinstatement, Unassignment, absence_unassigns
from caredomain.roster.batch import FeedBatch, FeedRejection, RecognisedRun, RunColumn
from caredomain.roster.days import NEVER, AgentDays, LocalEdit, micros
from caredomain.roster.events import GttBatchApplied, LocalEditOverwritten
from caredomain.roster.model import AgentId
from caredomain.roster.report import EditResolution, FeedReport
from caredomain.roster.state import EventDraft, Roster, RosterChange
from caredomain.text import Text

__all__ = [
    "CodeChanges",
    "EditResolution",
    "FeedOutcome",
    "FeedReport",
    "ReadInFull",
    "Reinstatement",
    "RowVerdict",
    "Unassignment",
    "apply_codes",
    "apply_feed",
    "gtt_merges_or_overwrites_local_edit",
    "late_rows_never_regress",
    "never_guessed",
    "settle_absences",
]


# ---------------------------------------------------------------------------------------
# The outcome (the report is in caredomain.roster.report)
# ---------------------------------------------------------------------------------------


@frozen
class FeedOutcome:
    """The report of a batch and the change that applies it."""

    report: FeedReport
    change: RosterChange


# ---------------------------------------------------------------------------------------
# The rules
# ---------------------------------------------------------------------------------------


class RowVerdict(Enum):
    NEWER = "newer"  # the row is the GTT's latest word on the agent-day
    SAME = "same"  # the roster already holds this row (same extraction, same code)
    STALE = "stale"  # the roster holds a later word: the row is ignored


def late_rows_never_regress(
    extracted_at: int, held_at: int, code: str, held_code: str | None
) -> RowVerdict:
    """A row older than what the roster holds from the GTT for that agent-day is ignored.

    Times are the batches' extraction times (see :func:`~caredomain.roster.days.micros`).
    Two batches extracted at the same instant that disagree are ordered by code, the greater
    winning, so that any order of arrival ends in the same state.
    """
    if extracted_at > held_at:
        return RowVerdict.NEWER
    if extracted_at < held_at:
        return RowVerdict.STALE
    if code == held_code:
        return RowVerdict.SAME
    return RowVerdict.NEWER if held_code is None or code > held_code else RowVerdict.STALE


def gtt_merges_or_overwrites_local_edit(edit: LocalEdit, code: str) -> bool:
    """Whether a newer GTT row confirms a pending local edit (``True``: the same code, the two
    merge) or overwrites it (``False``: the edit is lost and reported). Either way the edit
    is no longer pending: the GTT's word is what the roster holds."""
    return edit.code == code


def never_guessed(roster: Roster, agent: str, code: str) -> str | None:
    """Why a row cannot be applied — an unknown agent or code, never guessed — or ``None``."""
    if not roster.knows(agent):
        return Text("unknown agent {agent}", agent=excerpt(agent))
    if code not in roster.catalogue:
        near = [
            known.code for known in roster.catalogue if known.code.casefold() == code.casefold()
        ]
        if near:
            return Text(
                "unknown code {code} (codes are case-sensitive: {near} exists)",
                code=excerpt(code),
                near=repr(near[0]),
            )
        return Text("unknown code {code}", code=excerpt(code))
    return None


# ---------------------------------------------------------------------------------------
# The application
# ---------------------------------------------------------------------------------------


class ReadInFull(Exception):
    """A batch's recognised runs cannot stand for their rows — the agent's record has moved
    on since those lines stated it, or her rows are elsewhere in the batch too: the source
    is to be read again, every row parsed."""

    def __init__(self, run: RecognisedRun, why: str) -> None:
        super().__init__(f"{run.agent} (line {run.line}): {why}")
        self.run = run


Flip = tuple[AgentId, int, str | None, str | None]
"""An agent-day whose absence status changes: agent, day (ordinal), code before, after."""


@frozen
class CodeChanges:
    """The first step of applying a batch: what it does to the codes and local edits, and
    the agent-days whose absence status it flips (``flips``, for agents who hold posts), for
    :func:`settle_absences` to take the agents off their posts that day or put them back."""

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
        """The agent-days whose posts :func:`settle_absences` needs: each flipped day, and
        the days around a withdrawn absence (to check that the way back to a post is clear)."""
        wanted: set[tuple[AgentId, date]] = set()
        for agent, ordinal, before, _ in self.flips:
            around = (-1, 0, 1) if before in self.absences else (0,)
            wanted.update((agent, date.fromordinal(ordinal + shift)) for shift in around)
        return wanted


def apply_feed(roster: Roster, batch: FeedBatch) -> FeedOutcome:
    """Apply ``batch`` to ``roster``: its report, and the change to apply. Changes neither.

    A strict batch (the default) with any bad row — unreadable, unknown agent or code,
    agent-day given twice — is refused as a whole: the report lists every bad row and the
    change is empty. A lenient one applies its good rows and reports the bad ones.

    The same as :func:`settle_absences` of :func:`apply_codes`: a store too large to load
    every post runs the two steps itself, loading in between only the posts of the
    agent-days flipped (:meth:`CodeChanges.flipped_days`).
    """
    return settle_absences(roster, apply_codes(roster, batch))


def apply_codes(roster: Roster, batch: FeedBatch) -> CodeChanges:
    """The codes step: every rule but :func:`~caredomain.roster.absences.absence_unassigns`.
    Needs of the roster its catalogue, known agents, GTT records, local edits and who holds
    posts (:meth:`~caredomain.roster.state.Roster.has_postings`) — not the posts."""
    work = _Work(roster, batch)
    days, codes, lines = batch.days, batch.codes, batch.lines
    runs = _runs(batch.agents)
    count = Counter(map(itemgetter(0), runs))
    if batch.recognised:
        work.recognised(batch.recognised, count)
    scattered: dict[str, list[int]] = (
        {agent: [] for agent, n in count.items() if n > 1} if len(count) < len(runs) else {}
    )
    work.shape = _rectangle(days, runs) if not scattered else None
    if work.shape is not None:
        work.same_days(runs)
    for agent, start, end in runs:
        if agent in scattered:  # her rows are not together: gather them first
            scattered[agent].extend(range(start, end))
        elif work.shape is None:
            work.agent_run(AgentId(agent), start, end)
    for agent, indexes in scattered.items():
        work.agent_rows(
            AgentId(agent),
            [days[i] for i in indexes],
            [codes[i] for i in indexes],
            [lines[i] for i in indexes],
        )
    return work.changes()


def settle_absences(roster: Roster, changes: CodeChanges) -> FeedOutcome:
    """The absences step: each flip through
    :func:`~caredomain.roster.absences.absence_unassigns`, then the report and the change."""
    batch = changes.batch
    if changes.refused:
        report = FeedReport(
            batch.source, batch.extracted_at, changes.read, rejected=changes.rejected, refused=True
        )
        return FeedOutcome(report, RosterChange())
    postings = Postings(roster)
    for agent, ordinal, before, after in changes.flips:
        absence_unassigns(postings, agent, ordinal, before, after)
    report = FeedReport(
        batch.source,
        batch.extracted_at,
        changes.read,
        changes.applied,
        changes.unchanged,
        changes.stale,
        changes.rejected,
        changes.merged,
        changes.overwritten,
        tuple(postings.unassigned),
        tuple(postings.vacated()),
        tuple(postings.reassigned),
    )
    drafts: list[EventDraft] = [
        partial(
            LocalEditOverwritten,
            agent_id=lost.edit.agent,
            day=lost.edit.day,
            local_code=lost.edit.code,
            gtt_code=lost.gtt_code,
            edited_by=lost.edit.edited_by,
            edited_at=lost.edit.edited_at,
            extracted_at=report.extracted_at,
        )
        for lost in report.overwritten
    ]
    drafts += postings.drafts()
    drafts.append(
        partial(
            GttBatchApplied,
            source=report.source,
            extracted_at=report.extracted_at,
            read=report.read,
            applied=report.applied,
            unchanged=report.unchanged,
            stale=report.stale,
            rejected=len(report.rejected),
            merged=len(report.merged),
            overwritten=len(report.overwritten),
            unassigned=len(report.unassigned),
            vacated=len(report.vacated),
        )
    )
    change = RosterChange(
        days=changes.records,
        confirmed=changes.confirmed,
        confirmed_at=batch.extracted_at if changes.confirmed else None,
        cleared_edits=changes.cleared,
        posts=postings.posts.values(),
        drafts=drafts,
    )
    return FeedOutcome(report, change)


def _runs(agents: Sequence[str]) -> list[tuple[str, int, int]]:
    """Each agent's run of consecutive rows (agent, start, end): exports list an agent's
    days together. Found by comparing neighbours, without hashing a million strings."""
    if isinstance(agents, RunColumn):
        return agents.runs()
    size = len(agents)
    if not size:
        return []
    starts = [0, *compress(range(1, size), map(ne, agents, islice(agents, 1, None)))]
    ends = [*starts[1:], size]
    return list(zip([agents[start] for start in starts], starts, ends, strict=True))


def _rectangle(days: Sequence[date], runs: list[tuple[str, int, int]]) -> Sequence[date] | None:
    """The days every agent has, in the same order, if so: the usual export, every agent
    over the same period."""
    if not runs:
        return None
    length = runs[0][2] - runs[0][1]
    if length * len(runs) != len(days) or list(map(itemgetter(1), runs)) != list(
        range(0, len(days), length)
    ):
        return None
    first = tuple(days[:length])
    return first if tuple(days) == first * len(runs) else None


class _Work:
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
