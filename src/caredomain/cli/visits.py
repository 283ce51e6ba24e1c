"""``caredomain visits``: home-care visits (seed 004).

* ``visits load AGENCY.toml`` saves an agency file (the interventions page of the
  documentation describes it);
* ``visits reconcile --date YYYY-MM-DD [--caregiver ID]`` compares planned and actual:
  the anomalies and the actual times to apply to the planning;
* ``visits log --caregiver ID [--date YYYY-MM-DD]`` shows a caregiver's visits with their
  punches, corrections and what she entered;
* ``visits alarms`` fires the DATI alarms whose countdown is over (their e-mails go to the
  outbox: ``caredomain notify dispatch`` sends them) and lists the alarms.

The command line acts as an administrator of the store it opens (``--db``); times are
shown on the agency's wall clock. The common options (``--db``, ``--organisation``,
``--json``, ``-v``, ``-q``) go after the subcommand's word; before it, as earlier versions
took them, they are still accepted.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from caredomain.cli.commands import COMMANDS
from caredomain.cli.common import (
    OPERATOR,
    Console,
    choose_organisation,
    existing_sqlite_url,
    read_file,
    sqlite_url,
)
from caredomain.cli.i18n import N_, _, ngettext, shown, weekday
from caredomain.cli.options import (
    Shared,
    add_group_options,
    date_argument,
    subcommand_maker,
)
from caredomain.interventions import VisitData
from caredomain.interventions import services as visits
from caredomain.interventions.agency import load_agency
from caredomain.interventions.alarm import Alarm
from caredomain.interventions.model import CaregiverId
from caredomain.interventions.ports import interventions_unit_of_work
from caredomain.interventions.reconciliation import Reconciliation
from caredomain.notifications import Notifier
from caredomain.organisation import Organisation, OrganisationId
from caredomain.serialization import unstructure
from caredomain.services import ServiceContext

__all__ = ["add_parser", "show_alarm", "show_reconciliation", "show_visit_log"]


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "visits", help=COMMANDS["visits"].help, description=COMMANDS["visits"].help
    )
    shared = Shared(db=True, organisation=True)
    add_group_options(parser, shared)
    commands = parser.add_subparsers(dest="visits_command", required=True, metavar="COMMAND")

    command = subcommand_maker(commands, shared)

    load = command("load", N_("save an agency file: caregivers, clients, planning"))
    load.add_argument(
        "agency",
        help=N_(
            "the agency's TOML file: caregivers, clients, services, planned interventions "
            "(the home-care page of the documentation describes it)"
        ),
    )
    load.set_defaults(run=_load)

    reconcile = command("reconcile", N_("planned against actual for a day"), json=True)
    reconcile.add_argument(
        "--date", type=date_argument("--date"), required=True, help=N_("the day (YYYY-MM-DD)")
    )
    reconcile.add_argument("--caregiver", help=N_("only this caregiver's visits: her id"))
    reconcile.set_defaults(run=_reconcile)

    log = command("log", N_("a caregiver's visits, punches and entries"), json=True)
    log.add_argument("--caregiver", required=True, help=N_("the caregiver's id"))
    log.add_argument("--date", type=date_argument("--date"), help=N_("only this day (YYYY-MM-DD)"))
    log.set_defaults(run=_log)

    alarms = command("alarms", N_("fire the alarms now due, then list them"), json=True)
    alarms.set_defaults(run=_alarms)


@contextmanager
def _context(console: Console, url: str) -> Iterator[ServiceContext]:
    plugins = console.plugins()
    store = plugins.open_store(url)
    try:
        yield ServiceContext(store=store, publish=plugins.publish, notifier=Notifier())
    finally:
        store.close()


def _agency(context: ServiceContext, wanted: str | None) -> Organisation:
    with interventions_unit_of_work(context.store, write=False) as uow:
        agency = choose_organisation(uow.interventions.agencies(), wanted)
        return uow.organisations.get(agency)


def _clock(moment: datetime | None, organisation: Organisation) -> str:
    return "--:--" if moment is None else organisation.local(moment).strftime("%H:%M")


# -- the subcommands ---------------------------------------------------------------------------


def _load(args: argparse.Namespace, console: Console) -> int:
    path = Path(args.agency)
    agency = load_agency(read_file(path), source=str(path))
    with _context(console, sqlite_url(args.db)) as context:
        done = visits.set_up_agency(context, OPERATOR, agency)
    counts = ", ".join(
        (
            ngettext("{n} caregiver(s)", "{n} caregiver(s)", done.caregivers).format(
                n=done.caregivers
            ),
            ngettext("{n} client(s)", "{n} client(s)", done.clients).format(n=done.clients),
            ngettext("{n} service(s)", "{n} service(s)", done.services).format(n=done.services),
            ngettext(
                "{n} planned intervention(s)", "{n} planned intervention(s)", done.interventions
            ).format(n=done.interventions),
        )
    )
    events = ngettext("{n} event(s)", "{n} event(s)", len(done.events)).format(n=len(done.events))
    console.print(f"{agency.organisation.name} ({done.organisation_id}): {counts}; {events}")
    return 0


def _reconcile(args: argparse.Namespace, console: Console) -> int:
    with _context(console, existing_sqlite_url(args.db)) as context:
        organisation = _agency(context, args.organisation)
        caregiver = CaregiverId(args.caregiver) if args.caregiver else None
        result = visits.reconcile_visits(
            context, OPERATOR, organisation.id, day=args.date, caregiver_id=caregiver
        )
        names = _names(context, organisation.id)
        now = context.clock.now()
    if console.json:
        document = {"organisation": organisation.id, "date": args.date, "as_of": now}
        console.emit({**document, **unstructure(result)})
        return 0
    day = f"{weekday(args.date)} {args.date.isoformat()}"
    as_of = organisation.local(now).isoformat(timespec="minutes")
    console.print(
        _("{organisation}: visits of {day}, as of {time}").format(
            organisation=organisation.name, day=day, time=as_of
        )
    )
    for line in show_reconciliation(result, organisation, names):
        console.print(line)
    return 0


def show_reconciliation(
    result: Reconciliation, organisation: Organisation, names: dict[str, str]
) -> list[str]:
    """The anomalies, then the actual times to apply, one line each."""
    lines = [_("Anomalies ({n}):").format(n=len(result.anomalies))]
    lines += [
        f"  {a.intervention_id}  {names.get(a.caregiver_id, a.caregiver_id)}  "
        f"{a.kind.value}: {shown(a.message)}"
        for a in result.anomalies
    ] or ["  " + _("none")]
    lines.append(_("Actual times to apply ({n}):").format(n=len(result.actuals)))
    times = _("planned {planned}  actual {actual} ({minutes} min)")

    def span(start: datetime | None, end: datetime | None) -> str:
        return f"{_clock(start, organisation)}-{_clock(end, organisation)}"

    lines += [
        f"  {t.intervention_id}  {names.get(t.caregiver_id, t.caregiver_id)}  "
        + times.format(
            planned=span(t.planned_start, t.planned_end),
            actual=span(t.actual_start, t.actual_end),
            minutes=t.minutes,
        )
        for t in result.actuals
    ] or ["  " + _("none")]
    return lines


def _names(context: ServiceContext, organisation_id: OrganisationId) -> dict[str, str]:
    with interventions_unit_of_work(context.store, write=False) as uow:
        return {c.id: c.name for c in uow.interventions.caregivers(organisation_id)}


def _log(args: argparse.Namespace, console: Console) -> int:
    with _context(console, existing_sqlite_url(args.db)) as context:
        organisation = _agency(context, args.organisation)
        log = visits.visit_log(
            context, OPERATOR, organisation.id, CaregiverId(args.caregiver), args.date
        )
    if console.json:
        console.emit({"organisation": organisation.id, "date": args.date, **unstructure(log)})
        return 0
    for line in show_visit_log(log, organisation, args.date.isoformat() if args.date else None):
        console.print(line)
    return 0


def show_visit_log(log: visits.VisitLog, organisation: Organisation, day: str | None) -> list[str]:
    """A caregiver's visits: planned, actual, punches, corrections and entries."""
    visits_text = ngettext("{n} visit(s)", "{n} visit(s)", len(log.records))
    lines = [
        f"{log.caregiver}{', ' + day if day else ''}: " + visits_text.format(n=len(log.records))
    ]
    for record in log.records:
        planned = record.intervention
        client = record.client.name if record.client else planned.client_id
        lines.append(
            f"  {_clock(planned.start, organisation)}-{_clock(planned.end, organisation)}  "
            f"{planned.id}  {client}"
        )
        lines += [f"    {line}" for line in _record_lines(record, organisation)]
    return lines


