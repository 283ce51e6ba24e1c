"""Seed 000, FAQ 1, step 4: what the manager does with a vacant post — list the agents
available, competent and not posted (:func:`candidates`), post one (:func:`assign_agent`),
close the post (:func:`close_post`), or reorganise by swapping days between two agents
(:func:`swap_days`), validated as a whole.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import partial

from attrs import evolve, frozen

from caredomain.errors import InvalidInput, RuleViolation
from caredomain.roster.availability import (
    Candidate,
    Exclusion,
    Shift,
    availability_of,
    joined_reasons,
    obstacles,
)
from caredomain.roster.days import LocalEdit
from caredomain.roster.events import AgentAssigned, DaysSwapped, PostClosed
from caredomain.roster.model import AgentId, Post, PostId
from caredomain.roster.state import Roster, RosterChange
from caredomain.text import Text

__all__ = [
    "CandidateList",
    "SwapRefused",
    "assign_agent",
    "candidates",
    "close_post",
    "nearby_shifts",
    "swap_days",
]

_AROUND = timedelta(days=3)  # shifts last at most a day and rest at most two: enough to check


@frozen
class CandidateList:
    """The candidates of a post, best first; with ``explain``, every agent excluded and why."""

    post: Post
    candidates: tuple[Candidate, ...]
    excluded: tuple[Exclusion, ...] | None = None


def candidates(
    roster: Roster, post_id: str, *, limit: int = 10, explain: bool = False
) -> CandidateList:
    """Agents available that day (no absence code), holding the post's skills, not posted on
    an overlapping shift and with the minimum rest before and after; ranked by fewest hours
    planned that ISO week, then longest rest. ``explain`` adds every excluded agent with
    the reasons (``absent: MAL``, ``missing skill: IDE``, ``rest 9 h < 11 h after P7``)."""
    if limit < 1:
        raise InvalidInput(Text("at least one candidate"), field="limit", text=str(limit))
    post = roster.post(post_id)
    index = availability_of(roster)
    found = index.candidates(post, limit)
    excluded = tuple(index.exclusions(post)) if explain else None
    return CandidateList(post, tuple(found), excluded)


def nearby_shifts(roster: Roster, agent: AgentId, day: date) -> list[Shift]:
    """The agent's shifts within three days of ``day``: all that overlap or rest can reach."""
    return [
        (post.start, post.end, post.id)
        for post in roster.posts_of(agent, day - _AROUND, day + _AROUND)
    ]


def assign_agent(roster: Roster, post_id: str, agent_id: str, *, by: str) -> RosterChange:
    """Post an agent on a post with room, if nothing stands in the way (the same checks as
    for candidates); otherwise :class:`~caredomain.errors.RuleViolation` with the reasons."""
    post = roster.post(post_id)
    agent = roster.agent(agent_id)
    if agent.id in post.assigned:
        raise RuleViolation(
            "roster.already_assigned",
            Text("{agent} already holds {post}", agent=agent.id, post=post.id),
        )
    if not post.has_room():
        raise RuleViolation(
            "roster.post_full",
            Text("{post} has no vacant position ({fill})", post=post.id, fill=str(post.fill)),
        )
    reasons = obstacles(
        post,
        agent.skills,
        roster.effective_code(agent.id, post.day.toordinal()),
        nearby_shifts(roster, agent.id, post.day),
        catalogue=roster.catalogue,
        minimum_rest=roster.settings.minimum_rest,
    )
    if reasons:
        raise RuleViolation(
            "roster.cannot_assign",
            Text(
                "{agent} cannot take {post}: {reasons}",
                agent=agent.id,
                post=post.id,
                reasons=joined_reasons(reasons),
            ),
        )
    # The manager handled the vacancy: nobody stood down comes back to this post by herself.
    new = evolve(post, assigned=[*post.assigned, agent.id], stood_down=())
    draft = partial(
        AgentAssigned,
        agent_id=agent.id,
        post_id=post.id,
        planning_id=post.planning,
        day=post.day,
        fill=str(new.fill),
        by=by,
    )
    return RosterChange(posts=[new], drafts=[draft])


def close_post(roster: Roster, post_id: str, *, by: str) -> RosterChange:
    """Close a post's vacant positions: it no longer shows as vacant (``0/1 closed``)."""
    post = roster.post(post_id)
    if post.closed:
        raise RuleViolation("roster.post_closed", Text("{post} is already closed", post=post.id))
    if not post.fill.vacant:
        raise RuleViolation(
            "roster.post_not_vacant",
            Text("{post} has no vacant position to close", post=post.id),
        )
    new = evolve(post, closed=True, stood_down=())
    draft = partial(
        PostClosed,
        post_id=post.id,
        planning_id=post.planning,
        day=post.day,
        fill=str(new.fill),
        by=by,
    )
    return RosterChange(posts=[new], drafts=[draft])


class SwapRefused(RuleViolation):
    """A day swap was refused as a whole; ``reasons`` lists every part that failed."""

    def __init__(self, reasons: Iterable[str]) -> None:
        self.reasons = tuple(reasons)
        super().__init__("roster.swap_refused", joined_reasons(self.reasons))


