"""The GTT feed's use cases: apply a batch or an export file in one transaction, and the
files of a folder source one by one, as :data:`GTT_FEED_ACTOR` unless told otherwise.
Re-exported by :mod:`caredomain.roster.services`.

Before anything is applied, the batch's dates are checked against the clock
(:mod:`caredomain.roster.plausible`): an implausible extraction time refuses the file,
an implausible day rejects its row.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import tzinfo
from functools import partial

from attrs import frozen

from caredomain.access import (
    Action,
    Actor,
    ActorId,
    Everywhere,
    Resource,
    Role,
    authorize,
    authorize_action,
)
from caredomain.arguments import checked
from caredomain.errors import InvalidInput
from caredomain.roster.batch import FeedBatch
from caredomain.roster.codes import french_hospital_catalogue
from caredomain.roster.days import AgentDays
from caredomain.roster.feed import FeedReport, apply_codes, settle_absences
from caredomain.roster.feed_chunks import NotByAgent
from caredomain.roster.feed_runs import ReadInFull
from caredomain.roster.model import RosterSettings
from caredomain.roster.plausible import PlausibleRange, feed_dates_are_plausible
from caredomain.roster.ports import (
    AppliedBatch,
    ChunkingFeedReader,
    FeedFolder,
    RecognisingFeedReader,
    RosterUnitOfWork,
    roster_unit_of_work,
)
from caredomain.roster.services.chunked import ReadChunks, apply_in_chunks
from caredomain.roster.services.loading import roster_scope, settle_feed
from caredomain.roster.state import Roster
from caredomain.services.context import ServiceContext
from caredomain.text import Text

__all__ = [
    "GTT_FEED_ACTOR",
    "FeedRun",
    "FolderRun",
    "applied_batches",
    "apply_gtt_batch",
    "apply_gtt_file",
    "chunking",
    "process_folder",
    "recognising",
]

GTT_FEED_ACTOR = Actor(
    ActorId("gtt-feed"),
    {Role.ADMINISTRATOR},
    name="GTT feed",
    configuration=Everywhere("a store holds one roster, which the GTT feed keeps"),
)
"""The system actor the GTT feed runs as: an administrator named ``gtt-feed``; a
deployment may scope it to the roster's configuration with ``.within(configuration)``."""


@frozen
class FeedRun:
    """What applying a batch did: its report, or the batch already applied earlier."""

    report: FeedReport | None
    already_applied: AppliedBatch | None = None

    def lines(self, zone: tzinfo | None = None) -> list[str]:
        """The report for people; times on the wall clock of ``zone``."""
        if self.report is not None:
            return self.report.lines(zone)
        done = self.already_applied
        assert done is not None
        extracted = done.extracted_at.astimezone(zone) if zone else done.extracted_at
        return [
            Text(
                "{source} (extracted {when}): already applied at {applied}, not applied again",
                source=done.source,
                when=extracted.isoformat(timespec="minutes"),
                applied=done.applied_at.isoformat(timespec="seconds"),
            ),
            f"  {done.summary}",
        ]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a batch is read and applied, as :mod:`timeit`
    does: a batch is a few columns of a million entries and the application makes tens of
    thousands of small objects meanwhile, so each collection would walk the columns for
    nothing (neither makes reference cycles). Reference counting frees memory as usual; the
    collector is restored as it was."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@checked
def apply_gtt_batch(
    context: ServiceContext,
    batch: FeedBatch,
    *,
    actor: Actor = GTT_FEED_ACTOR,
    size: int | None = None,
) -> FeedRun:
    """Apply a GTT batch in one transaction: the codes, the local edits it resolves, the
    agents it unassigns, its events, and — when ``size`` identifies the source file — the
    record that it was applied, so that it is never applied twice (see
    :class:`~caredomain.roster.ports.AppliedBatch`). A refused batch (strict policy, a bad
    row) changes nothing; so does one extracted at a time the clock finds implausible
    (:class:`~caredomain.errors.InvalidInput`), and a row on an implausible day is a bad row
    (:mod:`caredomain.roster.plausible`). A batch with recognised runs that cannot stand for
    their rows raises :class:`~caredomain.roster.feed_runs.ReadInFull`: :func:`apply_gtt_file`
    reads the source again in that case, this function cannot."""
    authorize_action(actor, Action.ROSTER_FEED)
    with _collector_paused():
        return _apply(context, actor, lambda _: batch, size)


