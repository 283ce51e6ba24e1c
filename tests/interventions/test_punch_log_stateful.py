"""A state machine mixing what phones send (good and bad punches, resent ones, offline
ones), the office's corrections and the caregivers' visit data, checking that the log only
grows, that the visits always derive from it, and that nobody has two visits open."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from attrs import evolve
from hypothesis import event, note
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from caredomain.errors import RuleViolation
from caredomain.interventions.corrections import Correction, CorrectionId, CorrectionReason
from caredomain.interventions.derived_visits import derive_visits, open_visit
from caredomain.interventions.log_entries import LogEntry
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
from caredomain.interventions.visit_data import EntryId, Mileage, Report, VisitDataLog
from caredomain.interventions.visit_planning import VisitPlanning

MORNING = datetime(2026, 3, 2, 7, tzinfo=UTC)
CAREGIVERS = [CaregiverId("A"), CaregiverId("B")]
OWNER = {"I1": "A", "I2": "A", "I3": "A", "I4": "B"}
CLIENT_OF = {"I1": "C1", "I2": "C2", "I3": "C1", "I4": "C2"}
TAGS = {"C1": ("TAG1", "QR1"), "C2": ("TAG2", "QR2")}


def _planning() -> VisitPlanning:
    interventions = [
        PlannedIntervention(
            InterventionId(iid),
            CaregiverId(OWNER[iid]),
            ClientId(CLIENT_OF[iid]),
            ServiceId("S1"),
            MORNING + timedelta(hours=n * 2),
            MORNING + timedelta(hours=n * 2 + 1),
        )
        for n, iid in enumerate(sorted(OWNER))
    ]
    clients = [
        Client(ClientId(c), c, badges=[Badge(BadgeKind.NFC, nfc), Badge(BadgeKind.QR, qr)])
        for c, (nfc, qr) in TAGS.items()
    ]
    return VisitPlanning.of(
        interventions, clients, [Service(ServiceId("S1"), "Aide", [Task("meal", "Repas")])]
    )


PLANNING = _planning()
interventions = st.sampled_from(sorted(OWNER)).map(InterventionId)
minutes = st.integers(min_value=0, max_value=12 * 60)
kinds = st.sampled_from(PunchKind)
badge_methods = st.sampled_from([PunchMethod.BADGE_NFC, PunchMethod.BADGE_QR])


class PunchLogMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.log = PunchLog()
        self.data = VisitDataLog()
        self.ids = itertools.count(1)
        self.sent: dict[PunchId, Punch] = {}
        self.seen: tuple[LogEntry, ...] = ()
        self.now = MORNING

    # -- helpers ------------------------------------------------------------------------

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self.ids)}"

    def send(
        self,
        iid: InterventionId,
        kind: PunchKind,
        minute: int,
        method: PunchMethod,
        *,
        badge: str | None,
        reason: str | None = None,
        offline: bool = False,
    ) -> Punch:
        self.now += timedelta(minutes=1)
        punch = Punch(
            id=PunchId(self.new_id("p")),
            caregiver_id=CaregiverId(OWNER[iid]),
            intervention_id=iid,
            kind=kind,
            method=method,
            device_time=MORNING + timedelta(minutes=minute),
            received_at=self.now,
            badge=badge,
            reason=reason,
            offline=offline,
        )
        note(f"punch {punch.id}: {kind} {iid} at +{minute} min by {method} ({badge}, {reason!r})")
        expected = self.expected_code(punch)
        outcome = self.log.record(punch, PLANNING)
        self.sent[punch.id] = punch
        assert not outcome.duplicate
        assert outcome.entry == self.log.entries[-1]
        code = outcome.refusal.code if outcome.refusal else None
        note(f"  -> {code or 'accepted'}")
        assert code == expected
        event(f"punch {code or 'accepted'}")
        return punch

    def expected_code(self, punch: Punch) -> str | None:
        """The refusal the rules call for: the method first, then the sequence."""
        if punch.method is PunchMethod.MANUAL:
            if not (punch.reason and punch.reason.strip()):
                return "punch.reason_required"
        elif punch.badge != self.badge_of(punch.intervention_id, punch.method):
            return "punch.wrong_badge"
        return self.expected_sequence_code(punch)

    def expected_sequence_code(self, punch: Punch) -> str | None:
        visit = self.log.visit(punch.intervention_id)
        if punch.kind is PunchKind.CLOCK_IN:
            if visit is not None:
                return "punch.already_clocked_in"
            opened = self.log.open_visit(punch.caregiver_id)
            return None if opened is None else "punch.visit_open"
        if visit is None or not visit.is_open:
            return "punch.not_clocked_in"
        return "punch.out_before_in" if punch.device_time <= visit.start else None

    def badge_of(self, iid: InterventionId, method: PunchMethod) -> str:
        nfc, qr = TAGS[CLIENT_OF[iid]]
        return nfc if method is PunchMethod.BADGE_NFC else qr

    # -- what the phones send ---------------------------------------------------------

    @rule(
        iid=interventions, kind=kinds, minute=minutes, method=badge_methods, offline=st.booleans()
    )
    def badge_punch(
        self, iid: InterventionId, kind: PunchKind, minute: int, method: PunchMethod, offline: bool
    ) -> None:
        self.send(iid, kind, minute, method, badge=self.badge_of(iid, method), offline=offline)

    @rule(iid=interventions, kind=kinds, minute=minutes, method=badge_methods)
    def wrong_badge(
        self, iid: InterventionId, kind: PunchKind, minute: int, method: PunchMethod
    ) -> None:
        other = "I2" if CLIENT_OF[iid] == "C1" else "I1"
        punch = self.send(
            iid, kind, minute, method, badge=self.badge_of(InterventionId(other), method)
        )
        entry = self.log.entry(punch.id)
        assert entry is not None
        assert entry.refusal is not None
        assert entry.refusal.code == "punch.wrong_badge"

    @rule(
        iid=interventions,
        kind=kinds,
        minute=minutes,
        reason=st.sampled_from([None, "", " ", "tag broken"]),
    )
    def manual_punch(
        self, iid: InterventionId, kind: PunchKind, minute: int, reason: str | None
    ) -> None:
        punch = self.send(iid, kind, minute, PunchMethod.MANUAL, badge=None, reason=reason)
        entry = self.log.entry(punch.id)
        assert entry is not None
        if not (reason and reason.strip()):
            assert entry.refusal is not None
            assert entry.refusal.code == "punch.reason_required"

    @precondition(lambda self: any(self.log.visit(i) is None for i in OWNER))
    @rule(data=st.data(), minute=minutes)
    def clock_out_without_in(self, data: st.DataObject, minute: int) -> None:
        iid = data.draw(st.sampled_from([i for i in sorted(OWNER) if self.log.visit(i) is None]))
        nfc = PunchMethod.BADGE_NFC
        punch = self.send(iid, PunchKind.CLOCK_OUT, minute, nfc, badge=self.badge_of(iid, nfc))
        entry = self.log.entry(punch.id)
        assert entry is not None
        assert entry.refusal is not None
        assert entry.refusal.code == "punch.not_clocked_in"

    @precondition(lambda self: bool(self.sent))
    @rule(data=st.data(), later=st.integers(min_value=1, max_value=600))
    def resend(self, data: st.DataObject, later: int) -> None:
        punch = data.draw(st.sampled_from(sorted(self.sent.values(), key=lambda p: p.id)))
        before = self.log.entries
        again = evolve(
            punch, received_at=punch.received_at + timedelta(minutes=later), offline=True
        )
        outcome = self.log.record(again, PLANNING)
        assert outcome.duplicate
        assert outcome.events == ()
        assert outcome.entry == self.log.entry(punch.id)
        assert self.log.entries == before

    # -- what the office does ---------------------------------------------------------

    def correct(self, correction: Correction) -> None:
        note(f"correction {correction}")
        before = (self.log.visits(), self.log.corrections)
        try:
            self.log.correct(correction, PLANNING)
        except RuleViolation as refused:
            note(f"  -> refused {refused.code}")
            event(f"correction refused {refused.code}")
            assert (self.log.visits(), self.log.corrections) == before
        else:
            event("correction made")
            assert self.log.corrections[-1] == correction

    def correction(self, iid: InterventionId, **changes: object) -> Correction:
        return Correction(
            id=CorrectionId(self.new_id("c")),
            intervention_id=iid,
            caregiver_id=CaregiverId(OWNER[iid]),
            by="office",
            made_at=self.now,
            **changes,  # type: ignore[arg-type]
        )

    @rule(iid=interventions, minute=minutes)
    def add_missing_clock_out(self, iid: InterventionId, minute: int) -> None:
        self.correct(
            self.correction(
                iid,
                reason=CorrectionReason.FORGOTTEN_CLOCK_OUT,
                end=MORNING + timedelta(minutes=minute),
            )
        )

    @rule(iid=interventions, minute=minutes)
    def set_start(self, iid: InterventionId, minute: int) -> None:
        self.correct(
            self.correction(
                iid, reason=CorrectionReason.WRONG_TIME, start=MORNING + timedelta(minutes=minute)
            )
        )

    @precondition(lambda self: bool(self.sent))
    @rule(data=st.data())
    def void(self, data: st.DataObject) -> None:
        punch = data.draw(st.sampled_from(sorted(self.sent.values(), key=lambda p: p.id)))
        self.correct(
            self.correction(
                punch.intervention_id,
                reason=CorrectionReason.OTHER,
                text="mistake",
                voids=[punch.id],
            )
        )

    # -- what the caregivers enter ----------------------------------------------------

    @rule(iid=interventions, km=st.integers(min_value=0, max_value=80))
    def mileage(self, iid: InterventionId, km: int) -> None:
        entry = Mileage(
            id=EntryId(self.new_id("e")),
            intervention_id=iid,
            caregiver_id=CaregiverId(OWNER[iid]),
            entered_at=self.now,
            km=km,
        )
        self.enter(entry, expect=self.log.visit(iid) is not None)

    @rule(iid=interventions)
    def report(self, iid: InterventionId) -> None:
        entry = Report(
            id=EntryId(self.new_id("e")),
            intervention_id=iid,
            caregiver_id=CaregiverId(OWNER[iid]),
            entered_at=self.now,
            text="done",
        )
        visit = self.log.visit(iid)
        self.enter(entry, expect=visit is not None and not visit.is_open)

    def enter(self, entry: Mileage | Report, *, expect: bool) -> None:
        try:
            events = self.data.add(entry, PLANNING, self.log.visit(entry.intervention_id))
        except RuleViolation as refused:
            event(f"entry refused {refused.code}")
            assert not expect
        else:
            assert expect
            assert len(events) == 1
            assert self.data.add(entry, PLANNING, self.log.visit(entry.intervention_id)) == ()

    # -- invariants -------------------------------------------------------------------

    @invariant()
    def never_two_open_visits_for_one_caregiver(self) -> None:
        for caregiver in CAREGIVERS:
            opened = [v for v in self.log.visits(caregiver) if v.is_open]
            assert len(opened) <= 1, opened
            assert self.log.open_visit(caregiver) == (opened[0] if opened else None)

    @invariant()
    def the_visits_derive_from_the_log_and_the_corrections(self) -> None:
        entries, corrections = self.log.entries, self.log.corrections
        derived = derive_visits(entries, corrections)
        assert derived == {v.intervention_id: v for v in self.log.visits()}
        for caregiver in CAREGIVERS:
            assert open_visit(entries, corrections, caregiver) == self.log.open_visit(caregiver)
        rebuilt = PunchLog(entries, corrections)
        assert rebuilt.visits() == self.log.visits()

    @invariant()
    def the_log_only_grows(self) -> None:
        entries = self.log.entries
        assert entries[: len(self.seen)] == self.seen
        assert {entry.punch.id: entry.punch for entry in entries} == self.sent
        assert [entry.sequence for entry in entries] == list(range(len(entries)))
        self.seen = entries

    @invariant()
    def a_visit_counts_only_accepted_punches_not_voided(self) -> None:
        for visit in self.log.visits():
            assert visit.end is None or visit.start < visit.end
            for punch_id in visit.punches:
                entry = self.log.entry(punch_id)
                assert entry is not None
                assert entry.accepted
                assert self.log.voided_by(punch_id) is None


TestPunchLog = PunchLogMachine.TestCase
