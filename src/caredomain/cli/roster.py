"""``caredomain roster``: load a ward, list vacancies, find candidates, assign, close, swap
days, edit codes locally and list the edits the GTT has not confirmed.

The command line acts as an administrator of the store it opens (``--db``). The common
options (``--db``, ``-v``, ``-q``, and ``--json`` where a command lists) go after the
subcommand's word; ``--db`` is still accepted before it too.
"""

from __future__ import annotations

import argparse
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from caredomain.cli import roster_json
from caredomain.cli.commands import COMMANDS
from caredomain.cli.common import (
    OPERATOR,
    Console,
    context_of,
    existing_sqlite_url,
    read_file,
    sqlite_url,
)
from caredomain.cli.i18n import N_, _, ngettext, shown
from caredomain.cli.options import (
    Shared,
    add_group_options,
    date_argument,
    subcommand_maker,
    whole_number,
)
from caredomain.roster import (
    NOT_SENT_UPSTREAM,
    CandidateList,
    Post,
    Roster,
    RosterSettings,
    load_ward,
)
from caredomain.roster import services as roster_services
from caredomain.roster.availability import joined_reasons
from caredomain.roster.ports import roster_unit_of_work
from caredomain.services import ServiceContext

__all__ = ["add_parser", "open_context", "show_candidates", "show_post"]


def open_context(
    console: Console, db: str, *, create: bool = False
) -> AbstractContextManager[ServiceContext]:
    """A service context on the SQLite store at ``db``, plugins publishing its events. The
    file must exist unless ``create``: a mistyped ``--db`` is an error, not a new empty
    store."""
    return context_of(console, sqlite_url(db) if create else existing_sqlite_url(db))


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "roster", help=COMMANDS["roster"].help, description=COMMANDS["roster"].help
    )
    shared = Shared(db=True)
    add_group_options(parser, shared)
    commands = parser.add_subparsers(dest="roster_command", required=True, metavar="COMMAND")

    command = subcommand_maker(commands, shared)

    load = command("load", N_("save a ward file: agents, plannings, posts"))
    load.add_argument(
        "ward",
        help=N_(
            "the ward's TOML file: its agents, plannings and posts (the roster page of the "
            "documentation describes it; the demo's ward is an example)"
        ),
    )
    load.set_defaults(run=_load)

    vacant = command("vacancies", N_("vacant posts of published plannings"), json=True)
    vacant.add_argument(
        "--date", type=date_argument("--date"), help=N_("only this day (YYYY-MM-DD)")
    )
    vacant.add_argument(
        "--candidates",
        type=whole_number("--candidates"),
        default=3,
        help=N_("candidates shown per post (default 3; 0: none)"),
    )
    vacant.set_defaults(run=_vacancies)

    found = command("candidates", N_("who could take a post, best first"), json=True)
    found.add_argument("post", help=POST_HELP)
    found.add_argument(
        "--limit",
        type=whole_number("--limit"),
        default=10,
        help=N_("candidates shown (default 10)"),
    )
    found.add_argument(
        "--explain", action="store_true", help=N_("also why each other agent cannot")
    )
    found.set_defaults(run=_candidates)

    assign = command("assign", N_("post an agent"))
    assign.add_argument("post", help=POST_HELP)
    assign.add_argument("agent", help=AGENT_HELP)
    assign.set_defaults(run=_assign)

    close = command("close", N_("close a post's vacant positions"))
    close.add_argument("post", help=POST_HELP)
    close.set_defaults(run=_close)

    swap = command("swap", N_("two agents exchange their days (codes and posts)"))
    swap.add_argument("agent_a", metavar="AGENT_A", help=AGENT_HELP)
    swap.add_argument("agent_b", metavar="AGENT_B", help=N_("the other agent's id"))
    swap.add_argument(
        "days", nargs="+", type=date_argument("DAY"), metavar="DAY", help=N_("a day (YYYY-MM-DD)")
    )
    swap.set_defaults(run=_swap)

    publish = command("publish", N_("publish a draft planning"))
    publish.add_argument("planning", help=N_("the planning's id, as in the ward file"))
    publish.set_defaults(run=_publish)

    edit = command("edit", N_("change a code locally (not sent to the GTT)"))
    edit.add_argument("agent", help=AGENT_HELP)
    edit.add_argument(
        "day", type=date_argument("DAY"), metavar="DAY", help=N_("the day (YYYY-MM-DD)")
    )
    edit.add_argument("code", help=N_("a code of the ward's catalogue (J, M, S, N, RH, CA…)"))
    edit.set_defaults(run=_edit)

    pending = command("pending", N_("local edits the GTT has not confirmed"), json=True)
    pending.add_argument("--agent", help=N_("only this agent's edits"))
    pending.set_defaults(run=_pending)

    codes = command("codes", N_("an agent's codes with their provenance"), json=True)
    codes.add_argument("agent", help=AGENT_HELP)
    codes.add_argument("first", type=date_argument("FIRST"), metavar="FIRST", help=N_("first day"))
    codes.add_argument("last", type=date_argument("LAST"), metavar="LAST", help=N_("last day"))
    codes.set_defaults(run=_codes)


