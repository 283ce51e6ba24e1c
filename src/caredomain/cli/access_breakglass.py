"""``caredomain access breakglass …``: a break-glass console intervention, step by step
(seed 002): the written request, the paid SP ticket's quote, the customer's acceptance, the
scheduled window with the customer's person present, the actions taken in it, and the close
with the report sent to the customer."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from caredomain.access import ActorId
from caredomain.access import services as access
from caredomain.access.breakglass import (
    Acceptance,
    BreakGlass,
    BreakGlassId,
    Quote,
    Window,
    WrittenRequest,
)
from caredomain.access.sessions import SessionId
from caredomain.cli.access_common import acting, with_configuration
from caredomain.cli.common import Console, read_file
from caredomain.cli.i18n import N_, _
from caredomain.cli.options import ArgumentRefused, Shared, add_command_options, date_argument
from caredomain.errors import InvalidInput
from caredomain.organisation import ConfigurationId
from caredomain.serialization import unstructure
from caredomain.services import ServiceContext

__all__ = ["add_breakglass_parser", "show_breakglass"]


def _instant(option: str) -> Callable[[str], datetime]:
    def parse(text: str) -> datetime:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            expected = _("expected a date and time with its offset, as 2024-08-08T09:00+02:00")
            raise ArgumentRefused(InvalidInput(expected, field=option, text=text))
        return moment

    return parse


def _amount(text: str) -> Decimal:
    """An amount as a quote writes it: ``Decimal`` alone would take ``1e400`` or ``NaN``."""
    if not re.fullmatch(r"[0-9]{1,12}(\.[0-9]{1,2})?", text):
        raise ArgumentRefused(
            InvalidInput(_("expected an amount such as 450.00"), field="--amount", text=text)
        )
    return Decimal(text)


def add_breakglass_parser(
    commands: Any,
    made: Callable[..., argparse.ArgumentParser],
    acting_options: Callable[[argparse.ArgumentParser], None],
) -> None:
    group = made("breakglass", N_("break-glass console interventions, step by step"))
    steps = group.add_subparsers(dest="breakglass_command", required=True, metavar="STEP")

    def step(
        name: str, help: str, run: Callable[..., int], *, json: bool = False
    ) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = steps.add_parser(name, help=help)
        add_command_options(sub, Shared(db=True), json=json)
        acting_options(sub)
        sub.set_defaults(run=with_configuration(run))
        return sub

    request = step("request", N_("record the customer's written request"), _request)
    request.add_argument("--reference", required=True, help=N_("the written request's reference"))
    request.add_argument("--received", required=True, type=date_argument("--received"))

    quote = step("quote", N_("the paid SP ticket and its quote"), _quote)
    quote.add_argument("id", help=N_("the intervention's id"))
    quote.add_argument("--ticket", required=True, help=N_("the SP ticket's id"))
    quote.add_argument("--quote", required=True, help=N_("the quote's reference"))
    quote.add_argument("--amount", required=True, type=_amount)
    quote.add_argument("--currency", default="EUR")

    accept = step("accept", N_("the customer accepted the quote"), _accept)
    accept.add_argument("id", help=N_("the intervention's id"))
    accept.add_argument("--on", required=True, type=date_argument("--on"))
    accept.add_argument("--by", required=True, help=N_("who accepted it, for the customer"))

    schedule = step(
        "schedule", N_("plan the window, the person present, the technician"), _schedule
    )
    schedule.add_argument("id", help=N_("the intervention's id"))
    schedule.add_argument("--start", required=True, type=_instant("--start"))
    schedule.add_argument("--end", required=True, type=_instant("--end"))
    schedule.add_argument("--present", required=True, help=N_("the customer's person present"))
    schedule.add_argument(
        "--by-technician", required=True, help=N_("the technician who intervenes")
    )

    act = step("act", N_("journal an action taken in the window's console session"), _act)
    act.add_argument("--session", required=True, help=N_("the console session's id"))
    act.add_argument("--action", required=True, help=N_("what was done"))

    close = step("close", N_("close with the end-of-intervention report"), _close)
    close.add_argument("id", help=N_("the intervention's id"))
    close.add_argument("--report", required=True, help=N_("the report's file"))
    close.add_argument("--sent-to", required=True, help=N_("the customer address it was sent to"))

    step("list", N_("the configuration's interventions"), _list, json=True)


def show_breakglass(record: BreakGlass) -> str:
    window = "-"
    if record.window is not None:
        start = record.window.start.isoformat(timespec="minutes")
        window = f"{start} – {record.window.end.isoformat(timespec='minutes')}"
    ticket = record.quote.ticket if record.quote else "-"
    return _(
        "{id}  {state}  request {request}  ticket {ticket}  window {window}  actions {n}"
    ).format(
        id=record.id,
        state=record.state.value,
        request=record.request.reference,
        ticket=ticket,
        window=window,
        n=record.actions,
    )


def _request(
    args: argparse.Namespace, console: Console, context: ServiceContext, cid: ConfigurationId
) -> int:
    made = access.request_breakglass(
        context, acting(context, args, cid), cid, WrittenRequest(args.reference, args.received)
    )
    console.print(show_breakglass(made))
    return 0


def _quote(
    args: argparse.Namespace, console: Console, context: ServiceContext, cid: ConfigurationId
) -> int:
    quote = Quote(args.ticket, args.quote, args.amount, args.currency)
    done = access.quote_breakglass(
        context, acting(context, args, cid), cid, BreakGlassId(args.id), quote
    )
    console.print(show_breakglass(done))
    return 0


def _accept(
    args: argparse.Namespace, console: Console, context: ServiceContext, cid: ConfigurationId
) -> int:
    acceptance = Acceptance(args.on, args.by)
    done = access.accept_breakglass(
        context, acting(context, args, cid), cid, BreakGlassId(args.id), acceptance
    )
    console.print(show_breakglass(done))
    return 0


def _schedule(
    args: argparse.Namespace, console: Console, context: ServiceContext, cid: ConfigurationId
) -> int:
    done = access.schedule_breakglass(
        context,
        acting(context, args, cid),
        cid,
        BreakGlassId(args.id),
        Window(args.start, args.end),
        customer_present=args.present,
        technician=ActorId(args.by_technician),
    )
    console.print(show_breakglass(done))
    return 0


def _act(
    args: argparse.Namespace, console: Console, context: ServiceContext, cid: ConfigurationId
) -> int:
    done = access.act_in_window(
        context, acting(context, args, cid), cid, SessionId(args.session), args.action
    )
    console.print(show_breakglass(done))
    return 0


def _close(
    args: argparse.Namespace, console: Console, context: ServiceContext, cid: ConfigurationId
) -> int:
    raw = read_file(Path(args.report))
    try:
        report = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(_("the report is not UTF-8 text"), source=args.report) from None
    done = access.close_breakglass(
        context,
        acting(context, args, cid),
        cid,
        BreakGlassId(args.id),
        report=report,
        sent_to=args.sent_to,
    )
    console.print(show_breakglass(done))
    return 0


def _list(
    args: argparse.Namespace, console: Console, context: ServiceContext, cid: ConfigurationId
) -> int:
    found = access.breakglasses(context, acting(context, args, cid), cid)
    if console.json:
        console.emit([unstructure(r) for r in found])
        return 0
    for record in found:
        console.print(show_breakglass(record))
    if not found:
        console.print(_("no break-glass intervention"))
    return 0