def swap_days(
    roster: Roster,
    agent_a: str,
    agent_b: str,
    days: Iterable[date],
    *,
    by: str,
    at: datetime,
) -> RosterChange:
    """Two agents exchange their ``days``: on each, A takes B's code and posts and B takes
    A's, as one change.

    Codes change hands as local edits (not sent to the GTT: make the same change there, or the
    next feed overwrites them). Only presence and rest days can be exchanged. Every post
    taken is checked as for an assignment — skills, overlaps, minimum rest against the
    agent's other shifts — and any failure refuses the whole swap with :class:`SwapRefused`
    listing every reason.
    """
    a, b = roster.agent(agent_a).id, roster.agent(agent_b).id
    swapped = sorted(set(days))
    if not swapped:
        raise InvalidInput(Text("name at least one day to swap"), field="days")
    if a == b:
        raise SwapRefused([Text("{agent} cannot swap days with herself", agent=a)])
    exchange = _Exchange(roster, a, b)
    for day in swapped:
        exchange.day(day)
    if not exchange.moved and not exchange.codes and not exchange.reasons:
        exchange.reasons.append(
            Text("{a} and {b} hold the same codes and posts on those days", a=a, b=b)
        )
    exchange.check_posts()
    if exchange.reasons:
        raise SwapRefused(exchange.reasons)
    edits, cleared = exchange.edits(by, at)
    draft = partial(
        DaysSwapped,
        agent_a=a,
        agent_b=b,
        days=tuple(swapped),
        posts=tuple(sorted(exchange.moved)),
        by=by,
    )
    return RosterChange(
        edits=edits, cleared_edits=cleared, posts=exchange.moved.values(), drafts=[draft]
    )


class _Exchange:
    """A day swap being worked out: the posts changing hands, the codes, what stands in
    the way."""

    def __init__(self, roster: Roster, a: AgentId, b: AgentId) -> None:
        self.roster, self.a, self.b = roster, a, b
        self.reasons: list[str] = []
        self.moved: dict[PostId, Post] = {}
        self.codes: dict[tuple[AgentId, date], str] = {}

    def day(self, day: date) -> None:
        roster, a, b = self.roster, self.a, self.b
        held = {agent: roster.effective_code(agent, day.toordinal()) for agent in (a, b)}
        for agent, code in held.items():
            known = roster.catalogue.get(code) if code else None
            if known is not None and not known.exchangeable:
                self.reasons.append(
                    Text(
                        "{agent} holds {code} ({label}) on {day}, which cannot be exchanged",
                        agent=agent,
                        code=known.code,
                        label=known.label,
                        day=day.isoformat(),
                    )
                )
        if (held[a] is None) != (held[b] is None):
            lacking = a if held[a] is None else b
            self.reasons.append(
                Text(
                    "{agent} has no code on {day} yet to exchange",
                    agent=lacking,
                    day=day.isoformat(),
                )
            )
        elif held[a] != held[b]:
            self.codes[(a, day)] = held[b] or ""
            self.codes[(b, day)] = held[a] or ""
        for one, other in ((a, b), (b, a)):
            for post in roster.posted_on(one, day):
                if other in post.assigned:
                    continue  # both on it: it stays as it is
                current = self.moved.get(post.id, post)
                self.moved[post.id] = evolve(
                    current,
                    assigned=[other if x == one else x for x in current.assigned],
                    stood_down=[x for x in current.stood_down if x not in (one, other)],
                )

    def check_posts(self) -> None:
        """Each post taken, checked as for an assignment, with the codes after the swap."""
        roster = self.roster
        for post in self.moved.values():
            for holder in post.assigned:
                if holder not in (self.a, self.b):
                    continue
                code = self.codes.get(
                    (holder, post.day), roster.effective_code(holder, post.day.toordinal())
                )
                for reason in obstacles(
                    post,
                    roster.agent(holder).skills,
                    code,
                    _shifts_after(roster, holder, post.day, self.moved),
                    catalogue=roster.catalogue,
                    minimum_rest=roster.settings.minimum_rest,
                ):
                    self.reasons.append(
                        Text(
                            "{agent} on {post}: {reason}", agent=holder, post=post.id, reason=reason
                        )
                    )

    def edits(self, by: str, at: datetime) -> tuple[list[LocalEdit], list[tuple[AgentId, date]]]:
        """The codes changing hands, as local edits (or withdrawn ones, back to the GTT's)."""
        roster = self.roster
        edits: list[LocalEdit] = []
        cleared: list[tuple[AgentId, date]] = []
        for (agent, day), code in self.codes.items():
            record = roster.gtt_days(agent)
            if code == (record.code_at(day.toordinal()) if record else None):
                cleared.append((agent, day))
            else:
                previous = roster.effective_code(agent, day.toordinal())
                edits.append(LocalEdit(agent, day, code, at, by, previous))
        return edits, cleared


def _shifts_after(
    roster: Roster, agent: AgentId, day: date, moved: dict[PostId, Post]
) -> list[Shift]:
    """The agent's shifts around ``day`` once the ``moved`` posts have changed hands."""
    shifts = [shift for shift in nearby_shifts(roster, agent, day) if shift[2] not in moved]
    shifts += [
        (post.start, post.end, post.id)
        for post in moved.values()
        if agent in post.assigned and abs(post.day - day) <= _AROUND
    ]
    return sorted(shifts)
