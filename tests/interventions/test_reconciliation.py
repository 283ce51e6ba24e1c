"""Planned against actual: each anomaly, the actual times to apply, and day boundaries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from caredomain.errors import InvalidInput
from caredomain.geo import GeoPoint
from caredomain.interventions.corrections import Correction, CorrectionId, CorrectionReason
from caredomain.interventions.model import (
    Badge,
    BadgeKind,
    CaregiverId,
    Client,
    ClientId,
    GpsFix,
    InterventionId,
    PlannedIntervention,
    Punch,
    PunchId,
    PunchKind,
    PunchMethod,
    ServiceId,
)
from caredomain.interventions.punches import PunchLog
from caredomain.interventions.reconciliation import (
    ActualTimes,
    Anomaly,
    AnomalyKind,
    Tolerances,
    day_bounds,
    reconcile,
)
from caredomain.interventions.visit_planning import VisitPlanning

PARIS = ZoneInfo("Europe/Paris")
DAY = date(2026, 3, 2)
A, B = CaregiverId("A"), CaregiverId("B")
I1, I2, I3 = InterventionId("I1"), InterventionId("I2"), InterventionId("I3")
HOME = GeoPoint(48.8566, 2.3522)
IN, OUT = PunchKind.CLOCK_IN, PunchKind.CLOCK_OUT


def local(hour: int, minute: int = 0, second: int = 0, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=PARIS)


def planned(
    iid: str, hour: int, caregiver: CaregiverId = A, client: str = "C1"
) -> PlannedIntervention:
    return PlannedIntervention(
        InterventionId(iid),
        caregiver,
        ClientId(client),
        ServiceId("S1"),
        local(hour),
        local(hour + 1),
    )


CLIENTS = [
    Client(ClientId("C1"), "Mme Martin", location=HOME, badges=[Badge(BadgeKind.NFC, "TAG1")]),
    Client(ClientId("C2"), "M. Petit", badges=[Badge(BadgeKind.NFC, "TAG2")]),
]
PLANNING = VisitPlanning.of(
    [planned("I1", 9), planned("I2", 10, client="C2"), planned("I3", 14, B)], CLIENTS
)
EVENING = local(20)


def punch(
    pid: str,
    iid: InterventionId,
    kind: PunchKind,
    when: datetime,
    *,
    badge: str | None = None,
    gps: GpsFix | None = None,
    method: PunchMethod = PunchMethod.BADGE_NFC,
    reason: str | None = None,
) -> Punch:
    intervention = PLANNING.interventions[iid]
    return Punch(
        id=PunchId(pid),
        caregiver_id=intervention.caregiver_id,
        intervention_id=iid,
        kind=kind,
        method=method,
        device_time=when,
        received_at=when,
        badge=badge or ("TAG1" if intervention.client_id == "C1" else "TAG2"),
        gps=gps,
        reason=reason,
    )


def log_of(*punches: Punch, planning: VisitPlanning = PLANNING) -> PunchLog:
    log = PunchLog()
    for p in punches:
        assert log.record(p, planning).accepted, p
    return log


def visit(iid: InterventionId, start: datetime, end: datetime | None) -> list[Punch]:
    punches = [punch(f"{iid}-in", iid, IN, start)]
    return punches if end is None else [*punches, punch(f"{iid}-out", iid, OUT, end)]


def anomalies(log: PunchLog, **options: object) -> list[tuple[AnomalyKind, str, int | None]]:
    options = {"day": DAY, "as_of": EVENING, **options}
    result = reconcile(PLANNING, log, **options)  # type: ignore[arg-type]
    return [(a.kind, a.message, a.minutes) for a in result.anomalies]


def test_visits_on_time_give_their_actual_times_and_no_anomaly() -> None:
    log = log_of(
        *visit(I1, local(9, 5), local(9, 58)),
        *visit(I2, local(10, 2), local(11, 10)),
        *visit(I3, local(14), local(15)),
    )
    result = reconcile(PLANNING, log, day=DAY, as_of=EVENING)
    assert result.anomalies == ()
    assert result.actuals[0] == ActualTimes(
        intervention_id=I1,
        caregiver_id=A,
        planned_start=local(9),
        planned_end=local(10),
        actual_start=local(9, 5),
        actual_end=local(9, 58),
    )
    assert [(a.intervention_id, a.minutes) for a in result.actuals] == [
        (I1, 53),
        (I2, 68),
        (I3, 60),
    ]


def test_a_late_start() -> None:
    log = log_of(*visit(I1, local(9, 25), local(10)))
    assert anomalies(log, caregiver_id=A) == [
        (AnomalyKind.LATE_START, "started 25 min late", 25),
        (AnomalyKind.NO_VISIT, "no visit clocked for 10:00-11:00", 60),
    ]


@pytest.mark.parametrize(
    ("start", "late"),
    [(local(9, 10, 59), False), (local(9, 11), True), (local(8, 30), False)],
)
def test_the_tolerance_is_in_whole_minutes_beyond_the_limit(start: datetime, late: bool) -> None:
    log = log_of(*visit(I1, start, local(10)))
    result = reconcile(PLANNING, log, day=DAY, as_of=EVENING)
    assert (AnomalyKind.LATE_START in result.kinds(I1)) is late


def test_an_early_end_and_an_overrun() -> None:
    log = log_of(*visit(I1, local(9), local(9, 48)), *visit(I2, local(10), local(11, 20)))
    assert anomalies(log, caregiver_id=A) == [
        (AnomalyKind.EARLY_END, "ended 12 min early", 12),
        (AnomalyKind.OVERRUN, "ended 20 min after the planned end", 20),
    ]


def test_tolerances_are_configurable() -> None:
    log = log_of(*visit(I1, local(9, 25), local(9, 48)))
    lenient = Tolerances(late_start=30, early_end=15)
    result = reconcile(PLANNING, log, caregiver_id=A, as_of=local(10, 30), tolerances=lenient)
    assert result.anomalies == ()
    strict = Tolerances(late_start=0, early_end=0)
    result = reconcile(PLANNING, log, caregiver_id=A, as_of=local(10, 30), tolerances=strict)
    assert result.kinds(I1) == {AnomalyKind.LATE_START, AnomalyKind.EARLY_END}


@pytest.mark.parametrize(
    "bad", [{"late_start": -1}, {"overrun": 1.5}, {"early_end": True}, {"distance_m": -3}]
)
def test_bad_tolerances_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        Tolerances(**bad)  # type: ignore[arg-type]


def test_a_missing_clock_out_after_the_grace() -> None:
    log = log_of(*visit(I1, local(9), None))
    assert anomalies(log, caregiver_id=A, as_of=local(10, 30)) == []
    assert (
        anomalies(log, caregiver_id=A, as_of=local(10, 45))
        == [
            (
                AnomalyKind.MISSING_CLOCK_OUT,
                "no clock-out 45 min after the planned end (10:00)",
                45,
            ),
            (AnomalyKind.NO_VISIT, "no visit clocked for 10:00-11:00", 60),
        ][:1]
    )
    result = reconcile(PLANNING, log, caregiver_id=A, as_of=local(10, 45))
    assert result.actuals == (), "an open visit has no actual end to apply"


def test_a_wrong_badge_is_reported_even_when_the_visit_went_on_by_hand() -> None:
    log = PunchLog()
    wrong = punch("p0", I1, IN, local(9, 1), badge="TAG2")
    assert not log.record(wrong, PLANNING).accepted
    manual = punch(
        "p1", I1, IN, local(9, 2), method=PunchMethod.MANUAL, reason="the tag does not answer"
    )
    for p in [manual, punch("p2", I1, OUT, local(10))]:
        log.record(p, PLANNING)
    (anomaly,) = reconcile(PLANNING, log, caregiver_id=A, as_of=local(10)).anomalies
    assert anomaly == Anomaly(
        kind=AnomalyKind.WRONG_BADGE,
        intervention_id=I1,
        caregiver_id=A,
        message="badge refused at 09:01: badge 'TAG2' is not a nfc badge of client C1",
        punch_id=PunchId("p0"),
    )


def overlapping() -> PunchLog:
    """I1 clocked out at 10:00, then the office set its end to 10:30: it overlaps I2."""
    log = log_of(*visit(I1, local(9), local(10)), *visit(I2, local(10, 15), local(11)))
    correction = Correction(
        id=CorrectionId("c1"),
        intervention_id=I1,
        caregiver_id=A,
        reason=CorrectionReason.WRONG_TIME,
        by="office1",
        made_at=EVENING,
        end=local(10, 30),
    )
    log.correct(correction, PLANNING)
    return log


def test_overlapping_visits_are_reported_once_on_the_later_one() -> None:
    result = reconcile(PLANNING, overlapping(), day=DAY, as_of=EVENING)
    (anomaly,) = [a for a in result.anomalies if a.kind is AnomalyKind.OVERLAP]
    assert (anomaly.intervention_id, anomaly.other, anomaly.minutes) == (I2, I1, 15)
    assert anomaly.message == "overlaps the visit of intervention I1 by 15 min"


def test_an_overlap_with_a_visit_outside_the_selection_is_reported() -> None:
    planning = VisitPlanning.of([PLANNING.interventions[I1]], CLIENTS)
    result = reconcile(planning, overlapping(), caregiver_id=A, as_of=EVENING)
    (anomaly,) = [a for a in result.anomalies if a.kind is AnomalyKind.OVERLAP]
    assert (anomaly.intervention_id, anomaly.other) == (I1, I2)


def test_an_open_visit_overlaps_until_now() -> None:
    log = log_of(*visit(I2, local(10), None))
    log.correct(
        Correction(
            id=CorrectionId("c1"),
            intervention_id=I1,
            caregiver_id=A,
            reason=CorrectionReason.BADGE_FAILURE,
            by="office1",
            made_at=EVENING,
            start=local(9, 40),
            end=local(10, 10),
        ),
        PLANNING,
    )
    result = reconcile(PLANNING, log, day=DAY, as_of=local(10, 20))
    (anomaly,) = [a for a in result.anomalies if a.kind is AnomalyKind.OVERLAP]
    assert (anomaly.intervention_id, anomaly.minutes) == (I2, 10)


def fix(metres_north: float, accuracy: float) -> GpsFix:
    """A fix about ``metres_north`` north of the client's home."""
    point = GeoPoint(HOME.latitude + metres_north / 111_195, HOME.longitude)
    return GpsFix(point, accuracy, local(9))