@checked
def apply_gtt_file(
    context: ServiceContext,
    read: Callable[[str], FeedBatch],
    source: str,
    *,
    actor: Actor = GTT_FEED_ACTOR,
    size: int | None = None,
    recognise: Callable[[str, Mapping[bytes, str]], FeedBatch] | None = None,
    chunks: Callable[[str, Mapping[bytes, str]], Iterator[FeedBatch]] | None = None,
) -> FeedRun:
    """Read ``source`` with ``read`` (a feed reader's) and apply it as
    :func:`apply_gtt_batch` does. Reading here lets the whole run — a million rows read,
    applied, and let go — happen with the garbage collector paused.

    With ``recognise`` (a :class:`~caredomain.roster.ports.RecognisingFeedReader`'s
    ``read_recognising``), the file is read against the digests of the lines that last
    stated each agent's record, and the runs of lines met before are not parsed again; if
    one cannot stand for its rows (:class:`~caredomain.roster.feed_runs.ReadInFull`), the file is
    read again with ``read``.

    With ``chunks`` (a :class:`~caredomain.roster.ports.ChunkingFeedReader`'s
    ``read_chunks``), the file is read and applied a chunk at a time, still in one
    transaction, recognising runs likewise: memory holds one chunk, not the export
    (:mod:`~caredomain.roster.services.chunked`). An export whose agents' lines are not
    together is then read whole. The outcome is the same either way."""
    authorize_action(actor, Action.ROSTER_FEED)

    def first_read(records: Sequence[AgentDays]) -> FeedBatch:
        if recognise is None:
            return read(source)
        return recognise(
            source, {record.digest: record.agent for record in records if record.digest}
        )

    with _collector_paused():
        if chunks is not None:
            try:
                return _apply_chunks(context, actor, partial(chunks, source), size)
            except NotByAgent:
                pass
        return _apply(context, actor, first_read, size, read_again=lambda: read(source))


def _apply_chunks(
    context: ServiceContext, actor: Actor, chunks: ReadChunks, size: int | None
) -> FeedRun:
    """Apply the chunks, recognising runs, and if one cannot stand for its rows, again
    without."""
    try:
        done = apply_in_chunks(context, actor, chunks, size, recognise=True)
    except ReadInFull:
        done = apply_in_chunks(context, actor, chunks, size, recognise=False)
    return FeedRun(None, done) if isinstance(done, AppliedBatch) else FeedRun(done)


def _apply(
    context: ServiceContext,
    actor: Actor,
    read: Callable[[Sequence[AgentDays]], FeedBatch],
    size: int | None,
    *,
    read_again: Callable[[], FeedBatch] | None = None,
) -> FeedRun:
    """Apply the batch ``read`` gives, once it has seen the GTT records, if its dates are
    plausible (:func:`~caredomain.roster.plausible.feed_dates_are_plausible`)."""
    with roster_unit_of_work(context.store) as uow:
        configuration = roster_scope(actor, uow)
        authorize(actor, Action.ROSTER_FEED, Resource("roster", configuration=configuration))
        repository = uow.roster
        records = repository.agent_days()
        settings = repository.settings() or RosterSettings()
        plausible = PlausibleRange.around(
            context.clock.now(), settings.plausible_years, settings.zone
        )
        batch = read(records)
        if size is not None:
            done = repository.applied_batch(batch.source, batch.extracted_at, size)
            if done is not None:
                return FeedRun(None, done)
        try:
            batch = feed_dates_are_plausible(batch, plausible)
            roster = _feed_roster(uow, batch, records, settings)
            changes = apply_codes(roster, batch)
        except ReadInFull:
            if read_again is None:
                raise
            batch = feed_dates_are_plausible(read_again(), plausible)
            roster = _feed_roster(uow, batch, records, settings)
            changes = apply_codes(roster, batch)
        if changes.refused:
            return FeedRun(settle_absences(roster, changes).report)
        return FeedRun(settle_feed(context, uow, roster, changes, size))


