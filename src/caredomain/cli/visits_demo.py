"""The home-care chapter of ``caredomain demo`` (seed 004): a caregiver's morning.

Marie Dupont clocks her first visit with the NFC tag at the client's home, her second by
hand (the tag would not read) and late; she enters her kilometres, the tasks done and a
report. The reconciliation lists the late start and the actual times to apply. Then she
triggers the DATI alarm: nobody cancels it, and once its 10-second countdown is over (the
demo's clock is advanced) it fires; its e-mail, queued in the outbox with the change, is
dispatched to the demo's Maildir. The demo's ids are fixed: a second run recognises
everything and changes nothing.
"""

from __future__ import annotations

import importlib.resources
from datetime import date, datetime, time, timedelta

from attrs import evolve

from caredomain.access import Actor, ActorId, Role
from caredomain.cli.demo_run import DemoRun
from caredomain.cli.i18n import _, ngettext, weekday
from caredomain.cli.notify import embedded_senders, run_dispatch, sender_paths
from caredomain.cli.visits import show_alarm, show_reconciliation, show_visit_log
from caredomain.clock import FixedClock
from caredomain.geo import GeoPoint
from caredomain.interventions import services as visits
from caredomain.interventions.agency import Agency, load_agency
from caredomain.interventions.alarm import AlarmState
from caredomain.interventions.model import (
    CaregiverId,
    GpsFix,
    InterventionId,
    Punch,
    PunchId,
    PunchKind,
    PunchMethod,
)
from caredomain.interventions.visit_data import EntryId, Mileage, Report, TasksDone
from caredomain.notifications.configuration import NotificationConfiguration
from caredomain.notifications.outbox import OutboxMessage
from caredomain.notifications.ports import notifications_unit_of_work
from caredomain.notifications.services import senders_for
from caredomain.organisation import Organisation
from caredomain.services import ServiceContext

__all__ = ["SAMPLE_AGENCY", "sample_agency", "visits_chapter"]

SAMPLE_AGENCY = "sample_agency.toml"
DAY = date(2026, 3, 2)  # the sample agency's planning
MARIE = CaregiverId("cg-marie")
ALARM_ID = "demo-dati-0302"


def sample_agency() -> Agency:
    """The sample home-care agency shipped in the package."""
    text = importlib.resources.files("caredomain.data").joinpath(SAMPLE_AGENCY).read_text("utf-8")
    return load_agency(text, source=SAMPLE_AGENCY)


def visits_chapter(demo: DemoRun) -> None:
    """Set up the sample agency, play Marie's morning, reconcile it, fire the alarm."""
    console = demo.console
    with notifications_unit_of_work(demo.context.store, write=False) as uow:
        organisation = uow.organisations.get(demo.organisation.id)
    agency = evolve(sample_agency(), organisation=organisation)  # the town hall's CCAS
    clock = FixedClock(_at(organisation, time(7, 0)))
    context = evolve(demo.context, clock=clock)
    visits.set_up_agency(context, demo.admin, agency)
    day = f"{weekday(DAY)} {DAY.isoformat()}"
    console.print(
        "== " + _("Home care: {name} (CCAS), {day}").format(name=organisation.name, day=day)
    )
    caregivers, clients = len(agency.caregivers), len(agency.clients)
    planned = len(agency.interventions)
    counts = (
        ngettext("{n} caregivers", "{n} caregivers", caregivers).format(n=caregivers),
        ngettext("{n} clients", "{n} clients", clients).format(n=clients),
        ngettext("{n} planned visits", "{n} planned visits", planned).format(n=planned),
    )
    console.print(", ".join(counts))
    marie = Actor(
        ActorId(MARIE), {Role.AGENT}, name="Marie Dupont", configuration=organisation.configuration
    )
    _morning(context, clock, marie, organisation)
    log = visits.visit_log(context, demo.admin, organisation.id, MARIE, DAY)
    for line in show_visit_log(log, organisation, DAY.isoformat()):
        console.print(line)

    clock.set(_at(organisation, time(12, 0)))
    console.print()
    console.print(_("Reconciliation of Marie's morning, at 12:00:"))
    result = visits.reconcile_visits(
        context, demo.admin, organisation.id, day=DAY, caregiver_id=MARIE
    )
    for line in show_reconciliation(result, organisation, {MARIE: marie.name}):
        console.print(line)
    console.print()
    _alarm(demo, context, clock, marie, organisation)


def _at(organisation: Organisation, moment: time) -> datetime:
    return datetime.combine(DAY, moment, tzinfo=organisation.zone)


def _punch(
    organisation: Organisation,
    ident: str,
    intervention: str,
    kind: PunchKind,
    moment: time,
    *,
    badge: str | None = None,
    reason: str | None = None,
) -> Punch:
    at = _at(organisation, moment)
    return Punch(
        id=PunchId(ident),
        caregiver_id=MARIE,
        intervention_id=InterventionId(intervention),
        kind=kind,
        method=PunchMethod.BADGE_NFC if badge else PunchMethod.MANUAL,
        device_time=at,
        received_at=at + timedelta(seconds=2),
        badge=badge,
        reason=reason,
    )