@pytest.mark.parametrize(
    ("gps", "far"),
    [
        (fix(1000, 30), True),
        (fix(250, 10), True),
        (fix(250, 100), False),  # within 200 m once the fix's accuracy is allowed for
        (fix(150, 5), False),
        (None, False),  # GPS failed at the door: not an anomaly
    ],
)
def test_a_clock_in_far_from_the_clients_home(gps: GpsFix | None, far: bool) -> None:
    log = log_of(punch("p1", I1, IN, local(9), gps=gps), punch("p2", I1, OUT, local(10)))
    result = reconcile(PLANNING, log, caregiver_id=A, as_of=local(10))
    assert (AnomalyKind.FAR_FROM_CLIENT in result.kinds(I1)) is far
    assert result.actuals[0].actual_start == local(9), "the visit is kept either way"


def test_the_distance_is_told_in_metres() -> None:
    log = log_of(punch("p1", I1, IN, local(9)), punch("p2", I1, OUT, local(10), gps=fix(1000, 30)))
    (anomaly,) = reconcile(PLANNING, log, caregiver_id=A, as_of=local(10)).of(I1)
    assert anomaly.kind is AnomalyKind.FAR_FROM_CLIENT
    assert anomaly.metres == 1000
    assert anomaly.punch_id == "p2"
    assert anomaly.message == "clocked out 1000 m from the client's home (GPS accurate to 30 m)"


