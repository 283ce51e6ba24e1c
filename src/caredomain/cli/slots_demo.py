"""The demo's appointment chapter: the sample town hall's "Pièces d'identité" slots.

It saves the sample's slot settings, shows the next free slots, books the first for a
citizen on the portal, previews an exceptional closure of that day, adds it, and prints
the appointment it deprograms (the citizen is to be told: the notifications chapter
dispatches the message).
"""

from __future__ import annotations

from datetime import datetime, time

from attrs import evolve

from caredomain.access import Actor, ActorId, Role
from caredomain.calendar import Closure
from caredomain.cli.demo_run import DemoRun, sample_configuration
from caredomain.cli.i18n import _, ngettext, shown
from caredomain.cli.slots_command import describe_deprogramming, format_time
from caredomain.clock import FixedClock
from caredomain.services import ServiceContext
from caredomain.slots import Beneficiary, Channel, SlotSettings
from caredomain.slots.services import (
    add_closure,
    book_slot,
    configure_slots,
    free_slots,
    preview_planning_change,
    slot_settings,
)

__all__ = ["CITIZEN", "slots_chapter"]

CITIZEN = Beneficiary(
    "citoyen-camille-martin",
    "Camille Martin",
    email="camille.martin@example.org",
    phone="+33612345678",
)
SHOWN = 8  # free slots listed


def slots_chapter(demo: DemoRun) -> None:
    """Configure, list, book, close the day: the booking is deprogrammed, not lost."""
    console, admin = demo.console, demo.admin
    context = _on_demo_day(demo)
    organisation_id = demo.organisation.id
    saved = configure_slots(context, admin, organisation_id, sample_configuration().slots)
    settings = slot_settings(context, admin, organisation_id)
    console.print("== " + _("Appointment slots of {name}").format(name=demo.organisation.name))
    _describe(demo, settings)
    for warning in saved.warnings:
        console.print("  " + _("warning {warning}").format(warning=shown(str(warning))))

    kind = settings.types[0]
    free = free_slots(context, admin, organisation_id, kind.id, days=14)
    console.print()
    heading = _("Next free slots of {type} ({n} in the next 14 days):")
    console.print(heading.format(type=kind.label, n=len(free)))
    for slot in free[:SHOWN]:
        counter = settings.counter(slot.counter_id)
        place = settings.place(counter.place_id)
        console.print(
            f"  {format_time(slot.start, with_day=True)}-{format_time(slot.end)}"
            f"  {counter.name}, {place.name}"
        )
    if not free:
        console.print("  " + _("none"))
        return

    first = free[0]
    citizen = Actor(
        ActorId(CITIZEN.id),
        {Role.CITIZEN},
        name=CITIZEN.name,
        configuration=demo.organisation.configuration,
    )
    option = settings.options_of(settings.counter(first.counter_id))[:1]
    appointment = book_slot(
        context,
        citizen,
        organisation_id,
        counter_id=first.counter_id,
        start=first.start,
        beneficiary=CITIZEN,
        channel=Channel.PORTAL,
        option=option[0] if option else None,
    )
    console.print()
    booked = _("{name} books on the portal: {time}, {counter}, option {option}").format(
        name=CITIZEN.name,
        time=format_time(appointment.start, with_day=True),
        counter=settings.counter(appointment.counter_id).name,
        option=appointment.option,
    )
    console.print(booked)

    day = appointment.start.date()
    closure = Closure.on(day, "Fermeture exceptionnelle : formation des agents")
    preview = preview_planning_change(
        context, admin, organisation_id, calendar=lambda calendar: calendar.with_closure(closure)
    )
    console.print()
    count = len(preview.report.deprogrammed)
    before = ngettext(
        "Before saving {closure}: it would deprogram {n} appointment(s)",
        "Before saving {closure}: it would deprogram {n} appointment(s)",
        count,
    )
    console.print(before.format(closure=shown(str(closure)), n=count))
    done = add_closure(context, admin, organisation_id, closure)
    saved_text = _("Saved {closure}. Deprogrammed, the booking kept and the citizen to be told:")
    console.print(saved_text.format(closure=shown(str(closure))))
    for item in done.report.deprogrammed:
        console.print(f"  {describe_deprogramming(item, settings)}")
        status = _("status {status}, id {id}")
        console.print(
            "  " + status.format(status=item.appointment.status.value, id=item.appointment.id)
        )


def _describe(demo: DemoRun, settings: SlotSettings) -> None:
    console = demo.console
    for kind in settings.types:
        notice = _(", notice {notice}").format(notice=kind.notice) if kind.notice else ""
        options = ", ".join(kind.options)
        options = _(", options {options}").format(options=options) if kind.options else ""
        portal = _(", on the portal") if kind.on_portal else ""
        line = _("type {type}: {minutes}-minute slots, window {window}").format(
            type=kind.label, minutes=kind.duration_minutes, window=kind.window
        )
        console.print(f"{line}{notice}{options}{portal}")
    for counter in settings.counters:
        place = settings.place(counter.place_id)
        console.print(
            _("counter {counter} at {place}, {address}").format(
                counter=counter.name, place=place.name, address=place.address
            )
        )
        for application in settings.applications_of(counter.id):
            week = settings.week(application.week)
            line = _("reference week {name} from {first} to {last}:").format(
                name=repr(week.name),
                first=application.first.isoformat(),
                last=application.last.isoformat(),
            )
            console.print(f"  {line}")
            for weekday, text in week.texts().items():
                console.print(f"    {weekday:<9} {text.replace(chr(10), ', ')}")


def _on_demo_day(demo: DemoRun) -> ServiceContext:
    """The demo's context, its clock stopped at 08:00 on the demo's day when ``--today``
    pretends another date."""
    now = demo.context.clock.now()
    if demo.organisation.today(now) == demo.today:
        return demo.context
    morning = datetime.combine(demo.today, time(8), tzinfo=demo.organisation.zone)
    return evolve(demo.context, clock=FixedClock(morning))
