"""Agents, plannings and their posts.

A planning is a unit's schedule for a period, ``draft`` while the manager builds it and
``published`` once the agents see it. It is made of posts: a unit, a date, a shift (start
and end, the end possibly the next morning), the skills the post requires and how many agents
it needs. A post's *fill* is shown ``assigned/required``: ``0/1`` is a vacant post.

An agent unassigned because an absence code landed on the post's day is *stood down*: she
returns to the post by herself if the absence is withdrawn before the manager has handled the
vacancy (assigned someone, closed the post, swapped days). See ``docs/roster.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import NewType
from zoneinfo import ZoneInfo

from attrs import Attribute, evolve, field, frozen

from caredomain.arguments import checked_fields
from caredomain.clock import require_aware
from caredomain.errors import InvalidInput
from caredomain.organisation import PARIS, OrganisationId
from caredomain.roster.schedule import FeedSchedule
from caredomain.text import Text
from caredomain.validation import identifier, member_of

__all__ = [
    "DEFAULT_MINIMUM_REST",
    "DEFAULT_PLAUSIBLE_YEARS",
    "MAX_SHIFT",
    "Agent",
    "AgentId",
    "Fill",
    "Planning",
    "PlanningId",
    "PlanningStatus",
    "Post",
    "PostId",
    "RosterSettings",
]

AgentId = NewType("AgentId", str)
PostId = NewType("PostId", str)
PlanningId = NewType("PlanningId", str)

DEFAULT_MINIMUM_REST = timedelta(hours=11)
DEFAULT_PLAUSIBLE_YEARS = 10
MAX_PLAUSIBLE_YEARS = 100
MAX_SHIFT = timedelta(hours=24)


def _skills(values: Iterable[str]) -> frozenset[str]:
    skills = frozenset(values)
    for skill in skills:
        if not isinstance(skill, str) or not skill.strip():
            raise InvalidInput(Text("a skill is non-blank text"), field="skills", text=repr(skill))
    return skills


def _agent_ids(values: Iterable[str]) -> tuple[AgentId, ...]:
    """Sorted and without repeats: the same set of agents always reads the same."""
    return tuple(sorted({AgentId(value) for value in values}))


@frozen(field_transformer=checked_fields)
class Agent:
    """A member of staff, known by her GTT identifier (matricule), with her skills
    (``IDE`` nurse, ``AS`` care assistant, ``REA`` intensive care…)."""

    id: AgentId = field(validator=identifier)
    name: str = ""
    skills: frozenset[str] = field(default=frozenset(), converter=_skills)

    def __str__(self) -> str:
        return f"{self.name} ({self.id})" if self.name else self.id


class PlanningStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


def _status(value: object) -> PlanningStatus:
    return member_of(PlanningStatus, value, "status")


@frozen(field_transformer=checked_fields)
class Planning:
    """A unit's planning; its posts refer to it by id."""

    id: PlanningId = field(validator=identifier)
    unit: str
    label: str = ""
    status: PlanningStatus = field(default=PlanningStatus.DRAFT, converter=_status)

    @property
    def published(self) -> bool:
        return self.status is PlanningStatus.PUBLISHED

    def publish(self) -> Planning:
        return evolve(self, status=PlanningStatus.PUBLISHED)


@frozen
class Fill:
    """How full a post is, shown ``assigned/required`` (``0/1``), ``closed`` when the manager
    closed it."""

    assigned: int
    required: int
    closed: bool = False

    @property
    def vacant(self) -> bool:
        """Open positions that nobody holds (a closed post is not vacant)."""
        return not self.closed and self.assigned < self.required

    def __str__(self) -> str:
        fill = f"{self.assigned}/{self.required}"
        return Text("{fill} closed", fill=fill) if self.closed else fill


def _utc(value: datetime) -> datetime:
    """Kept in UTC, so that durations across a change of daylight saving time are exact."""
    return require_aware(value, "shift").astimezone(UTC)