def _record_lines(record: visits.VisitRecord, organisation: Organisation) -> list[str]:
    visit = record.visit
    if visit is None:
        lines = [_("not clocked")]
    else:
        end = _("open") if visit.end is None else _clock(visit.end, organisation)
        lines = [_("visit {start}-{end}").format(start=_clock(visit.start, organisation), end=end)]
    for entry in record.punches:
        punch = entry.punch
        if punch.badge:
            how = _("badge {badge}").format(badge=punch.badge)
        else:
            how = _("by hand ({reason})").format(reason=punch.reason)
        status = "ok" if entry.refusal is None else _("refused [{code}]")
        lines.append(
            _("punch {kind} {time} {method}, {how}: {status}").format(
                kind=f"{punch.kind.value:3}",
                time=_clock(punch.device_time, organisation),
                method=punch.method.value,
                how=how,
                status=status.format(code=entry.refusal.code if entry.refusal else ""),
            )
        )
    correction = _("correction {reason} by {actor}: {text}")
    lines += [
        correction.format(reason=c.reason.value, actor=c.by, text=c.text).rstrip(": ")
        for c in record.corrections
    ]
    if record.data.entries:
        lines.append(_entries_line(record.data))
    return lines


def _entries_line(data: VisitData) -> str:
    """What the caregiver entered for the visit: kilometres, expenses, tasks, report."""
    comments = ngettext("{n} comment(s)", "{n} comment(s)", len(data.comments))
    return _("km {km}, expenses {expenses}, {comments}; tasks {tasks}; report: {report}").format(
        km=data.km,
        expenses=data.expenses_total,
        comments=comments.format(n=len(data.comments)),
        tasks=", ".join(sorted(data.tasks_done)) or "-",
        report=data.report.text if data.report else "-",
    )


