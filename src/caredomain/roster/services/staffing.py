"""The roster's use cases of the units' managers: local edits and the codes they read,
plannings, vacancies, candidates, assignments, closed posts and day swaps.

Each asks :func:`~caredomain.access.authorize_action` before it looks anything up, then
:func:`~caredomain.access.authorize` once it knows the units concerned:

- a post's unit is its planning's;
- an agent's units are those where she holds (or was stood down from) posts, on any day
  (:func:`~caredomain.roster.services.loading.agent_units`); the roster model has no home unit;
- an agent-day is of the units of the posts she holds that day, each of which the manager
  must manage, or, on a day without a post, of her units, one of which she must manage.

A swap is the agent-days of both agents, so it needs the units of every post involved. What
names no unit (an agent who holds no post) is the administrators' alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from caredomain.access import Action, Actor, Resource, authorize, authorize_action, is_allowed
from caredomain.arguments import checked
from caredomain.errors import InvalidInput
from caredomain.events import Event
from caredomain.organisation import ConfigurationId
from caredomain.roster.days import DayCode, LocalEdit
from caredomain.roster.edits import edit_code
from caredomain.roster.model import AgentId, Post
from caredomain.roster.plannings import publish_planning
from caredomain.roster.ports import RosterUnitOfWork, roster_unit_of_work
from caredomain.roster.services.loading import (
    agent_units,
    commit_change,
    load_roster,
    post_resource,
    roster_scope,
)
from caredomain.roster.state import Roster
from caredomain.roster.vacancies import (
    CandidateList,
    assign_agent,
    candidates,
    close_post,
    swap_days,
)
from caredomain.services.context import ServiceContext
from caredomain.text import Text

__all__ = [
    "assign",
    "close",
    "day_codes",
    "edit_code_locally",
    "find_candidates",
    "pending_local_edits",
    "publish",
    "swap",
    "vacancies",
]


def _agent_resource(
    agent: str, units: Iterable[str], configuration: ConfigurationId | None
) -> Resource:
    return Resource(
        "agent", agent, owner=agent, services=frozenset(units), configuration=configuration
    )


class _AgentDays:
    """Authorizes actions on agent-days of one loaded roster; each agent's units are read
    from the store once, and only for a day on which she holds no post."""

    def __init__(
        self, uow: RosterUnitOfWork, roster: Roster, configuration: ConfigurationId | None
    ) -> None:
        self._uow, self._roster, self._configuration = uow, roster, configuration
        self._units: dict[AgentId, frozenset[str]] | None = None

    def authorize(self, actor: Actor, action: Action, agent: str, day: date) -> None:
        """The unit of each post ``agent`` holds or was stood down from on ``day``, or,
        with none, one of her units."""
        roster, ordinal, agent_id = self._roster, day.toordinal(), AgentId(agent)
        held = [*roster.posted_ids(agent_id, ordinal), *roster.stood_down_ids(agent_id, ordinal)]
        name = f"{agent} {day.isoformat()}"
        for post_id in held:
            unit = roster.unit_of(roster.post(post_id))
            resource = Resource(
                "agent-day", name, services={unit}, configuration=self._configuration
            )
            authorize(actor, action, resource)
        if not held:
            if self._units is None:
                self._units = agent_units(self._uow)
            units = self._units.get(agent_id, frozenset())
            resource = Resource(
                "agent-day", name, services=units, configuration=self._configuration
            )
            authorize(actor, action, resource)


# -- local edits and codes --------------------------------------------------------------


@checked
def edit_code_locally(
    context: ServiceContext, actor: Actor, agent: str, day: date, code: str
) -> list[Event]:
    """A local edit ("Gestion Desiderata"). It is **not sent to the GTT** (see
    :data:`~caredomain.roster.edits.NOT_SENT_UPSTREAM`): the next feed confirms or overwrites
    it. Returns the events (``LocalCodeEdited``, and ``AgentUnassigned``/``PostVacated`` if
    an absence unassigned her)."""
    authorize_action(actor, Action.ROSTER_EDIT_CODE)
    with roster_unit_of_work(context.store) as uow:
        configuration = roster_scope(actor, uow)
        roster = load_roster(uow, first=day, last=day)
        _AgentDays(uow, roster, configuration).authorize(actor, Action.ROSTER_EDIT_CODE, agent, day)
        change = edit_code(roster, agent, day, code, by=actor.id, at=context.clock.now())
        return commit_change(context, uow, change)


@checked
def pending_local_edits(
    context: ServiceContext, actor: Actor, agent: str | None = None
) -> list[LocalEdit]:
    """The local edits the GTT has not confirmed yet: what the next feed may overwrite. Of
    one agent (an agent may ask for her own), or, for a manager, of her units' agents."""
    # Every agent's edits is a listing of those who run units; an agent names herself.
    authorize_action(actor, Action.ROSTER_VIEW if agent is not None else Action.ROSTER_PLAN)
    with roster_unit_of_work(context.store, write=False) as uow:
        configuration = roster_scope(actor, uow)
        edits = uow.roster.local_edits()
        units = agent_units(uow)

    def resource(of: str) -> Resource:
        return _agent_resource(of, units.get(AgentId(of), ()), configuration)

    if agent is not None:
        authorize(actor, Action.ROSTER_VIEW, resource(agent))
        return [edit for edit in edits if edit.agent == agent]
    return [edit for edit in edits if is_allowed(actor, Action.ROSTER_VIEW, resource(edit.agent))]


