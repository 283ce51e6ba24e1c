"""The strategies integrators use: they shrink to plain values and reach every case."""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import Phase, find, given, settings
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from caredomain.access import Actor, ActorId
from caredomain.calendar import Closure, OpeningCalendar, PublicHolidays
from caredomain.durations import MinimumNotice, NoticeUnit, OpeningWindow, WindowUnit
from caredomain.hours import TimeRange
from caredomain.testing import strategies as cds

# Looking for an example, not for the smallest one: no need to shrink.
FIRST_FOUND = settings(phases=[Phase.generate], max_examples=1000, database=None)


@pytest.mark.parametrize(
    ("strategy", "smallest"),
    [
        pytest.param(cds.time_ranges(), TimeRange(0, 1), id="time_ranges"),
        pytest.param(cds.time_ranges(step=15), TimeRange(0, 15), id="time_ranges-15"),
        pytest.param(cds.day_ranges(), (), id="day_ranges"),
        pytest.param(cds.opening_windows(), OpeningWindow(1, WindowUnit.DAY), id="windows"),
        pytest.param(cds.minimum_notices(), MinimumNotice(0, NoticeUnit.MINUTE), id="notices"),
        pytest.param(cds.closures(), Closure.on(date(2000, 1, 1)), id="closures"),
        pytest.param(cds.public_holidays(), PublicHolidays("FR"), id="public_holidays"),
        pytest.param(cds.opening_calendars(), OpeningCalendar(), id="opening_calendars"),
        pytest.param(cds.zones(), ZoneInfo("Europe/Paris"), id="zones"),
        pytest.param(cds.actors(), Actor(ActorId("0"), ()), id="actors"),
    ],
)
def test_strategies_shrink_to_the_plainest_value(
    strategy: SearchStrategy[Any], smallest: object
) -> None:
    assert find(strategy, lambda _: True) == smallest


@pytest.mark.parametrize(
    ("strategy", "condition"),
    [
        pytest.param(cds.time_ranges(), lambda r: r.end_minute == 1440, id="ends-at-midnight"),
        pytest.param(
            cds.day_ranges(),
            lambda rs: any(a.end_minute == b.start_minute for a, b in pairwise(rs)),
            id="touching-ranges",
        ),
        pytest.param(cds.opening_windows(), lambda w: w.unit is WindowUnit.MONTH, id="months"),
        pytest.param(cds.minimum_notices(), lambda n: n.unit is NoticeUnit.HOUR, id="hours"),
        pytest.param(cds.public_holidays(), lambda h: h.subdivision == "6AE", id="alsace"),
        pytest.param(cds.public_holidays(), lambda h: h.country == "CA", id="quebec"),
        pytest.param(
            cds.public_holidays(), lambda h: "Lundi de Pâques" in h.disabled, id="unticked"
        ),
        pytest.param(cds.closures(), lambda c: c.first != c.last and c.label, id="long-closure"),
        pytest.param(cds.zones(), lambda z: z.key == "America/Toronto", id="toronto"),
        pytest.param(cds.aware_datetimes(), lambda d: d.fold == 1, id="ambiguous-time"),
    ],
)
def test_strategies_reach_the_interesting_cases(
    strategy: SearchStrategy[Any], condition: Any
) -> None:
    find(strategy, condition, settings=FIRST_FOUND)


@given(cds.time_ranges(step=15), cds.day_ranges(step=30))
def test_step_puts_every_bound_on_the_grid(
    time_range: TimeRange, ranges: tuple[TimeRange, ...]
) -> None:
    assert time_range.start_minute % 15 == 0
    assert time_range.end_minute % 15 == 0
    assert all(r.start_minute % 30 == 0 and r.end_minute % 30 == 0 for r in ranges)


@given(cds.closures(min_day=date(2026, 7, 1), max_day=date(2026, 8, 31), max_days=10))
def test_closures_stay_in_their_span(closure: Closure) -> None:
    assert date(2026, 7, 1) <= closure.first <= closure.last <= date(2026, 8, 31)
    assert (closure.last - closure.first).days < 10


@given(cds.aware_datetimes())
def test_aware_datetimes_are_aware(moment: Any) -> None:
    assert moment.utcoffset() is not None


@pytest.mark.parametrize("step", [0, 7, 1441])
def test_a_step_that_does_not_divide_the_day_is_refused(step: int) -> None:
    with pytest.raises(InvalidArgument):
        cds.time_ranges(step=step)
