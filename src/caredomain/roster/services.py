"""The roster's use cases: authorize, load through the unit of work, call the domain, save
what changed with its events, commit, publish.

The GTT feed runs as :data:`GTT_FEED_ACTOR`, a system actor with the administrator role named
``gtt-feed``; managers plan the posts of their units; agents see their own days. The feed's
use cases are in :mod:`caredomain.roster.feed_services`, and re-exported here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from caredomain.access import Action, Actor, Resource, authorize, is_allowed
from caredomain.errors import InvalidInput
from caredomain.events import Event
from caredomain.ports import UnitOfWork
from caredomain.roster.codes import CodeCatalogue, french_hospital_catalogue
from caredomain.roster.days import DayCode, LocalEdit
from caredomain.roster.edits import edit_code
from caredomain.roster.feed_services import (
    GTT_FEED_ACTOR,
    FeedRun,
    FolderRun,
    applied_batches,
    apply_gtt_batch,
    apply_gtt_file,
    process_folder,
    recognising,
)
from caredomain.roster.model import Post
from caredomain.roster.plannings import publish_planning, set_up
from caredomain.roster.saving import commit_change as _commit
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