@checked
def day_codes(
    context: ServiceContext, actor: Actor, agent: str, first: date, last: date
) -> list[DayCode]:
    """An agent's codes from ``first`` to ``last`` with their provenance (agents see their
    own; managers those of their units' agents)."""
    authorize_action(actor, Action.ROSTER_VIEW)
    if last < first:
        raise InvalidInput(
            Text("the last day comes before the first"), field="last", text=str(last)
        )
    with roster_unit_of_work(context.store, write=False) as uow:
        configuration = roster_scope(actor, uow)
        roster = load_roster(uow, first=first, last=last)
        units = agent_units(uow).get(AgentId(agent), frozenset())
    authorize(actor, Action.ROSTER_VIEW, _agent_resource(agent, units, configuration))
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return [code for code in (roster.code_on(agent, day) for day in days) if code is not None]


# -- plannings and vacancies ------------------------------------------------------------


@checked
def publish(context: ServiceContext, actor: Actor, planning_id: str) -> list[Event]:
    """Publish a draft planning."""
    authorize_action(actor, Action.ROSTER_PLAN)
    with roster_unit_of_work(context.store) as uow:
        configuration = roster_scope(actor, uow)
        roster = load_roster(uow)
        planning = roster.planning(planning_id)
        resource = Resource(
            "planning", planning.id, services={planning.unit}, configuration=configuration
        )
        authorize(actor, Action.ROSTER_PLAN, resource)
        return commit_change(context, uow, publish_planning(roster, planning_id, by=actor.id))


@checked
def vacancies(context: ServiceContext, actor: Actor, day: date | None = None) -> list[Post]:
    """Vacant posts of published plannings (of ``day``, or all) of the units ``actor``
    plans; :class:`~caredomain.errors.Forbidden` to whom plans none."""
    authorize_action(actor, Action.ROSTER_PLAN)
    with roster_unit_of_work(context.store, write=False) as uow:
        configuration = roster_scope(actor, uow)
        roster = load_roster(uow, first=day, last=day)
    return [
        post
        for post in roster.vacancies(day)
        if is_allowed(actor, Action.ROSTER_PLAN, post_resource(roster, post, configuration))
    ]


@checked
def find_candidates(
    context: ServiceContext, actor: Actor, post_id: str, *, limit: int = 10, explain: bool = False
) -> CandidateList:
    """The candidates of a post (see :func:`~caredomain.roster.vacancies.candidates`)."""
    authorize_action(actor, Action.ROSTER_PLAN)
    with roster_unit_of_work(context.store, write=False) as uow:
        configuration = roster_scope(actor, uow)
        roster = load_roster(uow)
    post = roster.post(post_id)
    authorize(actor, Action.ROSTER_PLAN, post_resource(roster, post, configuration))
    return candidates(roster, post_id, limit=limit, explain=explain)


@checked
def assign(context: ServiceContext, actor: Actor, post_id: str, agent: str) -> list[Event]:
    """Post an agent (checked as for candidates)."""
    authorize_action(actor, Action.ROSTER_PLAN)
    with roster_unit_of_work(context.store) as uow:
        configuration = roster_scope(actor, uow)
        roster = load_roster(uow)
        post = roster.post(post_id)
        authorize(actor, Action.ROSTER_PLAN, post_resource(roster, post, configuration))
        return commit_change(context, uow, assign_agent(roster, post_id, agent, by=actor.id))


@checked
def close(context: ServiceContext, actor: Actor, post_id: str) -> list[Event]:
    """Close a post's vacant positions."""
    authorize_action(actor, Action.ROSTER_PLAN)
    with roster_unit_of_work(context.store) as uow:
        configuration = roster_scope(actor, uow)
        roster = load_roster(uow)
        post = roster.post(post_id)
        authorize(actor, Action.ROSTER_PLAN, post_resource(roster, post, configuration))
        return commit_change(context, uow, close_post(roster, post_id, by=actor.id))


@checked
def swap(
    context: ServiceContext, actor: Actor, agent_a: str, agent_b: str, days: Iterable[date]
) -> list[Event]:
    """Swap days between two agents, validated as a whole (see
    :func:`~caredomain.roster.vacancies.swap_days`). The manager must manage the unit of
    every post either agent holds on those days (a rest day: one of the agent's units)."""
    authorize_action(actor, Action.ROSTER_PLAN)
    wanted = sorted(set(days))
    with roster_unit_of_work(context.store) as uow:
        configuration = roster_scope(actor, uow)
        roster = load_roster(uow)
        agent_days = _AgentDays(uow, roster, configuration)
        for agent in (agent_a, agent_b):
            for day in wanted:
                agent_days.authorize(actor, Action.ROSTER_PLAN, agent, day)
        change = swap_days(roster, agent_a, agent_b, wanted, by=actor.id, at=context.clock.now())
        return commit_change(context, uow, change)
