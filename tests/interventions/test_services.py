"""The home-care use cases on a real SQLite store: rights, punches, corrections,
reconciliation, messages, the DATI alarm and its e-mail, devices, and the synchronisation
with a mobile platform (an in-test fake of the port)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from attrs import evolve

from caredomain import Actor, FixedClock, Forbidden, InvalidInput, NotFound, RuleViolation
from caredomain.access import ActorId, Role
from caredomain.interventions import (
    Acknowledgement,
    AlarmAction,
    AlarmFired,
    AlarmSignal,
    AlarmState,
    Caregiver,
    CaregiverId,
    Client,
    ClientId,
    Comment,
    CorrectionReason,
    DeviceId,
    EmergencyNumber,
    EntryId,
    Inbound,
    InterventionId,
    LossKind,
    Message,
    MessageId,
    MessageKind,
    Mileage,
    PhoneMessage,
    PlannedIntervention,
    PlanningChanged,
    PlanningPush,
    Platform,
    Punch,
    PunchId,
    PunchKind,
    PunchMethod,
    Report,
    RequestId,
    RequestKind,
    RequestStatus,
    ServiceId,
    StaffRequest,
    TasksDone,
)
from caredomain.interventions import services as care
from caredomain.interventions.agency import Agency, load_agency
from caredomain.interventions.services.sync import sync_with_platform
from caredomain.notifications import Notifier
from caredomain.notifications.outbox import OutboxMessage, OutboxStatus
from caredomain.organisation import ConfigurationId, OrganisationId
from caredomain.services import ServiceContext
from caredomain_sqlite import SqliteStore

SAMPLE = Path(__file__).parents[2] / "src" / "caredomain" / "data" / "sample_agency.toml"
DAY = date(2026, 3, 2)
MARIE, KARIM, SOPHIE = CaregiverId("cg-marie"), CaregiverId("cg-karim"), CaregiverId("cg-sophie")
LEON, JEANNE = InterventionId("iv-0302-leon"), InterventionId("iv-0302-jeanne")
LEON_TAG = "04A1B2C3D4"
TOKEN = "a-long-enough-device-token"

ADMIN = Actor.administrator("office", configuration=ConfigurationId("sarreguemines"))
MANAGER = Actor(
    ActorId("mgr-claire"), {Role.MANAGER}, configuration=ConfigurationId("sarreguemines")
)
AS_MARIE = Actor(ActorId(MARIE), {Role.AGENT}, configuration=ConfigurationId("sarreguemines"))
AS_KARIM = Actor(ActorId(KARIM), {Role.AGENT}, configuration=ConfigurationId("sarreguemines"))
NOBODY = Actor(ActorId("visitor"), set(), configuration=ConfigurationId("sarreguemines"))
CITIZEN = Actor(ActorId(MARIE), {Role.CITIZEN}, configuration=ConfigurationId("sarreguemines"))


@dataclass
class World:
    context: ServiceContext
    clock: FixedClock
    agency: Agency

    @property
    def org(self) -> OrganisationId:
        return self.agency.organisation.id

    def at(self, hour: int, minute: int = 0, second: int = 0) -> datetime:
        return datetime.combine(
            DAY, time(hour, minute, second), tzinfo=self.agency.organisation.zone
        )

    def outbox(self, kind: str | None = None) -> list[OutboxMessage]:
        with self.context.store.unit_of_work(write=False) as uow:
            found = uow.notifications.messages(limit=1000)
        return [m for m in found if kind is None or m.kind == kind]

    def journal(self) -> list[str]:
        with self.context.store.unit_of_work(write=False) as uow:
            return [event.kind for _, event in uow.events.since(0, 10_000)]

    def punch(
        self,
        ident: str,
        intervention: InterventionId,
        kind: PunchKind,
        at: datetime,
        *,
        badge: str | None = None,
        reason: str | None = None,
        caregiver: CaregiverId = MARIE,
    ) -> Punch:
        return Punch(
            id=PunchId(ident),
            caregiver_id=caregiver,
            intervention_id=intervention,
            kind=kind,
            method=PunchMethod.BADGE_NFC if badge else PunchMethod.MANUAL,
            device_time=at,
            received_at=at,
            badge=badge,
            reason=reason,
        )


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    agency = load_agency(SAMPLE.read_text("utf-8"), source=SAMPLE.name)
    clock = FixedClock(datetime.combine(DAY, time(7), tzinfo=agency.organisation.zone))
    counter = itertools.count()
    with SqliteStore(tmp_path / "care.db") as store:
        context = ServiceContext(
            store=store, clock=clock, new_id=lambda: f"id-{next(counter)}", notifier=Notifier()
        )
        care.set_up_agency(context, ADMIN, agency)
        yield World(context, clock, agency)


# -- setting up ---------------------------------------------------------------------------


def test_setting_up_the_same_agency_twice_records_nothing_the_second_time(world: World) -> None:
    again = care.set_up_agency(world.context, ADMIN, world.agency)
    assert again.events == ()
    assert (again.caregivers, again.clients, again.services, again.interventions) == (3, 3, 2, 4)
    assert world.journal() == ["OrganisationConfigured"]


def test_an_agency_file_error_names_the_path() -> None:
    text = SAMPLE.read_text("utf-8").replace('service = "aide-repas"', 'service = "menage"', 1)
    with pytest.raises(InvalidInput) as caught:
        load_agency(text, source="agency.toml")
    assert (
        str(caught.value)
        == "agency.toml: planning[1].service: no such id in the file (got 'menage')"
    )
    bad_email = SAMPLE.read_text("utf-8").replace(
        'office_email = "astreinte@ccas-sarreguemines.example"', 'office_email = "astreinte"'
    )
    with pytest.raises(InvalidInput, match=r"interventions\.office_email"):
        load_agency(bad_email, source="agency.toml")


# -- rights -------------------------------------------------------------------------------


def test_rights_are_denied_by_default(world: World) -> None:
    punch = world.punch("p-1", LEON, PunchKind.CLOCK_IN, world.at(8), badge=LEON_TAG)
    for actor in (NOBODY, CITIZEN, AS_KARIM):  # Karim is not Marie
        with pytest.raises(Forbidden):
            care.record_punch(world.context, actor, world.org, punch)
    with pytest.raises(Forbidden):
        care.set_up_agency(world.context, MANAGER, world.agency)
    with pytest.raises(Forbidden):
        care.correct_visit(
            world.context, AS_MARIE, world.org, LEON, CorrectionReason.WRONG_TIME, start=world.at(8)
        )
    with pytest.raises(Forbidden):
        care.send_office_message(world.context, AS_MARIE, world.org, MARIE, "je m'écris")
    with pytest.raises(Forbidden):
        care.reconcile_visits(world.context, AS_MARIE, world.org, day=DAY)
    with pytest.raises(Forbidden):
        care.tick_alarms(world.context, world.org, actor=MANAGER)
    # …and granted where the policy says.
    assert care.record_punch(world.context, AS_MARIE, world.org, punch).accepted
    assert care.reconcile_visits(world.context, AS_MARIE, world.org, caregiver_id=MARIE)
    assert care.visit_log(world.context, MANAGER, world.org, MARIE, DAY).records


# -- punches, corrections, visit data -----------------------------------------------------


def test_a_punch_sent_twice_is_recorded_once(world: World) -> None:
    punch = world.punch("p-1", LEON, PunchKind.CLOCK_IN, world.at(8, 2), badge=LEON_TAG)
    first = care.record_punch(world.context, AS_MARIE, world.org, punch)
    again = care.record_punch(
        world.context, AS_MARIE, world.org, evolve(punch, received_at=world.at(9), offline=True)
    )
    assert first.accepted
    assert not first.duplicate
    assert again.duplicate
    assert again.events == ()
    assert again.entry == first.entry
    (record, _) = care.visit_log(world.context, ADMIN, world.org, MARIE, DAY).records
    assert len(record.punches) == 1
    assert world.journal().count("PunchRecorded") == 1


def test_a_refused_punch_is_kept_in_the_log_with_its_code(world: World) -> None:
    wrong = world.punch("p-1", LEON, PunchKind.CLOCK_IN, world.at(8), badge="NOT-HIS-TAG")
    outcome = care.record_punch(world.context, AS_MARIE, world.org, wrong)
    assert outcome.refusal is not None
    assert outcome.refusal.code == "punch.wrong_badge"
    record = care.visit_log(world.context, ADMIN, world.org, MARIE, DAY).records[0]
    assert record.visit is None
    assert [e.refusal.code for e in record.punches if e.refusal] == ["punch.wrong_badge"]
    kinds = care.reconcile_visits(world.context, ADMIN, world.org, day=DAY).kinds(LEON)
    assert "wrong-badge" in kinds


def test_a_correction_adds_the_forgotten_clock_out_and_keeps_every_punch(world: World) -> None:
    punch = world.punch("p-1", LEON, PunchKind.CLOCK_IN, world.at(8, 1), badge=LEON_TAG)
    care.record_punch(world.context, AS_MARIE, world.org, punch)
    events = care.correct_visit(
        world.context,
        MANAGER,
        world.org,
        LEON,
        CorrectionReason.FORGOTTEN_CLOCK_OUT,
        end=world.at(9),
        correction_id="co-1",
    )
    assert [e.kind for e in events] == ["VisitCorrected", "VisitEnded"]
    again = care.correct_visit(
        world.context,
        MANAGER,
        world.org,
        LEON,
        CorrectionReason.FORGOTTEN_CLOCK_OUT,
        end=world.at(9),
        correction_id="co-1",
    )
    assert again == []
    record = care.visit_log(world.context, ADMIN, world.org, MARIE, DAY).records[0]
    assert record.visit is not None
    assert record.visit.end == world.at(9)
    assert [e.punch.id for e in record.punches] == ["p-1"]  # the punch is still there
    assert [c.id for c in record.corrections] == ["co-1"]
    assert record.corrections[0].by == "mgr-claire"
    with pytest.raises(RuleViolation) as refused:
        care.correct_visit(
            world.context, MANAGER, world.org, JEANNE, CorrectionReason.WRONG_TIME, end=world.at(10)
        )
    assert refused.value.code == "correction.not_started"


def test_visit_data_follows_the_visit_and_is_kept_once(world: World) -> None:
    common = {"intervention_id": LEON, "caregiver_id": MARIE, "entered_at": world.at(8, 30)}
    km = Mileage(id=EntryId("e-1"), km="3.5", **common)  # type: ignore[arg-type]
    with pytest.raises(RuleViolation, match=r"visit\.not_started"):
        care.add_visit_entry(world.context, AS_MARIE, world.org, km)
    care.record_punch(
        world.context,
        AS_MARIE,
        world.org,
        world.punch("p-1", LEON, PunchKind.CLOCK_IN, world.at(8), badge=LEON_TAG),
    )
    assert care.add_visit_entry(world.context, AS_MARIE, world.org, km)
    assert care.add_visit_entry(world.context, AS_MARIE, world.org, km) == []
    report = Report(id=EntryId("e-2"), text="RAS", **common)  # type: ignore[arg-type]
    with pytest.raises(RuleViolation, match=r"visit\.not_ended"):
        care.add_visit_entry(world.context, AS_MARIE, world.org, report)
    care.record_punch(
        world.context,
        AS_MARIE,
        world.org,
        world.punch("p-2", LEON, PunchKind.CLOCK_OUT, world.at(9), badge=LEON_TAG),
    )
    care.add_visit_entry(world.context, AS_MARIE, world.org, report)
    tasks = TasksDone(id=EntryId("e-3"), tasks=["toilette"], **common)  # type: ignore[arg-type]
    care.add_visit_entry(world.context, AS_MARIE, world.org, tasks)
    data = care.visit_log(world.context, ADMIN, world.org, MARIE, DAY).records[0].data
    assert (str(data.km), data.report, data.tasks_done) == ("3.5", report, {"toilette"})


# -- reconciliation -----------------------------------------------------------------------


def _marie_morning(world: World, jeanne_start: datetime) -> None:
    for punch in (
        world.punch("p-1", LEON, PunchKind.CLOCK_IN, world.at(8, 2), badge=LEON_TAG),
        world.punch("p-2", LEON, PunchKind.CLOCK_OUT, world.at(8, 58), badge=LEON_TAG),
        world.punch("p-3", JEANNE, PunchKind.CLOCK_IN, jeanne_start, reason="badge muet"),
        world.punch("p-4", JEANNE, PunchKind.CLOCK_OUT, world.at(10, 31), reason="badge muet"),
    ):
        care.record_punch(world.context, AS_MARIE, world.org, punch)


def test_reconciliation_lists_the_late_start_and_the_actual_times(world: World) -> None:
    _marie_morning(world, world.at(9, 47))
    world.clock.set(world.at(12))
    result = care.reconcile_visits(world.context, ADMIN, world.org, day=DAY, caregiver_id=MARIE)
    assert [(a.kind, a.intervention_id, a.minutes) for a in result.anomalies] == [
        ("late-start", JEANNE, 17)
    ]
    assert [(t.intervention_id, t.minutes) for t in result.actuals] == [(LEON, 56), (JEANNE, 44)]
    # The whole day also reports Karim's first visit, never clocked.
    whole = care.reconcile_visits(world.context, ADMIN, world.org, day=DAY)
    assert whole.kinds(InterventionId("iv-0302-andre")) == {"no-visit"}


def test_reconciliation_uses_the_agency_tolerances(world: World) -> None:
    _marie_morning(world, world.at(9, 47))
    relaxed = evolve(
        world.agency.settings, tolerances=evolve(world.agency.settings.tolerances, late_start=20)
    )
    care.set_up_agency(world.context, ADMIN, evolve(world.agency, settings=relaxed))
    world.clock.set(world.at(12))
    result = care.reconcile_visits(world.context, ADMIN, world.org, day=DAY, caregiver_id=MARIE)
    assert result.anomalies == ()
    with pytest.raises(InvalidInput):
        care.reconcile_visits(world.context, ADMIN, world.org)


# -- messages and requests ----------------------------------------------------------------


def test_an_office_message_blocks_the_app_until_acknowledged(world: World) -> None:
    message = care.send_office_message(world.context, MANAGER, world.org, MARIE, "Planning modifié")
    assert care.blocking_messages_of(world.context, AS_MARIE, world.org, MARIE) == (message,)
    with pytest.raises(Forbidden):
        care.acknowledge_message(world.context, AS_KARIM, world.org, MARIE, message.id)
    events = care.acknowledge_message(world.context, AS_MARIE, world.org, MARIE, message.id)
    assert [e.kind for e in events] == ["OfficeMessageAcknowledged"]
    assert care.blocking_messages_of(world.context, AS_MARIE, world.org, MARIE) == ()
    assert care.acknowledge_message(world.context, AS_MARIE, world.org, MARIE, message.id) == []


def test_a_caregiver_message_mails_her_manager_when_the_thread_says_so(world: World) -> None:
    care.send_caregiver_message(
        world.context, AS_MARIE, world.org, MARIE, "Je serai en retard", message_id="m-1"
    )
    (mail,) = world.outbox("intervention.caregiver_message")
    assert (mail.recipient, mail.status) == (
        "claire.martin@ccas-sarreguemines.example",
        OutboxStatus.PENDING,
    )
    assert "Marie Dupont" in mail.subject
    assert "Je serai en retard" in mail.body
    # Sent again by the phone: one message, one mail.
    assert (
        care.send_caregiver_message(
            world.context, AS_MARIE, world.org, MARIE, "Je serai en retard", message_id="m-1"
        )
        == []
    )
    care.set_alert_by_email(world.context, MANAGER, world.org, MARIE, False)
    care.call_me_back(world.context, AS_MARIE, world.org, MARIE, message_id="m-2")
    pending = [
        m
        for m in world.outbox("intervention.caregiver_message")
        if m.status is OutboxStatus.PENDING
    ]
    assert pending == [mail]  # the call-back is kept, but no mail goes out


def test_a_staff_request_is_submitted_then_decided_once(world: World) -> None:
    request = care.submit_staff_request(
        world.context,
        AS_MARIE,
        world.org,
        MARIE,
        kind=RequestKind.ABSENCE,
        first_day=date(2026, 3, 9),
        reason="Rendez-vous médical",
        request_id="r-1",
    )
    assert care.staff_requests(world.context, AS_MARIE, world.org, caregiver_id=MARIE) == [request]
    with pytest.raises(Forbidden):
        care.decide_staff_request(world.context, AS_MARIE, world.org, request.id, approve=True)
    decided = care.decide_staff_request(world.context, MANAGER, world.org, request.id, approve=True)
    assert decided.status is RequestStatus.APPROVED
    with pytest.raises(RuleViolation, match=r"request\.already_decided"):
        care.decide_staff_request(
            world.context, MANAGER, world.org, request.id, approve=False, reason="non"
        )
    with pytest.raises(NotFound):
        care.decide_staff_request(world.context, MANAGER, world.org, RequestId("r-9"), approve=True)


def test_emergency_numbers_and_the_directory(world: World) -> None:
    numbers = care.add_emergency_number(world.context, MANAGER, world.org, "Police", "17")
    assert [n.label for n in numbers.numbers] == ["Samu", "Pompiers", "Astreinte", "Police"]
    care.add_emergency_number(world.context, MANAGER, world.org, "Centre antipoison", "0383225050")
    with pytest.raises(RuleViolation, match=r"emergency\.too_many"):
        care.add_emergency_number(world.context, MANAGER, world.org, "SOS Médecins", "3624")
    after = care.remove_emergency_number(world.context, MANAGER, world.org, "police")
    assert "Police" not in [n.label for n in after.numbers]
    lines = care.caregiver_directory(world.context, AS_MARIE, world.org, MARIE)
    names = [line.name for line in lines]
    # The shared entries, then Karim, who also visits Jeanne Petit.
    assert names == ["Claire Martin", "Standard de l'agence", "Karim Benali"]


# -- the DATI alarm -----------------------------------------------------------------------


def test_the_alarm_fires_once_after_its_countdown_and_mails_once(world: World) -> None:
    world.clock.set(world.at(9, 40))
    alarm = care.trigger_alarm(world.context, AS_MARIE, world.org, MARIE, alarm_id="al-1")
    assert alarm.state is AlarmState.COUNTDOWN
    world.clock.advance(timedelta(seconds=9))
    assert care.tick_alarms(world.context) == []
    world.clock.advance(timedelta(seconds=1))
    (fired,) = care.tick_alarms(world.context)
    assert isinstance(fired, AlarmFired)
    assert fired.intervention_id == JEANNE
    assert care.tick_alarms(world.context) == []
    world.clock.advance(timedelta(minutes=5))
    assert care.tick_alarms(world.context) == []
    (mail,) = world.outbox("intervention.alarm_fired")
    assert mail.recipient == "astreinte@ccas-sarreguemines.example"
    assert mail.subject == "Alerte DATI : Marie Dupont"
    assert "Marie Dupont" in mail.body
    assert "Jeanne Petit" in mail.body
    # The same trigger resent by the phone does not re-arm it.
    again = care.trigger_alarm(world.context, AS_MARIE, world.org, MARIE, alarm_id="al-1")
    assert again.state is AlarmState.FIRED
    assert len(world.outbox("intervention.alarm_fired")) == 1


def test_an_alarm_cancelled_during_its_countdown_never_fires(world: World) -> None:
    alarm = care.trigger_alarm(world.context, AS_MARIE, world.org, MARIE, alarm_id="al-1")
    world.clock.advance(timedelta(seconds=4))
    cancelled = care.cancel_alarm(world.context, AS_MARIE, world.org, MARIE, alarm.id)
    assert cancelled.state is AlarmState.CANCELLED
    world.clock.advance(timedelta(minutes=1))
    assert care.tick_alarms(world.context) == []
    assert world.outbox("intervention.alarm_fired") == []


def test_an_agency_without_alarm_settings_refuses_the_trigger(world: World) -> None:
    care.set_up_agency(
        world.context,
        ADMIN,
        evolve(world.agency, settings=evolve(world.agency.settings, alarm=None)),
    )
    with pytest.raises(RuleViolation, match=r"alarm\.not_configured"):
        care.trigger_alarm(world.context, AS_MARIE, world.org, MARIE)


# -- devices ------------------------------------------------------------------------------


def test_a_blocked_phone_is_refused_and_gets_nothing_more(world: World) -> None:
    phone = care.enrol_device(
        world.context, MANAGER, world.org, MARIE, Platform.ANDROID, token=TOKEN, device_id="ph-1"
    )
    assert care.authenticate_device(world.context, world.org, phone.id, TOKEN) == phone
    message = care.send_office_message(world.context, MANAGER, world.org, MARIE, "Bonjour")
    result = care.block_device(world.context, MANAGER, world.org, phone.id, LossKind.STOLEN)
    assert [item.payload_id for item in result.dropped] == [message.id]
    assert result.event is not None
    assert result.event.dropped == (message.id,)
    with pytest.raises(Forbidden):
        care.authenticate_device(world.context, world.org, phone.id, TOKEN)
    with pytest.raises(Forbidden):
        care.authenticate_device(world.context, world.org, DeviceId("ph-unknown"), TOKEN)
    care.send_office_message(world.context, MANAGER, world.org, MARIE, "Encore")
    with world.context.store.unit_of_work(write=False) as uow:
        (stored,) = uow.interventions.devices(world.org, ids=[phone.id])
    assert stored.blocked
    assert stored.pending == ()


# -- planning changes ---------------------------------------------------------------------


def test_replanning_a_transmitted_caregiver_raises_an_alert_for_her_only(world: World) -> None:
    care.acknowledge_transmission(world.context, world.org, caregivers=[MARIE])
    moved = evolve(
        next(i for i in world.agency.interventions if i.id == LEON),
        start=world.at(8, 15),
        end=world.at(9, 15),
    )
    new_for_karim = PlannedIntervention(
        id=InterventionId("iv-extra"),
        caregiver_id=KARIM,
        client_id=ClientId("cl-andre"),
        service_id=ServiceId("aide-repas"),
        start=world.at(14),
        end=world.at(15),
    )
    changes = care.plan_interventions(world.context, MANAGER, world.org, [moved, new_for_karim])
    assert changes == [
        PlanningChanged(
            event_id=changes[0].event_id,
            occurred_at=world.at(7),
            caregiver_id=MARIE,
            added=(),
            moved=(LEON,),
            removed=(),
        )
    ]
    with pytest.raises(NotFound):
        care.plan_interventions(
            world.context,
            MANAGER,
            world.org,
            [evolve(new_for_karim, caregiver_id=CaregiverId("x"))],
        )


# -- the mobile platform ------------------------------------------------------------------


@dataclass
class FakePlatform:
    """The MobilePlatform port, in memory: records every push; ``batches`` are what each
    pull returns in turn (a platform that delivers at least once may send items again)."""

    batches: list[Inbound] = field(default_factory=list)
    holds: set[str] = field(default_factory=set)
    caregivers: list[list[Caregiver]] = field(default_factory=list)
    clients: list[list[Client]] = field(default_factory=list)
    plannings: list[PlanningPush] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    numbers: list[tuple[EmergencyNumber, ...]] = field(default_factory=list)
    blocks: list[tuple[DeviceId, LossKind]] = field(default_factory=list)
    withdrawn: list[tuple[list[CaregiverId], list[str]]] = field(default_factory=list)
    cursors: list[str | None] = field(default_factory=list)

    @property
    def name(self) -> str:
        return "fake platform"

    def push_caregivers(self, caregivers: Sequence[Caregiver]) -> frozenset[CaregiverId]:
        self.caregivers.append(list(caregivers))
        self.holds |= {c.id for c in caregivers}
        return frozenset(c.id for c in caregivers)

    def push_clients(self, clients: Sequence[Client]) -> frozenset[str]:
        self.clients.append(list(clients))
        return frozenset(c.id for c in clients)

    def withdraw(self, caregivers: Sequence[CaregiverId], clients: Sequence[str]) -> None:
        self.withdrawn.append((list(caregivers), list(clients)))

    def push_planning(self, planning: PlanningPush) -> None:
        self.plannings.append(planning)

    def push_messages(self, messages: Sequence[Message]) -> None:
        self.messages += messages

    def push_emergency_numbers(self, numbers: Sequence[EmergencyNumber]) -> None:
        self.numbers.append(tuple(numbers))

    def block_device(self, device_id: DeviceId, reason: LossKind) -> None:
        self.blocks.append((device_id, reason))

    def pull(self, cursor: str | None = None) -> Inbound:
        self.cursors.append(cursor)
        position = int(cursor or 0)
        if position < len(self.batches):
            return evolve(self.batches[position], cursor=str(position + 1))
        return Inbound(cursor=str(position))

    def close(self) -> None:
        pass


def _inbound(world: World) -> Inbound:
    return Inbound(
        cursor="",
        punches=(
            world.punch("p-1", LEON, PunchKind.CLOCK_IN, world.at(8, 2), badge=LEON_TAG),
            world.punch("p-2", LEON, PunchKind.CLOCK_OUT, world.at(8, 58), badge=LEON_TAG),
            world.punch(
                "p-x", LEON, PunchKind.CLOCK_IN, world.at(8, 3), caregiver=KARIM, reason="?"
            ),
        ),
        entries=(
            Comment(
                id=EntryId("e-1"),
                intervention_id=LEON,
                caregiver_id=MARIE,
                entered_at=world.at(8, 30),
                text="Léon va bien",
            ),
        ),
        messages=(
            PhoneMessage(
                MessageId("pm-1"), MARIE, "Rappelez-moi", world.at(9), MessageKind.CALL_BACK
            ),
        ),
        alarms=(AlarmSignal("al-1", MARIE, AlarmAction.TRIGGER, world.at(9, 40)),),
        requests=(
            StaffRequest(
                id=RequestId("r-1"),
                caregiver_id=MARIE,
                kind=RequestKind.REGULARISATION,
                first_day=DAY,
                last_day=DAY,
                reason="Badge oublié",
                submitted_at=world.at(9, 5),
            ),
        ),
    )


def test_sync_pushes_what_the_transmission_plan_says(world: World) -> None:
    platform = FakePlatform()
    phone = care.enrol_device(
        world.context, MANAGER, world.org, MARIE, Platform.ANDROID, token=TOKEN, device_id="ph-1"
    )
    message = care.send_office_message(world.context, MANAGER, world.org, MARIE, "Bienvenue")
    report = sync_with_platform(world.context, platform, world.org)
    # Sophie is not flagged "transmit"; clients follow the caregivers now transmitted.
    assert [c.id for c in platform.caregivers[0]] == [KARIM, MARIE]
    assert sorted(c.id for c in platform.clients[0]) == ["cl-andre", "cl-jeanne", "cl-leon"]
    assert [(p.caregiver_id, len(p.interventions), p.alert) for p in platform.plannings] == [
        (KARIM, 2, False),
        (MARIE, 2, False),
    ]
    assert platform.messages == [message]
    assert [n.label for n in platform.numbers[0]] == ["Samu", "Pompiers", "Astreinte"]
    assert (report.caregivers, report.clients, report.plannings, report.messages_pushed) == (
        2,
        3,
        2,
        1,
    )
    plan = care.transmission_plan(world.context, ADMIN, world.org)
    assert plan.transmitted_caregivers == {KARIM, MARIE}
    assert plan.transmitted_clients == {"cl-andre", "cl-jeanne", "cl-leon"}
    with world.context.store.unit_of_work(write=False) as uow:
        (stored,) = uow.interventions.devices(world.org, ids=[phone.id])
    assert stored.pending == ()  # pushed

    # A change of Marie's planning rings her phone at the next push, once; the message
    # already delivered is not pushed again; a phone blocked since is blocked on the platform.
    moved = evolve(next(i for i in world.agency.interventions if i.id == LEON), end=world.at(9, 15))
    care.plan_interventions(world.context, MANAGER, world.org, [moved])
    care.block_device(world.context, MANAGER, world.org, phone.id, LossKind.LOST)
    second = sync_with_platform(world.context, platform, world.org)
    assert [(p.caregiver_id, p.alert) for p in platform.plannings[2:]] == [
        (KARIM, False),
        (MARIE, True),
    ]
    assert platform.messages == [message]
    assert platform.blocks == [(phone.id, LossKind.LOST)]
    assert (second.alerts, second.blocked) == (1, 1)
    third = sync_with_platform(world.context, platform, world.org)
    assert (third.alerts, third.blocked, third.messages_pushed) == (0, 0, 0)
    assert platform.blocks == [(phone.id, LossKind.LOST)]


def test_sync_applies_what_the_phones_sent_once_even_when_pulled_twice(world: World) -> None:
    inbound = _inbound(world)
    platform = FakePlatform(batches=[inbound, inbound])  # the platform sends it all again
    world.clock.set(world.at(9, 41))  # the alarm's countdown is over when it arrives
    report = sync_with_platform(world.context, platform, world.org)
    assert platform.cursors == [None, "1", "2"]
    assert report.pulls == 3
    assert (report.punches, report.entries, report.messages, report.alarm_signals) == (3, 1, 1, 1)
    assert (report.requests, report.fired) == (1, 1)
    assert report.duplicates == len(inbound)
    assert report.cursor == "2"
    # Karim's punch for Marie's visit is logged, refused, and reported.
    assert any("p-x" in line and "punch.not_assigned" in line for line in report.refused)
    assert world.journal().count("PunchRecorded") == 2
    assert world.journal().count("AlarmFired") == 1
    assert len(world.outbox("intervention.alarm_fired")) == 1
    record = care.visit_log(world.context, ADMIN, world.org, MARIE, DAY).records[0]
    assert record.visit is not None
    assert record.visit.end == world.at(8, 58)
    assert [c.text for c in record.data.comments] == ["Léon va bien"]
    assert [r.id for r in care.staff_requests(world.context, ADMIN, world.org)] == ["r-1"]

    # The next sync starts from the stored cursor and finds nothing new.
    again = sync_with_platform(world.context, platform, world.org)
    assert platform.cursors[-1] == "2"
    assert (again.punches, again.duplicates, again.pulls) == (0, 0, 1)


def test_sync_applies_acknowledgements_and_refuses_what_a_rule_refuses(world: World) -> None:
    message = care.send_office_message(world.context, MANAGER, world.org, MARIE, "Lisez-moi")
    report_text = Report(
        id=EntryId("e-early"),
        intervention_id=LEON,
        caregiver_id=MARIE,
        entered_at=world.at(8),
        text="trop tôt",
    )
    platform = FakePlatform(
        batches=[
            Inbound(
                cursor="",
                acknowledgements=(Acknowledgement(message.id, MARIE, world.at(8)),),
                entries=(report_text,),
            )
        ]
    )
    report = sync_with_platform(world.context, platform, world.org)
    assert report.acknowledgements == 1
    assert care.blocking_messages_of(world.context, AS_MARIE, world.org, MARIE) == ()
    assert report.entries == 0
    assert [line.split(":")[0] for line in report.refused] == ["entries e-early"]
    assert "visit.not_started" in report.refused[0]
    assert care.visit_log(world.context, ADMIN, world.org, MARIE, DAY).records[0].data.entries == ()


def test_a_sync_that_crashes_while_applying_leaves_the_cursor_where_it_was(world: World) -> None:
    class Crashing(FakePlatform):
        def pull(self, cursor: str | None = None) -> Inbound:
            inbound = super().pull(cursor)
            if cursor is None:
                return evolve(inbound, punches=(*inbound.punches, "not a punch"))  # type: ignore[arg-type]
            return inbound

    platform = Crashing(batches=[_inbound(world)])
    with pytest.raises(AttributeError):
        sync_with_platform(world.context, platform, world.org)
    with world.context.store.unit_of_work(write=False) as uow:
        assert uow.interventions.platform_state(world.org).cursor is None
        assert uow.interventions.log_entries(world.org) == []  # nothing half-applied
    fine = FakePlatform(batches=[_inbound(world)])
    world.clock.set(world.at(9, 41))
    assert sync_with_platform(world.context, fine, world.org).punches == 3
