"""Planned against actual: "Contrôler les données et impacter les plannings avec les données
de télégestion" (seed 004).

:func:`reconcile` compares the planned interventions of a day (in the organisation's time
zone, so a day may last 23 or 25 hours) or of a caregiver with the visits derived from the
punch log, lists the anomalies the office has to look at, and gives the actual times to
apply to the planning for every intervention whose visit is complete.

Time differences are counted in whole minutes, rounded down, and an anomaly is reported
when they go *beyond* the tolerance: with 10 minutes allowed, a start 10 min 59 s late is
not an anomaly, 11 minutes is. A punch without a GPS fix is never an anomaly: GPS often
fails at the door, and the visit must not be lost for it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from attrs import Attribute, field, frozen

from caredomain.arguments import checked_fields
from caredomain.errors import InvalidInput
from caredomain.interventions.derived_visits import Visit, whole_minutes
from caredomain.interventions.model import (
    CaregiverId,
    Client,
    InterventionId,
    PlannedIntervention,
    PunchId,
    PunchKind,
    utc,
)
from caredomain.interventions.punches import PunchLog
from caredomain.interventions.visit_planning import VisitPlanning
from caredomain.organisation import PARIS
from caredomain.text import Text

__all__ = [
    "ActualTimes",
    "Anomaly",
    "AnomalyKind",
    "Reconciliation",
    "Tolerances",
    "day_bounds",
    "reconcile",
]

WRONG_BADGE_CODE = "punch.wrong_badge"


def _minutes(instance: object, attribute: Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(
            Text("must be a whole number of minutes, 0 or more"),
            field=attribute.name,
            text=str(value),
        )


def _metres(instance: object, attribute: Attribute[float], value: float) -> None:
    if not (math.isfinite(value) and value >= 0):
        raise InvalidInput(Text("must be 0 or more metres"), field=attribute.name, text=str(value))


@frozen(kw_only=True, field_transformer=checked_fields)
class Tolerances:
    """How far actual may stray from planned before it is an anomaly. ``missing_clock_out``
    is the grace after the planned end before an open visit is reported; ``distance_m``
    is allowed beyond the GPS fix's own accuracy."""

    late_start: int = field(default=10, validator=_minutes)
    early_end: int = field(default=10, validator=_minutes)
    overrun: int = field(default=15, validator=_minutes)
    missing_clock_out: int = field(default=30, validator=_minutes)
    distance_m: float = field(default=200.0, converter=float, validator=_metres)


class AnomalyKind(StrEnum):
    NO_VISIT = "no-visit"
    WRONG_BADGE = "wrong-badge"
    LATE_START = "late-start"
    FAR_FROM_CLIENT = "far-from-client"
    EARLY_END = "early-end"
    OVERRUN = "overrun"
    MISSING_CLOCK_OUT = "missing-clock-out"
    OVERLAP = "overlap"


_KIND_ORDER = {kind: n for n, kind in enumerate(AnomalyKind)}


@frozen(kw_only=True)
class Anomaly:
    """Something for the office to check. ``minutes`` is the gap measured (None when there
    is none: a wrong badge, a distance); ``metres`` the distance from the client's home;
    ``other`` the intervention overlapped; ``punch_id`` the punch at fault."""

    kind: AnomalyKind
    intervention_id: InterventionId
    caregiver_id: CaregiverId
    message: str
    minutes: int | None = None
    metres: int | None = None
    other: InterventionId | None = None
    punch_id: PunchId | None = None


@frozen(kw_only=True)
class ActualTimes:
    """The planned times of an intervention and the actual ones to apply to the planning."""

    intervention_id: InterventionId
    caregiver_id: CaregiverId
    planned_start: datetime
    planned_end: datetime
    actual_start: datetime
    actual_end: datetime

    @property
    def minutes(self) -> int:
        return whole_minutes(self.actual_end - self.actual_start)


@frozen
class Reconciliation:
    """The anomalies (by planned start, then intervention, then kind) and the actual times
    of every complete visit (by planned start)."""

    anomalies: tuple[Anomaly, ...]
    actuals: tuple[ActualTimes, ...]

    def of(self, intervention_id: InterventionId) -> tuple[Anomaly, ...]:
        return tuple(a for a in self.anomalies if a.intervention_id == intervention_id)

    def kinds(self, intervention_id: InterventionId) -> frozenset[AnomalyKind]:
        return frozenset(a.kind for a in self.of(intervention_id))