POST_HELP = N_("a post's id (`caredomain roster vacancies` lists the vacant ones)")
AGENT_HELP = N_("an agent's id, as in the ward file or the GTT export")


def roster_zone(context: ServiceContext) -> ZoneInfo:
    """The roster's wall clock, to show times on."""
    with roster_unit_of_work(context.store, write=False) as uow:
        return (uow.roster.settings() or RosterSettings()).zone


def show_post(post: Post, unit: str, zone: ZoneInfo) -> str:
    fill = shown(str(post.fill))
    return f"{post.id}  {unit}  {post.day.isoformat()} {post.shift_text(zone)}  {fill}"


def show_candidates(
    console: Console, found: CandidateList, indent: str = "  ", names: Roster | None = None
) -> None:
    """The candidates, best first, with their names when ``names`` knows them."""

    def name(agent: str) -> str:
        return f" {names.agent(agent).name}" if names and names.knows(agent) else ""

    if not found.candidates:
        console.print(indent + _("no candidate"))
    for number, candidate in enumerate(found.candidates, start=1):
        line = _("{number}. {agent}{name}: {summary}").format(
            number=number,
            agent=candidate.agent,
            name=name(candidate.agent),
            summary=shown(candidate.summary),
        )
        console.print(indent + line)
    for excluded in found.excluded or ():
        line = _("excluded {agent}{name}: {reasons}").format(
            agent=excluded.agent,
            name=name(excluded.agent),
            reasons=shown(joined_reasons(excluded.reasons)),
        )
        console.print(f"{indent}   {line}")


def _load(args: argparse.Namespace, console: Console) -> int:
    path = Path(args.ward)
    ward = load_ward(read_file(path), source=str(path))
    with open_context(console, args.db, create=True) as context:
        change = roster_services.set_up_ward(context, OPERATOR, ward, source=str(path))
    agents, plannings, posts = len(change.agents), len(change.plannings), len(change.posts)
    counts = (
        ngettext("{n} agents", "{n} agents", agents).format(n=agents),
        ngettext("{n} plannings", "{n} plannings", plannings).format(n=plannings),
        ngettext("{n} posts", "{n} posts", posts).format(n=posts),
    )
    console.print(_("loaded {path}: {counts}").format(path=path, counts=", ".join(counts)))
    return 0


def _vacancies(args: argparse.Namespace, console: Console) -> int:
    with open_context(console, args.db) as context:
        found = roster_services.vacancies(context, OPERATOR, args.date)
        if console.json:
            console.emit({"date": args.date, "vacancies": _vacancy_documents(context, args, found)})
            return 0
        if not found:
            if args.date:
                console.print(_("no vacant post on {day}").format(day=args.date.isoformat()))
            else:
                console.print(_("no vacant post"))
            return 0
        with roster_unit_of_work(context.store, write=False) as uow:
            roster = roster_services.load_roster(uow, first=args.date, last=args.date)
        for post in found:
            console.print(show_post(post, roster.unit_of(post), roster.settings.zone))
            if args.candidates > 0:
                best = roster_services.find_candidates(
                    context, OPERATOR, post.id, limit=args.candidates
                )
                show_candidates(console, best, "    ", roster)
    return 0


def _vacancy_documents(
    context: ServiceContext, args: argparse.Namespace, found: list[Post]
) -> list[dict[str, Any]]:
    with roster_unit_of_work(context.store, write=False) as uow:
        roster = roster_services.load_roster(uow, first=args.date, last=args.date)
    documents = []
    for post in found:
        document = roster_json.post(post, roster.unit_of(post), roster.settings.zone)
        if args.candidates > 0:
            best = roster_services.find_candidates(
                context, OPERATOR, post.id, limit=args.candidates
            )
            document.update(roster_json.candidate_list(best, roster))
        documents.append(document)
    return documents


