"""The roster's state, and the changes that move it on.

Every operation on the roster — applying a GTT batch, a local edit, assigning, closing a
post, swapping days, publishing — is a function that reads a :class:`Roster` and returns a
:class:`RosterChange` without touching it. :meth:`Roster.apply` then moves the state on, and a
store persists the same change: only what changed is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol, TypeVar, cast

from attrs import field, frozen

from caredomain.errors import NotFound
from caredomain.events import Event, IdFactory
from caredomain.roster.codes import CodeCatalogue
from caredomain.roster.days import AgentDays, DayCode, LocalEdit, Provenance, from_micros, micros
from caredomain.roster.model import (
    Agent,
    AgentId,
    Fill,
    Planning,
    PlanningId,
    Post,
    PostId,
    RosterSettings,
)
from caredomain.text import Text

__all__ = ["EventDraft", "IdFactory", "KeptIndex", "Roster", "RosterChange", "RosterSnapshot"]


class KeptIndex(Protocol):
    """An index of a roster that :meth:`Roster.apply` keeps in step with each change."""

    def update(self, change: RosterChange, old_posts: Sequence[Post]) -> None: ...


Kept = TypeVar("Kept", bound=KeptIndex)

EventDraft = Callable[..., Event]
"""An event class with its fields bound: called with ``event_id`` and ``occurred_at``."""


def _tuple(values: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(values)


@frozen
class RosterChange:
    """What one operation changes: replaced GTT records, the records a batch ``confirmed``
    (stated again, unchanged, at ``confirmed_at``: see
    :attr:`~caredomain.roster.days.AgentDays.confirmed`), local edits made and cleared,
    replaced posts, plannings and agents, and the events it records."""

    days: tuple[AgentDays, ...] = field(default=(), converter=_tuple)
    confirmed: tuple[AgentId, ...] = field(default=(), converter=_tuple)
    confirmed_at: datetime | None = None
    edits: tuple[LocalEdit, ...] = field(default=(), converter=_tuple)
    cleared_edits: tuple[tuple[AgentId, date], ...] = field(default=(), converter=_tuple)
    posts: tuple[Post, ...] = field(default=(), converter=_tuple)
    plannings: tuple[Planning, ...] = field(default=(), converter=_tuple)
    agents: tuple[Agent, ...] = field(default=(), converter=_tuple)
    drafts: tuple[EventDraft, ...] = field(default=(), converter=_tuple, eq=False, repr=False)

    @property
    def empty(self) -> bool:
        return not (
            self.days
            or self.confirmed
            or self.edits
            or self.cleared_edits
            or self.posts
            or self.plannings
            or self.agents
            or self.drafts
        )

    def events(self, new_id: IdFactory, at: datetime) -> list[Event]:
        """The events of the change, stamped with new ids and ``at``."""
        return [draft(event_id=new_id(), occurred_at=at) for draft in self.drafts]


@frozen
class RosterSnapshot:
    """The whole state as plain comparable values: two rosters are in the same state when
    their snapshots are equal."""

    days: frozenset[tuple[AgentId, date, str, datetime]]
    edits: frozenset[LocalEdit]
    posts: frozenset[Post]
    plannings: frozenset[Planning]
    agents: frozenset[Agent]


class Roster:
    """The state of a roster: catalogue, settings, agents, plannings and posts, what the GTT
    said of each agent-day and the pending local edits. It changes only through
    :meth:`apply`, which keeps its indexes (posts by agent and day) in step.

    A store too large to load whole builds a partial roster for the feed: ``agent_ids``
    names agents known without their details, ``holders`` the agents holding posts that are
    not loaded; the posts a batch concerns are added with :meth:`load_posts` (see
    :func:`~caredomain.roster.feed.apply_codes`).
    """

    def __init__(
        self,
        catalogue: CodeCatalogue,
        settings: RosterSettings | None = None,
        *,
        agents: Iterable[Agent] = (),
        plannings: Iterable[Planning] = (),
        posts: Iterable[Post] = (),
        days: Iterable[AgentDays] = (),
        edits: Iterable[LocalEdit] = (),
        agent_ids: Iterable[AgentId] = (),
        holders: Iterable[AgentId] = (),
    ) -> None:
        self.catalogue = catalogue
        self.settings = settings or RosterSettings()
        self._agents: dict[AgentId, Agent] = {agent.id: agent for agent in agents}
        self._agent_ids = frozenset(agent_ids)
        self._holders = frozenset(holders)
        self._plannings: dict[PlanningId, Planning] = {p.id: p for p in plannings}
        self._posts: dict[PostId, Post] = {}
        self._posted: dict[AgentId, dict[int, list[PostId]]] = {}
        self._stood_down: dict[AgentId, dict[int, list[PostId]]] = {}
        self._posts_by_day: dict[int, list[PostId]] = {}
        self._days: dict[AgentId, AgentDays] = {record.agent: record for record in days}
        self._edits: dict[AgentId, dict[int, LocalEdit]] = {}
        self._kept: dict[Callable[[Roster], KeptIndex], KeptIndex] = {}
        for post in posts:
            self._add_post(post)
        for edit in edits:
            self._edits.setdefault(edit.agent, {})[edit.day.toordinal()] = edit

    # -- reading ----------------------------------------------------------------------

    def agent(self, agent_id: str) -> Agent:
        try:
            return self._agents[AgentId(agent_id)]
        except KeyError:
            raise NotFound(Text("no agent {agent}", agent=repr(agent_id))) from None

    def knows(self, agent_id: str) -> bool:
        return agent_id in self._agents or agent_id in self._agent_ids

    def known_agents(self) -> frozenset[AgentId]:
        """Every agent's id, whether her details are loaded or not."""
        return frozenset(self._agents) | self._agent_ids

    def agents(self) -> list[Agent]:
        return sorted(self._agents.values(), key=lambda agent: agent.id)

    @property
    def agent_count(self) -> int:
        return len(self._agents)

    def planning(self, planning_id: str) -> Planning:
        try:
            return self._plannings[PlanningId(planning_id)]
        except KeyError:
            raise NotFound(Text("no planning {planning}", planning=repr(planning_id))) from None

    def has_planning(self, planning_id: str) -> bool:
        return planning_id in self._plannings

    def plannings(self) -> list[Planning]:
        return sorted(self._plannings.values(), key=lambda planning: planning.id)

    def post(self, post_id: str) -> Post:
        try:
            return self._posts[PostId(post_id)]
        except KeyError:
            raise NotFound(Text("no post {post}", post=repr(post_id))) from None

    def posts(self, *, planning: str | None = None, day: date | None = None) -> list[Post]:
        """Posts, by day and start, optionally of one planning or one day."""
        if day is not None:
            found = [self._posts[p] for p in self._posts_by_day.get(day.toordinal(), ())]
        else:
            found = list(self._posts.values())
        if planning is not None:
            found = [post for post in found if post.planning == planning]
        return sorted(found, key=lambda post: (post.start, post.id))

    def unit_of(self, post: Post) -> str:
        return self.planning(post.planning).unit

    def is_published(self, post: Post) -> bool:
        planning = self._plannings.get(post.planning)
        return planning is not None and planning.published

    def fill(self, post_id: str) -> Fill:
        return self.post(post_id).fill

    def vacancies(self, day: date | None = None) -> list[Post]:
        """Posts of published plannings with a position nobody holds, by day and start."""
        return [
            post for post in self.posts(day=day) if post.fill.vacant and self.is_published(post)
        ]

    def posted_on(self, agent: str, day: date) -> list[Post]:
        """The posts an agent holds on a day (by the post's day)."""
        ids = self._posted.get(AgentId(agent), {}).get(day.toordinal(), ())
        return [self._posts[post_id] for post_id in ids]

    def posted_ids(self, agent: AgentId, ordinal: int) -> list[PostId]:
        return self._posted.get(agent, {}).get(ordinal, [])

    def stood_down_ids(self, agent: AgentId, ordinal: int) -> list[PostId]:
        return self._stood_down.get(agent, {}).get(ordinal, [])

    def posting_days(self, agent: AgentId) -> set[int]:
        """The days (ordinals) on which an agent holds a post or was stood down from one."""
        return set(self._posted.get(agent, ())) | set(self._stood_down.get(agent, ()))

    def has_postings(self, agent: AgentId) -> bool:
        """Whether the agent holds or was stood down from any post (cheap pre-check)."""
        return agent in self._posted or agent in self._stood_down or agent in self._holders

    def posts_of(self, agent: str, first: date, last: date) -> list[Post]:
        """The posts an agent holds from ``first`` to ``last``, by start."""
        by_day = self._posted.get(AgentId(agent), {})
        found = [
            self._posts[post_id]
            for ordinal, ids in by_day.items()
            if first.toordinal() <= ordinal <= last.toordinal()
            for post_id in ids
        ]
        return sorted(found, key=lambda post: post.start)

    def gtt_days(self, agent: str) -> AgentDays | None:
        """What the GTT said of an agent, compactly."""
        return self._days.get(AgentId(agent))

    def gtt_records(self) -> Mapping[AgentId, AgentDays]:
        return self._days

    def edits_of(self, agent: AgentId) -> Mapping[int, LocalEdit]:
        return self._edits.get(agent, {})

    def has_edits(self, agent: AgentId) -> bool:
        return bool(self._edits.get(agent))

    def edited_agents(self) -> frozenset[AgentId]:
        """The agents with a pending local edit."""
        return frozenset(agent for agent, edits in self._edits.items() if edits)

    def pending_edits(self, agent: str | None = None) -> list[LocalEdit]:
        """The local edits the GTT has not confirmed yet: what the next feed may overwrite."""
        if agent is not None:
            edits = list(self._edits.get(AgentId(agent), {}).values())
        else:
            edits = [edit for by_day in self._edits.values() for edit in by_day.values()]
        return sorted(edits, key=lambda edit: (edit.day, edit.agent))

    def code_on(self, agent: str, day: date) -> DayCode | None:
        """The code an agent holds on a day, with its provenance; ``None`` if none."""
        agent_id = AgentId(agent)
        ordinal = day.toordinal()
        record = self._days.get(agent_id)
        gtt_code = record.code_at(ordinal) if record else None
        edit = self._edits.get(agent_id, {}).get(ordinal)
        if edit is not None:
            return DayCode(agent_id, day, edit.code, Provenance.LOCAL, None, edit, gtt_code)
        if record is None or gtt_code is None:
            return None
        return DayCode(
            agent_id, day, gtt_code, Provenance.GTT, from_micros(record.held_at(ordinal))
        )

    def effective_code(self, agent: AgentId, ordinal: int) -> str | None:
        """The code that counts on a day: the pending local edit, else the GTT's."""
        edit = self._edits.get(agent, {}).get(ordinal)
        if edit is not None:
            return edit.code
        record = self._days.get(agent)
        return record.code_at(ordinal) if record else None

    def is_absent(self, agent: AgentId, ordinal: int) -> bool:
        return self.catalogue.is_absence(self.effective_code(agent, ordinal))

    def kept(self, build: Callable[[Roster], Kept]) -> Kept:
        """The index ``build`` makes of this roster (such as
        :class:`~caredomain.roster.availability.Availability`): built on first use, kept in
        step by :meth:`apply`, dropped when posts are loaded."""
        index = self._kept.get(build)
        if index is None:
            index = self._kept[build] = build(self)
        return cast(Kept, index)  # one index per builder, of the builder's type

    def snapshot(self) -> RosterSnapshot:
        return RosterSnapshot(
            days=frozenset(
                (record.agent, day, code, held)
                for record in self._days.values()
                for day, code, held in record.items()
            ),
            edits=frozenset(self.pending_edits()),
            posts=frozenset(self._posts.values()),
            plannings=frozenset(self._plannings.values()),
            agents=frozenset(self._agents.values()),
        )

    def __iter__(self) -> Iterator[Post]:
        return iter(self.posts())

    def __repr__(self) -> str:
        return (
            f"<Roster {len(self._agents)} agents, {len(self._plannings)} plannings, "
            f"{len(self._posts)} posts, {len(self._days)} GTT records>"
        )

    # -- changing ---------------------------------------------------------------------

    def load_posts(self, posts: Iterable[Post]) -> None:
        """Add posts read from a store to a partial roster (they are not a change)."""
        for post in posts:
            self._remove_post(post.id)
            self._add_post(post)
        self._kept.clear()

    def apply(self, change: RosterChange) -> None:
        """Move the state on by ``change`` (as returned by an operation on this roster)."""
        old_posts = [self._posts[post.id] for post in change.posts if post.id in self._posts]
        for agent in change.agents:
            self._agents[agent.id] = agent
        for planning in change.plannings:
            self._plannings[planning.id] = planning
        for post in change.posts:
            self._remove_post(post.id)
            self._add_post(post)
        for record in change.days:
            self._days[record.agent] = record
        if change.confirmed_at is not None:
            extracted_at = micros(change.confirmed_at)
            for agent_id in change.confirmed:
                self._days[agent_id] = self._days[agent_id].confirmed_by(extracted_at)
        for agent_id, day in change.cleared_edits:
            by_day = self._edits.get(agent_id)
            if by_day is not None:
                by_day.pop(day.toordinal(), None)
                if not by_day:
                    del self._edits[agent_id]
        for edit in change.edits:
            self._edits.setdefault(edit.agent, {})[edit.day.toordinal()] = edit
        for index in self._kept.values():
            index.update(change, old_posts)

    def _add_post(self, post: Post) -> None:
        self._posts[post.id] = post
        ordinal = post.day.toordinal()
        self._posts_by_day.setdefault(ordinal, []).append(post.id)
        for agent in post.assigned:
            self._posted.setdefault(agent, {}).setdefault(ordinal, []).append(post.id)
        for agent in post.stood_down:
            self._stood_down.setdefault(agent, {}).setdefault(ordinal, []).append(post.id)

    def _remove_post(self, post_id: PostId) -> None:
        post = self._posts.pop(post_id, None)
        if post is None:
            return
        ordinal = post.day.toordinal()
        _discard(self._posts_by_day, ordinal, post_id)
        for index, agents in ((self._posted, post.assigned), (self._stood_down, post.stood_down)):
            for agent in agents:
                by_day = index.get(agent, {})
                _discard(by_day, ordinal, post_id)
                if not by_day:
                    index.pop(agent, None)


def _discard(index: dict[int, list[PostId]], key: int, post_id: PostId) -> None:
    ids = index.get(key)
    if ids is not None and post_id in ids:
        ids.remove(post_id)
        if not ids:
            del index[key]
