"""``caredomain demo``: the sample organisation on the embedded SQLite store, chapter by chapter.

Each capability adds a chapter: a function ``(DemoRun) -> None`` appended to ``CHAPTERS``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from attrs import evolve

from caredomain.__about__ import __version__
from caredomain.access import Actor
from caredomain.calendar import Closure, OpeningCalendar
from caredomain.cli.access_demo import access_chapter
from caredomain.cli.commands import COMMANDS
from caredomain.cli.common import Console, sqlite_url
from caredomain.cli.demo_run import DemoRun, sample_configuration, write_samples
from caredomain.cli.i18n import N_, _, ngettext, shown, weekday, weekday_name
from caredomain.cli.notify_demo import notifications_chapter
from caredomain.cli.options import add_command_options, date_argument, whole_number
from caredomain.cli.pickup_demo import pickup_chapter
from caredomain.cli.roster_demo import roster_chapter
from caredomain.cli.slots_demo import slots_chapter
from caredomain.cli.visits_demo import visits_chapter
from caredomain.embedding import open_context
from caredomain.hours import Weekday
from caredomain.services import configure_organisation, opening_calendar


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "demo", help=COMMANDS["demo"].help, description=COMMANDS["demo"].help
    )
    add_command_options(
        parser,
        None,
        db=N_(
            "the SQLite file to open or create (default caredomain-demo.db), or a store URL "
            "such as postgresql://HOST/DATABASE"
        ),
    )
    parser.add_argument(
        "--today", type=date_argument("--today"), help=N_("pretend today is this date (YYYY-MM-DD)")
    )
    parser.add_argument(
        "--days",
        type=whole_number("--days", least=1, most=3660),
        default=30,
        help=N_("how many days of the opening calendar to show (default 30)"),
    )
    parser.add_argument(
        "--samples",
        metavar="DIR",
        help=N_(
            "write the sample files the demo uses (an organisation, a ward, a home-care "
            "agency, a daycare, the code catalogue, two GTT exports) into DIR, to start your "
            "own from them, and stop"
        ),
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, console: Console) -> int:
    if args.samples is not None:
        for written in write_samples(Path(args.samples)):
            console.print(_("wrote {path}").format(path=written))
        return 0
    plugins = console.plugins()
    with open_context(sqlite_url(args.db), plugins=plugins) as context:
        store = context.store
        organisation = sample_configuration().organisation
        today = args.today or organisation.today(context.clock.now())
        demo = DemoRun(
            console=console,
            context=context,
            plugins=plugins,
            admin=Actor.administrator(
                "demo-admin", "Demo administrator", organisation.configuration
            ),
            organisation=organisation,
            today=today,
            days=args.days,
        )
        console.info(_("caredomain {version} demo").format(version=__version__))
        console.info(
            _("store    {url} (schema version {version})").format(
                url=store.url, version=store.schema_version
            )
        )
        console.info(_("plugins  {names}").format(names=", ".join(plugins.names)))
        for chapter in CHAPTERS:
            console.print()
            chapter(demo)
    return 0


def _weekday_span(calendar: OpeningCalendar) -> str:
    return ", ".join(weekday_name(day) for day in Weekday if day in calendar.open_weekdays)


def _first_open_day(calendar: OpeningCalendar, after: date) -> date:
    day = after
    while not calendar.is_open(day):
        day += timedelta(days=1)
    return day


def calendar_chapter(demo: DemoRun) -> None:
    """Store the sample organisation with one exceptional closure; print its calendar."""
    console, organisation = demo.console, demo.organisation
    calendar = organisation.calendar
    closure = Closure.on(
        _first_open_day(calendar, demo.today + timedelta(days=7)), "Inventaire des archives"
    )
    organisation = evolve(organisation, calendar=calendar.with_closure(closure))
    configure_organisation(demo.context, demo.admin, organisation)
    holidays = organisation.calendar.holidays

    console.print(f"== {organisation.name} ({organisation.id})")
    console.print(
        _("zone {zone}; public holidays {region}").format(
            zone=organisation.zone.key, region=holidays.region
        )
    )
    console.print(_("open on {days}").format(days=_weekday_span(organisation.calendar)))
    console.print(_("added for the demo: {closure}").format(closure=shown(str(closure))))
    console.print()
    heading = ngettext(
        "Opening calendar, {n} days from {day}:",
        "Opening calendar, {n} days from {day}:",
        demo.days,
    )
    console.print(heading.format(n=demo.days, day=demo.today.isoformat()))
    for status in opening_calendar(
        demo.context, demo.admin, organisation.id, first=demo.today, days=demo.days
    ):
        reasons = "; ".join(shown(str(reason)) for reason in status.reasons)
        state = _("open") if status.is_open else _("closed  {reasons}").format(reasons=reasons)
        console.print(f"  {weekday(status.day)} {status.day.isoformat()}  {state}")
    console.print()
    console.print(_("Next public holidays:"))
    for day, name in _next_holidays(organisation.calendar, demo.today, count=6):
        console.print(f"  {weekday(day)} {day.isoformat()}  {name}")


def _next_holidays(calendar: OpeningCalendar, today: date, count: int) -> list[tuple[date, str]]:
    found: list[tuple[date, str]] = []
    for year in (today.year, today.year + 1):
        for day in sorted(calendar.holidays.in_year(year)):
            name = calendar.holidays.on(day)  # None when switched off
            if day >= today and name:
                found.append((day, name))
    return found[:count]


CHAPTERS: list[Callable[[DemoRun], None]] = [calendar_chapter]
CHAPTERS.append(slots_chapter)
CHAPTERS.append(notifications_chapter)
CHAPTERS.append(roster_chapter)
CHAPTERS.append(visits_chapter)
CHAPTERS.append(pickup_chapter)
CHAPTERS.append(access_chapter)