def _candidates(args: argparse.Namespace, console: Console) -> int:
    with open_context(console, args.db) as context:
        found = roster_services.find_candidates(
            context, OPERATOR, args.post, limit=args.limit, explain=args.explain
        )
        with roster_unit_of_work(context.store, write=False) as uow:
            roster = roster_services.load_roster(uow, first=found.post.day, last=found.post.day)
    if console.json:
        post = roster_json.post(found.post, roster.unit_of(found.post), roster.settings.zone)
        console.emit({"post": post, **roster_json.candidate_list(found, roster)})
        return 0
    console.print(
        _("candidates for {post} ({fill}):").format(
            post=found.post.id, fill=shown(str(found.post.fill))
        )
    )
    show_candidates(console, found, "  ", roster)
    return 0


def _assign(args: argparse.Namespace, console: Console) -> int:
    with open_context(console, args.db) as context:
        events = roster_services.assign(context, OPERATOR, args.post, args.agent)
    console.print(_("{agent} assigned to {post}").format(agent=args.agent, post=args.post))
    _show(console, events)
    return 0


def _close(args: argparse.Namespace, console: Console) -> int:
    with open_context(console, args.db) as context:
        events = roster_services.close(context, OPERATOR, args.post)
    console.print(_("{post} closed").format(post=args.post))
    _show(console, events)
    return 0


def _swap(args: argparse.Namespace, console: Console) -> int:
    with open_context(console, args.db) as context:
        events = roster_services.swap(context, OPERATOR, args.agent_a, args.agent_b, args.days)
    days = ", ".join(day.isoformat() for day in args.days)
    console.print(_("{a} and {b} swapped {days}").format(a=args.agent_a, b=args.agent_b, days=days))
    _show(console, events)
    console.print(_("note: {text}").format(text=shown(NOT_SENT_UPSTREAM)))
    return 0


def _publish(args: argparse.Namespace, console: Console) -> int:
    with open_context(console, args.db) as context:
        roster_services.publish(context, OPERATOR, args.planning)
    console.print(_("{planning} published").format(planning=args.planning))
    return 0


def _edit(args: argparse.Namespace, console: Console) -> int:
    with open_context(console, args.db) as context:
        events = roster_services.edit_code_locally(
            context, OPERATOR, args.agent, args.day, args.code
        )
    if not events:
        console.print(
            _("{agent} already holds {code} on {day}").format(
                agent=args.agent, code=args.code, day=args.day.isoformat()
            )
        )
        return 0
    console.print(
        _("{agent} {day}: {code} (local edit)").format(
            agent=args.agent, code=args.code, day=args.day.isoformat()
        )
    )
    _show(console, events)
    console.print(_("note: {text}").format(text=shown(NOT_SENT_UPSTREAM)))
    return 0


def _pending(args: argparse.Namespace, console: Console) -> int:
    with open_context(console, args.db) as context:
        edits = roster_services.pending_local_edits(context, OPERATOR, args.agent)
        zone = roster_zone(context)
    if console.json:
        console.emit({"edits": [roster_json.local_edit(edit, zone) for edit in edits]})
        return 0
    if not edits:
        console.print(_("no local edit pending"))
        return 0
    console.print(_("local edits the GTT has not confirmed (the next feed may overwrite them):"))
    for edit in edits:
        at = edit.edited_at.astimezone(zone).isoformat(timespec="minutes")
        console.print("  " + _("{edit} at {time}").format(edit=shown(str(edit)), time=at))
    return 0


def _codes(args: argparse.Namespace, console: Console) -> int:
    with open_context(console, args.db) as context:
        codes = roster_services.day_codes(context, OPERATOR, args.agent, args.first, args.last)
        zone = roster_zone(context)
    if console.json:
        console.emit(
            {
                "agent": args.agent,
                "first": args.first,
                "last": args.last,
                "codes": [roster_json.day_code(code, zone) for code in codes],
            }
        )
        return 0
    for code in codes:
        if code.edit is not None:
            origin = _("local edit by {actor}, GTT says {code}").format(
                actor=code.edit.edited_by, code=code.gtt_code or "-"
            )
        else:
            assert code.extracted_at is not None
            extracted = code.extracted_at.astimezone(zone).isoformat(timespec="minutes")
            origin = _("GTT, extracted {time}").format(time=extracted)
        console.print(f"  {code.day.isoformat()}  {code.code:<5} {origin}")
    return 0


def _show(console: Console, events: list[Any]) -> None:
    for event in events:
        console.print("  " + _("event {kind}").format(kind=event.kind))
