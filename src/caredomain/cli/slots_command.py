"""``caredomain slots``: the nightly refresh, the free slots of a type, and why none.

::

    caredomain slots refresh
    caredomain slots free --type ID [--place ID] [--from DATE] [--days N]
    caredomain slots why --type ID --date DATE [--place ID]

each with the common options (``--db PATH``, ``--organisation ID``, ``--json``, ``-v``,
``-q``). ``--db`` defaults to the demo's file, so that they work right after ``caredomain
demo``; ``--organisation`` to the only organisation in the store.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from itertools import groupby
from typing import Any

from caredomain.cli.commands import COMMANDS
from caredomain.cli.common import (
    OPERATOR,
    Console,
    choose_organisation,
    existing_sqlite_url,
    parse_date,
)
from caredomain.cli.i18n import N_, _, ngettext, shown, weekday
from caredomain.cli.options import Shared, add_command_options, add_group_options
from caredomain.errors import InvalidInput
from caredomain.organisation import OrganisationId
from caredomain.ports import Store
from caredomain.services import ServiceContext, organisation_ids
from caredomain.slots import (
    AppointmentType,
    Availability,
    Deprogramming,
    PlaceId,
    Reason,
    Slot,
    SlotAvailability,
    SlotSettings,
)
from caredomain.slots.ports import slots_unit_of_work
from caredomain.slots.services import (
    SLOT_PLANNER,
    free_slots,
    refresh_slots,
    slot_settings,
    why_no_slot,
)

__all__ = ["add_parser", "describe_deprogramming", "format_time"]

"""Whoever runs the command line on the server acts as the administrator."""


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "slots", help=COMMANDS["slots"].help, description=COMMANDS["slots"].help
    )
    shared = Shared(db=True, organisation=True)
    add_group_options(parser, shared)
    commands = parser.add_subparsers(dest="slots_command", required=True, metavar="COMMAND")

    refresh = commands.add_parser("refresh", help=N_("plan the slots as of today (run it nightly)"))
    add_command_options(refresh, shared, json=True)
    refresh.set_defaults(run=_command(_refresh))

    free = commands.add_parser("free", help=N_("list the free slots of a type"))
    add_command_options(free, shared, json=True)
    free.add_argument("--type", required=True, help=TYPE_HELP)
    free.add_argument("--place", help=PLACE_HELP)
    free.add_argument("--from", dest="first", help=N_("first day, YYYY-MM-DD (default today)"))
    free.add_argument("--days", default="14", help=N_("how many days, 1 to 366 (default 14)"))
    free.set_defaults(run=_command(_free))

    why = commands.add_parser("why", help=N_("say why each slot of a type on a day is not free"))
    add_command_options(why, shared, json=True)
    why.add_argument("--type", required=True, help=TYPE_HELP)
    why.add_argument("--date", required=True, help=N_("the day, YYYY-MM-DD"))
    why.add_argument("--place", help=PLACE_HELP)
    why.set_defaults(run=_command(_why))


TYPE_HELP = N_(
    "an appointment type's id, from the organisation's configuration file "
    "(`caredomain slots free` with a wrong id lists the known ones)"
)
PLACE_HELP = N_("only at this place: its id (a wrong id lists the known ones)")


Command = Callable[[argparse.Namespace, Console, ServiceContext, OrganisationId], None]


def _command(body: Command) -> Callable[[argparse.Namespace, Console], int]:
    """Open the store named by ``--db``, choose the organisation, run ``body``, close."""

    def run(args: argparse.Namespace, console: Console) -> int:
        url = existing_sqlite_url(args.db)
        store: Store = console.plugins().open_store(url)
        try:
            context = ServiceContext(store=store)
            ids = organisation_ids(context, OPERATOR)
            with slots_unit_of_work(store, write=False) as uow:
                holding = [i for i in ids if uow.slots.settings(OrganisationId(i)) is not None]
            organisation_id = choose_organisation(ids, args.organisation, holding=holding)
            body(args, console, context, organisation_id)
        finally:
            store.close()
        return 0

    return run


# -- refresh --------------------------------------------------------------------------------


def _refresh(
    args: argparse.Namespace,
    console: Console,
    context: ServiceContext,
    organisation_id: OrganisationId,
) -> None:
    with console.progress() as progress:
        progress.show(_("{organisation}: planning the slots").format(organisation=organisation_id))
        report = refresh_slots(context, SLOT_PLANNER, organisation_id)
    settings = slot_settings(context, OPERATOR, organisation_id)
    if console.json:
        console.emit(
            {
                "organisation": organisation_id,
                "day": report.day,
                "replanned": report.replanned,
                "deprogrammed": [
                    {
                        "appointment": item.appointment.id,
                        "beneficiary": item.appointment.beneficiary.name,
                        "start": item.appointment.start,
                        "counter": item.appointment.counter_id,
                        "reason": _reason(item.reason),
                    }
                    for item in report.deprogrammed
                ],
            }
        )
        return
    planned = _("{organisation}: slots planned as of {day}")
    console.print(planned.format(organisation=organisation_id, day=report.day.isoformat()))
    replanned = ", ".join(report.replanned) or _("none (no counter's settings changed)")
    console.print("  " + _("counters replanned in full: {counters}").format(counters=replanned))
    deprogrammed = _("appointments deprogrammed: {n}").format(n=len(report.deprogrammed))
    console.print(f"  {deprogrammed}")
    for item in report.deprogrammed:
        console.print(f"    {describe_deprogramming(item, settings)}")


def describe_deprogramming(item: Deprogramming, settings: SlotSettings) -> str:
    """One line: who, when, where, and why the appointment was deprogrammed."""
    appointment = item.appointment
    counter = settings.counter(appointment.counter_id)
    return (
        f"{appointment.beneficiary.name}, {format_time(appointment.start, with_day=True)}, "
        f"{counter.name}: {shown(str(item.reason))}"
    )


# -- free -------------------------------------------------------------------------------------


def _free(
    args: argparse.Namespace,
    console: Console,
    context: ServiceContext,
    organisation_id: OrganisationId,
) -> None:
    settings = slot_settings(context, OPERATOR, organisation_id)
    kind = _type(settings, args.type)
    place_id = _place(settings, args.place)
    first = None if args.first is None else _date(args.first, "--from")
    days = _days(args.days)
    slots = free_slots(
        context, OPERATOR, organisation_id, kind.id, first=first, days=days, place_id=place_id
    )
    if console.json:
        console.emit(
            _free_document(
                organisation_id, kind, place_id=place_id, days=days, slots=slots, settings=settings
            )
        )
        return
    where = _(" at {place}").format(place=settings.place(place_id).name) if place_id else ""
    counted = ngettext(
        "{n} free {minutes}-minute slot", "{n} free {minutes}-minute slots", len(slots)
    ).format(n=len(slots), minutes=kind.duration_minutes)
    over = ngettext("over {n} day", "over {n} days", days).format(n=days)
    console.print(f"{kind.label} ({kind.id}){where}: {counted} {over}")
    by_day_and_counter = groupby(
        sorted(slots, key=lambda s: (s.start.date(), s.counter_id, s.start_second)),
        key=lambda s: (s.start.date(), s.counter_id),
    )
    for (day, counter_id), found in by_day_and_counter:
        counter = settings.counter(counter_id)
        place = settings.place(counter.place_id)
        console.print(f"{_day(day)}  {counter.name}, {place.name}")
        for line in _wrapped([format_time(slot.start) for slot in found]):
            console.print(f"    {line}")


def _free_document(
    organisation_id: OrganisationId,
    kind: AppointmentType,
    *,
    place_id: PlaceId | None,
    days: int,
    slots: Sequence[Slot],
    settings: SlotSettings,
) -> dict[str, Any]:
    return {
        "organisation": organisation_id,
        "type": {"id": kind.id, "label": kind.label, "duration_minutes": kind.duration_minutes},
        "place": place_id,
        "days": days,
        "slots": [
            {
                "start": slot.start,
                "end": slot.end,
                "counter": slot.counter_id,
                "place": settings.counter(slot.counter_id).place_id,
            }
            for slot in sorted(slots, key=lambda s: (s.start_second, s.counter_id))
        ],
    }


def _wrapped(words: Sequence[str], per_line: int = 12) -> Iterable[str]:
    for offset in range(0, len(words), per_line):
        yield " ".join(words[offset : offset + per_line])


# -- why ----------------------------------------------------------------------------------------


def _why(
    args: argparse.Namespace,
    console: Console,
    context: ServiceContext,
    organisation_id: OrganisationId,
) -> None:
    settings = slot_settings(context, OPERATOR, organisation_id)
    kind = _type(settings, args.type)
    place_id = _place(settings, args.place)
    day = _date(args.date, "--date")
    answers = why_no_slot(context, OPERATOR, organisation_id, kind.id, day, place_id=place_id)
    if console.json:
        console.emit(_why_document(organisation_id, kind, day, answers))
        return
    console.print(_("{type} ({id}) on {day}").format(type=kind.label, id=kind.id, day=_day(day)))
    if not answers:
        console.print("  " + _("no counter serves this type"))
    for answer in answers:
        place = settings.place(answer.place_id)
        free_count = len(answer.free())
        free = ngettext("{free} of {n} slots free", "{free} of {n} slots free", free_count)
        free = free.format(free=free_count, n=len(answer.slots))
        console.print(f"{place.name} ({place.id}): {free}")
        for counter_id, reason in answer.without_slots:
            none = _("no slot expected: {reason}").format(reason=shown(str(reason)))
            console.print(f"  {settings.counter(counter_id).name}: {none}")
        for counter_id, slots in groupby(answer.slots, key=lambda s: s.counter_id):
            console.print(f"  {settings.counter(counter_id).name}")
            for line in _runs(list(slots)):
                console.print(f"    {line}")


def _why_document(
    organisation_id: OrganisationId,
    kind: AppointmentType,
    day: date,
    answers: Sequence[Availability],
) -> dict[str, Any]:
    return {
        "organisation": organisation_id,
        "type": {"id": kind.id, "label": kind.label, "duration_minutes": kind.duration_minutes},
        "date": day,
        "places": [
            {
                "place": answer.place_id,
                "free": len(answer.free()),
                "slots": [
                    {
                        "counter": slot.counter_id,
                        "start": slot.start,
                        "wall": str(slot.wall),
                        "free": not slot.reasons,
                        "reasons": [_reason(reason) for reason in slot.reasons],
                    }
                    for slot in answer.slots
                ],
                "without_slots": [
                    {"counter": counter_id, "reason": _reason(reason)}
                    for counter_id, reason in answer.without_slots
                ],
            }
            for answer in answers
        ],
    }


def _reason(reason: Reason) -> dict[str, str]:
    return {"code": reason.code, "message": reason.message}


def _runs(slots: list[SlotAvailability]) -> Iterable[str]:
    """Back-to-back slots with the same reasons, one line each."""
    runs: list[list[SlotAvailability]] = []
    for slot in sorted(slots, key=lambda s: s.wall.start_minute):
        last = runs[-1][-1] if runs else None
        if last and last.reasons == slot.reasons and last.wall.end_minute == slot.wall.start_minute:
            runs[-1].append(slot)
        else:
            runs.append([slot])
    for run in runs:
        span = f"{_hhmm(run[0].wall.start_minute)}-{_hhmm(run[-1].wall.end_minute)}"
        count = ngettext("{n} slot", "{n} slots", len(run)).format(n=len(run))
        said = "; ".join(shown(str(reason)) for reason in run[0].reasons) or _("free")
        yield f"{span}  {count:>9}  {said}"


# -- arguments ------------------------------------------------------------------------------------


def _type(settings: SlotSettings, wanted: str) -> AppointmentType:
    for kind in settings.types:
        if kind.id == wanted:
            return kind
    known = ", ".join(kind.id for kind in settings.types) or _("none")
    refused = _("no such appointment type (known: {known})").format(known=known)
    raise InvalidInput(refused, field="--type", text=wanted)


def _place(settings: SlotSettings, wanted: str | None) -> PlaceId | None:
    if wanted is None:
        return None
    if any(place.id == wanted for place in settings.places):
        return PlaceId(wanted)
    known = ", ".join(place.id for place in settings.places) or _("none")
    refused = _("no such place (known: {known})").format(known=known)
    raise InvalidInput(refused, field="--place", text=wanted)


def _date(text: str, option: str) -> date:
    try:
        return parse_date(text)
    except InvalidInput as error:
        raise error.located(field=option) from None


def _days(text: str) -> int:
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= 366:
        expected = _("a whole number of days from 1 to 366")
        raise InvalidInput(expected, field="--days", text=text)
    return int(text)


def _day(day: date) -> str:
    return f"{weekday(day)} {day.isoformat()}"


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def format_time(moment: datetime, *, with_day: bool = False) -> str:
    """``09:10``, or ``Mon 2026-04-27 09:10`` with the day."""
    clock = moment.strftime("%H:%M")
    return f"{_day(moment.date())} {clock}" if with_day else clock
