"""The free-slot index: seats held per slot, and the free-slot query answered from it.

A query reaches the counters of one type (and place) through the settings' index, the
days asked for through each counter's plan, and the seats taken through :class:`Seats`;
it never scans the other counters or days. Datetimes are built only for the slots it
returns, and lazily (:class:`Slot`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from operator import itemgetter
from typing import NamedTuple
from zoneinfo import ZoneInfo

from caredomain.clock import require_aware
from caredomain.errors import Conflict
from caredomain.slots.appointments import Appointment, Channel
from caredomain.slots.model import (
    AppointmentId,
    AppointmentType,
    Counter,
    CounterId,
    PlaceId,
    TypeId,
)
from caredomain.slots.plan import Plan
from caredomain.slots.rules import (
    bookable_from,
    earliest_start,
    has_free_seat,
    now_second,
    option_refusal,
    portal_refusal,
)
from caredomain.slots.settings import SlotSettings
from caredomain.text import Text

__all__ = ["FreeSlotIndex", "Seats", "Slot"]


class Slot(NamedTuple):
    """A planned slot of a counter; ``start`` and ``end`` are built when asked for."""

    counter_id: CounterId
    start_second: int
    duration_minutes: int
    zone: ZoneInfo

    @property
    def start(self) -> datetime:
        return datetime.fromtimestamp(self.start_second, self.zone)

    @property
    def end(self) -> datetime:
        return datetime.fromtimestamp(self.start_second + self.duration_minutes * 60, self.zone)

    def __repr__(self) -> str:
        return f"Slot({self.counter_id!r}, {self.start.isoformat()}, {self.duration_minutes} min)"


class Seats:
    """Which booked appointment holds each seat of each slot, by counter and start."""

    def __init__(self) -> None:
        self._held: dict[CounterId, dict[int, dict[int, AppointmentId]]] = {}

    def of(self, counter_id: CounterId) -> Mapping[int, Mapping[int, AppointmentId]]:
        """The slots of a counter that have booked seats: start → seat → appointment."""
        return self._held.get(counter_id, {})

    def taken(self, counter_id: CounterId, start: int) -> int:
        return len(self._held.get(counter_id, {}).get(start, ()))

    def free_seat(self, counter_id: CounterId, start: int) -> int:
        """The lowest seat number nobody holds at that slot."""
        held = self._held.get(counter_id, {}).get(start, {})
        return next(seat for seat in range(len(held) + 1) if seat not in held)

    def hold(self, appointment: Appointment) -> None:
        slot = self._held.setdefault(appointment.counter_id, {}).setdefault(
            appointment.start_second, {}
        )
        holder = slot.setdefault(appointment.seat, appointment.id)
        if holder != appointment.id:
            raise Conflict(
                Text(
                    "seat {seat} of counter {counter} at {start} is already held by {holder}",
                    seat=appointment.seat,
                    counter=appointment.counter_id,
                    start=appointment.start.isoformat(),
                    holder=holder,
                )
            )

    def release(self, appointment: Appointment) -> None:
        by_start = self._held.get(appointment.counter_id, {})
        slot = by_start.get(appointment.start_second, {})
        if slot.get(appointment.seat) == appointment.id:
            del slot[appointment.seat]
            if not slot:
                del by_start[appointment.start_second]


class FreeSlotIndex:
    """Answers "which slots of this type are free?" from the settings, plan and seats."""

    def __init__(self, settings: SlotSettings, plan: Plan | None, seats: Seats) -> None:
        self.settings = settings
        self.plan = plan
        self.seats = seats

    def free_slots(
        self,
        type_id: TypeId,
        first: date,
        last: date,
        *,
        now: datetime,
        place_id: PlaceId | None = None,
        option: str | None = None,
        channel: Channel = Channel.BACK_OFFICE,
    ) -> list[Slot]:
        """The bookable slots of a type from ``first`` to ``last`` (local days), by start.

        Optionally only at ``place_id``, only at counters offering ``option``, and only
        what the portal offers. The booking's own rules decide (:mod:`~.rules`).
        """
        kind = self.settings.type(type_id)
        require_aware(now, "now")
        if self.plan is None:
            return []
        # The booking's timing and seat rules, as bounds: no datetime, no call per slot.
        lower = bookable_from(now_second(now), earliest_start(now, kind.notice))
        ordinals = range(max(first, self.plan.day).toordinal(), last.toordinal() + 1)
        duration, zone = kind.duration_minutes, self.plan.zone
        found: list[Slot] = []
        for counter in self.settings.counters_of(type_id, place_id):
            counter_plan = self.plan.counter(counter.id)
            if counter_plan is None or self._refused(counter, kind, option, channel):
                continue
            counter_id, seats, held = counter.id, counter.seats, self.seats.of(counter.id)
            days = counter_plan.days
            for ordinal in ordinals:
                base, runs = days.get(ordinal, _NO_SLOTS)
                for run_first, run_stop, step in runs:
                    begin = base + run_first
                    if begin < lower:  # the first start at or after ``lower`` in this run
                        begin += -(-(lower - begin) // step) * step
                    for start in range(begin, base + run_stop, step):
                        if start in held and not has_free_seat(len(held[start]), seats):
                            continue
                        found.append(_new(Slot, (counter_id, start, duration, zone)))
        found.sort(key=_BY_START)
        return found

    def _refused(
        self, counter: Counter, kind: AppointmentType, option: str | None, channel: Channel
    ) -> bool:
        """Whether the counter offers nothing to this query, whatever the slot."""
        place = self.settings.place(counter.place_id)
        if portal_refusal(kind, place, channel) is not None:
            return True
        return (
            option is not None
            and option_refusal(self.settings.options_of(counter), option) is not None
        )


_NO_SLOTS: tuple[int, tuple[tuple[int, int, int], ...]] = (0, ())
_BY_START = itemgetter(1, 0)  # start_second, then counter_id
_new = tuple.__new__  # a Slot without the Python-level __new__ of a named tuple