def _alarms(args: argparse.Namespace, console: Console) -> int:
    with _context(console, existing_sqlite_url(args.db)) as context:
        organisation = _agency(context, args.organisation)
        fired = visits.tick_alarms(context, organisation.id)
        listed = visits.alarms(context, OPERATOR, organisation.id)
    if console.json:
        console.emit(
            {
                "organisation": organisation.id,
                "fired": [event.alarm_id for event in fired],
                "alarms": unstructure(listed),
            }
        )
        return 0
    fired_now = ngettext("{n} alarm(s) fired now", "{n} alarm(s) fired now", len(fired))
    console.print(
        f"{organisation.name}: "
        + fired_now.format(n=len(fired))
        + _(", {n} in all").format(n=len(listed))
    )
    for alarm in listed:
        console.print("  " + show_alarm(alarm, organisation))
    return 0


def show_alarm(alarm: Alarm, organisation: Organisation) -> str:
    """One alarm: who, when, and where it stands."""

    def at(moment: datetime) -> str:
        return organisation.local(moment).strftime("%Y-%m-%d %H:%M:%S")

    state = {
        "countdown": _("counting down until {time}").format(time=at(alarm.deadline)),
        "cancelled": _("cancelled at {time}").format(time=at(alarm.cancelled_at))
        if alarm.cancelled_at
        else "",
        "fired": _("fired at {time}").format(time=at(alarm.fired_at)) if alarm.fired_at else "",
    }[alarm.state.value]
    triggered = _("triggered {time}").format(time=at(alarm.triggered_at))
    return f"{alarm.id}  {alarm.caregiver_name}  {triggered}, {state}"
