"""Applying a GTT export chunk by chunk in one transaction
(:func:`~caredomain.roster.services.apply_gtt_file` with ``chunks``), so that memory holds one
chunk and what the roster itself holds (its agents' ids, its records' digests, its pending
edits), not the export: a hospital group's five million rows take what one million do.

Each chunk goes through the codes step on its own agents' records and has them saved at
once, inside the unit of work; the absences step and the report come at the end, from
everything the chunks added up (:mod:`caredomain.roster.feed_chunks`). Nothing commits
before the last chunk, so a refused export or a crash leaves the roster as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager

from caredomain.access import Action, Actor, Resource, authorize
from caredomain.errors import InvalidInput
from caredomain.roster.batch import FeedBatch
from caredomain.roster.codes import CodeCatalogue, french_hospital_catalogue
from caredomain.roster.feed import apply_codes, settle_absences
from caredomain.roster.feed_chunks import CodesTally, agents_of_chunk
from caredomain.roster.feed_rows import CodeChanges
from caredomain.roster.model import AgentId, RosterSettings
from caredomain.roster.plausible import PlausibleRange, feed_dates_are_plausible
from caredomain.roster.ports import AppliedBatch, RosterRepository, roster_unit_of_work
from caredomain.roster.report import FeedReport
from caredomain.roster.services.loading import roster_scope, save_change, settle_feed
from caredomain.roster.state import Roster, RosterChange
from caredomain.services.context import ServiceContext
from caredomain.text import Text

__all__ = ["ReadChunks", "apply_in_chunks"]

ReadChunks = Callable[[Mapping[bytes, str]], Iterator[FeedBatch]]
"""A source's chunks read against the digests the roster holds (digest → agent)."""


class _Feed:
    """What every chunk is applied against, read once: the catalogue, the settings, the
    agents' ids, the plannings and the pending edits."""

    def __init__(self, repository: RosterRepository) -> None:
        self.repository = repository
        self.catalogue: CodeCatalogue = repository.catalogue() or french_hospital_catalogue()
        self.settings = repository.settings() or RosterSettings()
        self.agent_ids = frozenset(repository.agent_ids())
        self.plannings = repository.plannings()
        self.edits = repository.local_edits()

    def roster(self, batch: FeedBatch, agents: Iterable[str]) -> Roster:
        """The roster of one chunk: its agents' records, and who holds posts on its days."""
        days = batch.covered_days()
        repository = self.repository
        return Roster(
            self.catalogue,
            self.settings,
            agent_ids=self.agent_ids,
            plannings=self.plannings,
            days=repository.agent_days(AgentId(agent) for agent in agents),
            edits=self.edits,
            holders=repository.holders(min(days), max(days)) if days else (),
        )


def apply_in_chunks(
    context: ServiceContext,
    actor: Actor,
    chunks: ReadChunks,
    size: int | None,
    *,
    recognise: bool,
) -> FeedReport | AppliedBatch:
    """Apply every chunk ``chunks`` gives in one unit of work, committed unless the export
    is refused: its report, or the batch found already applied (nothing done then).

    Raises :class:`~caredomain.roster.feed_chunks.NotByAgent` where the chunks cannot stand
    for the export, and :class:`~caredomain.roster.feed_runs.ReadInFull` where a recognised
    run cannot stand for its rows (only with ``recognise``); nothing is committed then."""
    with roster_unit_of_work(context.store) as uow:
        configuration = roster_scope(actor, uow)
        authorize(actor, Action.ROSTER_FEED, Resource("roster", configuration=configuration))
        repository = uow.roster
        feed = _Feed(repository)
        plausible = PlausibleRange.around(
            context.clock.now(), feed.settings.plausible_years, feed.settings.zone
        )
        known: Mapping[bytes, str] = repository.record_digests() if recognise else {}
        tally = CodesTally(feed.catalogue.absences)
        first: FeedBatch | None = None
        seen: set[str] = set()
        with _closed(chunks(known)) as batches:
            for batch in batches:
                if first is None:
                    first = batch
                    done = _applied(repository, batch, size)
                    if done is not None:
                        return done
                agents = agents_of_chunk(batch, seen)
                seen |= agents
                checked = feed_dates_are_plausible(batch, plausible)
                changes = apply_codes(feed.roster(checked, agents), checked)
                tally.add(changes)
                if not tally.refused:
                    save_change(uow, _codes_change(changes))
        if first is None:
            raise InvalidInput(Text("the reader gave no chunk"), source=repr(chunks))
        changes = tally.changes(first)
        if changes.refused:
            return settle_absences(Roster(feed.catalogue), changes).report
        roster = Roster(feed.catalogue, feed.settings, plannings=feed.plannings)
        return settle_feed(context, uow, roster, changes, size)


def _codes_change(changes: CodeChanges) -> RosterChange:
    """What one chunk's codes step saves at once: its records, confirmations, cleared
    edits."""
    return RosterChange(
        days=changes.records,
        confirmed=changes.confirmed,
        confirmed_at=changes.batch.extracted_at if changes.confirmed else None,
        cleared_edits=changes.cleared,
    )


def _applied(
    repository: RosterRepository, batch: FeedBatch, size: int | None
) -> AppliedBatch | None:
    if size is None:
        return None
    return repository.applied_batch(batch.source, batch.extracted_at, size)


@contextmanager
def _closed(batches: Iterator[FeedBatch]) -> Iterator[Iterator[FeedBatch]]:
    """``batches``, closed at the end if it can be (a generator holding its file open)."""
    try:
        yield batches
    finally:
        close = getattr(batches, "close", None)
        if callable(close):
            close()
