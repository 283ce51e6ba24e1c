"""Story: a town hall tells its citizens about their appointments, by mail and SMS.

Run it:  python examples/notifications_outbox.py

The administrator chooses the notifications (SMS too for identity papers) and writes a
text; a template that tries ``{0.__class__}`` is refused when saved, with its position.
A citizen books: the confirmation and the reminders are queued in the booking's own
transaction. The outbox is dispatched to the embedded senders (a Maildir folder and an SMS
file); the citizen cancels, and the reminder, once due, is never sent.
"""

from __future__ import annotations

import importlib.resources
import json
import os
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from caredomain import Actor, ActorId, FixedClock, InvalidInput, Role
from caredomain.configuration import load_configuration
from caredomain.notifications import NotificationSettings, Notifier, OutboxMessage
from caredomain.notifications.ports import notifications_unit_of_work
from caredomain.notifications.services import (
    NOTIFIER_ACTOR,
    configure_notifications,
    dispatch_notifications,
)
from caredomain.organisation import ConfigurationId
from caredomain.plugins import load_plugins
from caredomain.services import ServiceContext, configure_organisation
from caredomain.slots import Beneficiary, Channel, CounterId
from caredomain.slots.services import book_slot, cancel_appointment, configure_slots

PARIS = ZoneInfo("Europe/Paris")

SETTINGS = """
[channels]
"appointment.created" = ["mail"]
"appointment.reminder" = ["mail", "sms"]

[types."pieces-identite".channels]   # identity papers: this type's own table
"appointment.created" = ["mail", "sms"]
"appointment.reminder" = ["sms"]
"appointment.cancelled_by_citizen" = ["mail"]

[types."pieces-identite".texts."appointment.created".sms]
body = "{0}, RDV {5} le {1}. Pensez a votre photo {{format 35x45}}."
"""


def show(messages: list[OutboxMessage]) -> None:
    for message in messages:
        due = message.due_at.astimezone(PARIS).strftime("%a %d %H:%M")
        print(f"  {message.status.value:<9} {message.kind} by {message.channel}, due {due}")


def outbox(context: ServiceContext) -> list[OutboxMessage]:
    with notifications_unit_of_work(context.store, write=False) as uow:
        return uow.notifications.messages()


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="caredomain-notify-"))
    plugins = load_plugins(os.environ)
    store = plugins.open_store(f"sqlite:///{workdir / 'care.db'}")
    clock = FixedClock(datetime(2026, 2, 2, 8, 0, tzinfo=PARIS))  # Monday morning
    context = ServiceContext(store=store, clock=clock, notifier=Notifier())
    sample = importlib.resources.files("caredomain.data") / "sample_organisation.toml"
    configuration = load_configuration(sample.read_text("utf-8"))
    town = configuration.organisation
    admin = Actor.administrator(configuration=ConfigurationId("sarreguemines"))
    configure_organisation(context, admin, town)
    configure_slots(context, admin, town.id, configuration.slots)

    try:
        NotificationSettings.from_toml(
            '[texts."appointment.created".sms]\nbody = "Hi {0.__class__}"', source="admin form"
        )
    except InvalidInput as error:
        print(f"refused: {error}")
    configure_notifications(context, admin, town.id, NotificationSettings.from_toml(SETTINGS))

    marie = Beneficiary("cit-1", "Marie Dupont", email="marie@example.org", phone="06 12 34 56 78")
    citizen = Actor(
        ActorId("cit-1"),
        {Role.CITIZEN},
        name="Marie Dupont",
        configuration=ConfigurationId("sarreguemines"),
    )
    appointment = book_slot(
        context,
        citizen,
        town.id,
        counter_id=CounterId("guichet-titres"),
        start=datetime(2026, 2, 3, 14, 30, tzinfo=PARIS),
        beneficiary=marie,
        channel=Channel.PORTAL,
        option="CNI",
    )
    print("Booked; queued in the same transaction:")
    show(outbox(context))

    specs = plugins.sender_specs()
    senders = {
        "mail": specs["maildir"].create({"path": str(workdir / "Mail")}),
        "sms": specs["sms-file"].create({"path": str(workdir / "sms.jsonl")}),
    }
    report = dispatch_notifications(context, NOTIFIER_ACTOR, senders)
    print(f"dispatched: {report.sent} sent")
    for line in (workdir / "sms.jsonl").read_text("utf-8").splitlines():
        sms = json.loads(line)
        print(f"  SMS to {sms['to']} ({sms['encoding']}, {sms['segments']} segment): {sms['text']}")
    for path in sorted((workdir / "Mail" / "new").iterdir()):
        print(f"  mail file {path.relative_to(workdir)}")

    clock.advance(timedelta(hours=3))
    cancel_appointment(context, citizen, town.id, appointment.id, channel=Channel.PORTAL)
    clock.set(datetime(2026, 2, 3, 8, 30, tzinfo=PARIS))  # when the reminder was due
    report = dispatch_notifications(context, NOTIFIER_ACTOR, senders)
    print(f"Cancelled; at the reminder's time {report.sent} sent (the cancellation):")
    show(outbox(context))
    store.close()


if __name__ == "__main__":
    main()
