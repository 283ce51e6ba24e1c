"""The planner: every counter's slots from today to today + its type's window (seed 003).

Seed 003: the slots are computed each night and are bookable from then on. For each open
day of the window (the organisation's :class:`~caredomain.calendar.OpeningCalendar`), each
range of the reference week in force is cut into slots (:func:`~.opening.cut_into_slots`),
on the organisation's wall clock (:mod:`~.wallclock`).

:func:`refresh_plan` is incremental: the days that entered the window are added, the days
whose opening changed are redone, and a counter is replanned in full only when the
fingerprint of its inputs changed.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from attrs import frozen

from caredomain.calendar import OpeningCalendar
from caredomain.hours import ReferenceWeek
from caredomain.organisation import Organisation
from caredomain.slots.model import CounterId
from caredomain.slots.opening import CounterInputs, WeekPatterns, last_day, week_patterns
from caredomain.slots.plan import CounterPlan, Day, Plan
from caredomain.slots.wallclock import DayClock, day_clock

if TYPE_CHECKING:
    from caredomain.slots.settings import SlotSettings

__all__ = ["PlanUpdate", "plan_slots", "refresh_plan"]


@frozen
class PlanUpdate:
    """A new plan, and for each counter whose slots may differ, the days to look at again.

    ``changed[counter]`` is ``None`` when the counter was replanned in full.
    """

    plan: Plan
    changed: Mapping[CounterId, frozenset[int] | None]
    removed: frozenset[CounterId]


def plan_slots(
    organisation: Organisation,
    settings: SlotSettings,
    today: date,
    *,
    only: Collection[CounterId] | None = None,
) -> Plan:
    """Plan every counter from scratch, as of the local day ``today``.

    With ``only``, just those counters (unknown ids are ignored): a partial plan, the same
    for them as a full one, for the use cases that list, explain or book the slots of a few
    counters. A refresh from it replans the other counters in full.
    """
    if only is None:
        return refresh_plan(None, organisation, settings, today).plan
    wanted = set(only)
    chosen = [counter.id for counter in settings.counters if counter.id in wanted]
    horizon = settings.horizon(today)
    open_days = _open_days(organisation.calendar, today, horizon)
    days = _Days(organisation.zone, open_days)
    fingerprints = {c: settings.inputs(c).fingerprint for c in chosen}
    counters = {c: days.plan_counter(c, settings.inputs(c), fingerprints[c], today) for c in chosen}
    return _plan(
        today=today,
        organisation=organisation,
        horizon=horizon,
        open_days=open_days,
        counters=counters,
        fingerprints=fingerprints,
    )


def refresh_plan(
    previous: Plan | None, organisation: Organisation, settings: SlotSettings, today: date
) -> PlanUpdate:
    """Bring ``previous`` up to date with the settings and calendar, as of ``today``."""
    fingerprints = settings.fingerprints()
    horizon = settings.horizon(today)
    if previous is None or previous.zone != organisation.zone or today < previous.day:
        open_days = _open_days(organisation.calendar, today, horizon)
        days = _Days(organisation.zone, open_days)
        counters = {
            c.id: days.plan_counter(c.id, settings.inputs(c.id), fingerprints[c.id], today)
            for c in settings.counters
        }
        removed = frozenset(previous.counters) - counters.keys() if previous else frozenset()
        plan = _plan(
            today=today,
            organisation=organisation,
            horizon=horizon,
            open_days=open_days,
            counters=counters,
            fingerprints=fingerprints,
        )
        return PlanUpdate(plan, dict.fromkeys(counters), frozenset(removed))
    return _refresh(previous, organisation, settings, today, horizon)


def _refresh(
    previous: Plan, organisation: Organisation, settings: SlotSettings, today: date, horizon: date
) -> PlanUpdate:
    fingerprints = settings.fingerprints()
    same_day = previous.day == today and previous.horizon == horizon
    if same_day and previous.calendar == organisation.calendar:
        open_days = previous.open_days
    else:
        open_days = _open_days(organisation.calendar, today, horizon)
    overlap_end = min(previous.horizon, horizon).toordinal()
    toggled = frozenset(
        o for o in open_days ^ previous.open_days if today.toordinal() <= o <= overlap_end
    )
    replanned, removed = _changed_counters(previous, settings)
    days = _Days(organisation.zone, open_days)
    changed: dict[CounterId, frozenset[int] | None] = dict.fromkeys(replanned)
    if same_day and not toggled:
        counters = dict(previous.counters)
        for counter_id in removed:
            del counters[counter_id]
    else:
        counters = {}
        for counter in settings.counters:
            if counter.id in replanned:
                continue
            old = previous.counters[counter.id]
            counters[counter.id], changed[counter.id] = days.advance(
                old, settings.inputs(counter.id), today, toggled
            )
    for counter_id in replanned:
        counters[counter_id] = days.plan_counter(
            counter_id, settings.inputs(counter_id), fingerprints[counter_id], today
        )
    plan = _plan(
        today=today,
        organisation=organisation,
        horizon=horizon,
        open_days=open_days,
        counters=counters,
        fingerprints=fingerprints,
    )
    return PlanUpdate(plan, changed, removed)


def _changed_counters(
    previous: Plan, settings: SlotSettings
) -> tuple[set[CounterId], frozenset[CounterId]]:
    """The counters to replan (their fingerprint changed) and those removed."""
    fingerprints, before = settings.fingerprints(), previous.fingerprints
    touched = settings.touched_since(before)
    if touched is None:
        removed = frozenset(previous.counters.keys() - fingerprints.keys())
        candidates: Iterable[CounterId] = fingerprints
    else:
        removed = frozenset(c for c in touched if c not in fingerprints and c in previous.counters)
        candidates = (c for c in touched if c in fingerprints)
    return {c for c in candidates if before.get(c) != fingerprints[c]}, removed


def _plan(
    *,
    today: date,
    organisation: Organisation,
    horizon: date,
    open_days: frozenset[int],
    counters: dict[CounterId, CounterPlan],
    fingerprints: Mapping[CounterId, str],
) -> Plan:
    return Plan(
        today, organisation.zone, organisation.calendar, horizon, open_days, counters, fingerprints
    )


def _open_days(calendar: OpeningCalendar, first: date, last: date) -> frozenset[int]:
    """The ordinals of the days ``calendar`` keeps open from ``first`` to ``last``."""
    return frozenset(
        day.toordinal()
        for offset in range((last - first).days + 1)
        if calendar.is_open(day := first + timedelta(days=offset))
    )


SpanPatterns = tuple[tuple[int, int, WeekPatterns], ...]


class _Days:
    """Plans counter-days on the open days of one refresh, sharing work between counters.

    Counters whose weeks and durations are the same share their wall-clock patterns, and
    so each day's runs: the cut and the conversion to UTC happen once per distinct
    pattern and day, not once per counter.
    """

    def __init__(self, zone: ZoneInfo, open_days: frozenset[int]) -> None:
        self.zone = zone
        self.open_days = open_days
        self.ordered: Sequence[int] = sorted(open_days)
        self.clocks: dict[int, DayClock] = {}
        self._patterns: dict[tuple[int, int], tuple[ReferenceWeek, WeekPatterns]] = {}
        self._days: dict[tuple[int, int], Day | None] = {}

    def plan_counter(
        self, counter_id: CounterId, inputs: CounterInputs, fingerprint: str, today: date
    ) -> CounterPlan:
        last = last_day(inputs.window, today)
        start = bisect_left(self.ordered, today.toordinal())
        stop = bisect_right(self.ordered, last.toordinal())
        spans = self.spans(inputs)
        days = {}
        for ordinal in self.ordered[start:stop]:
            day = self.day(spans, ordinal)
            if day is not None:
                days[ordinal] = day
        return CounterPlan(counter_id, fingerprint, today, last, days)

    def advance(
        self, old: CounterPlan, inputs: CounterInputs, today: date, toggled: frozenset[int]
    ) -> tuple[CounterPlan, frozenset[int]]:
        """``old`` moved to ``today``: past days dropped, new and toggled days planned."""
        last = last_day(inputs.window, today)
        first_o, last_o = today.toordinal(), last.toordinal()
        days = {o: d for o, d in old.days.items() if first_o <= o <= last_o and o not in toggled}
        redo = {o for o in toggled if first_o <= o <= last_o}
        redo.update(range(max(old.last.toordinal() + 1, first_o), last_o + 1))
        spans = self.spans(inputs)
        for ordinal in redo:
            day = self.day(spans, ordinal) if ordinal in self.open_days else None
            if day is not None:
                days[ordinal] = day
        plan = CounterPlan(old.counter_id, old.fingerprint, today, last, days)
        return plan, frozenset(redo)

    def spans(self, inputs: CounterInputs) -> SpanPatterns:
        """The counter's spans as (first, last, patterns), the winning span first."""
        return tuple(
            (span.first.toordinal(), span.last.toordinal(), self.patterns(span.week, inputs))
            for span in reversed(inputs.spans)
        )

    def patterns(self, week: ReferenceWeek, inputs: CounterInputs) -> WeekPatterns:
        """Each weekday's wall-clock runs, shared by every counter with this week and duration."""
        # Keyed by identity: settings share one week object among the counters applying it.
        key = (id(week), inputs.duration_minutes)
        found = self._patterns.get(key)
        if found is None or found[0] is not week:
            found = (week, week_patterns(week, inputs.duration_minutes))
            self._patterns[key] = found
        return found[1]

    def day(self, spans: SpanPatterns, ordinal: int) -> Day | None:
        """A counter's slots on an open day, or None when it has none."""
        for first, last, patterns in spans:
            if first <= ordinal <= last:
                pattern = patterns[(ordinal - 1) % 7]
                break
        else:
            return None
        if not pattern:
            return None
        key = (id(pattern), ordinal)
        if key not in self._days:
            clock = self.clocks.get(ordinal) or self.clocks.setdefault(
                ordinal, day_clock(self.zone, ordinal)
            )
            runs = clock.runs(pattern)
            self._days[key] = (clock.base, runs) if runs else None
        return self._days[key]
