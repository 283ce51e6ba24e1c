"""Story: a town hall opens identity-card appointments, books one, and closes a day.

Run it:  python examples/townhall_appointments.py

The Mairie de Sainte-Anne describes its "Pièces d'identité" appointments in its
configuration file (20-minute slots, a two-month window, a sixty-minute notice, options
CNI and passeport) and saves them; the nightly refresh plans the slots. The next morning an
agent of the civil registry lists the free slots and books one for Camille Martin, asks why
there is no slot on 1 May, and Camille moves her appointment on the portal. Then works close
the town hall for a day: the administrator previews the change, saves it, and Camille's
appointment is deprogrammed, kept, with the event the notifications turn into a message.

Everything runs on an embedded SQLite file, with a clock stopped on Monday 27 April 2026.
"""

from __future__ import annotations

import tempfile
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from caredomain import Actor, ActorId, Closure, FixedClock, Role
from caredomain.configuration import load_configuration
from caredomain.organisation import ConfigurationId
from caredomain.services import ServiceContext, configure_organisation
from caredomain.slots import Appointment, Beneficiary, Channel, TypeId
from caredomain.slots.services import (
    SLOT_PLANNER,
    add_closure,
    book_slot,
    configure_slots,
    find_appointment,
    free_slots,
    preview_planning_change,
    refresh_slots,
    reschedule_appointment,
    why_no_slot,
)
from caredomain_sqlite import SqliteStore

PARIS = ZoneInfo("Europe/Paris")

CONFIGURATION = """
[organisation]
id = "sainte-anne"
name = "Mairie de Sainte-Anne"
zone = "Europe/Paris"

[organisation.calendar]
open_weekdays = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"]

[[slots.types]]
id = "identite"
label = "Pièces d'identité"
detail = "Carte nationale d'identité et passeport"
duration_minutes = 20
window = "2m"       # two months of slots
notice = "60m"      # bookable until sixty minutes before
options = ["CNI", "passeport"]
services = ["état civil"]
on_portal = true

[[slots.places]]
id = "mairie"
name = "Hôtel de ville"
address = "1 place de la Mairie, Sainte-Anne"
on_portal = true

[[slots.counters]]
id = "guichet-1"
name = "Guichet 1"
type_id = "identite"
place_id = "mairie"

[[slots.weeks]]
name = "Semaine type"
[slots.weeks.hours]
lundi = "08h30-12h00\\n13h30-17h00"
mardi = "08h30-12h00\\n13h30-17h00"
mercredi = "08h30-12h00"
jeudi = "08h30-12h00\\n13h30-17h00"
vendredi = "08h30-12h00\\n13h30-17h00"
samedi = "09h00-12h00"

[[slots.applications]]
counter_id = "guichet-1"
week = "Semaine type"
first = 2026-01-01
last = 2026-12-31
"""

ID_CARDS = TypeId("identite")
ADMIN = Actor.administrator(
    "admin", "Administratrice", configuration=ConfigurationId("sainte-anne")
)
AGENT = Actor(
    ActorId("agent-paul"),
    {Role.AGENT},
    {"état civil"},
    name="Paul, état civil",
    configuration=ConfigurationId("sainte-anne"),
)
CAMILLE = Beneficiary(
    "camille", "Camille Martin", email="camille@example.org", phone="+33612345678"
)
CAMILLE_ON_THE_PORTAL = Actor(
    ActorId("camille"),
    {Role.CITIZEN},
    name="Camille Martin",
    configuration=ConfigurationId("sainte-anne"),
)


def when(moment: datetime) -> str:
    return moment.strftime("%a %Y-%m-%d %H:%M")


def show(appointment: Appointment) -> str:
    return f"{appointment.beneficiary.name}, {when(appointment.start)}, {appointment.option}"


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="caredomain-townhall-"))
    clock = FixedClock(datetime(2026, 4, 27, 16, 0, tzinfo=PARIS))  # Monday afternoon
    with SqliteStore(workdir / "townhall.db") as store:
        context = ServiceContext(store=store, clock=clock)
        configuration = load_configuration(CONFIGURATION, source="sainte-anne.toml")
        town = configuration.organisation.id

        # 1. The administrator saves the settings: checked, then planned at once.
        configure_organisation(context, ADMIN, configuration.organisation)
        saved = configure_slots(context, ADMIN, town, configuration.slots)
        print(f"settings saved, {len(saved.warnings)} warning(s); planned on {saved.report.day}")

        # 2. The nightly refresh opens the day that entered the two-month window.
        clock.set(datetime(2026, 4, 28, 2, 0, tzinfo=PARIS))
        report = refresh_slots(context, SLOT_PLANNER, town)
        print(f"nightly refresh: planned on {report.day}, {len(report.deprogrammed)} deprogrammed")

        # 3. Tuesday 08:00: the agent lists the free slots (60-minute notice: from 09:10).
        clock.set(datetime(2026, 4, 28, 8, 0, tzinfo=PARIS))
        free = free_slots(context, AGENT, town, ID_CARDS, days=3)
        print(f"{len(free)} free slots from {when(free[0].start)}:")
        for slot in free[:4]:
            counter = configuration.slots.counter(slot.counter_id)
            print(f"  {when(slot.start)}-{slot.end.strftime('%H:%M')}  {counter.name}")

        # 4. ... and books the first one for Camille, who needs a passport.
        first = free[0]
        booked = book_slot(
            context,
            AGENT,
            town,
            counter_id=first.counter_id,
            start=first.start,
            beneficiary=CAMILLE,
            channel=Channel.BACK_OFFICE,
            option="passeport",
        )
        print(f"booked: {show(booked)}")

        # 5. Why no slot on Friday 1 May?
        for answer in why_no_slot(context, AGENT, town, ID_CARDS, date(2026, 5, 1)):
            reasons = {str(reason) for slot in answer.slots for reason in slot.reasons}
            print(f"why no slot on Fri 2026-05-01 at {answer.place_id}: {'; '.join(reasons)}")

        # 6. Camille moves her appointment on the portal to Wednesday 10:10.
        wednesday = datetime(2026, 4, 29, 10, 10, tzinfo=PARIS)
        moved = reschedule_appointment(
            context,
            CAMILLE_ON_THE_PORTAL,
            town,
            booked.id,
            counter_id=booked.counter_id,
            start=wednesday,
            channel=Channel.PORTAL,
        )
        previous = moved.previous_start or moved.start
        print(f"rescheduled to {when(moved.start)} (previously {when(previous)})")

        # 7. Works close the town hall on Wednesday: preview, save, deprogrammed.
        works = Closure.on(wednesday.date(), "Travaux")
        preview = preview_planning_change(
            context, ADMIN, town, calendar=lambda calendar: calendar.with_closure(works)
        )
        print(f"adding {works} would deprogram {len(preview.report.deprogrammed)} appointment(s)")
        done = add_closure(context, ADMIN, town, works)
        for item in done.report.deprogrammed:
            print(f"deprogrammed: {show(item.appointment)}: {item.reason}")
        kept = find_appointment(context, CAMILLE_ON_THE_PORTAL, town, booked.id)
        print(f"Camille's appointment is kept, {kept.status.value}")

        # What the notifications will turn into messages: the committed events.
        with store.unit_of_work(write=False) as uow:
            kinds = [event.kind for _, event in uow.events.since()]
        print(f"events: {', '.join(kinds)}")
        later = free_slots(context, AGENT, town, ID_CARDS, first=wednesday.date(), days=1)
        print(f"free slots on {wednesday.date()} after the closure: {len(later)}")


if __name__ == "__main__":
    main()
