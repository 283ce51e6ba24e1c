"""The roster's use cases: authorize, load through the unit of work, call the domain, save
what changed with its events, commit, publish.

The GTT feed runs as :data:`GTT_FEED_ACTOR`, a system actor with the administrator role named
``gtt-feed``; managers plan the posts of their units; agents see their own days.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, timedelta, tzinfo

from attrs import frozen

from caredomain.access import Action, Actor, ActorId, Resource, Role, authorize, is_allowed
from caredomain.errors import InvalidInput
from caredomain.events import Event
from caredomain.ports import FeedBatch, RecognisingFeedReader, UnitOfWork
from caredomain.roster.codes import CodeCatalogue, french_hospital_catalogue
from caredomain.roster.days import AgentDays, DayCode, LocalEdit
from caredomain.roster.edits import edit_code
from caredomain.roster.feed import FeedReport, ReadInFull, apply_codes, settle_absences
from caredomain.roster.model import Post
from caredomain.roster.plannings import publish_planning, set_up
from caredomain.roster.ports import AppliedBatch, FeedFolder
from caredomain.roster.state import Roster, RosterChange
from caredomain.roster.vacancies import (
    CandidateList,
    assign_agent,
    candidates,
    close_post,
    swap_days,
)
from caredomain.roster.ward import Ward
from caredomain.services.context import ServiceContext

__all__ = [
    "GTT_FEED_ACTOR",
    "FeedRun",
    "FolderRun",
    "applied_batches",
    "apply_gtt_batch",
    "apply_gtt_file",
    "assign",
    "close",
    "configure_catalogue",
    "day_codes",
    "edit_code_locally",
    "find_candidates",
    "load_roster",
    "pending_local_edits",
    "process_folder",
    "publish",
    "recognising",
    "set_up_ward",
    "swap",
    "vacancies",
]

GTT_FEED_ACTOR = Actor(ActorId("gtt-feed"), {Role.ADMINISTRATOR}, name="GTT feed")
"""The system actor the GTT feed runs as: an administrator named ``gtt-feed``."""

_MARGIN = timedelta(days=3)  # posts around a day that overlaps and rest can reach


def load_roster(uow: UnitOfWork, *, first: date | None = None, last: date | None = None) -> Roster:
    """The roster from a unit of work; with ``first``/``last``, only the posts of those days
    (and three days around, for overlaps and rest). With no catalogue saved, the French
    hospital catalogue shipped with caredomain."""
    repository = uow.roster
    return Roster(
        repository.catalogue() or french_hospital_catalogue(),
        repository.settings(),
        agents=repository.agents(),
        plannings=repository.plannings(),
        posts=repository.posts(
            first - _MARGIN if first else None, last + _MARGIN if last else None
        ),
        days=repository.agent_days(),
        edits=repository.local_edits(),
    )


def _save(uow: UnitOfWork, change: RosterChange) -> None:
    repository = uow.roster
    if change.agents:
        repository.save_agents(change.agents)
    if change.plannings:
        repository.save_plannings(change.plannings)
    if change.posts:
        repository.save_posts(change.posts)
    if change.days:
        repository.save_agent_days(change.days)
    if change.confirmed and change.confirmed_at is not None:
        repository.confirm_agent_days(change.confirmed, change.confirmed_at)
    if change.edits or change.cleared_edits:
        repository.save_local_edits(change.edits, change.cleared_edits)


def _commit(context: ServiceContext, uow: UnitOfWork, change: RosterChange) -> list[Event]:
    _save(uow, change)
    events = change.events(context.new_id, context.clock.now())
    context.commit(uow, events)
    return events


def _post_resource(roster: Roster, post: Post) -> Resource:
    return Resource("post", post.id, services={roster.unit_of(post)})


# -- configuration ----------------------------------------------------------------------


def configure_catalogue(context: ServiceContext, actor: Actor, catalogue: CodeCatalogue) -> None:
    """Save the code catalogue; codes already known keep their meaning (see
    :meth:`~caredomain.roster.codes.CodeCatalogue.replaced_by`)."""
    authorize(actor, Action.ROSTER_CONFIGURE, Resource("roster"))
    with context.store.unit_of_work() as uow:
        current = uow.roster.catalogue()
        uow.roster.save_catalogue(current.replaced_by(catalogue) if current else catalogue)
        uow.commit()


def set_up_ward(
    context: ServiceContext, actor: Actor, ward: Ward, *, source: str | None = None
) -> RosterChange:
    """Save a ward file's settings, catalogue, agents, plannings and posts (checked: see
    :func:`~caredomain.roster.plannings.set_up`)."""
    authorize(actor, Action.ROSTER_CONFIGURE, Resource("roster"))
    with context.store.unit_of_work() as uow:
        if ward.catalogue is not None:
            current = uow.roster.catalogue()
            catalogue = current.replaced_by(ward.catalogue) if current else ward.catalogue
            uow.roster.save_catalogue(catalogue)
        uow.roster.save_settings(ward.settings)
        roster = load_roster(uow)
        change = set_up(
            roster, agents=ward.agents, plannings=ward.plannings, posts=ward.posts, source=source
        )
        _commit(context, uow, change)
    return change


# -- the GTT feed -----------------------------------------------------------------------


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
            f"{done.source} (extracted {extracted.isoformat(timespec='minutes')}): already "
            f"applied at {done.applied_at.isoformat(timespec='seconds')}, not applied again",
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
    row) changes nothing. A batch with recognised runs that cannot stand for their rows
    raises :class:`~caredomain.roster.feed.ReadInFull`: :func:`apply_gtt_file` reads the
    source again in that case, this function cannot."""
    authorize(actor, Action.ROSTER_FEED, Resource("roster"))
    with _collector_paused():
        return _apply(context, lambda _: batch, size)