def _positive(instance: object, attribute: Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(
            Text("must be a whole number, 1 or more"), field=attribute.name, text=str(value)
        )


@frozen(field_transformer=checked_fields)
class Post:
    """A post of a planning on one day. ``assigned`` holds the agents posted there (at most
    ``required``), ``stood_down`` those an absence code took off it, who come back if the
    absence is withdrawn while the post still has room."""

    id: PostId = field(validator=identifier)
    planning: PlanningId
    day: date
    start: datetime = field(converter=_utc)
    end: datetime = field(converter=_utc)
    skills: frozenset[str] = field(default=frozenset(), converter=_skills)
    required: int = field(default=1, validator=_positive)
    assigned: tuple[AgentId, ...] = field(default=(), converter=_agent_ids)
    stood_down: tuple[AgentId, ...] = field(default=(), converter=_agent_ids)
    closed: bool = False

    def __attrs_post_init__(self) -> None:
        if not self.start < self.end <= self.start + MAX_SHIFT:
            raise InvalidInput(
                Text("a shift ends after it starts, at most 24 hours later"),
                field="end",
                text=f"{self.start.isoformat()} to {self.end.isoformat()}",
            )
        if len(self.assigned) > self.required:
            raise InvalidInput(
                Text(
                    "{assigned} agents assigned to a post that requires {required}",
                    assigned=len(self.assigned),
                    required=self.required,
                ),
                field="assigned",
                text=self.id,
            )
        if set(self.assigned) & set(self.stood_down):
            raise InvalidInput(
                Text("an agent cannot be both assigned and stood down"),
                field="stood_down",
                text=self.id,
            )

    @classmethod
    def on(
        cls,
        post_id: str,
        planning: str,
        day: date,
        shift: str,
        *,
        zone: ZoneInfo,
        skills: Iterable[str] = (),
        required: int = 1,
        assigned: Iterable[str] = (),
    ) -> Post:
        """A post from its shift written ``06h45-14h15`` (``21h00-07h00`` ends the next
        morning), on the wall clock of ``zone``."""
        start, end = shift_bounds(day, shift, zone)
        return cls(
            PostId(post_id),
            PlanningId(planning),
            day,
            start,
            end,
            frozenset(skills),
            required,
            tuple(AgentId(a) for a in assigned),
        )

    @property
    def fill(self) -> Fill:
        return Fill(len(self.assigned), self.required, self.closed)

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def has_room(self) -> bool:
        return not self.closed and len(self.assigned) < self.required

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.start < end and start < self.end

    def shift_text(self, zone: ZoneInfo) -> str:
        """The shift on the wall clock of ``zone``, ``06h45-14h15``."""
        start, end = self.start.astimezone(zone), self.end.astimezone(zone)
        return f"{start:%Hh%M}-{end:%Hh%M}"

    def with_assigned(self, agents: Iterable[AgentId]) -> Post:
        return evolve(self, assigned=tuple(agents))


def shift_bounds(day: date, shift: str, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The start and end of a shift written ``HHhMM-HHhMM`` on ``day``, in ``zone``; an end
    at or before the start is on the next day (a night shift)."""
    parts = shift.strip().split("-")
    if len(parts) != 2:
        raise InvalidInput(Text("expected a shift written HHhMM-HHhMM"), field="shift", text=shift)
    first, last = (_clock_time(part, shift) for part in parts)
    start = datetime(day.year, day.month, day.day, *first, tzinfo=zone)
    end_day = day if last > first else day + timedelta(days=1)
    end = datetime(end_day.year, end_day.month, end_day.day, *last, tzinfo=zone)
    return start, end


def _clock_time(text: str, shift: str) -> tuple[int, int]:
    hours, separator, minutes = text.strip().lower().partition("h")
    if (
        not separator
        or not (hours.isascii() and hours.isdigit() and len(hours) <= 2)
        or not (minutes.isascii() and minutes.isdigit() and len(minutes) == 2)
        or int(hours) > 23
        or int(minutes) > 59
    ):
        raise InvalidInput(Text("expected a shift written HHhMM-HHhMM"), field="shift", text=shift)
    return int(hours), int(minutes)


def _minimum_rest(value: timedelta) -> timedelta:
    if not timedelta(0) <= value <= timedelta(hours=48):
        raise InvalidInput(
            Text("must be between 0 and 48 hours"), field="minimum_rest", text=str(value)
        )
    return value


def _plausible_years(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(
            Text("expected a whole number of years"), field="plausible_years", text=repr(value)
        )
    if not 1 <= value <= MAX_PLAUSIBLE_YEARS:
        raise InvalidInput(
            Text("must be between 1 and {most} years", most=MAX_PLAUSIBLE_YEARS),
            field="plausible_years",
            text=str(value),
        )
    return value


def _organisation(
    instance: object, attribute: Attribute[OrganisationId | None], value: OrganisationId | None
) -> None:
    if value is not None:
        identifier(instance, attribute, value)  # type: ignore[type-var]


@frozen(field_transformer=checked_fields)
class RosterSettings:
    """The roster's wall clock (``zone``), the minimum rest between two shifts of one agent
    (11 hours by default, the French public hospitals' daily rest), when the GTT feed runs
    (``caredomain gtt watch``; every hour if not said), how many years around the clock's
    date its extraction times and days may be (see :mod:`caredomain.roster.plausible`), and
    the ``organisation`` — the hospital, a base of a configuration (seed 002) — whose roster
    it is: only actors of that configuration act on it; a roster that names none is left to
    actors serving every configuration (the operator, the GTT feed)."""

    zone: ZoneInfo = PARIS
    minimum_rest: timedelta = field(default=DEFAULT_MINIMUM_REST, converter=_minimum_rest)
    feed_schedule: FeedSchedule | None = None
    plausible_years: int = field(default=DEFAULT_PLAUSIBLE_YEARS, converter=_plausible_years)
    organisation: OrganisationId | None = field(default=None, validator=_organisation)