def test_no_distance_check_without_the_clients_location() -> None:
    log = log_of(*visit(I1, local(9), local(10)))
    log.record(punch("p3", I2, IN, local(10, 1), gps=fix(5000, 5)), PLANNING)
    log.record(punch("p4", I2, OUT, local(11)), PLANNING)
    assert reconcile(PLANNING, log, caregiver_id=A, as_of=EVENING).anomalies == ()


def test_no_visit_only_once_the_planned_end_is_past() -> None:
    assert anomalies(PunchLog(), caregiver_id=B, as_of=local(14, 30)) == []
    assert anomalies(PunchLog(), caregiver_id=B, as_of=local(15)) == [
        (AnomalyKind.NO_VISIT, "no visit clocked for 14:00-15:00", 60)
    ]


def test_anomalies_come_by_planned_start_then_kind() -> None:
    log = log_of(*visit(I1, local(9, 30), local(9, 40)))
    result = reconcile(PLANNING, log, day=DAY, as_of=EVENING)
    assert [(a.intervention_id, a.kind) for a in result.anomalies] == [
        (I1, AnomalyKind.LATE_START),
        (I1, AnomalyKind.EARLY_END),
        (I2, AnomalyKind.NO_VISIT),
        (I3, AnomalyKind.NO_VISIT),
    ]


