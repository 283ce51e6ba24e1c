"""The planner: properties of the planned slots, incremental refresh, daylight saving."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from attrs import evolve, frozen
from hypothesis import given
from hypothesis import strategies as st

from caredomain import (
    Closure,
    OpeningCalendar,
    Organisation,
    OrganisationId,
    ReferenceWeek,
    TimeRange,
    Weekday,
)
from caredomain.slots import (
    AppointmentType,
    Counter,
    CounterId,
    CounterPlan,
    Place,
    PlaceId,
    Plan,
    SlotSettings,
    TypeId,
    WeekApplication,
    WeekName,
    cut_into_slots,
    plan_slots,
    refresh_plan,
)
from caredomain.slots.wallclock import day_clock

PARIS = ZoneInfo("Europe/Paris")
TORONTO = ZoneInfo("America/Toronto")
C = CounterId("c")

# -- an independent oracle: slot by slot through zoneinfo -----------------------------------


def _wall(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


def oracle_start(day: date, minute: int, duration: int, zone: ZoneInfo) -> int | None:
    """A wall-clock slot's start instant: its first occurrence that keeps its wall times
    (up to its last second: it may end when the clock jumps)."""
    wall_start = datetime.combine(day, time()) + timedelta(minutes=minute)
    wall_last = wall_start + timedelta(minutes=duration, seconds=-1)
    for fold in (0, 1):
        start = wall_start.replace(tzinfo=zone, fold=fold).astimezone(UTC)
        last = start + timedelta(minutes=duration, seconds=-1)
        if _wall(start, zone) == wall_start and _wall(last, zone) == wall_last:
            return int(start.timestamp())
    return None


def wall_end(start: int, duration: int, zone: ZoneInfo) -> datetime:
    """The wall-clock end of a slot: one second after its last second."""
    return _wall(datetime.fromtimestamp(start + duration * 60 - 1, UTC), zone) + timedelta(
        seconds=1
    )


def oracle_day(day: date, ranges: tuple[TimeRange, ...], duration: int, zone: ZoneInfo) -> set[int]:
    starts = set()
    for opening in ranges:
        minute = opening.start_minute
        while minute + duration <= opening.end_minute:
            start = oracle_start(day, minute, duration, zone)
            if start is not None:
                starts.add(start)
            minute += duration
    return starts


def all_starts(plan: CounterPlan) -> list[int]:
    return sorted(start for ordinal in plan.days for start in plan.starts_on(ordinal))


# -- scenarios ------------------------------------------------------------------------------


@frozen
class Scenario:
    organisation: Organisation
    settings: SlotSettings
    today: date

    @property
    def kind(self) -> AppointmentType:
        return self.settings.types[0]

    def plan(self) -> Plan:
        return plan_slots(self.organisation, self.settings, self.today)

    def days(self) -> Iterator[date]:
        last = self.kind.window.last_day(self.today)
        for offset in range((last - self.today).days + 1):
            yield self.today + timedelta(days=offset)

    def oracle(self) -> set[int]:
        inputs = self.settings.inputs(C)
        found: set[int] = set()
        for day in self.days():
            week = inputs.week_on(day)
            if week is not None and self.organisation.calendar.is_open(day):
                ranges = week.ranges_on(Weekday.of(day))
                found |= oracle_day(day, ranges, self.kind.duration_minutes, self.organisation.zone)
        return found


@st.composite
def reference_weeks(draw: st.DrawFn) -> ReferenceWeek:
    days = []
    for _ in Weekday:
        count = draw(st.integers(0, 2))
        bounds = sorted(
            draw(st.lists(st.integers(0, 288), min_size=2 * count, max_size=2 * count, unique=True))
        )
        days.append(
            tuple(TimeRange(bounds[i] * 5, bounds[i + 1] * 5) for i in range(0, len(bounds), 2))
        )
    return ReferenceWeek("week", days)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    today = draw(st.dates(date(2024, 1, 1), date(2030, 12, 31)))
    zone = draw(st.sampled_from([PARIS, TORONTO]))
    kind = AppointmentType(
        TypeId("t"),
        "Type",
        draw(st.sampled_from([10, 15, 20, 30, 45, 60, 90])),
        draw(st.sampled_from(["1w", "2w", "1m", "2m"])),
    )
    closures = [
        Closure.on(today + timedelta(days=draw(st.integers(0, 62))))
        for _ in range(draw(st.integers(0, 3)))
    ]
    calendar = OpeningCalendar(
        draw(st.frozensets(st.sampled_from(Weekday), min_size=1)),
        closures=closures,
    )
    if zone is TORONTO:
        calendar = evolve(
            calendar, holidays=evolve(calendar.holidays, country="CA", subdivision="QC")
        )
    first = today + timedelta(days=draw(st.integers(-10, 20)))
    last = first + timedelta(days=draw(st.integers(0, 80)))
    settings = SlotSettings(
        (kind,),
        (Place(PlaceId("p"), "Mairie", "1 place de la Mairie"),),
        (Counter(C, "Guichet", kind.id, PlaceId("p")),),
        (draw(reference_weeks()),),
        (WeekApplication(C, WeekName("week"), first, last),),
    )
    organisation = Organisation(OrganisationId("o"), "Mairie", zone, calendar)
    return Scenario(organisation, settings, today)


# -- properties -----------------------------------------------------------------------------


@given(scenarios())
def test_every_slot_lies_in_an_opening_range_of_an_open_day_inside_the_window(
    scenario: Scenario,
) -> None:
    plan = scenario.plan().counters[C]
    zone, kind = scenario.organisation.zone, scenario.kind
    last = kind.window.last_day(scenario.today)
    inputs = scenario.settings.inputs(C)
    for start in all_starts(plan):
        local = datetime.fromtimestamp(start, zone)
        end = wall_end(start, kind.duration_minutes, zone)
        day = local.date()
        assert scenario.today <= day <= last
        assert scenario.organisation.calendar.is_open(day)
        week = inputs.week_on(day)
        assert week is not None
        minute = local.hour * 60 + local.minute
        end_minute = (end.date() - day).days * 1440 + end.hour * 60 + end.minute
        assert end_minute - minute == kind.duration_minutes  # on the wall clock too
        assert any(
            r.start_minute <= minute
            and end_minute <= r.end_minute
            and (minute - r.start_minute) % kind.duration_minutes == 0
            for r in week.ranges_on(Weekday.of(day))
        )


@given(scenarios())
def test_slots_of_a_counter_never_overlap_and_none_is_missing(scenario: Scenario) -> None:
    starts = all_starts(scenario.plan().counters[C])
    step = scenario.kind.duration_minutes * 60
    assert all(later - earlier >= step for earlier, later in pairwise(starts))
    assert set(starts) == scenario.oracle()


@given(scenarios(), st.integers(0, 62))
def test_closing_a_day_removes_exactly_that_days_slots(scenario: Scenario, offset: int) -> None:
    day = scenario.today + timedelta(days=offset)
    plan = scenario.plan()
    calendar = scenario.organisation.calendar.with_closure(Closure.on(day, "inventaire"))
    organisation = evolve(scenario.organisation, calendar=calendar)
    update = refresh_plan(plan, organisation, scenario.settings, scenario.today)
    before, after = plan.counters[C], update.plan.counters[C]
    that_day = set(before.starts_on(day.toordinal()))
    assert set(all_starts(after)) == set(all_starts(before)) - that_day
    # Only a day of the window that the calendar opened before is looked at again.
    last = scenario.kind.window.last_day(scenario.today)
    looked_at = scenario.organisation.calendar.is_open(day) and day <= last
    expected = {C: frozenset({day.toordinal()})} if looked_at else {}
    assert dict(update.changed) == expected


@given(
    scenarios(),
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 62), st.booleans()), max_size=4),
)
def test_an_incremental_refresh_plans_what_a_full_plan_plans(
    scenario: Scenario, steps: list[tuple[int, int, bool]]
) -> None:
    plan, organisation, settings, today = (
        scenario.plan(),
        scenario.organisation,
        scenario.settings,
        scenario.today,
    )
    for advance, offset, reapply in steps:
        today += timedelta(days=advance)
        calendar = organisation.calendar.with_closure(Closure.on(today + timedelta(days=offset)))
        organisation = evolve(organisation, calendar=calendar)
        if reapply:
            settings = settings.with_application(
                WeekApplication(C, WeekName("week"), today, today + timedelta(days=offset))
            )
        plan = refresh_plan(plan, organisation, settings, today).plan
        assert plan.counters == plan_slots(organisation, settings, today).counters


def test_a_refresh_with_nothing_changed_replans_nothing() -> None:
    week = ReferenceWeek.parse("w", {"lundi": "09h00-12h00"})
    kind = AppointmentType(TypeId("t"), "Type", 20, "2m")
    counters = [Counter(CounterId(f"c{n}"), "G", kind.id, PlaceId("p")) for n in range(3)]
    settings = SlotSettings(
        (kind,),
        (Place(PlaceId("p"), "Mairie", "1 place de la Mairie"),),
        counters,
        (week,),
        [
            WeekApplication(c.id, WeekName("w"), date(2025, 1, 1), date(2025, 12, 31))
            for c in counters
        ],
    )
    organisation = Organisation(OrganisationId("o"), "Mairie")
    plan = plan_slots(organisation, settings, date(2025, 3, 3))
    update = refresh_plan(plan, organisation, settings, date(2025, 3, 3))
    assert update.changed == {}
    assert update.plan.counters == plan.counters
    one = settings.with_counter(evolve(counters[1], seats=2))
    update = refresh_plan(plan, organisation, one, date(2025, 3, 3))
    assert dict(update.changed) == {counters[1].id: None}
    assert update.plan.counters[counters[0].id] is plan.counters[counters[0].id]


def test_the_remainder_of_a_range_is_dropped() -> None:
    # 08h30-12h10 in 20-minute slots: eleven slots, the last ten minutes dropped.
    [(first, stop, step)] = cut_into_slots([TimeRange.parse("08h30-12h10")], 20)
    assert (first, stop, step) == (510 * 60, 730 * 60, 1200)
    assert len(range(first, stop, step)) == 11


# -- daylight saving ------------------------------------------------------------------------


def skipped_minutes(day: date, zone: ZoneInfo) -> set[datetime]:
    """The wall-clock minutes of the night of ``day`` that do not exist in ``zone``."""
    midnight = datetime.combine(day, time())
    walls = (midnight + timedelta(minutes=m) for m in range(5 * 60))
    return {w for w in walls if _wall(w.replace(tzinfo=zone).astimezone(UTC), zone) != w}


def transition_days(zone: ZoneInfo) -> list[date]:
    first, last = date(2000, 1, 1).toordinal(), date(2040, 12, 31).toordinal()
    return [date.fromordinal(o) for o in range(first, last + 1) if not day_clock(zone, o).uniform]


@pytest.mark.parametrize("zone", [PARIS, TORONTO], ids=str)
def test_slots_keep_their_wall_clock_times_across_every_transition_2000_2040(
    zone: ZoneInfo,
) -> None:
    days = transition_days(zone)
    assert len(days) == 2 * 41  # one spring forward and one fall back a year
    night = (TimeRange.parse("00h00-05h00"), TimeRange.parse("09h00-12h00"))
    springs = 0
    for transition in days:
        skipped = skipped_minutes(transition, zone)
        springs += bool(skipped)
        for day in (transition - timedelta(days=1), transition, transition + timedelta(days=1)):
            clock = day_clock(zone, day.toordinal())
            for duration in (15, 20, 45, 90):
                runs = clock.runs(cut_into_slots(night, duration))
                starts = [clock.base + s for run in runs for s in range(*run)]
                assert set(starts) == oracle_day(day, night, duration, zone)
                walls = [_wall(datetime.fromtimestamp(s, UTC), zone) for s in starts]
                assert len(set(walls)) == len(walls)  # an ambiguous time is planned once
                for start, wall in zip(starts, walls, strict=True):
                    assert wall.date() == day
                    minute = wall.hour * 60 + wall.minute
                    assert any(
                        (minute - r.start_minute) % duration == 0
                        and r.start_minute <= minute <= r.end_minute - duration
                        for r in night
                    )
                    # It exists: the wall time maps back to the same instant.
                    assert (
                        int(wall.replace(tzinfo=zone, fold=0).timestamp()) == start
                        or int(wall.replace(tzinfo=zone, fold=1).timestamp()) == start
                    )
                    assert wall_end(start, duration, zone) - wall == timedelta(minutes=duration)
                    assert not any(wall <= s < wall + timedelta(minutes=duration) for s in skipped)
                if clock.uniform:
                    assert len(starts) == sum(r.minutes // duration for r in night)
    assert springs == 41


def test_spring_forward_skips_the_missing_hour_and_fall_back_plans_once() -> None:
    spring, autumn = date(2025, 3, 30), date(2025, 10, 26)
    night = (TimeRange.parse("01h00-04h00"),)

    def walls(day: date) -> list[str]:
        clock = day_clock(PARIS, day.toordinal())
        runs = clock.runs(cut_into_slots(night, 30))
        return [
            datetime.fromtimestamp(clock.base + s, PARIS).strftime("%H:%M%z")
            for run in runs
            for s in range(*run)
        ]

    assert walls(spring) == ["01:00+0100", "01:30+0100", "03:00+0200", "03:30+0200"]
    assert walls(autumn) == [
        "01:00+0200",
        "01:30+0200",
        "02:00+0200",
        "02:30+0200",
        "03:00+0100",
        "03:30+0100",
    ]