def _feed_roster(
    uow: RosterUnitOfWork, batch: FeedBatch, records: Sequence[AgentDays], settings: RosterSettings
) -> Roster:
    """What the feed needs, and no more: agents by id, the GTT records, the pending edits
    and who holds posts on the batch's days. Posts are loaded once the batch says which
    agent-days it flips."""
    repository = uow.roster
    days = batch.covered_days()
    holders = repository.holders(min(days), max(days)) if days else set()
    return Roster(
        repository.catalogue() or french_hospital_catalogue(),
        settings,
        agent_ids=repository.agent_ids(),
        plannings=repository.plannings(),
        days=records,
        edits=repository.local_edits(),
        holders=holders,
    )


@frozen
class FolderRun:
    """One file of a folder source: where it went, and what applying it did (``run``) or
    why it could not be read (``error``)."""

    source: str
    moved_to: str
    run: FeedRun | None = None
    error: str | None = None

    @property
    def applied(self) -> bool:
        return self.run is not None and not (self.run.report and self.run.report.refused)


@checked
def process_folder(
    context: ServiceContext, folder: FeedFolder, *, actor: Actor = GTT_FEED_ACTOR
) -> list[FolderRun]:
    """Apply the files waiting in ``folder``, oldest extraction first, each in its own
    transaction that also records it as applied; only then is it moved to ``done/`` (or,
    unreadable or refused, to ``rejected/``). A crash between the commit and the move
    leaves a file the next run recognises (same name, extraction time and size) and only
    moves: no file is lost, none applied twice."""
    authorize_action(actor, Action.ROSTER_FEED)
    runs = []
    for source in folder.pending():
        try:
            run = apply_gtt_file(
                context,
                folder.read,
                source,
                actor=actor,
                size=folder.size(source),
                recognise=recognising(folder),
                chunks=chunking(folder),
            )
        except InvalidInput as error:
            runs.append(FolderRun(source, folder.rejected(source, [str(error)]), error=str(error)))
            continue
        refused = run.report is not None and run.report.refused
        move = folder.rejected if refused else folder.done
        runs.append(FolderRun(source, move(source, run.lines()), run))
    return runs


def recognising(source: object) -> Callable[[str, Mapping[bytes, str]], FeedBatch] | None:
    """A reader's or folder's ``read_recognising``, if it has one: what
    :func:`apply_gtt_file` takes as ``recognise``."""
    return source.read_recognising if isinstance(source, RecognisingFeedReader) else None


def chunking(source: object) -> Callable[[str, Mapping[bytes, str]], Iterator[FeedBatch]] | None:
    """A reader's or folder's ``read_chunks``, if it has one: what :func:`apply_gtt_file`
    takes as ``chunks``."""
    return source.read_chunks if isinstance(source, ChunkingFeedReader) else None


@checked
def applied_batches(context: ServiceContext, actor: Actor, limit: int = 20) -> list[AppliedBatch]:
    """The latest files the folder source applied, the most recent first."""
    authorize_action(actor, Action.ROSTER_VIEW)
    with roster_unit_of_work(context.store, write=False) as uow:
        configuration = roster_scope(actor, uow)
        authorize(actor, Action.ROSTER_VIEW, Resource("roster", configuration=configuration))
        return uow.roster.applied_batches(limit)