def day_bounds(day: date, zone: ZoneInfo = PARIS) -> tuple[datetime, datetime]:
    """The instants (UTC) of the start of ``day`` and of the next day in ``zone``: 25 hours
    apart when the clocks go back, 23 when they go forward."""
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return utc(start), utc(end)


class _Check:
    """The anomalies of one planned intervention, phrased with the zone's wall clock."""

    def __init__(
        self,
        planned: PlannedIntervention,
        client: Client | None,
        tolerances: Tolerances,
        zone: ZoneInfo,
    ) -> None:
        self.planned = planned
        self.client = client
        self.tolerances = tolerances
        self.zone = zone

    def clock(self, moment: datetime) -> str:
        return moment.astimezone(self.zone).strftime("%H:%M")

    def anomaly(
        self,
        kind: AnomalyKind,
        message: str,
        *,
        minutes: int | None = None,
        metres: int | None = None,
        other: InterventionId | None = None,
        punch_id: PunchId | None = None,
    ) -> Anomaly:
        return Anomaly(
            kind=kind,
            intervention_id=self.planned.id,
            caregiver_id=self.planned.caregiver_id,
            message=message,
            minutes=minutes,
            metres=metres,
            other=other,
            punch_id=punch_id,
        )

    def no_visit(self, as_of: datetime) -> Iterator[Anomaly]:
        if self.planned.end <= as_of:
            planned = f"{self.clock(self.planned.start)}-{self.clock(self.planned.end)}"
            minutes = whole_minutes(self.planned.end - self.planned.start)
            yield self.anomaly(
                AnomalyKind.NO_VISIT,
                Text("no visit clocked for {planned}", planned=planned),
                minutes=minutes,
            )

    def times(self, visit: Visit, as_of: datetime) -> Iterator[Anomaly]:
        """Late start, early end, overrun and missing clock-out."""
        tolerances, planned = self.tolerances, self.planned
        late = whole_minutes(visit.start - planned.start)
        if late > tolerances.late_start:
            yield self.anomaly(
                AnomalyKind.LATE_START, Text("started {late} min late", late=late), minutes=late
            )
        if visit.end is None:
            still_open = whole_minutes(as_of - planned.end)
            if still_open > tolerances.missing_clock_out:
                yield self.anomaly(
                    AnomalyKind.MISSING_CLOCK_OUT,
                    Text(
                        "no clock-out {minutes} min after the planned end ({end})",
                        minutes=still_open,
                        end=self.clock(planned.end),
                    ),
                    minutes=still_open,
                )
            return
        early = whole_minutes(planned.end - visit.end)
        if early > tolerances.early_end:
            yield self.anomaly(
                AnomalyKind.EARLY_END, Text("ended {early} min early", early=early), minutes=early
            )
        over = whole_minutes(visit.end - planned.end)
        if over > tolerances.overrun:
            yield self.anomaly(
                AnomalyKind.OVERRUN,
                Text("ended {over} min after the planned end", over=over),
                minutes=over,
            )

    def distances(self, visit: Visit, log: PunchLog) -> Iterator[Anomaly]:
        """Each punch of the visit whose GPS fix puts it farther from the client's home than
        the tolerance plus the fix's accuracy. No fix or no known home: nothing to say."""
        home = self.client.location if self.client is not None else None
        for punch_id in visit.punches:
            entry = log.entry(punch_id)
            fix = entry.punch.gps if entry is not None else None
            if home is None or fix is None or entry is None:
                continue
            distance = home.distance_to(fix.point)
            if distance - fix.accuracy_m > self.tolerances.distance_m:
                message = (
                    Text(
                        "clocked in {distance:.0f} m from the client's home "
                        "(GPS accurate to {accuracy:.0f} m)",
                        distance=distance,
                        accuracy=fix.accuracy_m,
                    )
                    if entry.punch.kind is PunchKind.CLOCK_IN
                    else Text(
                        "clocked out {distance:.0f} m from the client's home "
                        "(GPS accurate to {accuracy:.0f} m)",
                        distance=distance,
                        accuracy=fix.accuracy_m,
                    )
                )
                yield self.anomaly(
                    AnomalyKind.FAR_FROM_CLIENT,
                    message,
                    metres=round(distance),
                    punch_id=punch_id,
                )

    def wrong_badges(self, log: PunchLog) -> Iterator[Anomaly]:
        for entry in log.entries_of(self.planned.id):
            if entry.refusal is not None and entry.refusal.code == WRONG_BADGE_CODE:
                yield self.anomaly(
                    AnomalyKind.WRONG_BADGE,
                    Text(
                        "badge refused at {at}: {reason}",
                        at=self.clock(entry.punch.device_time),
                        reason=entry.refusal.message,
                    ),
                    punch_id=entry.punch.id,
                )


