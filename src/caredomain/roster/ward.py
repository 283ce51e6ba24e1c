"""A ward file: the roster's settings, agents, plannings and posts, in TOML.

See ``docs/roster.md`` for every key; ``caredomain/data/sample_ward.toml`` is the ward of
``caredomain demo``. Errors name the file and the path at fault (``posts[3].shift``).
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from attrs import field, frozen

from caredomain.errors import InvalidInput
from caredomain.organisation import PARIS, OrganisationId
from caredomain.roster.codes import Code, CodeCatalogue
from caredomain.roster.model import (
    DEFAULT_PLAUSIBLE_YEARS,
    Agent,
    AgentId,
    Planning,
    PlanningId,
    PlanningStatus,
    Post,
    PostId,
    RosterSettings,
    shift_bounds,
)
from caredomain.roster.schedule import FeedSchedule
from caredomain.serialization import load_toml
from caredomain.text import Text

__all__ = ["Ward", "load_ward"]


@frozen
class _RosterSection:
    zone: ZoneInfo = PARIS
    minimum_rest_hours: float = 11.0
    feed_schedule: str | None = None
    plausible_years: int = DEFAULT_PLAUSIBLE_YEARS
    organisation: str | None = None


@frozen
class _PostEntry:
    id: str
    planning: str
    day: date
    shift: str
    skills: list[str] = field(factory=list)
    required: int = 1
    agents: list[str] = field(factory=list)


@frozen
class _PlanningEntry:
    id: str
    unit: str
    label: str = ""
    status: PlanningStatus = PlanningStatus.DRAFT


@frozen
class _WardFile:
    roster: _RosterSection = field(factory=_RosterSection)
    codes: list[Code] = field(factory=list)
    agents: list[Agent] = field(factory=list)
    plannings: list[_PlanningEntry] = field(factory=list)
    posts: list[_PostEntry] = field(factory=list)


@frozen
class Ward:
    """What a ward file holds. ``catalogue`` is ``None`` when the file lists no codes."""

    settings: RosterSettings
    agents: tuple[Agent, ...]
    plannings: tuple[Planning, ...]
    posts: tuple[Post, ...]
    catalogue: CodeCatalogue | None = None


_NAMED_FIELDS = frozenset({"plausible_years", "organisation"})


def _hours(hours: float) -> timedelta:
    """``hours`` as a duration; one no duration holds is out of the settings' bounds."""
    try:
        return timedelta(hours=hours)
    except OverflowError:
        raise InvalidInput(
            Text("must be between 0 and 48 hours"), field="minimum_rest", text=str(hours)
        ) from None


def load_ward(text: str | bytes, *, source: str | None = None) -> Ward:
    """Read a ward file's content (bytes or text); errors name the file and the path at
    fault."""
    document = load_toml(text, _WardFile, source=source)
    if document == _WardFile():  # an empty file would reset the roster's settings
        raise InvalidInput(
            Text(
                "nothing to load: expected [roster], [[codes]], [[agents]], [[plannings]] "
                "or [[posts]]"
            ),
            source=source,
        )
    section = document.roster
    schedule = None
    if section.feed_schedule is not None:
        try:
            schedule = FeedSchedule.parse(section.feed_schedule, section.zone)
        except InvalidInput as error:
            raise InvalidInput(
                error.message, source=source, field="roster.feed_schedule", text=error.text
            ) from None
    try:
        rest = _hours(section.minimum_rest_hours)
        settings = RosterSettings(
            section.zone,
            rest,
            schedule,
            section.plausible_years,
            None if section.organisation is None else OrganisationId(section.organisation),
        )
    except InvalidInput as error:
        where = error.field if error.field in _NAMED_FIELDS else "minimum_rest_hours"
        raise InvalidInput(
            error.message, source=source, field=f"roster.{where}", text=error.text
        ) from None
    catalogue = None
    if document.codes:
        try:
            catalogue = CodeCatalogue(document.codes)
        except InvalidInput as error:
            raise error.located(source=source) from None
    plannings = []
    for index, entry in enumerate(document.plannings):
        try:
            plannings.append(Planning(PlanningId(entry.id), entry.unit, entry.label, entry.status))
        except InvalidInput as error:
            raise _at(error, source, f"plannings[{index}]") from None
    posts = []
    seen: set[str] = set()
    for index, post in enumerate(document.posts):
        if post.id in seen:
            raise InvalidInput(
                Text("a post id appears twice"),
                source=source,
                field=f"posts[{index}].id",
                text=post.id,
            )
        seen.add(post.id)
        try:
            start, end = shift_bounds(post.day, post.shift, settings.zone)
            posts.append(
                Post(
                    PostId(post.id),
                    PlanningId(post.planning),
                    post.day,
                    start,
                    end,
                    frozenset(post.skills),
                    post.required,
                    tuple(AgentId(agent) for agent in post.agents),
                )
            )
        except InvalidInput as error:
            raise _at(error, source, f"posts[{index}]") from None
    return Ward(settings, tuple(document.agents), tuple(plannings), tuple(posts), catalogue)


def _at(error: InvalidInput, source: str | None, path: str) -> InvalidInput:
    field_path = f"{path}.{error.field}" if error.field else path
    return InvalidInput(error.message, source=source, field=field_path, text=error.text)
