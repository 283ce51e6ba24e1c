"""Hypothesis strategies for caredomain's public models.

Every strategy produces only values the constructors accept, draws quickly, and shrinks
towards the plainest value of its kind: the first minute of the day, an empty day, France
with every public holiday on, the working week, Europe/Paris. Use them in your own tests::

    from hypothesis import given
    from caredomain.testing import strategies as cds

    @given(cds.organisations())
    def test_my_store_keeps_organisations(organisation): ...

Most functions take a few keyword arguments to narrow what they draw (a coarser minute
``step``, a span of dates, a choice of regions); the defaults cover everything valid.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from datetime import date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from caredomain.access import Actor, ActorId, Everywhere, Role
from caredomain.calendar import WORKING_WEEK, Closure, OpeningCalendar, PublicHolidays
from caredomain.durations import MinimumNotice, NoticeUnit, OpeningWindow, WindowUnit
from caredomain.events import OrganisationConfigured
from caredomain.hours import MINUTES_PER_DAY, ReferenceWeek, TimeRange, Weekday
from caredomain.organisation import ConfigurationId, Organisation, OrganisationId

__all__ = [
    "HOLIDAY_REGIONS",
    "ZONES",
    "actors",
    "aware_datetimes",
    "closures",
    "day_ranges",
    "identifiers",
    "labels",
    "minimum_notices",
    "opening_calendars",
    "opening_windows",
    "organisation_configured_events",
    "organisations",
    "public_holidays",
    "reference_weeks",
    "time_ranges",
    "zones",
]

#: The regions whose public holidays caredomain knows, as ``(country, subdivision)``:
#: France, Moselle (``57``) and Alsace (``6AE``), Québec.
HOLIDAY_REGIONS: tuple[tuple[str, str | None], ...] = (
    ("FR", None),
    ("FR", "57"),
    ("FR", "6AE"),
    ("CA", "QC"),
)

#: IANA zones drawn by :func:`zones`: mainland France first (the default), Québec and
#: Ontario (with DST), UTC, and overseas France without DST.
ZONES: tuple[str, ...] = (
    "Europe/Paris",
    "America/Toronto",
    "America/Montreal",
    "UTC",
    "Indian/Reunion",
    "America/Cayenne",
    "Pacific/Noumea",
)

# The largest amount each unit allows: an opening window stays within five years
# (counting 31-day months and 366-day years), a minimum notice within one year.
_WINDOW_MAX = {
    WindowUnit.DAY: 5 * 366,
    WindowUnit.WEEK: 5 * 366 // 7,
    WindowUnit.MONTH: 60,
    WindowUnit.YEAR: 5,
}
_NOTICE_MAX = {NoticeUnit.MINUTE: 366 * 1440, NoticeUnit.HOUR: 366 * 24, NoticeUnit.DAY: 366}

_FIRST_DAY = date(2000, 1, 1)
_LAST_DAY = date(2060, 12, 31)
# Hypothesis takes naive bounds for datetimes() and applies them to the wall clock.
_FIRST_INSTANT = datetime(2000, 1, 1)
_LAST_INSTANT = datetime(2060, 12, 31, 23, 59, 59)
_ROLES = tuple(Role)

_SAMPLE_LABELS = (
    "Mairie de Metz",
    "État civil",
    "Crèche Les Lutins",
    "Service des passeports",
    "CIUSSS du Centre-Sud",
)


# ---------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------


def identifiers(max_size: int = 16) -> SearchStrategy[str]:
    """Opaque identifiers: short, never blank, lowercase ASCII letters, digits and ``-``."""
    return st.text(string.ascii_lowercase + string.digits + "-", min_size=1, max_size=max_size)


def labels(max_size: int = 40) -> SearchStrategy[str]:
    """Names people type: a few realistic French ones, or any text not starting blank."""
    first = st.characters(categories=("L", "N"), codec="utf-8")
    rest = st.text(
        st.characters(categories=("L", "N", "P", "Zs"), codec="utf-8"), max_size=max_size - 1
    )
    return st.one_of(st.sampled_from(_SAMPLE_LABELS), st.builds(str.__add__, first, rest))


# ---------------------------------------------------------------------------------------
# Hours
# ---------------------------------------------------------------------------------------


def _steps_per_day(step: int) -> int:
    if not 1 <= step <= MINUTES_PER_DAY or MINUTES_PER_DAY % step:
        raise InvalidArgument(f"step={step!r} must be a number of minutes dividing 1440")
    return MINUTES_PER_DAY // step


@st.composite
def _time_ranges(draw: st.DrawFn, count: int, step: int) -> TimeRange:
    start = draw(st.integers(0, count - 1))
    end = draw(st.integers(start + 1, count))
    return TimeRange(start * step, end * step)


def time_ranges(*, step: int = 1) -> SearchStrategy[TimeRange]:
    """One opening range within a day; both ends on multiples of ``step`` minutes.

    The end may be midnight (``24h00``). Shrinks towards ``00h00-00h01``.
    """
    return _time_ranges(_steps_per_day(step), step)


def _paired(points: list[int], step: int) -> tuple[TimeRange, ...]:
    ordered = sorted(points)
    return tuple(
        TimeRange(start * step, end * step)
        for start, end in zip(ordered[::2], ordered[1::2], strict=False)
        if start < end
    )


def day_ranges(*, step: int = 1, max_ranges: int = 4) -> SearchStrategy[tuple[TimeRange, ...]]:
    """The ranges of one day: sorted, never overlapping (they may touch), possibly none."""
    count = _steps_per_day(step)
    points = st.lists(st.integers(0, count), max_size=2 * max_ranges)
    return points.map(lambda drawn: _paired(drawn, step))


def reference_weeks(*, step: int = 1, max_ranges: int = 4) -> SearchStrategy[ReferenceWeek]:
    """A named reference week, each of the seven days drawn by :func:`day_ranges`."""
    day = day_ranges(step=step, max_ranges=max_ranges)
    return st.builds(ReferenceWeek, name=labels(), days=st.tuples(*(day for _ in Weekday)))


def opening_windows() -> SearchStrategy[OpeningWindow]:
    """An opening window in any of its units (``d``, ``w``, ``m`` = months, ``y``)."""
    return st.one_of(
        [
            st.builds(OpeningWindow, st.integers(1, _WINDOW_MAX[unit]), st.just(unit))
            for unit in WindowUnit
        ]
    )


def minimum_notices() -> SearchStrategy[MinimumNotice]:
    """A minimum notice in any of its units (``m`` = minutes, ``h``, ``d``), zero included."""
    return st.one_of(
        [
            st.builds(MinimumNotice, st.integers(0, _NOTICE_MAX[unit]), st.just(unit))
            for unit in NoticeUnit
        ]
    )


# ---------------------------------------------------------------------------------------
# Calendar
# ---------------------------------------------------------------------------------------


def _closure(first: date, length: int, last_day: date, label: str) -> Closure:
    return Closure(first, min(first + timedelta(days=length), last_day), label)


def closures(
    *, min_day: date = _FIRST_DAY, max_day: date = _LAST_DAY, max_days: int = 31
) -> SearchStrategy[Closure]:
    """An exceptional closure of 1 to ``max_days`` days, lying within ``[min_day, max_day]``."""
    if max_day < min_day or max_days < 1:
        raise InvalidArgument("closures() needs min_day <= max_day and max_days >= 1")
    return st.builds(
        _closure,
        first=st.dates(min_day, max_day),
        length=st.integers(0, max_days - 1),
        last_day=st.just(max_day),
        label=st.one_of(st.just(""), labels()),
    )


def _holidays_of(country: str, subdivision: str | None) -> SearchStrategy[PublicHolidays]:
    names = sorted(PublicHolidays(country, subdivision).names())
    return st.builds(
        PublicHolidays,
        country=st.just(country),
        subdivision=st.just(subdivision),
        disabled=st.frozensets(st.sampled_from(names)),
    )


def public_holidays(
    regions: Sequence[tuple[str, str | None]] = HOLIDAY_REGIONS,
) -> SearchStrategy[PublicHolidays]:
    """The public holidays of one of ``regions``, a random subset of its holidays unticked.

    The names unticked are that region's real ones (``PublicHolidays(...).names()``), such
    as ``"Lundi de Pâques"``. Shrinks towards the first region with every holiday on.
    """
    if not regions:
        raise InvalidArgument("public_holidays() needs at least one region")
    return st.deferred(lambda: st.one_of([_holidays_of(*region) for region in regions]))


def opening_calendars(
    *,
    holidays: SearchStrategy[PublicHolidays] | None = None,
    closure: SearchStrategy[Closure] | None = None,
    max_closures: int = 3,
) -> SearchStrategy[OpeningCalendar]:
    """An opening calendar: open weekdays, public holidays, up to ``max_closures`` closures.

    Shrinks towards the working week, French holidays all on, and no closure.
    """
    weekdays = st.one_of(st.just(WORKING_WEEK), st.frozensets(st.sampled_from(Weekday)))
    return st.builds(
        OpeningCalendar,
        open_weekdays=weekdays,
        holidays=public_holidays() if holidays is None else holidays,
        closures=st.lists(closures() if closure is None else closure, max_size=max_closures),
    )


# ---------------------------------------------------------------------------------------
# Time zones and instants
# ---------------------------------------------------------------------------------------


def zones(names: Sequence[str] = ZONES) -> SearchStrategy[ZoneInfo]:
    """An IANA time zone among ``names`` (Europe/Paris, America/Toronto, … by default)."""
    return st.sampled_from(tuple(names)).map(ZoneInfo)


def aware_datetimes(
    *,
    timezones: SearchStrategy[tzinfo] | None = None,
    min_value: datetime = _FIRST_INSTANT,
    max_value: datetime = _LAST_INSTANT,
) -> SearchStrategy[datetime]:
    """Timezone-aware datetimes, in :func:`zones` by default; never naive, never imaginary.

    Hypothesis seeks out DST transitions, so ambiguous wall times (both folds) are drawn
    often; times that do not exist on the zone's wall clock are not.
    """
    return st.datetimes(
        min_value,
        max_value,
        timezones=zones() if timezones is None else timezones,
        allow_imaginary=False,
    )


# ---------------------------------------------------------------------------------------
# Organisations, actors, events
# ---------------------------------------------------------------------------------------


def organisations(
    *, calendar: SearchStrategy[OpeningCalendar] | None = None
) -> SearchStrategy[Organisation]:
    """An organisation with an identifier, a name, a zone and an opening calendar."""
    return st.builds(
        Organisation,
        id=identifiers().map(OrganisationId),
        name=labels(),
        zone=zones(),
        calendar=opening_calendars() if calendar is None else calendar,
    )


def actors(
    roles: Sequence[Role] = _ROLES,
    configurations: SearchStrategy[ConfigurationId | Everywhere | None] | None = None,
) -> SearchStrategy[Actor]:
    """An actor holding any subset of ``roles`` (possibly none) and a few services, of a
    configuration drawn from ``configurations`` (by default: one of two, or none)."""
    if configurations is None:
        configurations = st.one_of(
            st.none(), st.sampled_from([ConfigurationId("metz"), ConfigurationId("nancy")])
        )
    return st.builds(
        Actor,
        id=identifiers().map(ActorId),
        roles=st.frozensets(st.sampled_from(tuple(roles))) if roles else st.just(frozenset()),
        services=st.frozensets(identifiers(8), max_size=3),
        name=st.one_of(st.just(""), labels()),
        configuration=configurations,
    )


def organisation_configured_events(
    *, occurred_at: SearchStrategy[datetime] | None = None
) -> SearchStrategy[OrganisationConfigured]:
    """An :class:`OrganisationConfigured` event, at an aware instant (:func:`aware_datetimes`)."""
    return st.builds(
        OrganisationConfigured,
        event_id=identifiers(32),
        occurred_at=aware_datetimes() if occurred_at is None else occurred_at,
        organisation_id=identifiers(),
        name=labels(),
    )
