"""``caredomain access catalogue`` and ``caredomain access route`` (seed 002).

* ``access catalogue [--release R] [--mode console|administrator]`` prints the function
  catalogue shipped with caredomain: each function, the releases it is available in, in
  console mode and in Administrator mode, and its label. With ``--mode``, only the functions
  available in that mode at ``--release`` (default: the catalogue's version); with
  ``--release`` alone, those available in either mode then.
* ``access route --caller administrator|other --function NAME …`` routes a support call
  (:func:`caredomain.access.routing.route_call`) and prints the outcome, why, and the
  ticket it opens. ``--administrator`` is the configuration's administrator: ``available``
  (the default), ``designated`` but not available, or ``none`` designated;
  ``--administrator-name`` puts her in copy; ``--manual`` says that the answer needs a
  manual intervention, ``--written`` that the request is written.

Neither reads a store: the catalogue is package data, and routing a call is a decision.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from caredomain.access.catalogue import Availability, Function, FunctionCatalogue, load_catalogue
from caredomain.access.modes import Mode
from caredomain.access.routing import (
    AdministratorStatus,
    Period,
    Routing,
    SupportCall,
    outcome_text,
    route_call,
)
from caredomain.access.tickets import Ticket, status_text
from caredomain.cli.common import Console
from caredomain.cli.i18n import N_, _, ngettext, shown
from caredomain.cli.options import ArgumentRefused, Shared, subcommand_maker
from caredomain.errors import InvalidInput

__all__ = ["add_support_parsers", "show_routing"]

RELEASE_HELP = N_("a release of the vendor's software, YYYY.MM (default: the catalogue's latest)")


def add_support_parsers(subparsers: Any) -> None:
    """``catalogue`` and ``route``, added to the ``access`` group's ``subparsers``."""
    command = subcommand_maker(subparsers, Shared(db=False))

    catalogue = command(
        "catalogue", N_("the function catalogue: console and Administrator modes"), json=True
    )
    catalogue.add_argument("--release", help=RELEASE_HELP)
    catalogue.add_argument(
        "--mode",
        choices=[mode.value for mode in Mode],
        help=N_("only the functions available in this mode at the release"),
    )
    catalogue.set_defaults(run=_catalogue)

    route = command("route", N_("route a support call: the outcome and its ticket"), json=True)
    route.add_argument(
        "--caller",
        required=True,
        choices=["administrator", "other"],
        help=N_("whether the caller is the configuration's administrator"),
    )
    route.add_argument(
        "--function", required=True, help=N_("the function asked about, as the catalogue names it")
    )
    route.add_argument("--release", help=RELEASE_HELP)
    route.add_argument(
        "--manual", action="store_true", help=N_("the answer needs a manual intervention")
    )
    route.add_argument(
        "--period",
        choices=[period.value for period in Period],
        default=Period.AFTER.value,
        help=N_("the transition period, or after it (the default)"),
    )
    route.add_argument(
        "--administrator",
        choices=[status.value for status in AdministratorStatus],
        default=AdministratorStatus.AVAILABLE.value,
        help=N_("the administrator: available (the default), designated but not available, none"),
    )
    route.add_argument(
        "--administrator-name", help=N_("the administrator's name, to put her in copy")
    )
    route.add_argument("--written", action="store_true", help=N_("the request is written"))
    route.add_argument("--caller-name", help=N_("the caller's name, for the ticket"))
    route.add_argument("--ticket", default="T-1", help=N_("the ticket's id (default T-1)"))
    route.add_argument(
        "--at",
        type=_moment,
        help=N_("the call's date and time, ISO 8601 with its offset (default: now)"),
    )
    route.set_defaults(run=_route)


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.utcoffset() is None:
        error = InvalidInput(
            _("expected a date and time with its offset (2024-05-15T09:30+02:00)"),
            field="--at",
            text=text,
        )
        raise ArgumentRefused(error)
    return moment


def _span(window: Availability | None) -> str:
    if window is None:
        return "-"
    return window.since if window.until is None else f"{window.since}-{window.until}"


