"""What every roster use case shares: loading the roster through the unit of work, saving
what changed with its events, and the units a post or an agent belongs to (what
:func:`~caredomain.access.authorize` is told)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from caredomain.access import Actor, Resource, authorize_scope, configuration_of
from caredomain.events import Event
from caredomain.organisation import ConfigurationId
from caredomain.roster.codes import french_hospital_catalogue
from caredomain.roster.feed import FeedReport, settle_absences
from caredomain.roster.feed_rows import CodeChanges
from caredomain.roster.model import AgentId, Post
from caredomain.roster.ports import AppliedBatch, RosterUnitOfWork
from caredomain.roster.state import Roster, RosterChange
from caredomain.services.context import ServiceContext

__all__ = [
    "agent_units",
    "commit_change",
    "load_roster",
    "post_resource",
    "roster_scope",
    "save_change",
    "settle_feed",
]

_MARGIN = timedelta(days=3)  # posts around a day that overlaps and rest can reach


def load_roster(
    uow: RosterUnitOfWork, *, first: date | None = None, last: date | None = None
) -> Roster:
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


def save_change(uow: RosterUnitOfWork, change: RosterChange) -> None:
    """Save ``change`` in ``uow``, without its events and without committing."""
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


def commit_change(
    context: ServiceContext, uow: RosterUnitOfWork, change: RosterChange
) -> list[Event]:
    """Save ``change``, journal its events, commit and publish them; returns the events."""
    save_change(uow, change)
    events = change.events(context.new_id, context.clock.now())
    context.commit(uow, events)
    return events


def settle_feed(
    context: ServiceContext,
    uow: RosterUnitOfWork,
    roster: Roster,
    changes: CodeChanges,
    size: int | None,
) -> FeedReport:
    """The absences step of a batch's codes step on ``roster`` (the posts its flips need
    loaded first), the batch recorded as applied when ``size`` identifies its file, all
    committed with the events: its report."""
    if changes.flips:
        roster.load_posts(uow.roster.posts_held(changes.flipped_days()))
    outcome = settle_absences(roster, changes)
    if size is not None:
        batch = changes.batch
        uow.roster.record_batch(
            AppliedBatch(
                batch.source,
                batch.extracted_at,
                size,
                context.clock.now(),
                outcome.report.lines()[1].strip(),
            )
        )
    commit_change(context, uow, outcome.change)
    return outcome.report


def roster_scope(actor: Actor, uow: RosterUnitOfWork) -> ConfigurationId | None:
    """Seed 002: the configuration of the roster's hospital (the organisation its settings
    name), once ``actor`` is known to be of it — before anything else of the roster is read.
    A roster that names no organisation is of no configuration: only actors serving every
    configuration act on it."""
    settings = uow.roster.settings()
    organisation = settings.organisation if settings is not None else None
    configuration = None if organisation is None else configuration_of(uow, organisation)
    authorize_scope(actor, Resource("roster", configuration=configuration))
    return configuration


def post_resource(roster: Roster, post: Post, configuration: ConfigurationId | None) -> Resource:
    return Resource("post", post.id, services={roster.unit_of(post)}, configuration=configuration)


def agent_units(uow: RosterUnitOfWork) -> dict[AgentId, frozenset[str]]:
    """Each agent's units: the units of the plannings where she holds a post, or was stood
    down from one, on any day in the store. The roster has no home unit: these are the
    units whose managers answer for her codes and her local edits."""
    unit_of = {planning.id: planning.unit for planning in uow.roster.plannings()}
    units: dict[AgentId, set[str]] = {}
    for post in uow.roster.posts():
        for agent in _holders(post):
            units.setdefault(agent, set()).add(unit_of[post.planning])
    return {agent: frozenset(found) for agent, found in units.items()}


def _holders(post: Post) -> Iterable[AgentId]:
    return (*post.assigned, *post.stood_down)
