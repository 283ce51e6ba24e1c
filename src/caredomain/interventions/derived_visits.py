"""The visits derived from the punch log and the office's corrections: a :class:`Visit` is
*derived* by :func:`derive_visits`, a pure function — the latest correction that sets a
time wins over the punch; no start, no visit — and never stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import TypeVar

from attrs import frozen

from caredomain.interventions.corrections import Correction, CorrectionId
from caredomain.interventions.log_entries import LogEntry
from caredomain.interventions.model import (
    CaregiverId,
    InterventionId,
    Punch,
    PunchId,
    PunchKind,
    PunchMethod,
)

__all__ = [
    "Visit",
    "counted_punch",
    "derive_visit",
    "derive_visits",
    "last_set",
    "open_visit",
    "sorted_visits",
    "visits",
    "whole_minutes",
]


T = TypeVar("T")

MINUTE = timedelta(minutes=1)


def whole_minutes(delta: timedelta) -> int:
    """Whole minutes of ``delta``, rounded down (toward minus infinity)."""
    return delta // MINUTE


@frozen(kw_only=True)
class Visit:
    """A visit as derived from the log and the corrections. ``end`` is None while the visit
    is open. ``clock_in`` / ``clock_out`` are the punches counted (not voided);
    ``start_method`` / ``end_method`` are None when the time comes from a correction."""

    intervention_id: InterventionId
    caregiver_id: CaregiverId
    start: datetime
    end: datetime | None
    clock_in: PunchId | None = None
    clock_out: PunchId | None = None
    start_method: PunchMethod | None = None
    end_method: PunchMethod | None = None
    corrections: tuple[CorrectionId, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.end is None

    @property
    def punches(self) -> tuple[PunchId, ...]:
        return tuple(p for p in (self.clock_in, self.clock_out) if p is not None)

    @property
    def methods(self) -> frozenset[PunchMethod]:
        return frozenset(m for m in (self.start_method, self.end_method) if m is not None)

    @property
    def corrected(self) -> bool:
        return bool(self.corrections)

    @property
    def duration(self) -> timedelta | None:
        return None if self.end is None else self.end - self.start

    @property
    def minutes(self) -> int | None:
        duration = self.duration
        return None if duration is None else whole_minutes(duration)


def last_set(values: Iterable[T | None]) -> T | None:
    found = None
    for value in values:
        if value is not None:
            found = value
    return found


def counted_punch(
    entries: Iterable[LogEntry], corrections: Sequence[Correction], kind: PunchKind
) -> Punch | None:
    """The last accepted punch of ``kind`` not voided; the rules leave at most one."""
    voided = frozenset().union(*(c.voids for c in corrections))
    return last_set(
        entry.punch
        for entry in entries
        if entry.accepted and entry.punch.kind is kind and entry.punch.id not in voided
    )


def derive_visit(
    intervention_id: InterventionId,
    entries: Sequence[LogEntry],
    corrections: Sequence[Correction],
) -> Visit | None:
    """The visit of one intervention from its log entries and corrections (both of that
    intervention). The latest correction that sets a time wins over the punch; no start,
    no visit."""
    clock_in = counted_punch(entries, corrections, PunchKind.CLOCK_IN)
    clock_out = counted_punch(entries, corrections, PunchKind.CLOCK_OUT)
    start_fix = last_set(c.start for c in corrections)
    end_fix = last_set(c.end for c in corrections)
    start = start_fix or (clock_in.device_time if clock_in else None)
    if start is None:
        return None
    caregiver = clock_in.caregiver_id if clock_in else corrections[-1].caregiver_id
    return Visit(
        intervention_id=intervention_id,
        caregiver_id=caregiver,
        start=start,
        end=end_fix or (clock_out.device_time if clock_out else None),
        clock_in=clock_in.id if clock_in else None,
        clock_out=clock_out.id if clock_out else None,
        start_method=clock_in.method if clock_in and start_fix is None else None,
        end_method=clock_out.method if clock_out and end_fix is None else None,
        corrections=tuple(c.id for c in corrections),
    )


def _group(values: Iterable[T], key: str) -> dict[InterventionId, list[T]]:
    groups: dict[InterventionId, list[T]] = {}
    for value in values:
        groups.setdefault(getattr(value, key), []).append(value)
    return groups


def derive_visits(
    entries: Iterable[LogEntry], corrections: Iterable[Correction]
) -> dict[InterventionId, Visit]:
    """Every visit, from scratch: the log (in sequence order) plus the corrections."""
    by_intervention: dict[InterventionId, list[LogEntry]] = {}
    for entry in sorted(entries, key=lambda e: e.sequence):
        by_intervention.setdefault(entry.punch.intervention_id, []).append(entry)
    corrections_of = _group(corrections, "intervention_id")
    derived = {}
    for intervention_id in by_intervention.keys() | corrections_of.keys():
        visit = derive_visit(
            intervention_id,
            by_intervention.get(intervention_id, []),
            corrections_of.get(intervention_id, []),
        )
        if visit is not None:
            derived[intervention_id] = visit
    return derived


def sorted_visits(values: Iterable[Visit]) -> tuple[Visit, ...]:
    return tuple(sorted(values, key=lambda v: (v.start, v.intervention_id)))


def visits(
    entries: Iterable[LogEntry],
    corrections: Iterable[Correction],
    *,
    caregiver_id: CaregiverId | None = None,
) -> tuple[Visit, ...]:
    """The visits (of one caregiver, or all), by start."""
    return sorted_visits(
        visit
        for visit in derive_visits(entries, corrections).values()
        if caregiver_id is None or visit.caregiver_id == caregiver_id
    )


def open_visit(
    entries: Iterable[LogEntry], corrections: Iterable[Correction], caregiver_id: CaregiverId
) -> Visit | None:
    """The caregiver's open visit: the rules allow one at a time."""
    return next(
        (v for v in visits(entries, corrections, caregiver_id=caregiver_id) if v.is_open), None
    )
