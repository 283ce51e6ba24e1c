"""Who could take a post: the obstacles, and the index that finds candidates fast.

:func:`obstacles` is the one place that says why an agent cannot take a post — absent that
day, missing a skill, already posted on an overlapping shift, or too little rest before or
after — used by the candidates list, by assigning and by day swaps.

:class:`Availability` indexes a roster so that the candidates of a post are found among tens
of thousands of agents in well under a millisecond: agents grouped by their exact set of
skills (a post's required skills select a few groups, never every agent), each group ranked
per ISO week by hours already planned, each day's absences, each agent's shifts. Candidates
are then met in rank order and checked one by one until enough are found.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta

from attrs import frozen

from caredomain.roster.codes import CodeCatalogue
from caredomain.roster.model import AgentId, Post, PostId
from caredomain.roster.state import Roster, RosterChange
from caredomain.text import Text, counted

__all__ = [
    "FULL_REST",
    "Availability",
    "Candidate",
    "Exclusion",
    "Shift",
    "availability_of",
    "joined_reasons",
    "obstacles",
]

FULL_REST = timedelta(hours=24)
"""Rest from this much on counts as full rest when ranking candidates."""

Shift = tuple[datetime, datetime, PostId]
Week = tuple[int, int]
_NO_SHIFTS: list[Shift] = []


def hours_text(duration: timedelta) -> str:
    """``9 h`` or ``9 h 30``."""
    minutes = int(duration.total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    return f"{hours} h" + (f" {rest:02d}" if rest else "")


def joined_reasons(reasons: Sequence[str]) -> str:
    """``reasons`` one after the other, ``a; b; c``: a :class:`~caredomain.text.Text` that
    translates each reason (halves nested in halves, so that a long list stays shallow)."""
    if len(reasons) <= 1:
        return reasons[0] if reasons else ""
    half = len(reasons) // 2
    return Text(
        "{first}; {rest}",
        first=joined_reasons(reasons[:half]),
        rest=joined_reasons(reasons[half:]),
    )


def obstacles(
    post: Post,
    skills: frozenset[str],
    code: str | None,
    shifts: Iterable[Shift],
    *,
    catalogue: CodeCatalogue,
    minimum_rest: timedelta,
) -> list[str]:
    """Why an agent with ``skills``, holding ``code`` on the post's day and posted on
    ``shifts`` (other than this post), cannot take ``post``; empty if she can."""
    reasons: list[str] = []
    if catalogue.is_absence(code):
        reasons.append(Text("absent: {code}", code=code))
    missing = sorted(post.skills - skills)
    if missing:
        reasons.append(
            counted(
                "missing skill: {skills}",
                "missing skills: {skills}",
                n=len(missing),
                skills=", ".join(missing),
            )
        )
    for start, end, post_id in shifts:
        if post_id == post.id:
            continue
        if start < post.end and post.start < end:
            reasons.append(Text("already posted: {post}", post=post_id))
        elif end <= post.start and post.start - end < minimum_rest:
            reasons.append(
                Text(
                    "rest {rest} < {minimum} after {post}",
                    rest=hours_text(post.start - end),
                    minimum=hours_text(minimum_rest),
                    post=post_id,
                )
            )
        elif post.end <= start and start - post.end < minimum_rest:
            reasons.append(
                Text(
                    "rest {rest} < {minimum} before {post}",
                    rest=hours_text(start - post.end),
                    minimum=hours_text(minimum_rest),
                    post=post_id,
                )
            )
    return reasons


@frozen
class Candidate:
    """An agent who can take a post: hours already planned that ISO week, and her rest
    before and after the post (``None``: no shift on that side)."""

    agent: AgentId
    week_hours: timedelta
    rest_before: timedelta | None
    rest_after: timedelta | None

    @property
    def rest(self) -> timedelta | None:
        """The shorter of the two rests; ``None`` if she has no shift around at all."""
        sides = [r for r in (self.rest_before, self.rest_after) if r is not None]
        return min(sides) if sides else None

    @property
    def summary(self) -> str:
        """Her hours and rest for people: ``0 h this week, no shift around``."""
        rest = (
            Text("no shift around")
            if self.rest is None
            else Text("rest {rest}", rest=hours_text(self.rest))
        )
        return Text("{hours} this week, {rest}", hours=hours_text(self.week_hours), rest=rest)

    def __str__(self) -> str:
        return Text("{agent}  {summary}", agent=self.agent, summary=self.summary)


@frozen
class Exclusion:
    """An agent who cannot take the post, and why."""

    agent: AgentId
    reasons: tuple[str, ...]

    def __str__(self) -> str:
        return Text("{agent}: {reasons}", agent=self.agent, reasons=joined_reasons(self.reasons))


def _week(day: date) -> Week:
    year, week, _ = day.isocalendar()
    return (year, week)


class Availability:
    """The candidates index of one roster, kept in step by
    :meth:`~caredomain.roster.state.Roster.apply`."""

    def __init__(self, roster: Roster) -> None:
        self._roster = roster
        self._build_agents()
        self._shifts: dict[AgentId, list[Shift]] = {}
        self._week_seconds: dict[Week, dict[AgentId, int]] = {}
        for post in roster.posts():
            self._add_shifts(post)
        self._absent: dict[int, dict[AgentId, str]] = {}
        self._ranked: dict[tuple[Week, frozenset[str]], list[tuple[int, AgentId]]] = {}

    def _build_agents(self) -> None:
        groups: dict[frozenset[str], list[AgentId]] = {}
        for agent in self._roster.agents():
            groups.setdefault(agent.skills, []).append(agent.id)
        self._groups = groups
        self._skills = {agent: skills for skills, ids in groups.items() for agent in ids}

    # -- queries ----------------------------------------------------------------------

    def shifts(self, agent: AgentId) -> list[Shift]:
        """The agent's shifts (start, end, post), by start."""
        return self._shifts.get(agent, _NO_SHIFTS)

    def week_hours(self, agent: AgentId, day: date) -> timedelta:
        return timedelta(seconds=self._week_seconds.get(_week(day), {}).get(agent, 0))

    def absent_on(self, day: date) -> dict[AgentId, str]:
        """The agents holding an absence code on ``day``, with the code."""
        ordinal = day.toordinal()
        absent = self._absent.get(ordinal)
        if absent is None:
            absent = self._absent[ordinal] = self._absences(ordinal)
        return absent

    def candidates(self, post: Post, limit: int) -> list[Candidate]:
        """The ``limit`` best candidates: fewest hours planned that ISO week, then longest
        rest (24 hours or more counts as full rest), then agent id."""
        roster = self._roster
        week = _week(post.day)
        absent = self.absent_on(post.day)
        minimum_rest = roster.settings.minimum_rest
        ranked = [self._ranking(week, skills) for skills in self._groups if post.skills <= skills]
        found: list[tuple[timedelta, AgentId, Candidate]] = []
        chosen: list[Candidate] = []
        bucket_seconds = -1
        full = 0
        for seconds, agent in heapq.merge(*ranked):
            if seconds != bucket_seconds:
                chosen += _best(found)
                found, full = [], 0
                if len(chosen) >= limit:
                    break
                bucket_seconds = seconds
            if agent in absent or agent in post.assigned:
                continue
            before, after, blocked = self._around(agent, post, minimum_rest)
            if blocked:
                continue
            candidate = Candidate(agent, timedelta(seconds=seconds), before, after)
            rest = candidate.rest
            ranking_rest = FULL_REST if rest is None else min(rest, FULL_REST)
            found.append((ranking_rest, agent, candidate))
            if ranking_rest == FULL_REST:
                full += 1
                if full >= limit - len(chosen):
                    break
        chosen += _best(found)
        return chosen[:limit]

    def exclusions(self, post: Post) -> list[Exclusion]:
        """Every agent who cannot take ``post``, with the reasons, by agent id."""
        roster = self._roster
        absent = self.absent_on(post.day)
        excluded = []
        for agent in sorted(self._skills):
            reasons = obstacles(
                post,
                self._skills[agent],
                absent.get(agent),
                self.shifts(agent),
                catalogue=roster.catalogue,
                minimum_rest=roster.settings.minimum_rest,
            )
            if agent in post.assigned:
                reasons.insert(0, Text("already on this post"))
            if reasons:
                excluded.append(Exclusion(agent, tuple(reasons)))
        return excluded

    def _around(
        self, agent: AgentId, post: Post, minimum_rest: timedelta
    ) -> tuple[timedelta | None, timedelta | None, bool]:
        """Rest before and after ``post`` given the agent's shifts, and whether a shift
        overlaps it or leaves less than the minimum rest."""
        shifts = self._shifts.get(agent)
        if not shifts:
            return None, None, False
        index = bisect_left(shifts, (post.start,))
        before = after = None
        if index > 0:
            # An agent's shifts do not overlap: the latest ends are those that start last.
            previous = max(end for _, end, _ in shifts[max(0, index - 3) : index])
            if previous > post.start:
                return None, None, True
            before = post.start - previous
        if index < len(shifts):
            after = shifts[index][0] - post.end
            if after < timedelta(0):
                return None, None, True
        blocked = (before is not None and before < minimum_rest) or (
            after is not None and after < minimum_rest
        )
        return before, after, blocked

    # -- building ---------------------------------------------------------------------

    def _absences(self, ordinal: int) -> dict[AgentId, str]:
        roster = self._roster
        absences = roster.catalogue.absences
        found: dict[AgentId, str] = {}
        for agent, record in roster.gtt_records().items():
            if record.first <= ordinal <= record.last:
                code = record.codes.split(" ", ordinal - record.first + 1)[ordinal - record.first]
                if code in absences:
                    found[agent] = code
        for edit in roster.pending_edits():
            if edit.day.toordinal() == ordinal:
                if edit.code in absences:
                    found[edit.agent] = edit.code
                else:
                    found.pop(edit.agent, None)
        return found

    def _ranking(self, week: Week, skills: frozenset[str]) -> list[tuple[int, AgentId]]:
        key = (week, skills)
        ranked = self._ranked.get(key)
        if ranked is None:
            seconds = self._week_seconds.get(week, {})
            ranked = sorted((seconds.get(agent, 0), agent) for agent in self._groups[skills])
            self._ranked[key] = ranked
        return ranked

    def _add_shifts(self, post: Post) -> None:
        seconds = int(post.duration.total_seconds())
        hours = self._week_seconds.setdefault(_week(post.day), {})
        for agent in post.assigned:
            shifts = self._shifts.setdefault(agent, [])
            shifts.insert(bisect_left(shifts, (post.start, post.end, post.id)), _shift(post))
            hours[agent] = hours.get(agent, 0) + seconds

    def _remove_shifts(self, post: Post) -> None:
        seconds = int(post.duration.total_seconds())
        hours = self._week_seconds.get(_week(post.day), {})
        for agent in post.assigned:
            shifts = self._shifts.get(agent, [])
            if _shift(post) in shifts:
                shifts.remove(_shift(post))
                hours[agent] = hours.get(agent, 0) - seconds

    # -- keeping in step --------------------------------------------------------------

    def update(self, change: RosterChange, old_posts: Sequence[Post]) -> None:
        """Follow ``change``, applied to the roster; ``old_posts`` are the posts it replaced."""
        if change.agents:
            self._build_agents()
            self._ranked.clear()
        touched_weeks = set()
        for post in old_posts:
            self._remove_shifts(post)
            touched_weeks.add(_week(post.day))
        for post in change.posts:
            self._add_shifts(post)
            touched_weeks.add(_week(post.day))
        if touched_weeks:
            self._ranked = {k: v for k, v in self._ranked.items() if k[0] not in touched_weeks}
        days = {edit.day.toordinal() for edit in change.edits} | {
            day.toordinal() for _, day in change.cleared_edits
        }
        if change.days or days:
            for ordinal in list(self._absent):
                if ordinal in days or any(r.first <= ordinal <= r.last for r in change.days):
                    del self._absent[ordinal]


def _shift(post: Post) -> Shift:
    return (post.start, post.end, post.id)


def _best(found: list[tuple[timedelta, AgentId, Candidate]]) -> Iterator[Candidate]:
    """The candidates of one hours bucket, longest rest first, then by id."""
    found.sort(key=lambda item: (-item[0], item[1]))
    return (candidate for _, _, candidate in found)


def availability_of(roster: Roster) -> Availability:
    """The index that answers :func:`~caredomain.roster.vacancies.candidates` fast: built on
    first use and kept in step by :meth:`Roster.apply <caredomain.roster.state.Roster.apply>`."""
    return roster.kept(Availability)
