"""Building and publishing plannings: the agents, plannings and posts of a ward, checked
before they enter the roster."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from functools import partial

from caredomain.errors import InvalidInput, RuleViolation
from caredomain.roster.availability import joined_reasons, obstacles
from caredomain.roster.events import PlanningPublished
from caredomain.roster.model import Agent, AgentId, Planning, Post
from caredomain.roster.state import Roster, RosterChange
from caredomain.text import Text

__all__ = ["publish_planning", "set_up"]


def set_up(
    roster: Roster,
    *,
    agents: Iterable[Agent] = (),
    plannings: Iterable[Planning] = (),
    posts: Iterable[Post] = (),
    source: str | None = None,
) -> RosterChange:
    """Add or replace agents, plannings and posts (a ward file, an HR import).

    Each post must belong to a known planning; each agent assigned must be known, hold the
    post's skills, not be absent that day, and hold no overlapping post or one that leaves
    less than the minimum rest. :class:`~caredomain.errors.InvalidInput` names the post at
    fault otherwise.
    """
    new_agents = {agent.id: agent for agent in agents}
    new_plannings = {planning.id: planning for planning in plannings}
    new_posts = {post.id: post for post in posts}
    shifts: dict[AgentId, list[tuple[Post, str]]] = {}
    for post in roster.posts():
        if post.id not in new_posts:
            for holder in post.assigned:
                shifts.setdefault(holder, []).append((post, "roster"))
    for post in new_posts.values():
        for holder in post.assigned:
            shifts.setdefault(holder, []).append((post, "new"))
    for post in new_posts.values():
        where = f"post {post.id}"
        if post.planning not in new_plannings and not roster.has_planning(post.planning):
            raise InvalidInput(
                Text("unknown planning"), source=source, field=where, text=post.planning
            )
        for agent_id in post.assigned:
            agent = new_agents.get(agent_id)
            if agent is None:
                if not roster.knows(agent_id):
                    raise InvalidInput(
                        Text("unknown agent"), source=source, field=where, text=agent_id
                    )
                agent = roster.agent(agent_id)
            others = [
                (other.start, other.end, other.id)
                for other, _ in shifts.get(agent_id, [])
                if other.id != post.id and abs(other.day - post.day) <= timedelta(days=3)
            ]
            reasons = obstacles(
                post,
                agent.skills,
                roster.effective_code(agent_id, post.day.toordinal()),
                others,
                catalogue=roster.catalogue,
                minimum_rest=roster.settings.minimum_rest,
            )
            if reasons:
                raise InvalidInput(
                    Text(
                        "{agent} cannot hold this post: {reasons}",
                        agent=agent_id,
                        reasons=joined_reasons(reasons),
                    ),
                    source=source,
                    field=where,
                    text=agent_id,
                )
    return RosterChange(
        agents=new_agents.values(), plannings=new_plannings.values(), posts=new_posts.values()
    )


def publish_planning(roster: Roster, planning_id: str, *, by: str) -> RosterChange:
    """Publish a draft planning: its agents see it, and its posts' vacancies show."""
    planning = roster.planning(planning_id)
    if planning.published:
        raise RuleViolation(
            "roster.already_published",
            Text("{planning} is already published", planning=planning.id),
        )
    draft = partial(PlanningPublished, planning_id=planning.id, unit=planning.unit, by=by)
    return RosterChange(plannings=[planning.publish()], drafts=[draft])
