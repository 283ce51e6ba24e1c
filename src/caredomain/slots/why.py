"""Why no slot? For a type, a place and a day: each slot the reference week would give, and
what keeps it from being booked right now (seed 003, and the complaint of every town hall
whose calendar was silently empty).

A slot's reasons come from the calendar (unticked weekday, public holiday, exceptional
closure), the opening window, the wall clock (an hour skipped by daylight saving) and the
booking rules of :mod:`~.rules` (started, minimum notice, full): the same rules the
booking applies, so a slot with no reason is exactly a slot the booking accepts.
"""

from __future__ import annotations

from datetime import date, datetime

from attrs import frozen

from caredomain.clock import require_aware
from caredomain.hours import TimeRange, Weekday
from caredomain.organisation import Organisation
from caredomain.slots.index import Seats
from caredomain.slots.model import Counter, CounterId, PlaceId, TypeId
from caredomain.slots.opening import wall_slots
from caredomain.slots.plan import Plan
from caredomain.slots.rules import (
    SKIPPED_HOUR,
    Reason,
    closed_day_reasons,
    earliest_start,
    now_second,
    slot_refusals,
    window_refusal,
)
from caredomain.slots.settings import SlotSettings
from caredomain.slots.wallclock import day_clock
from caredomain.text import Text

__all__ = ["Availability", "Explainer", "SlotAvailability"]

NOT_PLANNED = Reason("slot.not_planned", Text("the slots have not been planned yet"))
NOT_A_SLOT = Reason("slot.not_planned", Text("no slot of this counter starts at that time"))
_WEEKDAYS = (
    Text("mondays"),
    Text("tuesdays"),
    Text("wednesdays"),
    Text("thursdays"),
    Text("fridays"),
    Text("saturdays"),
    Text("sundays"),
)
"""A weekday in the plural, by number, as a reason names it: "opens no slot on mondays"."""


@frozen
class SlotAvailability:
    """One slot the reference week gives, and why it cannot be booked (none: it is free).

    ``start`` is None when the wall-clock time does not exist that day.
    """

    counter_id: CounterId
    wall: TimeRange
    start: datetime | None
    reasons: tuple[Reason, ...]

    @property
    def free(self) -> bool:
        return not self.reasons


@frozen
class Availability:
    """The answer to "why no slot?" for one type, one place and one day.

    ``without_slots`` names the counters that expect no slot at all that day, and why
    (no reference week applied, or none of its ranges on that weekday).
    """

    type_id: TypeId
    place_id: PlaceId
    day: date
    slots: tuple[SlotAvailability, ...]
    without_slots: tuple[tuple[CounterId, Reason], ...]

    def free(self) -> tuple[SlotAvailability, ...]:
        return tuple(slot for slot in self.slots if slot.free)


class Explainer:
    """Explains slots as of ``now``, from the settings, the calendar, the plan and seats."""

    def __init__(
        self,
        organisation: Organisation,
        settings: SlotSettings,
        plan: Plan | None,
        seats: Seats,
        now: datetime,
    ) -> None:
        self.organisation = organisation
        self.settings = settings
        self.plan = plan
        self.seats = seats
        self.now = require_aware(now, "now")

    def day(self, type_id: TypeId, place_id: PlaceId, day: date) -> Availability:
        self.settings.place(place_id)
        slots: list[SlotAvailability] = []
        without: list[tuple[CounterId, Reason]] = []
        for counter in self.settings.counters_of(type_id, place_id):
            found, missing = self.counter_day(counter, day)
            slots += found
            if missing is not None:
                without.append((counter.id, missing))
        slots.sort(key=lambda slot: (slot.wall.start_minute, slot.counter_id))
        return Availability(type_id, place_id, day, tuple(slots), tuple(without))

    def counter_day(
        self, counter: Counter, day: date
    ) -> tuple[list[SlotAvailability], Reason | None]:
        """A counter's expected slots on ``day``, or the reason it expects none."""
        kind = self.settings.type(counter.type_id)
        week = self.settings.inputs(counter.id).week_on(day)
        if week is None:
            return [], Reason(
                "counter.no_reference_week",
                Text(
                    "no reference week is applied to counter {counter} on {day}",
                    counter=counter.id,
                    day=day.isoformat(),
                ),
            )
        weekday = Weekday.of(day)
        expected = list(wall_slots(week.ranges_on(weekday), kind.duration_minutes))
        if not expected:
            return [], Reason(
                "counter.no_hours",
                Text(
                    "reference week {week} opens no slot on {weekdays}",
                    week=repr(week.name),
                    weekdays=_WEEKDAYS[weekday],
                ),
            )
        shared = list(closed_day_reasons(self.organisation.calendar.closed_reasons(day)))
        counter_plan = self.plan.counter(counter.id) if self.plan else None
        if counter_plan is None:
            shared.append(NOT_PLANNED)
        else:
            outside = window_refusal(day, counter_plan.first, counter_plan.last)
            shared += [outside] if outside else []
        clock = day_clock(self.organisation.zone, day.toordinal())
        now_s, earliest = now_second(self.now), earliest_start(self.now, kind.notice)
        found = []
        for wall in expected:
            start = clock.start(wall.start_minute, kind.duration_minutes)
            reasons = list(shared)
            if start is None:
                reasons.append(SKIPPED_HOUR)
            else:
                taken = self.seats.taken(counter.id, start)
                reasons += slot_refusals(
                    start, now=now_s, earliest=earliest, taken=taken, seats=counter.seats
                )
                if not reasons and not (counter_plan and counter_plan.has(clock.ordinal, start)):
                    reasons.append(NOT_A_SLOT)
            moment = None if start is None else datetime.fromtimestamp(start, clock.zone)
            found.append(SlotAvailability(counter.id, wall, moment, tuple(reasons)))
        return found, None

    def slot(self, counter: Counter, start: int) -> tuple[Reason, ...]:
        """Why the slot of ``counter`` starting at UTC second ``start`` cannot be booked."""
        day = datetime.fromtimestamp(start, self.organisation.zone).date()
        found, missing = self.counter_day(counter, day)
        if missing is not None:
            return (missing,)
        for slot in found:
            if slot.start is not None and int(slot.start.timestamp()) == start:
                return slot.reasons
        return (NOT_A_SLOT,)
