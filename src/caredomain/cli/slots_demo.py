"""The demo's appointment chapter: the sample town hall's "Pièces d'identité" slots.

It saves the sample's slot settings, shows the next free slots, books the first for a
citizen on the portal, previews an exceptional closure of that day, adds it, and prints
the appointment it deprograms (the citizen is to be told: the notifications chapter
dispatches the message).
"""

from __future__ import annotations

from datetime import datetime, time
from typing import TYPE_CHECKING

from attrs import evolve

from caredomain.access import Actor, ActorId, Role
from caredomain.calendar import Closure
from caredomain.cli.slots_command import describe_deprogramming, format_time
from caredomain.clock import FixedClock
from caredomain.services import (
    ServiceContext,
    add_closure,
    book_slot,
    configure_slots,
    free_slots,
    preview_planning_change,
    slot_settings,
)
from caredomain.slots import Beneficiary, Channel, SlotSettings

if TYPE_CHECKING:  # the demo imports this module
    from caredomain.cli.demo import DemoRun

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
    from caredomain.cli.demo import sample_configuration

    console, admin = demo.console, demo.admin
    context = _on_demo_day(demo)
    organisation_id = demo.organisation.id
    saved = configure_slots(context, admin, organisation_id, sample_configuration().slots)
    settings = slot_settings(context, admin, organisation_id)
    console.print(f"== Appointment slots of {demo.organisation.name}")
    _describe(demo, settings)
    for warning in saved.warnings:
        console.print(f"  warning {warning}")

    kind = settings.types[0]
    free = free_slots(context, admin, organisation_id, kind.id, days=14)
    console.print()
    console.print(f"Next free slots of {kind.label} ({len(free)} in the next 14 days):")
    for slot in free[:SHOWN]:
        counter = settings.counter(slot.counter_id)
        place = settings.place(counter.place_id)
        console.print(
            f"  {format_time(slot.start, with_day=True)}-{format_time(slot.end)}"
            f"  {counter.name}, {place.name}"
        )
    if not free:
        console.print("  none")
        return

    first = free[0]
    citizen = Actor(ActorId(CITIZEN.id), {Role.CITIZEN}, name=CITIZEN.name)
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
    console.print(
        f"{CITIZEN.name} books on the portal: {format_time(appointment.start, with_day=True)}, "
        f"{settings.counter(appointment.counter_id).name}, option {appointment.option}"
    )

    day = appointment.start.date()
    closure = Closure.on(day, "Fermeture exceptionnelle : formation des agents")
    preview = preview_planning_change(
        context, admin, organisation_id, calendar=lambda calendar: calendar.with_closure(closure)
    )
    console.print()
    console.print(
        f"Before saving {closure}: it would deprogram "
        f"{len(preview.report.deprogrammed)} appointment(s)"
    )
    done = add_closure(context, admin, organisation_id, closure)
    console.print(f"Saved {closure}. Deprogrammed, the booking kept and the citizen to be told:")
    for item in done.report.deprogrammed:
        console.print(f"  {describe_deprogramming(item, settings)}")
        console.print(f"  status {item.appointment.status.value}, id {item.appointment.id}")


def _describe(demo: DemoRun, settings: SlotSettings) -> None:
    console = demo.console
    for kind in settings.types:
        notice = f", notice {kind.notice}" if kind.notice else ""
        options = f", options {', '.join(kind.options)}" if kind.options else ""
        portal = ", on the portal" if kind.on_portal else ""
        console.print(
            f"type {kind.label}: {kind.duration_minutes}-minute slots, "
            f"window {kind.window}{notice}{options}{portal}"
        )
    for counter in settings.counters:
        place = settings.place(counter.place_id)
        console.print(f"counter {counter.name} at {place.name}, {place.address}")
        for application in settings.applications_of(counter.id):
            week = settings.week(application.week)
            console.print(
                f"  reference week {week.name!r} from {application.first.isoformat()} "
                f"to {application.last.isoformat()}:"
            )
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