# -- day boundaries ------------------------------------------------------------------------

DST_END = date(2026, 10, 25)  # Paris: 03:00 CEST becomes 02:00 CET


def test_the_day_the_clocks_go_back_lasts_25_hours() -> None:
    start, end = day_bounds(DST_END, PARIS)
    assert start == datetime(2026, 10, 24, 22, tzinfo=UTC)
    assert end == datetime(2026, 10, 25, 23, tzinfo=UTC)
    assert end - start == timedelta(hours=25)
    spring = day_bounds(date(2026, 3, 29), PARIS)
    assert spring[1] - spring[0] == timedelta(hours=23)


def test_a_day_is_reconciled_in_the_organisations_zone() -> None:
    def at_utc(iid: str, moment: datetime) -> PlannedIntervention:
        return PlannedIntervention(
            InterventionId(iid),
            A,
            ClientId("C1"),
            ServiceId("S1"),
            moment,
            moment + timedelta(minutes=45),
        )

    planning = VisitPlanning.of(
        [
            at_utc("before", datetime(2026, 10, 24, 21, 30, tzinfo=UTC)),  # 24th, 23:30 CEST
            at_utc("first", datetime(2026, 10, 24, 22, 30, tzinfo=UTC)),  # 25th, 00:30 CEST
            at_utc("fold", datetime(2026, 10, 25, 1, 30, tzinfo=UTC)),  # 02:30 CET, 2nd time
            at_utc("last", datetime(2026, 10, 25, 22, 30, tzinfo=UTC)),  # 25th, 23:30 CET
            at_utc("after", datetime(2026, 10, 25, 23, 30, tzinfo=UTC)),  # 26th, 00:30 CET
        ],
        CLIENTS,
    )
    as_of = datetime(2026, 10, 27, tzinfo=UTC)
    result = reconcile(planning, PunchLog(), day=DST_END, as_of=as_of, zone=PARIS)
    assert [(a.intervention_id, a.message) for a in result.anomalies] == [
        ("first", "no visit clocked for 00:30-01:15"),
        ("fold", "no visit clocked for 02:30-03:15"),
        ("last", "no visit clocked for 23:30-00:15"),
    ]
    toronto = reconcile(
        planning, PunchLog(), day=DST_END, as_of=as_of, zone=ZoneInfo("America/Toronto")
    )
    assert [a.intervention_id for a in toronto.anomalies] == ["last", "after"]


def test_a_late_start_across_the_change_of_time_counts_real_minutes() -> None:
    """Planned at 02:50 CEST, clocked in at 03:05 CET: the wall clock shows 15 minutes,
    but 75 went by."""
    start = datetime(2026, 10, 25, 0, 50, tzinfo=UTC)
    intervention = PlannedIntervention(
        I1, A, ClientId("C1"), ServiceId("S1"), start, start + timedelta(hours=1)
    )
    planning = VisitPlanning.of([intervention], CLIENTS)
    log = PunchLog()
    late = punch("p1", I1, IN, start + timedelta(minutes=75))
    assert log.record(late, planning).accepted
    (anomaly,) = reconcile(
        planning, log, day=DST_END, as_of=start + timedelta(minutes=80)
    ).anomalies
    assert (anomaly.kind, anomaly.minutes) == (AnomalyKind.LATE_START, 75)
