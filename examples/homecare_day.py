"""Story: a caregiver's morning (seed 004, home care clocked on the phone).

Marie Dupont, a caregiver of a home-care agency in Paris, has two visits on Monday morning.
Everything below is the pure domain of ``caredomain.interventions``: no store, no network,
no clock read (time is given, and a ``FixedClock`` drives the alarm's countdown).

1. The office ticks "Transmettre à Penbase" on her record: pending, then transmitted.
2. First visit: she clocks in with the NFC badge at the door (GPS fix), notes her
   kilometres and a comment, clocks out (the phone was offline: its own time counts), then
   ticks the tasks done (only the service's tasks) and leaves a report.
3. Second visit: the first tag she reads is the wrong one (refused, kept in the log); the
   client's badge fails, so she clocks in by hand with a reason, 25 minutes late, and GPS
   fails at the door too. Threatened by a visitor, she triggers the DATI alarm: nothing
   after 9 s, fired (once) after 10 s. Shaken, she forgets to clock out.
4. The office reconciles the morning, adds the missing clock-out with a reason code (the
   punch log keeps everything), sends her a blocking message she acknowledges, and she asks
   to be called back.
5. Devices: an iPhone colleague cannot send a report; Marie's phone is stolen and blocked.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from caredomain import FixedClock, Forbidden, Organisation, OrganisationId, RuleViolation
from caredomain.interventions import (
    AlarmBoard,
    AlarmId,
    AlarmSettings,
    Badge,
    BadgeKind,
    Caregiver,
    CaregiverId,
    Client,
    ClientId,
    Comment,
    Correction,
    CorrectionId,
    CorrectionReason,
    Device,
    DeviceId,
    EmergencyNumbers,
    EntryId,
    GeoPoint,
    GpsFix,
    InterventionId,
    LossKind,
    MessageId,
    Mileage,
    Outbound,
    PayloadKind,
    PhoneAction,
    PlannedIntervention,
    Platform,
    Punch,
    PunchId,
    PunchKind,
    PunchLog,
    PunchMethod,
    Reconciliation,
    Report,
    Service,
    ServiceId,
    Task,
    TasksDone,
    Thread,
    VisitDataLog,
    VisitPlanning,
    parse_phone,
    plan_transmission,
    reconcile,
)

PARIS = ZoneInfo("Europe/Paris")
DAY = date(2026, 3, 2)  # a Monday, winter time (UTC+1)
AGENCY = Organisation(OrganisationId("agence-marais"), "Aide à domicile du Marais", PARIS)

MARIE = Caregiver(
    CaregiverId("marie"),
    "Marie Dupont",
    manager="chef-equipe",
    manager_email="chef.equipe@agence-marais.example",
    transmit=True,
)
ZOE = Caregiver(CaregiverId("zoe"), "Zoé Martin", manager="chef-equipe", transmit=True)
MARTIN = Client(
    ClientId("K1"),
    "Jeanne Martin",
    "12 rue des Lilas, 75004 Paris",
    GeoPoint(48.85510, 2.36010),
    [Badge(BadgeKind.NFC, "TAG-K1"), Badge(BadgeKind.QR, "QR-K1")],
)
PETIT = Client(
    ClientId("K2"),
    "Paul Petit",
    "3 rue du Pas-de-la-Mule, 75003 Paris",
    GeoPoint(48.85560, 2.36640),
    [Badge(BadgeKind.NFC, "TAG-K2")],
)
AIDE = Service(
    ServiceId("AIDE"),
    "Aide à la personne",
    [
        Task("toilette", "Aide à la toilette"),
        Task("repas", "Préparation du repas"),
        Task("courses", "Courses"),
    ],
)
I1, I2 = InterventionId("I1"), InterventionId("I2")


def at(hour: int, minute: int, second: int = 0) -> datetime:
    """An instant of the story's Monday, on the agency's wall clock."""
    return datetime(DAY.year, DAY.month, DAY.day, hour, minute, second, tzinfo=PARIS)


def hhmm(moment: datetime) -> str:
    return moment.astimezone(PARIS).strftime("%H:%M")


PLANNED = [
    PlannedIntervention(I1, MARIE.id, MARTIN.id, AIDE.id, at(8, 0), at(9, 0)),
    PlannedIntervention(I2, MARIE.id, PETIT.id, AIDE.id, at(9, 30), at(10, 30)),
]
PLANNING = VisitPlanning.of(PLANNED, [MARTIN, PETIT], [AIDE])


def event_ids() -> Callable[[], str]:
    counter = itertools.count(1)
    return lambda: f"ev-{next(counter)}"


def punch(
    pid: str,
    intervention: InterventionId,
    kind: PunchKind,
    method: PunchMethod,
    device_time: datetime,
    *,
    badge: str | None = None,
    gps: GpsFix | None = None,
    reason: str | None = None,
    received_at: datetime | None = None,
) -> Punch:
    """A punch as Marie's phone sends it: its own id and clock, received a few seconds later
    unless it waited offline."""
    return Punch(
        id=PunchId(pid),
        caregiver_id=MARIE.id,
        intervention_id=intervention,
        kind=kind,
        method=method,
        device_time=device_time,
        received_at=received_at or device_time + timedelta(seconds=3),
        badge=badge,
        gps=gps,
        offline=received_at is not None,
        reason=reason,
    )


def record(log: PunchLog, sent: Punch) -> None:
    outcome = log.record(sent, PLANNING)
    what = f"{sent.kind} {sent.intervention_id} {hhmm(sent.device_time)} by {sent.method}"
    if outcome.refusal is not None:
        print(f"  refused {what}: [{outcome.refusal.code}] {outcome.refusal.message}")
    else:
        events = ", ".join(event.kind for event in outcome.events)
        late = f" (sent offline, received {hhmm(sent.received_at)})" if sent.offline else ""
        print(f"  {what}: {events}{late}")


def show(reconciliation: Reconciliation) -> None:
    for anomaly in reconciliation.anomalies:
        print(f"  anomaly {anomaly.intervention_id} {anomaly.kind}: {anomaly.message}")
    for actual in reconciliation.actuals:
        print(
            f"  apply to the planning: {actual.intervention_id} planned "
            f"{hhmm(actual.planned_start)}-{hhmm(actual.planned_end)}, actual "
            f"{hhmm(actual.actual_start)}-{hhmm(actual.actual_end)} ({actual.minutes} min)"
        )


def transmission() -> None:
    print("-- Transmettre à Penbase")
    before = plan_transmission([MARIE], [MARTIN, PETIT], PLANNED)
    print(f"  marie {before.caregivers[MARIE.id]}; K1 {before.clients[MARTIN.id]}")
    acked = plan_transmission([MARIE], [MARTIN, PETIT], PLANNED, acknowledged_caregivers=[MARIE.id])
    marie, k1 = acked.caregivers[MARIE.id], acked.clients[MARTIN.id]
    print(f"  once the platform has her: marie {marie}, K1 {k1}")


def first_visit(log: PunchLog, data: VisitDataLog) -> None:
    print("\n-- 08:00-09:00 at Jeanne Martin's (K1)")
    door = GpsFix(GeoPoint(48.85515, 2.36020), 12, at(7, 58))
    record(
        log,
        punch(
            "p1", I1, PunchKind.CLOCK_IN, PunchMethod.BADGE_NFC, at(7, 58), badge="TAG-K1", gps=door
        ),
    )
    for entry in (
        Mileage(
            id=EntryId("e1"),
            intervention_id=I1,
            caregiver_id=MARIE.id,
            entered_at=at(8, 5),
            km="4.2",
            comment="depuis le domicile",
        ),
        Comment(
            id=EntryId("e2"),
            intervention_id=I1,
            caregiver_id=MARIE.id,
            entered_at=at(8, 40),
            text="Mme Martin a bien dormi.",
        ),
    ):
        data.add(entry, PLANNING, log.visit(I1))
    # No network in the stairwell: the clock-out reaches the platform at 09:21.
    record(
        log,
        punch(
            "p2",
            I1,
            PunchKind.CLOCK_OUT,
            PunchMethod.BADGE_NFC,
            at(8, 57),
            badge="TAG-K1",
            received_at=at(9, 21),
        ),
    )
    try:
        tasks = TasksDone(
            id=EntryId("e3"),
            intervention_id=I1,
            caregiver_id=MARIE.id,
            entered_at=at(8, 58),
            tasks={"toilette", "menage"},
        )
        data.add(tasks, PLANNING, log.visit(I1))
    except RuleViolation as refused:
        print(f"  tasks refused: [{refused.code}] {refused.message}")
    data.add(
        TasksDone(
            id=EntryId("e4"),
            intervention_id=I1,
            caregiver_id=MARIE.id,
            entered_at=at(8, 59),
            tasks={"toilette", "repas"},
        ),
        PLANNING,
        log.visit(I1),
    )
    data.add(
        Report(
            id=EntryId("e5"),
            intervention_id=I1,
            caregiver_id=MARIE.id,
            entered_at=at(8, 59),
            text="RAS, repas pris.",
        ),
        PLANNING,
        log.visit(I1),
    )
    visit = data.data(I1)
    report = visit.report.text if visit.report else None
    print(f"  visit data: {visit.km} km, {len(visit.comments)} comment, report {report!r}")
    print(f"  tasks done: {', '.join(sorted(visit.tasks_done))}")


def second_visit(log: PunchLog) -> None:
    print("\n-- 09:30-10:30 at Paul Petit's (K2)")
    record(
        log,
        punch("p3", I2, PunchKind.CLOCK_IN, PunchMethod.BADGE_NFC, at(9, 54), badge="TAG-VOISIN"),
    )
    # The client's tag does not answer, and GPS fails at the door: she clocks in by hand.
    record(
        log,
        punch(
            "p4", I2, PunchKind.CLOCK_IN, PunchMethod.MANUAL, at(9, 55), reason="badge illisible"
        ),
    )
    print("  (no GPS fix at the door: the visit counts all the same)")


def alarm(board: AlarmBoard, new_id: Callable[[], str]) -> None:
    print("\n-- 10:12 Urgence DATI")
    settings = AlarmSettings(
        call_number=parse_phone("01 40 00 00 00"), office_email="dati@agence-marais.example"
    )
    clock = FixedClock(at(10, 12, 30))
    last_fix = GpsFix(GeoPoint(48.85562, 2.36635), 18, at(10, 11, 50))
    board.trigger(
        AlarmId("dati-1"),
        MARIE,
        clock.now(),
        settings,
        new_id=new_id,
        gps=last_fix,
        interventions=PLANNED,
        clients=[MARTIN, PETIT],
    )
    print(f"  triggered at {clock.now():%H:%M:%S}, countdown {settings.countdown.seconds} s")
    clock.advance(timedelta(seconds=9))
    print(f"  +9 s: {len(board.tick(clock.now(), new_id=new_id))} fired")
    clock.advance(timedelta(seconds=1))
    fired = board.tick(clock.now(), new_id=new_id)
    clock.advance(timedelta(seconds=5))
    fired += board.tick(clock.now(), new_id=new_id)
    print(f"  +10 s and +15 s: {len(fired)} fired; call {fired[0].call.number} (speaker on)")
    print(f"  e-mail to {fired[0].email.to}, subject {fired[0].email.subject!r}:")
    for line in fired[0].email.body.splitlines():
        print(f"    {line}".rstrip())


def office(log: PunchLog, new_id: Callable[[], str]) -> None:
    print("\n-- 11:15 the office reconciles the morning")
    show(reconcile(PLANNING, log, as_of=at(11, 15), day=DAY, zone=PARIS))
    correction = Correction(
        id=CorrectionId("corr-1"),
        intervention_id=I2,
        caregiver_id=MARIE.id,
        reason=CorrectionReason.FORGOTTEN_CLOCK_OUT,
        by="chef-equipe",
        made_at=at(11, 20),
        text="sortie à 10h40, confirmée par téléphone",
        end=at(10, 40),
    )
    events = log.correct(correction, PLANNING)
    print(f"  correction {correction.reason}: {', '.join(event.kind for event in events)}")
    refused = sum(not entry.accepted for entry in log.entries)
    kept = f"{len(log.entries)} punches ({refused} refused), {len(log.corrections)} correction"
    print(f"  the punch log keeps {kept}: nothing rewritten")
    print("  after the correction:")
    show(reconcile(PLANNING, log, as_of=at(11, 20), day=DAY, zone=PARIS))


def messages(new_id: Callable[[], str]) -> None:
    print("\n-- Messagerie and Rappelez-moi")
    thread = Thread(caregiver_id=MARIE.id)
    thread, _ = thread.send_to_caregiver(
        MessageId("m1"),
        sender="chef-equipe",
        text="Pensez à pointer la fin de vos interventions.",
        at=at(11, 25),
        new_id=new_id,
    )
    print(f"  office message sent: her app is blocked by {len(thread.blocking())} message")
    thread = thread.mark_read(MessageId("m1"), by=MARIE.id, at=at(11, 26))
    print(f"  read, not acknowledged: still blocked by {len(thread.blocking())}")
    thread, _ = thread.acknowledge(MessageId("m1"), by=MARIE.id, at=at(11, 26, 20), new_id=new_id)
    print(f"  acknowledged: blocked by {len(thread.blocking())}")
    thread, call = thread.call_me_back(MARIE, MessageId("m2"), at=at(11, 30), new_id=new_id)
    assert call is not None
    print(f"  Rappelez-moi: {call.text!r} to {call.manager}, e-mail alert to {call.mail_to}")


def devices(new_id: Callable[[], str]) -> None:
    print("\n-- Phones")
    numbers = EmergencyNumbers().add("Samu", "15").add("Pompiers", "18").add("Urgences", "112")
    numbers = numbers.add("Astreinte", "06 12 34 56 78").add("Standard", "01 40 00 00 00")
    try:
        numbers.add("Police", "17")
    except RuleViolation as refused:
        shown = ", ".join(f"{n.label} {n.number}" for n in numbers.numbers)
        print(f"  N° Urgence: {shown}; a sixth: [{refused.code}]")
    iphone = Device.enrol(
        DeviceId("iphone-zoe"), ZOE.id, Platform.IOS, token="zoe-token-0123456789"
    )
    print(f"  Zoé's iPhone can: {', '.join(sorted(iphone.capabilities))}")
    try:
        iphone.require(PhoneAction.REPORT)
    except RuleViolation as refused:
        print(f"  report from the iPhone: [{refused.code}] {refused.message}")
    token = "marie-token-0123456789"
    android = Device.enrol(
        DeviceId("android-marie"), MARIE.id, Platform.ANDROID, token=token, android_version=14
    )
    try:
        android.require(PhoneAction.END_OF_VISIT_ALERT)
    except RuleViolation as refused:
        print(f"  alert 5 min before the end on Marie's Android 14: [{refused.code}]")
    android, _ = android.enqueue(
        [Outbound("planning-marie", PayloadKind.PLANNING), Outbound("m3", PayloadKind.MESSAGE)]
    )
    blocked = android.block(LossKind.STOLEN, by="chef-equipe", at=at(13, 5), new_id=new_id)
    dropped = ", ".join(item.payload_id for item in blocked.dropped)
    print(f"  stolen at 13:05, blocked: {dropped} dropped")
    try:
        blocked.device.authenticate(token)
    except Forbidden as refused:
        print(f"  her token is refused: {refused}")
    _, queued = blocked.device.enqueue([Outbound("planning-marie-2", PayloadKind.PLANNING)])
    print(f"  queued for the blocked phone: {len(queued)}")


def main() -> None:
    new_id = event_ids()
    log, data = PunchLog(), VisitDataLog()
    transmission()
    first_visit(log, data)
    second_visit(log)
    alarm(AlarmBoard(AGENCY), new_id)
    office(log, new_id)
    messages(new_id)
    devices(new_id)


if __name__ == "__main__":
    main()