def apply_gtt_file(
    context: ServiceContext,
    read: Callable[[str], FeedBatch],
    source: str,
    *,
    actor: Actor = GTT_FEED_ACTOR,
    size: int | None = None,
    recognise: Callable[[str, Mapping[bytes, str]], FeedBatch] | None = None,
) -> FeedRun:
    """Read ``source`` with ``read`` (a feed reader's) and apply it as
    :func:`apply_gtt_batch` does. Reading here lets the whole run — a million rows read,
    applied, and let go — happen with the garbage collector paused.

    With ``recognise`` (a :class:`~caredomain.ports.RecognisingFeedReader`'s
    ``read_recognising``), the file is read against the digests of the lines that last
    stated each agent's record, and the runs of lines met before are not parsed again; if
    one cannot stand for its rows (:class:`~caredomain.roster.feed.ReadInFull`), the file is
    read again with ``read``. The outcome is the same either way."""
    authorize(actor, Action.ROSTER_FEED, Resource("roster"))

    def first_read(records: Sequence[AgentDays]) -> FeedBatch:
        if recognise is None:
            return read(source)
        return recognise(
            source, {record.digest: record.agent for record in records if record.digest}
        )

    with _collector_paused():
        return _apply(context, first_read, size, read_again=lambda: read(source))


def _apply(
    context: ServiceContext,
    read: Callable[[Sequence[AgentDays]], FeedBatch],
    size: int | None,
    *,
    read_again: Callable[[], FeedBatch] | None = None,
) -> FeedRun:
    """Apply the batch ``read`` gives, once it has seen the GTT records."""
    with context.store.unit_of_work() as uow:
        repository = uow.roster
        records = repository.agent_days()
        batch = read(records)
        if size is not None:
            done = repository.applied_batch(batch.source, batch.extracted_at, size)
            if done is not None:
                return FeedRun(None, done)
        roster = _feed_roster(uow, batch, records)
        try:
            changes = apply_codes(roster, batch)
        except ReadInFull:
            if read_again is None:
                raise
            batch = read_again()
            roster = _feed_roster(uow, batch, records)
            changes = apply_codes(roster, batch)
        if changes.refused:
            return FeedRun(settle_absences(roster, changes).report)
        if changes.flips:
            roster.load_posts(repository.posts_held(changes.flipped_days()))
        outcome = settle_absences(roster, changes)
        if size is not None:
            repository.record_batch(
                AppliedBatch(
                    batch.source,
                    batch.extracted_at,
                    size,
                    context.clock.now(),
                    outcome.report.lines()[1].strip(),
                )
            )
        _commit(context, uow, outcome.change)
    return FeedRun(outcome.report)


