"""Applying a GTT batch to the roster: a pure function of (roster, batch).

:func:`apply_feed` reads the roster and the batch and returns a :class:`FeedOutcome` — the
batch's :class:`FeedReport` and the :class:`~caredomain.roster.state.RosterChange` to apply —
without changing either. It runs two steps, both here: :func:`apply_codes`, what the batch
does to the codes and local edits, and :func:`settle_absences`, the agents taken off their
posts or put back where their absence status flips, then the report and the change. The
seed's rules, each in one function:

* :func:`~caredomain.roster.feed_rules.late_rows_never_regress` — a row older than what the
  roster already holds from the GTT for that agent-day is ignored; between two batches
  extracted at the same instant that disagree, the greater code wins, so that the order of
  arrival never matters;
* :func:`~caredomain.roster.feed_rules.gtt_merges_or_overwrites_local_edit` — a newer row
  equal to a pending local edit confirms it (the two merge); a row that differs overwrites
  it, and the report lists it;
* :func:`~caredomain.roster.feed_rules.never_guessed` — an unknown code or agent is never
  guessed: the row is rejected with its reason;
* :func:`~caredomain.roster.absences.absence_unassigns` — an absence code on a day the
  agent is posted unassigns her; on a published planning the post is vacated and shows
  ``0/1`` (in its own module: a local edit brings absences too).

Applying the same batch twice gives the same state and an empty second report; applying
batches in any order gives the state of applying them in extraction-time order.

The application works agent by agent: an agent's run at once where the one-step comparison
applies, and recognised runs (:mod:`~caredomain.roster.feed_runs`); everything else row by
row through the same rules (:mod:`~caredomain.roster.feed_rows`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from functools import partial
from itertools import compress, islice
from operator import itemgetter, ne

from attrs import frozen

from caredomain.roster.absences import Postings, Reinstatement, Unassignment, absence_unassigns
from caredomain.roster.batch import FeedBatch, RunColumn
from caredomain.roster.events import GttBatchApplied, LocalEditOverwritten
from caredomain.roster.feed_rows import CodeChanges
from caredomain.roster.feed_runs import RunWork
from caredomain.roster.model import AgentId
from caredomain.roster.report import EditResolution, FeedReport
from caredomain.roster.state import EventDraft, Roster, RosterChange

__all__ = [
    "EditResolution",
    "FeedOutcome",
    "FeedReport",
    "Reinstatement",
    "Unassignment",
    "agent_runs",
    "apply_codes",
    "apply_feed",
    "settle_absences",
]


@frozen
class FeedOutcome:
    """The report of a batch and the change that applies it."""

    report: FeedReport
    change: RosterChange


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
    work = RunWork(roster, batch)
    days, codes, lines = batch.days, batch.codes, batch.lines
    runs = agent_runs(batch.agents)
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


def agent_runs(agents: Sequence[str]) -> list[tuple[str, int, int]]:
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
