"""Applying an export chunk by chunk: what the roster keeps between chunks so that the
outcome is exactly that of the whole export applied at once (:func:`~caredomain.roster.
feed.apply_feed`), while only one chunk is held in memory.

The codes step (:func:`~caredomain.roster.feed.apply_codes`) of an agent depends on her rows,
her GTT record, her local edits and whether she holds posts — on nothing of another agent.
So a chunk made of whole agents, none of whom another chunk holds, can go through the codes
step alone and have its records saved at once; :class:`CodesTally` adds up what the report
needs (counts, rejected rows, edit resolutions) and the flips, and the absences step
(:func:`~caredomain.roster.feed.settle_absences`) runs once at the end, on the posts of
every flip, as it does for a whole export. An export whose agent comes back in a later
chunk, or twice in one, is not one the chunks can stand for (:class:`NotByAgent`): its
rows are gathered per agent across the whole export, so it is read whole.
"""

from __future__ import annotations

from collections import Counter
from operator import itemgetter

from caredomain.roster.batch import FeedBatch, FeedRejection
from caredomain.roster.feed import agent_runs
from caredomain.roster.feed_rows import CodeChanges, Flip
from caredomain.roster.report import EditResolution

__all__ = ["CodesTally", "NotByAgent", "agents_of_chunk"]


class NotByAgent(Exception):
    """An agent's rows are not all in one run of one chunk: the export must be read
    whole."""


def agents_of_chunk(batch: FeedBatch, earlier: set[str]) -> set[str]:
    """The agents of a chunk — of its rows and its recognised runs —, each in one run and
    none in ``earlier`` chunks; :class:`NotByAgent` otherwise."""
    runs = Counter(map(itemgetter(0), agent_runs(batch.agents)))
    runs.update(run.agent for run in batch.recognised)
    agents = set(runs)
    if len(agents) != runs.total() or not earlier.isdisjoint(agents):
        raise NotByAgent
    return agents


class CodesTally:
    """The codes steps of the chunks so far, added up; ``absences`` are the catalogue's
    absence codes (what :meth:`CodeChanges.flipped_days` needs)."""

    def __init__(self, absences: frozenset[str]) -> None:
        self.read = self.applied = self.unchanged = self.stale = 0
        self.rejected: list[FeedRejection] = []
        self.merged: list[EditResolution] = []
        self.overwritten: list[EditResolution] = []
        self.flips: list[Flip] = []
        self.refused = False
        self.absences = absences

    def add(self, changes: CodeChanges) -> None:
        """Add one chunk's codes step. Chunks come in the order of their lines, so the
        rejected rows stay in order of line."""
        self.read += changes.read
        self.applied += changes.applied
        self.unchanged += changes.unchanged
        self.stale += changes.stale
        self.rejected += changes.rejected
        self.merged += changes.merged
        self.overwritten += changes.overwritten
        self.flips += changes.flips
        self.refused = self.refused or changes.refused

    def changes(self, batch: FeedBatch) -> CodeChanges:
        """The codes step of the whole export (its ``batch`` gives the source and the
        extraction time), less what was saved chunk by chunk: its records, confirmations
        and cleared edits."""
        return CodeChanges(
            batch,
            self.read,
            self.applied,
            self.unchanged,
            self.stale,
            tuple(self.rejected),
            tuple(self.merged),
            tuple(self.overwritten),
            (),
            (),
            (),
            tuple(self.flips),
            self.refused,
            self.absences,
        )