def _feed_roster(uow: UnitOfWork, batch: FeedBatch, records: Sequence[AgentDays]) -> Roster:
    """What the feed needs, and no more: agents by id, the GTT records, the pending edits
    and who holds posts on the batch's days. Posts are loaded once the batch says which
    agent-days it flips."""
    repository = uow.roster
    days = batch.covered_days()
    holders = repository.holders(min(days), max(days)) if days else set()
    return Roster(
        repository.catalogue() or french_hospital_catalogue(),
        repository.settings(),
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


def process_folder(
    context: ServiceContext, folder: FeedFolder, *, actor: Actor = GTT_FEED_ACTOR
) -> list[FolderRun]:
    """Apply the files waiting in ``folder``, oldest extraction first, each in its own
    transaction that also records it as applied; only then is it moved to ``done/`` (or,
    unreadable or refused, to ``rejected/``). A crash between the commit and the move
    leaves a file the next run recognises (same name, extraction time and size) and only
    moves: no file is lost, none applied twice."""
    authorize(actor, Action.ROSTER_FEED, Resource("roster"))
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


def applied_batches(context: ServiceContext, actor: Actor, limit: int = 20) -> list[AppliedBatch]:
    """The latest files the folder source applied, the most recent first."""
    authorize(actor, Action.ROSTER_VIEW, Resource("roster"))
    with context.store.unit_of_work(write=False) as uow:
        return uow.roster.applied_batches(limit)


# -- local edits ------------------------------------------------------------------------


def edit_code_locally(
    context: ServiceContext, actor: Actor, agent: str, day: date, code: str
) -> list[Event]:
    """A local edit ("Gestion Desiderata"). It is **not sent to the GTT** (see
    :data:`~caredomain.roster.edits.NOT_SENT_UPSTREAM`): the next feed confirms or overwrites
    it. Returns the events (``LocalCodeEdited``, and ``AgentUnassigned``/``PostVacated`` if
    an absence unassigned her)."""
    with context.store.unit_of_work() as uow:
        roster = load_roster(uow, first=day, last=day)
        units = {roster.unit_of(post) for post in roster.posted_on(agent, day)}
        authorize(actor, Action.ROSTER_EDIT_CODE, Resource("agent-day", agent, services=units))
        change = edit_code(roster, agent, day, code, by=actor.id, at=context.clock.now())
        return _commit(context, uow, change)


def pending_local_edits(
    context: ServiceContext, actor: Actor, agent: str | None = None
) -> list[LocalEdit]:
    """The local edits the GTT has not confirmed yet: what the next feed may overwrite."""
    authorize(actor, Action.ROSTER_VIEW, Resource("roster", owner=agent))
    with context.store.unit_of_work(write=False) as uow:
        edits = uow.roster.local_edits()
    return [edit for edit in edits if agent is None or edit.agent == agent]


def day_codes(
    context: ServiceContext, actor: Actor, agent: str, first: date, last: date
) -> list[DayCode]:
    """An agent's codes from ``first`` to ``last`` with their provenance (agents see their
    own)."""
    authorize(actor, Action.ROSTER_VIEW, Resource("agent", agent, owner=agent))
    if last < first:
        raise InvalidInput("the last day comes before the first", field="last", text=str(last))
    with context.store.unit_of_work(write=False) as uow:
        roster = load_roster(uow, first=first, last=last)
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return [code for code in (roster.code_on(agent, day) for day in days) if code is not None]


# -- plannings and vacancies ------------------------------------------------------------


def publish(context: ServiceContext, actor: Actor, planning_id: str) -> list[Event]:
    """Publish a draft planning."""
    with context.store.unit_of_work() as uow:
        roster = load_roster(uow)
        planning = roster.planning(planning_id)
        resource = Resource("planning", planning.id, services={planning.unit})
        authorize(actor, Action.ROSTER_PLAN, resource)
        return _commit(context, uow, publish_planning(roster, planning_id, by=actor.id))


def vacancies(context: ServiceContext, actor: Actor, day: date | None = None) -> list[Post]:
    """Vacant posts of published plannings (of ``day``, or all) that ``actor`` may see."""
    with context.store.unit_of_work(write=False) as uow:
        roster = load_roster(uow, first=day, last=day)
    return [
        post
        for post in roster.vacancies(day)
        if is_allowed(actor, Action.ROSTER_VIEW, _post_resource(roster, post))
    ]


def find_candidates(
    context: ServiceContext, actor: Actor, post_id: str, *, limit: int = 10, explain: bool = False
) -> CandidateList:
    """The candidates of a post (see :func:`~caredomain.roster.vacancies.candidates`)."""
    with context.store.unit_of_work(write=False) as uow:
        roster = load_roster(uow)
    authorize(actor, Action.ROSTER_PLAN, _post_resource(roster, roster.post(post_id)))
    return candidates(roster, post_id, limit=limit, explain=explain)


def assign(context: ServiceContext, actor: Actor, post_id: str, agent: str) -> list[Event]:
    """Post an agent (checked as for candidates)."""
    with context.store.unit_of_work() as uow:
        roster = load_roster(uow)
        authorize(actor, Action.ROSTER_PLAN, _post_resource(roster, roster.post(post_id)))
        return _commit(context, uow, assign_agent(roster, post_id, agent, by=actor.id))


def close(context: ServiceContext, actor: Actor, post_id: str) -> list[Event]:
    """Close a post's vacant positions."""
    with context.store.unit_of_work() as uow:
        roster = load_roster(uow)
        authorize(actor, Action.ROSTER_PLAN, _post_resource(roster, roster.post(post_id)))
        return _commit(context, uow, close_post(roster, post_id, by=actor.id))


def swap(
    context: ServiceContext, actor: Actor, agent_a: str, agent_b: str, days: Iterable[date]
) -> list[Event]:
    """Swap days between two agents, validated as a whole (see
    :func:`~caredomain.roster.vacancies.swap_days`)."""
    wanted = sorted(set(days))
    with context.store.unit_of_work() as uow:
        roster = load_roster(uow)
        units = {
            roster.unit_of(post)
            for agent in (agent_a, agent_b)
            for day in wanted
            for post in roster.posted_on(agent, day)
        }
        authorize(actor, Action.ROSTER_PLAN, Resource("swap", services=units))
        change = swap_days(roster, agent_a, agent_b, wanted, by=actor.id, at=context.clock.now())
        return _commit(context, uow, change)