def _span(visit: Visit, as_of: datetime) -> tuple[datetime, datetime]:
    """An open visit runs until ``as_of`` (or an instant, if it starts later)."""
    return visit.start, visit.end if visit.end is not None else max(as_of, visit.start)


def _overlaps(
    check: _Check, visit: Visit, log: PunchLog, selected: frozenset[InterventionId], as_of: datetime
) -> Iterator[Anomaly]:
    """Visits of the caregiver overlapping this one: each pair is reported once, on the
    later visit when both are being reconciled."""
    start, end = _span(visit, as_of)
    for other in log.visits(visit.caregiver_id):
        if other.intervention_id == visit.intervention_id:
            continue
        other_start, other_end = _span(other, as_of)
        minutes = whole_minutes(min(end, other_end) - max(start, other_start))
        later = (start, visit.intervention_id) > (other_start, other.intervention_id)
        if minutes >= 1 and (later or other.intervention_id not in selected):
            yield check.anomaly(
                AnomalyKind.OVERLAP,
                Text(
                    "overlaps the visit of intervention {other} by {minutes} min",
                    other=other.intervention_id,
                    minutes=minutes,
                ),
                minutes=minutes,
                other=other.intervention_id,
            )


def _selected(
    planning: VisitPlanning,
    day: date | None,
    caregiver_id: CaregiverId | None,
    zone: ZoneInfo,
) -> list[PlannedIntervention]:
    bounds = day_bounds(day, zone) if day is not None else None
    return sorted(
        (
            planned
            for planned in planning.interventions.values()
            if (caregiver_id is None or planned.caregiver_id == caregiver_id)
            and (bounds is None or bounds[0] <= planned.start < bounds[1])
        ),
        key=lambda planned: (planned.start, planned.id),
    )


def _actual(planned: PlannedIntervention, visit: Visit) -> ActualTimes | None:
    if visit.end is None:
        return None
    return ActualTimes(
        intervention_id=planned.id,
        caregiver_id=planned.caregiver_id,
        planned_start=planned.start,
        planned_end=planned.end,
        actual_start=visit.start,
        actual_end=visit.end,
    )


def _sorted(anomalies: Iterable[Anomaly], order: dict[InterventionId, int]) -> tuple[Anomaly, ...]:
    return tuple(sorted(anomalies, key=lambda a: (order[a.intervention_id], _KIND_ORDER[a.kind])))


def reconcile(
    planning: VisitPlanning,
    log: PunchLog,
    *,
    as_of: datetime,
    day: date | None = None,
    caregiver_id: CaregiverId | None = None,
    zone: ZoneInfo = PARIS,
    tolerances: Tolerances | None = None,
) -> Reconciliation:
    """Reconcile the interventions planned to start on ``day`` (in ``zone``) and/or of
    ``caregiver_id`` (all of them when both are None) with their visits, as known at
    ``as_of``: a visit not clocked is only missing once its planned end is past, a
    clock-out only once the grace after the planned end is."""
    as_of = utc(as_of, "as_of")
    tolerances = tolerances or Tolerances()
    chosen = _selected(planning, day, caregiver_id, zone)
    selected = frozenset(planned.id for planned in chosen)
    anomalies: list[Anomaly] = []
    actuals: list[ActualTimes] = []
    for planned in chosen:
        check = _Check(planned, planning.client(planned.client_id), tolerances, zone)
        anomalies.extend(check.wrong_badges(log))
        visit = log.visit(planned.id)
        if visit is None:
            anomalies.extend(check.no_visit(as_of))
            continue
        anomalies.extend(check.times(visit, as_of))
        anomalies.extend(check.distances(visit, log))
        anomalies.extend(_overlaps(check, visit, log, selected, as_of))
        actual = _actual(planned, visit)
        if actual is not None:
            actuals.append(actual)
    order = {planned.id: n for n, planned in enumerate(chosen)}
    return Reconciliation(_sorted(anomalies, order), tuple(actuals))