def _morning(
    context: ServiceContext, clock: FixedClock, marie: Actor, organisation: Organisation
) -> None:
    """Two visits: Léon by his NFC tag on time, Jeanne by hand and 17 minutes late."""
    tag, unread = "04A1B2C3D4", "le badge NFC ne répond pas"
    punches = [
        _punch(organisation, "demo-p1", "iv-0302-leon", PunchKind.CLOCK_IN, time(8, 2), badge=tag),
        _punch(
            organisation, "demo-p2", "iv-0302-leon", PunchKind.CLOCK_OUT, time(8, 58), badge=tag
        ),
        _punch(
            organisation,
            "demo-p3",
            "iv-0302-jeanne",
            PunchKind.CLOCK_IN,
            time(9, 47),
            reason=unread,
        ),
        _punch(
            organisation,
            "demo-p4",
            "iv-0302-jeanne",
            PunchKind.CLOCK_OUT,
            time(10, 31),
            reason=unread,
        ),
    ]
    for punch in punches:
        clock.set(punch.received_at)
        visits.record_punch(context, marie, organisation.id, punch)
    jeanne, at = InterventionId("iv-0302-jeanne"), _at(organisation, time(10, 32))
    for entry in (
        Mileage(
            id=EntryId("demo-e1"),
            intervention_id=jeanne,
            caregiver_id=MARIE,
            entered_at=at,
            km="4.20",
            comment="Léon -> Jeanne",
        ),
        TasksDone(
            id=EntryId("demo-e2"),
            intervention_id=jeanne,
            caregiver_id=MARIE,
            entered_at=at,
            tasks=["courses", "repas"],
        ),
        Report(
            id=EntryId("demo-e3"),
            intervention_id=jeanne,
            caregiver_id=MARIE,
            entered_at=at,
            text="Repas pris, bonne humeur.",
        ),
    ):
        visits.add_visit_entry(context, marie, organisation.id, entry)


def _alarm(
    demo: DemoRun,
    context: ServiceContext,
    clock: FixedClock,
    marie: Actor,
    organisation: Organisation,
) -> None:
    """The DATI alarm, its countdown, its firing and the e-mail it produced."""
    console = demo.console
    pressed = _at(organisation, time(10, 15))
    clock.set(pressed)
    fix = GpsFix(GeoPoint(49.1061, 7.0725), 12, pressed - timedelta(seconds=20))
    alarm = visits.trigger_alarm(
        context, marie, organisation.id, MARIE, alarm_id=ALARM_ID, at=pressed, gps=fix
    )
    countdown = alarm.settings.countdown.seconds
    triggered = _("DATI alarm triggered by Marie at 10:15:00 (countdown {seconds} s)")
    console.print(triggered.format(seconds=countdown))
    if alarm.state is AlarmState.FIRED:
        console.print("  " + _("(it went off in an earlier run of the demo: it fires once)"))
    for seconds in (5, 10):
        clock.set(pressed + timedelta(seconds=seconds))
        fired = visits.tick_alarms(context, organisation.id)
        what = _("nothing fired")
        if fired:
            what = _("fired: call {number}, speaker on").format(number=fired[0].call.number)
        console.print("  " + _("tick at +{seconds} s: {what}").format(seconds=seconds, what=what))
    (alarm,) = [a for a in visits.alarms(context, demo.admin, organisation.id) if a.id == ALARM_ID]
    console.print("  " + show_alarm(alarm, organisation))
    mail = _dispatched_mail(demo, context)
    if mail is None:
        console.print("  " + _("no e-mail in the outbox"))
        return
    maildir = sender_paths(_database(context.store.url))["mail"]
    console.print(
        _("E-mail ({status}) to {recipient}, in the Maildir {path}:").format(
            status=mail.status.value, recipient=mail.recipient, path=maildir
        )
    )
    console.print("  " + _("Subject: {subject}").format(subject=mail.subject))
    for line in mail.body.splitlines():
        console.print(f"  {line}".rstrip())


def _dispatched_mail(demo: DemoRun, context: ServiceContext) -> OutboxMessage | None:
    """Dispatch the outbox to the demo's embedded senders; the alarm's e-mail."""
    db = _database(context.store.url)
    senders = senders_for(demo.plugins, embedded_senders(db), demo.console.environ)
    run_dispatch(context, senders, NotificationConfiguration())
    with notifications_unit_of_work(context.store, write=False) as uow:
        mails = uow.notifications.messages(topic=f"alarm:{ALARM_ID}", limit=10)
    return mails[0] if mails else None


def _database(url: str) -> str:
    return url.removeprefix("sqlite:///").split("?", 1)[0]
