"""Seed 000, FAQ 1: an agent posted on a published planning who falls sick is unassigned
automatically, and her post shows ``0/1``. The rule lives here, in :func:`absence_unassigns`,
whatever brought the absence code: a GTT row, a local edit.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

from attrs import evolve, frozen

from caredomain.roster.events import AgentReassigned, AgentUnassigned, PostVacated
from caredomain.roster.model import AgentId, Post, PostId
from caredomain.roster.state import EventDraft, Roster
from caredomain.text import Text

__all__ = ["Postings", "Reinstatement", "Unassignment", "absence_unassigns"]

_DAY = timedelta(days=1)


@frozen
class Unassignment:
    """An agent taken off a post because an absence ``code`` landed on its day."""

    agent: AgentId
    post: PostId
    day: date
    code: str

    def __str__(self) -> str:
        return Text(
            "{agent} off {post} on {day} ({code})",
            agent=self.agent,
            post=self.post,
            day=self.day.isoformat(),
            code=self.code,
        )


@frozen
class Reinstatement:
    """An agent back on her post: the absence that stood her down was withdrawn."""

    agent: AgentId
    post: PostId
    day: date
    code: str | None

    def __str__(self) -> str:
        return Text(
            "{agent} back on {post} on {day} ({code})",
            agent=self.agent,
            post=self.post,
            day=self.day.isoformat(),
            code=self.code or "-",
        )


class Postings:
    """Posts changed by one operation, and who was taken off or put back."""

    def __init__(self, roster: Roster) -> None:
        self.roster = roster
        self.posts: dict[PostId, Post] = {}
        self.unassigned: list[Unassignment] = []
        self.reassigned: list[Reinstatement] = []

    def post(self, post_id: PostId) -> Post:
        return self.posts.get(post_id) or self.roster.post(post_id)

    def vacated(self) -> list[Post]:
        """Posts of published plannings that lost an agent and now have a vacant position."""
        return [
            post
            for post_id, post in self.posts.items()
            if post.fill.vacant
            and self.roster.is_published(post)
            and len(post.assigned) < len(self.roster.post(post_id).assigned)
        ]

    def drafts(self) -> list[EventDraft]:
        """``AgentUnassigned``, ``PostVacated`` and ``AgentReassigned`` for what happened."""
        roster = self.roster
        drafts: list[EventDraft] = []
        for off in self.unassigned:
            drafts.append(
                partial(
                    AgentUnassigned,
                    agent_id=off.agent,
                    post_id=off.post,
                    planning_id=roster.post(off.post).planning,
                    day=off.day,
                    reason="absence",
                    code=off.code,
                )
            )
        for post in self.vacated():
            drafts.append(
                partial(
                    PostVacated,
                    post_id=post.id,
                    planning_id=post.planning,
                    unit=roster.unit_of(post),
                    day=post.day,
                    start=post.start,
                    end=post.end,
                    fill=str(post.fill),
                )
            )
        for back in self.reassigned:
            post = self.posts[back.post]
            drafts.append(
                partial(
                    AgentReassigned,
                    agent_id=back.agent,
                    post_id=back.post,
                    planning_id=post.planning,
                    day=back.day,
                    code=back.code,
                    fill=str(post.fill),
                )
            )
        return drafts


def absence_unassigns(
    postings: Postings, agent: AgentId, ordinal: int, before: str | None, after: str | None
) -> None:
    """An absence code landing on a day the agent is posted unassigns her — no manual step —
    and on a published planning her post is vacated and shows its fill (``0/1``).

    ``before`` and ``after`` are the codes she holds that day before and after the change.
    She is *stood down* from the post: if the absence is withdrawn (a later code that is not
    an absence) while the post still has room and she holds no overlapping post, she comes
    back. The manager handling the vacancy (assigning, closing, swapping) ends that.
    """
    roster = postings.roster
    absent_before = roster.catalogue.is_absence(before)
    absent_after = roster.catalogue.is_absence(after)
    if absent_after and not absent_before:
        for post_id in roster.posted_ids(agent, ordinal):
            post = postings.post(post_id)
            if agent not in post.assigned:
                continue
            postings.posts[post_id] = evolve(
                post,
                assigned=[a for a in post.assigned if a != agent],
                stood_down=[*post.stood_down, agent],
            )
            postings.unassigned.append(Unassignment(agent, post_id, post.day, after or ""))
    elif absent_before and not absent_after:
        for post_id in roster.stood_down_ids(agent, ordinal):
            post = postings.post(post_id)
            if agent not in post.stood_down or not post.has_room():
                continue
            around = roster.posts_of(agent, post.day - _DAY, post.day + _DAY)
            if any(
                other.id != post_id and other.overlaps(post.start, post.end) for other in around
            ):
                continue
            postings.posts[post_id] = evolve(
                post,
                assigned=[*post.assigned, agent],
                stood_down=[a for a in post.stood_down if a != agent],
            )
            postings.reassigned.append(Reinstatement(agent, post_id, post.day, after))
