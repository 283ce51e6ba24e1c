"""The punch log: each refusal code, resent and offline punches, corrections, derived visits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from attrs import evolve

from caredomain.errors import Conflict, InvalidInput, RuleViolation
from caredomain.events import Event
from caredomain.geo import GeoPoint
from caredomain.interventions.corrections import Correction, CorrectionId, CorrectionReason
from caredomain.interventions.derived_visits import Visit, derive_visits, open_visit, visits
from caredomain.interventions.events import (
    PunchRecorded,
    PunchRefused,
    VisitCorrected,
    VisitEnded,
    VisitStarted,
)
from caredomain.interventions.model import (
    Badge,
    BadgeKind,
    CaregiverId,
    Client,
    ClientId,
    InterventionId,
    PlannedIntervention,
    Punch,
    PunchId,
    PunchKind,
    PunchMethod,
    Service,
    ServiceId,
    Task,
)
from caredomain.interventions.punches import PunchLog
from caredomain.interventions.visit_planning import VisitPlanning
from caredomain.serialization import structure, unstructure

DAY = datetime(2026, 3, 2, tzinfo=UTC)
A, B = CaregiverId("A"), CaregiverId("B")
I1, I2, I3 = InterventionId("I1"), InterventionId("I2"), InterventionId("I3")
IN, OUT = PunchKind.CLOCK_IN, PunchKind.CLOCK_OUT
NFC, QR, MANUAL = PunchMethod.BADGE_NFC, PunchMethod.BADGE_QR, PunchMethod.MANUAL


def at(hour: int, minute: int = 0) -> datetime:
    return DAY + timedelta(hours=hour, minutes=minute)


def planned(iid: str, caregiver: str, client: str, hour: int) -> PlannedIntervention:
    return PlannedIntervention(
        InterventionId(iid),
        CaregiverId(caregiver),
        ClientId(client),
        ServiceId("S1"),
        at(hour),
        at(hour + 1),
    )


PLANNING = VisitPlanning.of(
    [planned("I1", "A", "C1", 8), planned("I2", "A", "C2", 10), planned("I3", "B", "C1", 13)],
    [
        Client(
            ClientId("C1"),
            "Mme Martin",
            location=GeoPoint(48.8566, 2.3522),
            badges=[Badge(BadgeKind.NFC, "TAG1"), Badge(BadgeKind.QR, "QR1")],
        ),
        Client(ClientId("C2"), "M. Petit", badges=[Badge(BadgeKind.NFC, "TAG2")]),
    ],
    [Service(ServiceId("S1"), "Aide", [Task("meal", "Repas")])],
)
BADGE = {I1: "TAG1", I2: "TAG2", I3: "TAG1"}


def punch(
    pid: str,
    iid: InterventionId,
    kind: PunchKind,
    when: datetime,
    *,
    method: PunchMethod = NFC,
    badge: str | None = None,
    caregiver: CaregiverId | None = None,
    received: datetime | None = None,
    reason: str | None = None,
    offline: bool = False,
) -> Punch:
    return Punch(
        id=PunchId(pid),
        caregiver_id=caregiver or PLANNING.interventions[iid].caregiver_id,
        intervention_id=iid,
        kind=kind,
        method=method,
        device_time=when,
        received_at=received or when,
        badge=badge if badge is not None or method is MANUAL else BADGE[iid],
        reason=reason,
        offline=offline,
    )


def correction(cid: str, iid: InterventionId, **changes: object) -> Correction:
    values: dict[str, object] = {
        "reason": CorrectionReason.FORGOTTEN_CLOCK_OUT,
        "by": "office1",
        "made_at": at(20),
        **changes,
    }
    return Correction(
        id=CorrectionId(cid),
        intervention_id=iid,
        caregiver_id=PLANNING.interventions[iid].caregiver_id,
        **values,  # type: ignore[arg-type]
    )


def visited(log: PunchLog, *punches: Punch) -> PunchLog:
    for p in punches:
        assert log.record(p, PLANNING).accepted, p
    return log


def test_a_badged_visit_is_derived_from_its_clock_in_and_out() -> None:
    log = PunchLog()
    started = log.record(punch("p1", I1, IN, at(8, 2)), PLANNING)
    assert started.accepted
    assert [type(e) for e in started.events] == [PunchRecorded, VisitStarted]
    assert log.open_visit(A) == Visit(
        intervention_id=I1,
        caregiver_id=A,
        start=at(8, 2),
        end=None,
        clock_in=PunchId("p1"),
        start_method=NFC,
    )
    ended = log.record(punch("p2", I1, OUT, at(9, 1), method=QR, badge="QR1"), PLANNING)
    _, visit_ended = ended.events
    assert isinstance(visit_ended, VisitEnded)
    assert (visit_ended.start, visit_ended.end, visit_ended.minutes) == (at(8, 2), at(9, 1), 59)
    assert visit_ended.event_id == "p2/ended"
    visit = log.visit(I1)
    assert visit is not None
    assert visit.punches == ("p1", "p2")
    assert visit.methods == {NFC, QR}
    assert log.open_visit(A) is None
    assert not visit.corrected


def refused(log: PunchLog, p: Punch, code: str) -> None:
    size = len(log.entries)
    visits_before = log.visits()
    outcome = log.record(p, PLANNING)
    assert not outcome.accepted
    assert outcome.refusal is not None
    assert outcome.refusal.code == code
    (event,) = outcome.events
    assert isinstance(event, PunchRefused)
    assert (event.code, event.punch_id) == (code, p.id)
    assert len(log.entries) == size + 1, "a refused punch is logged all the same"
    assert log.entries[-1].punch == p
    assert log.visits() == visits_before
    with pytest.raises(RuleViolation) as raised:
        raise outcome.refusal.error()
    assert raised.value.code == code


def test_a_punch_for_no_planned_intervention_is_refused() -> None:
    p = evolve(punch("p1", I1, IN, at(8)), intervention_id=InterventionId("I9"))
    refused(PunchLog(), p, "punch.unknown_intervention")


def test_a_punch_on_someone_elses_intervention_is_refused() -> None:
    refused(PunchLog(), punch("p1", I3, IN, at(13), caregiver=A), "punch.not_assigned")


@pytest.mark.parametrize(
    ("method", "badge"),
    [
        (NFC, "TAG2"),  # another client's tag
        (NFC, "QR1"),  # the client's QR code, read as an NFC tag
        (QR, "TAG1"),  # the client's NFC tag, read as a QR code
        (NFC, None),  # nothing read
    ],
)
def test_a_badge_that_is_not_the_clients_is_refused(method: PunchMethod, badge: str | None) -> None:
    p = evolve(punch("p1", I1, IN, at(8)), method=method, badge=badge)
    refused(PunchLog(), p, "punch.wrong_badge")


def test_the_wrong_badge_message_names_the_badge_and_the_client() -> None:
    outcome = PunchLog().record(punch("p1", I1, IN, at(8), badge="TAG2"), PLANNING)
    assert outcome.refusal is not None
    assert outcome.refusal.message == "badge 'TAG2' is not a nfc badge of client C1"


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_a_manual_punch_needs_a_reason(reason: str | None) -> None:
    p = punch("p1", I1, IN, at(8), method=MANUAL, reason=reason)
    refused(PunchLog(), p, "punch.reason_required")


def test_a_manual_punch_with_a_reason_opens_the_visit() -> None:
    log = PunchLog()
    outcome = log.record(
        punch("p1", I1, IN, at(8), method=MANUAL, reason="badge missing"), PLANNING
    )
    assert outcome.accepted
    assert log.entries[0].punch.reason == "badge missing"
    visit = log.visit(I1)
    assert visit is not None
    assert visit.start_method is MANUAL


def test_no_clock_out_without_an_open_clock_in() -> None:
    log = PunchLog()
    refused(log, punch("p1", I1, OUT, at(9)), "punch.not_clocked_in")
    visited(log, punch("p2", I1, IN, at(8)), punch("p3", I1, OUT, at(9)))
    refused(log, punch("p4", I1, OUT, at(9, 5)), "punch.not_clocked_in")


def test_one_open_visit_per_caregiver() -> None:
    log = visited(PunchLog(), punch("p1", I1, IN, at(8)))
    refused(log, punch("p2", I2, IN, at(10)), "punch.visit_open")
    visited(log, punch("p3", I1, OUT, at(9)), punch("p4", I2, IN, at(10)))
    assert log.open_visit(A) == log.visit(I2)


def test_another_caregivers_open_visit_does_not_matter() -> None:
    log = visited(PunchLog(), punch("p1", I1, IN, at(8)), punch("p2", I3, IN, at(8, 30)))
    assert {v.caregiver_id for v in log.visits() if v.is_open} == {A, B}


def test_an_intervention_is_clocked_in_once() -> None:
    log = visited(PunchLog(), punch("p1", I1, IN, at(8)))
    refused(log, punch("p2", I1, IN, at(8, 1)), "punch.already_clocked_in")
    visited(log, punch("p3", I1, OUT, at(9)))
    refused(log, punch("p4", I1, IN, at(9, 1)), "punch.already_clocked_in")


def test_a_clock_out_must_come_after_the_start() -> None:
    log = visited(PunchLog(), punch("p1", I1, IN, at(8)))
    refused(log, punch("p2", I1, OUT, at(8)), "punch.out_before_in")
    refused(log, punch("p3", I1, OUT, at(7, 59)), "punch.out_before_in")


def test_a_resent_punch_is_recorded_once() -> None:
    log = PunchLog()
    first = log.record(punch("p1", I1, IN, at(8)), PLANNING)
    again = punch("p1", I1, IN, at(8), received=at(8, 30), offline=True)
    resent = log.record(again, PLANNING)
    assert resent.duplicate
    assert resent.entry == first.entry
    assert resent.events == ()
    assert len(log.entries) == 1


def test_a_resent_refused_punch_gets_the_same_refusal() -> None:
    log = PunchLog()
    first = log.record(punch("p1", I1, OUT, at(9)), PLANNING)
    resent = log.record(punch("p1", I1, OUT, at(9)), PLANNING)
    assert resent.refusal == first.refusal
    assert resent.duplicate
    assert len(log.entries) == 1


def test_the_same_punch_id_with_other_content_is_a_conflict() -> None:
    log = visited(PunchLog(), punch("p1", I1, IN, at(8)))
    with pytest.raises(Conflict):
        log.record(punch("p1", I1, IN, at(8, 1)), PLANNING)
    with pytest.raises(Conflict):
        log.record(punch("p1", I1, OUT, at(8)), PLANNING)
    assert len(log.entries) == 1


def test_an_offline_punch_received_late_counts_at_the_phones_time() -> None:
    log = PunchLog()
    visited(
        log,
        punch("p1", I1, IN, at(8, 5), received=at(12), offline=True),
        punch("p2", I1, OUT, at(8, 55), received=at(12), offline=True),
    )
    visit = log.visit(I1)
    assert visit is not None
    assert (visit.start, visit.end) == (at(8, 5), at(8, 55))
    assert log.entries[0].punch.received_at == at(12)


def test_an_offline_visit_arriving_after_the_next_one_is_accepted() -> None:
    """The phone was offline at the first client and sent its queue after the second
    visit: both visits are kept, at their own times."""
    log = visited(PunchLog(), punch("p3", I2, IN, at(10)), punch("p4", I2, OUT, at(11)))
    visited(
        log,
        punch("p1", I1, IN, at(8), received=at(11, 5), offline=True),
        punch("p2", I1, OUT, at(9), received=at(11, 5), offline=True),
    )
    assert [(v.intervention_id, v.start, v.end) for v in log.visits(A)] == [
        (I1, at(8), at(9)),
        (I2, at(10), at(11)),
    ]


# -- corrections --------------------------------------------------------------------------


def test_a_forgotten_clock_out_is_added_on_top_of_the_log() -> None:
    log = visited(PunchLog(), punch("p1", I1, IN, at(8)))
    entries = log.entries
    events = log.correct(correction("c1", I1, end=at(9)), PLANNING)
    corrected, ended = events
    assert isinstance(corrected, VisitCorrected)
    assert (corrected.start, corrected.end, corrected.by) == (at(8), at(9), "office1")
    assert corrected.reason == "forgotten-clock-out"
    assert isinstance(ended, VisitEnded)
    assert (ended.method, ended.punch_id, ended.minutes) == (None, None, 60)
    assert log.entries == entries
    visit = log.visit(I1)
    assert visit is not None
    assert (visit.end, visit.end_method, visit.corrections) == (at(9), None, ("c1",))
    assert log.open_visit(A) is None


def test_the_office_sets_the_actual_start_over_the_punch() -> None:
    log = visited(PunchLog(), punch("p1", I1, IN, at(8, 20)), punch("p2", I1, OUT, at(9)))
    log.correct(
        correction("c1", I1, reason=CorrectionReason.WRONG_TIME, start=at(8), text="phone"),
        PLANNING,
    )
    visit = log.visit(I1)
    assert visit is not None
    assert (visit.start, visit.start_method, visit.clock_in) == (at(8), None, "p1")
    assert visit.end_method is NFC


def test_a_voided_punch_stays_in_the_log_and_no_longer_counts() -> None:
    log = visited(PunchLog(), punch("p1", I1, IN, at(8)))
    log.correct(
        correction("c1", I1, reason=CorrectionReason.OTHER, text="wrong client", voids=["p1"]),
        PLANNING,
    )
    assert log.visit(I1) is None
    assert log.entry(PunchId("p1")) is not None
    assert log.voided_by(PunchId("p1")) == "c1"
    assert log.open_visit(A) is None
    visited(log, punch("p2", I1, IN, at(8, 10)))  # clocking in again is possible
    visit = log.visit(I1)
    assert visit is not None
    assert visit.start == at(8, 10)


def test_voiding_a_clock_out_reopens_the_visit() -> None:
    log = visited(PunchLog(), punch("p1", I1, IN, at(8)), punch("p2", I1, OUT, at(8, 10)))
    log.correct(
        correction("c1", I1, reason="other", text="tapped too early", voids=["p2"]), PLANNING
    )
    assert log.open_visit(A) == log.visit(I1)
    visited(log, punch("p3", I1, OUT, at(9)))
    visit = log.visit(I1)
    assert visit is not None
    assert visit.punches == ("p1", "p3")


def test_a_visit_the_phone_never_recorded_can_be_declared() -> None:
    log = PunchLog()
    events = log.correct(
        correction("c1", I1, reason=CorrectionReason.BADGE_FAILURE, start=at(8), end=at(9)),
        PLANNING,
    )
    assert [type(e) for e in events] == [VisitCorrected, VisitStarted, VisitEnded]
    visit = log.visit(I1)
    assert visit is not None
    assert (visit.caregiver_id, visit.start, visit.end, visit.punches) == (A, at(8), at(9), ())


def correction_refused(log: PunchLog, made: Correction, code: str) -> None:
    visits_before, corrections = log.visits(), log.corrections
    with pytest.raises(RuleViolation) as raised:
        log.correct(made, PLANNING)
    assert raised.value.code == code
    assert (log.visits(), log.corrections) == (visits_before, corrections)


def test_correction_refusals() -> None:
    log = visited(
        PunchLog(),
        punch("p1", I1, IN, at(8)),
        punch("p2", I1, OUT, at(9)),
        punch("p3", I2, IN, at(10)),
    )
    log.record(punch("p9", I1, OUT, at(9, 30)), PLANNING)  # refused: not clocked in
    correction_refused(log, correction("c1", I1, voids=["p3"]), "correction.unknown_punch")
    correction_refused(log, correction("c2", I1, voids=["p9"]), "correction.unknown_punch")
    correction_refused(log, correction("c3", I1, voids=["p1"]), "correction.not_started")
    correction_refused(log, correction("c4", I1, end=at(7)), "correction.end_before_start")
    correction_refused(log, correction("c5", I1, voids=["p2"]), "correction.visit_open")
    correction_refused(log, correction("c6", I3, end=at(15)), "correction.not_started")
    stranger = evolve(correction("c7", I1, end=at(9, 5)), caregiver_id=B)
    correction_refused(log, stranger, "correction.not_assigned")
    unknown = evolve(correction("c8", I1, end=at(9, 5)), intervention_id=InterventionId("I9"))
    correction_refused(log, unknown, "correction.unknown_intervention")
    log.correct(correction("c9", I2, voids=["p3"]), PLANNING)
    correction_refused(log, correction("c10", I2, voids=["p3"]), "correction.already_voided")


def test_a_correction_made_twice_is_kept_once() -> None:
    log = visited(PunchLog(), punch("p1", I1, IN, at(8)))
    made = correction("c1", I1, end=at(9))
    assert log.correct(made, PLANNING)
    assert log.correct(made, PLANNING) == ()
    assert len(log.corrections) == 1
    with pytest.raises(Conflict):
        log.correct(evolve(made, end=at(9, 5)), PLANNING)


@pytest.mark.parametrize(
    "changes",
    [
        {"reason": "other"},  # no text
        {"reason": "other", "text": "  "},
        {},  # changes nothing
        {"start": at(9), "end": at(9)},
        {"reason": "typo", "end": at(9)},
        {"end": datetime(2026, 3, 2, 9)},  # naive
    ],
)
def test_an_invalid_correction_is_refused_at_construction(changes: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        correction("c1", I1, **changes)


# -- derivation --------------------------------------------------------------------------


def busy_log() -> PunchLog:
    log = visited(
        PunchLog(),
        punch("p1", I1, IN, at(8)),
        punch("p2", I1, OUT, at(9)),
        punch("p3", I2, IN, at(10)),
        punch("p5", I3, IN, at(13)),
    )
    log.record(punch("p4", I2, IN, at(10), badge="nope"), PLANNING)
    log.correct(correction("c1", I2, end=at(11)), PLANNING)
    log.correct(correction("c2", I1, reason="wrong-time", start=at(8, 5)), PLANNING)
    return log


def test_the_visits_are_derived_from_the_log_and_the_corrections_alone() -> None:
    log = busy_log()
    assert derive_visits(log.entries, log.corrections) == {
        v.intervention_id: v for v in log.visits()
    }
    assert visits(log.entries, log.corrections, caregiver_id=A) == log.visits(A)
    assert open_visit(log.entries, log.corrections, B) == log.open_visit(B)
    assert open_visit(log.entries, log.corrections, A) is None


def test_a_log_rebuilt_from_a_store_derives_the_same_visits() -> None:
    log = busy_log()
    rebuilt = PunchLog(reversed(log.entries), log.corrections)
    assert rebuilt.visits() == log.visits()
    assert rebuilt.open_visit(B) == log.open_visit(B)
    assert rebuilt.entries == log.entries


def test_a_stored_log_with_a_gap_is_refused() -> None:
    log = busy_log()
    with pytest.raises(InvalidInput):
        PunchLog(log.entries[1:])


def test_the_events_round_trip_through_the_converter() -> None:
    log = PunchLog()
    events: list[Event] = [*log.record(punch("p1", I1, IN, at(8)), PLANNING).events]
    events += log.record(punch("p2", I2, IN, at(8)), PLANNING).events
    events += log.correct(correction("c1", I1, end=at(9)), PLANNING)
    assert len(events) == 5
    for event in events:
        assert structure(unstructure(event), Event) == event