def _catalogue(args: argparse.Namespace, console: Console) -> int:
    catalogue = load_catalogue()
    at = catalogue.known(args.release or catalogue.version)
    mode = Mode(args.mode) if args.mode else None
    if mode is not None:
        functions = catalogue.in_mode(mode, at)
    elif args.release:
        functions = [f for f in catalogue if any(f.available(m, at) for m in Mode)]
    else:
        functions = list(catalogue)
    if console.json:
        console.emit(
            {
                "version": catalogue.version,
                "release": at,
                "mode": mode,
                "functions": [_function_json(f) for f in functions],
            }
        )
        return 0
    console.info(_heading(catalogue, at, mode, len(functions), bool(args.release)))
    width = max((len(f.name) for f in functions), default=0)
    header = (_("FUNCTION"), _("CONSOLE"), _("ADMINISTRATOR"), _("LABEL"))
    console.print(f"{header[0]:<{width}}  {header[1]:<15}  {header[2]:<15}  {header[3]}")
    for function in functions:
        console.print(
            f"{function.name:<{width}}  {_span(function.console):<15}  "
            f"{_span(function.administrator):<15}  {function.label}"
        )
    return 0


def _heading(
    catalogue: FunctionCatalogue, at: str, mode: Mode | None, count: int, dated: bool
) -> str:
    functions = ngettext("{n} function", "{n} functions", count).format(n=count)
    if mode is Mode.CONSOLE:
        where = _("in console mode at {release}").format(release=at)
    elif mode is Mode.ADMINISTRATOR:
        where = _("in Administrator mode at {release}").format(release=at)
    elif dated:
        where = _("available at {release}").format(release=at)
    else:
        where = _("every release")
    return _("function catalogue {version}, {where}: {functions}").format(
        version=catalogue.version, where=where, functions=functions
    )


def _function_json(function: Function) -> dict[str, Any]:
    def window(availability: Availability | None) -> dict[str, str | None] | None:
        if availability is None:
            return None
        return {"since": availability.since, "until": availability.until}

    return {
        "name": function.name,
        "kind": function.kind,
        "label": function.label,
        "console": window(function.console),
        "administrator": window(function.administrator),
    }


def _route(args: argparse.Namespace, console: Console) -> int:
    catalogue = load_catalogue()
    call = SupportCall.about(
        catalogue,
        function=args.function,
        release=catalogue.known(args.release or catalogue.version),
        ticket_id=args.ticket,
        at=args.at or datetime.now(UTC),
        caller=args.caller_name or _("caller"),
        caller_is_administrator=args.caller == "administrator",
        manual=args.manual,
        period=args.period,
        administrator=args.administrator,
        administrator_name=args.administrator_name,
        written=args.written,
    )
    routing = route_call(call)
    if console.json:
        console.emit(
            {
                "outcome": routing.outcome,
                "reason": str(routing.reason),
                "creates": list(routing.creates),
                "next_step": routing.next_step,
                "in_administrator_mode": call.in_administrator_mode,
                "release": call.release,
                "ticket": _ticket_json(routing.ticket),
            }
        )
        return 0
    show_routing(console, routing)
    return 0


def show_routing(console: Console, routing: Routing) -> None:
    """The outcome, why, what comes next, and the ticket."""
    console.print(
        _("outcome: {outcome} ({what})").format(
            outcome=routing.outcome.value, what=shown(outcome_text(routing.outcome))
        )
    )
    console.print(_("why: {reason}").format(reason=shown(routing.reason)))
    if routing.creates:
        console.print(_("create first: {topics}").format(topics=" / ".join(routing.creates)))
    if routing.next_step:
        console.print(_("next: {step}").format(step=shown(routing.next_step)))
    ticket = routing.ticket
    console.print(
        _("ticket {id}: {level}, {status}").format(
            id=ticket.id, level=ticket.level.value, status=shown(status_text(ticket.status))
        )
    )
    console.print("  " + _("caller: {caller}").format(caller=ticket.caller))
    console.print(
        "  "
        + _("subject: {subject} / {sub_subject}").format(
            subject=ticket.subject, sub_subject=ticket.sub_subject
        )
    )
    console.print("  " + _("in copy: {people}").format(people=", ".join(ticket.copy) or "-"))
    if ticket.response:
        console.print("  " + _("response: {template}").format(template=ticket.response))
    for entry in ticket.history:
        console.print(f"  {entry.at.isoformat(timespec='minutes')}  {shown(entry.what)}")


def _ticket_json(ticket: Ticket) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "caller": ticket.caller,
        "subject": ticket.subject,
        "sub_subject": ticket.sub_subject,
        "level": ticket.level,
        "status": ticket.status,
        "copy": list(ticket.copy),
        "response": ticket.response,
        "history": [{"at": entry.at, "what": str(entry.what)} for entry in ticket.history],
    }
