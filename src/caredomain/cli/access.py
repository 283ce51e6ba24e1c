"""``caredomain access``: configurations, their administrator, modes, break-glass
interventions and the audit journal (seed 002).

* ``access configure ID --name NAME [--base ID=NAME …] [--console-password]`` sets a
  configuration up with its bases (and its console password, read as every password is);
* ``access configurations [--check]`` lists them with their bases and administrator, and
  reports those without an administrator past the mandatory date (``--check``: exit 1 then);
* ``access designate USER --name NAME`` records the administrator the customer designated;
* ``access users`` / ``access add-user ID --name NAME --user ADMIN --session S``;
* ``access password --user ADMIN`` sets or changes the administrator's password;
* ``access enter administrator|console [--user ID] [--window BREAKGLASS]`` opens a session;
* ``access breakglass request|quote|accept|schedule|act|close|list`` (see
  :mod:`caredomain.cli.access_breakglass`);
* ``access audit [--verify [--head SEQUENCE:HASH]]``;
* ``access catalogue`` and ``access route``: the function catalogue and support call routing
  (:mod:`caredomain.cli.access_support`).

Who acts: ``--user ID``, a user of the configuration (its administrator, for what she
does), or else ``--technician ID``, one of the vendor's technicians serving this
configuration (``cli`` by default); ``configure`` and ``configurations`` run as the vendor's
operator, who serves every configuration. Passwords are never taken from the command line:
they are asked without echo, or read one a line from standard input with ``--stdin``.
The transition's dates are the seed's unless ``--transition-from`` and the like say
otherwise.
"""

from __future__ import annotations

import argparse
from typing import Any

from caredomain.access import services as access
from caredomain.access.audit import AuditHead
from caredomain.access.breakglass import BreakGlassId
from caredomain.access.configurations import User, UserId
from caredomain.access.modes import Mode
from caredomain.access.sessions import SessionId
from caredomain.cli.access_breakglass import add_breakglass_parser
from caredomain.cli.access_common import (
    OPERATOR,
    acting,
    add_acting_options,
    context_of,
    read_password,
    settings_of,
    with_configuration,
)
from caredomain.cli.access_support import add_support_parsers
from caredomain.cli.commands import COMMANDS
from caredomain.cli.common import Console, existing_sqlite_url, sqlite_url
from caredomain.cli.i18n import N_, _
from caredomain.cli.options import Shared, add_group_options, subcommand_maker
from caredomain.errors import InvalidInput
from caredomain.organisation import ConfigurationId, Organisation, OrganisationId
from caredomain.serialization import unstructure
from caredomain.services import ServiceContext

__all__ = ["add_parser"]


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "access", help=COMMANDS["access"].help, description=COMMANDS["access"].help
    )
    shared = Shared(db=True)
    add_group_options(parser, shared)
    commands = parser.add_subparsers(dest="access_command", required=True, metavar="COMMAND")
    made = subcommand_maker(commands, shared)

    def command(name: str, help: str, *, json: bool = False) -> argparse.ArgumentParser:
        sub = made(name, help, json=json)
        add_acting_options(sub)
        return sub

    configure = command("configure", N_("set a configuration up with its bases"))
    configure.add_argument("id", help=N_("the configuration's id"))
    configure.add_argument("--name", required=True, help=N_("the configuration's name"))
    configure.add_argument(
        "--base",
        action="append",
        default=[],
        metavar="ID=NAME",
        help=N_("a base (an organisation) of the configuration; repeat for each"),
    )
    configure.add_argument(
        "--console-password",
        action="store_true",
        help=N_("set the console password (asked, or read from standard input with --stdin)"),
    )
    configure.set_defaults(run=_configure)

    listing = command("configurations", N_("configurations, bases, administrators"), json=True)
    listing.add_argument(
        "--check",
        action="store_true",
        help=N_("exit with status 1 if a configuration lacks an administrator past the date"),
    )
    listing.set_defaults(run=_configurations)

    designate = command("designate", N_("record the administrator the customer designated"))
    designate.add_argument("administrator", metavar="USER", help=N_("her user id"))
    designate.add_argument("--name", required=True, help=N_("her full name"))
    designate.set_defaults(run=_designate)

    command("users", N_("the configuration's users, by name"), json=True).set_defaults(run=_users)

    add = command("add-user", N_("the administrator creates a user, in her session"))
    add.add_argument("id", help=N_("the new user's id"))
    add.add_argument("--name", required=True, help=N_("her full name"))
    add.add_argument(
        "--role", action="append", default=[], choices=["administrator", "manager", "agent"]
    )
    add.add_argument("--service", action="append", default=[], help=N_("a service she belongs to"))
    add.add_argument("--session", required=True, help=N_("the administrator's session id"))
    add.set_defaults(run=_add_user)

    password = command("password", N_("set or change the administrator's password"))
    password.set_defaults(run=_password)

    enter = command("enter", N_("enter a mode: a session, time-limited"))
    enter.add_argument("mode", choices=[m.value for m in Mode])
    enter.add_argument(
        "--window", help=N_("the break-glass intervention (console, after the transition)")
    )
    enter.set_defaults(run=_enter)

    audit = command("audit", N_("the audit journal, and its verification"), json=True)
    audit.add_argument("--verify", action="store_true", help=N_("verify the chain of hashes"))
    audit.add_argument("--head", help=N_("SEQUENCE:HASH printed by an earlier verification"))
    audit.set_defaults(run=_audit)

    add_breakglass_parser(commands, made, add_acting_options)
    add_support_parsers(commands)


# -- the subcommands ---------------------------------------------------------------------------


def _configure(args: argparse.Namespace, console: Console) -> int:
    bases = []
    for given in args.base:
        key, sep, name = given.partition("=")
        if not sep or not key.strip() or not name.strip():
            raise InvalidInput(_("expected ID=NAME"), field="--base", text=given)
        bases.append(Organisation(OrganisationId(key.strip()), name.strip()))
    password = read_password(args, _("Console password: ")) if args.console_password else None
    with context_of(console, sqlite_url(args.db)) as context:
        done = access.configure_configuration(
            context,
            OPERATOR,
            ConfigurationId(args.id),
            name=args.name,
            bases=bases,
            console_password=password,
            settings=settings_of(args),
        )
    console.print(_("configuration {id} ({name}) saved").format(id=done.id, name=done.name))
    return 0


def _configurations(args: argparse.Namespace, console: Console) -> int:
    settings = settings_of(args)
    with context_of(console, existing_sqlite_url(args.db)) as context:
        views = access.configurations_overview(context, OPERATOR, settings=settings)
    missing = [v for v in views if v.missing_administrator]
    if console.json:
        console.emit(
            [
                {
                    "id": v.configuration.id,
                    "name": v.configuration.name,
                    "bases": v.bases,
                    "administrator": v.configuration.administrator,
                    "administrator_name": v.administrator_name,
                    "designated_on": unstructure(v.configuration.designated_on),
                    "missing_administrator": v.missing_administrator,
                }
                for v in views
            ]
        )
    else:
        for v in views:
            bases = ", ".join(v.bases) or _("no base")
            who = v.administrator_name or _("no administrator")
            console.print(f"{v.configuration.id}  {v.configuration.name}  [{bases}]  {who}")
        day = settings.transition.mandatory_from.isoformat()
        for v in missing:
            console.warn(
                _("{id} has no administrator, mandatory since {day}").format(
                    id=v.configuration.id, day=day
                )
            )
    return 1 if args.check and missing else 0


@with_configuration
def _designate(
    args: argparse.Namespace, console: Console, context: ServiceContext, cid: ConfigurationId
) -> int:
    done = access.designate_administrator(
        context,
        acting(context, args, cid),
        cid,
        UserId(args.administrator),
        full_name=args.name,
        settings=settings_of(args),
    )
    console.print(
        _("{user} is the administrator of {id}").format(user=args.administrator, id=done.id)
    )
    return 0


@with_configuration
def _users(
    args: argparse.Namespace, console: Console, context: ServiceContext, cid: ConfigurationId
) -> int:
    found = access.users(context, acting(context, args, cid), cid)
    if console.json:
        console.emit([unstructure(u) for u in found])
        return 0
    for user in sorted(found, key=lambda u: u.full_name):
        roles = ", ".join(sorted(r.value for r in user.roles)) or "-"
        console.print(f"{user.full_name}  ({user.id}; {roles})")
    return 0


@with_configuration
def _add_user(
    args: argparse.Namespace, console: Console, context: ServiceContext, cid: ConfigurationId
) -> int:
    user = User(UserId(args.id), cid, args.name, frozenset(args.role), frozenset(args.service))
    made = access.add_user(
        context, acting(context, args, cid), cid, user, session=SessionId(args.session)
    )
    console.print(_("user {id} created: {name}").format(id=made.id, name=made.full_name))
    return 0


@with_configuration
def _password(
    args: argparse.Namespace, console: Console, context: ServiceContext, cid: ConfigurationId
) -> int:
    current = read_password(args, _("Current password (or the console password): "))
    new = read_password(args, _("New password: "))
    if not args.stdin and read_password(args, _("New password again: ")) != new:
        raise InvalidInput(_("the two new passwords differ"), field="new")
    actor = acting(context, args, cid)
    access.change_administrator_password(
        context, actor, cid, current=current, new=new, settings=settings_of(args)
    )
    console.print(_("the administrator's password of {id} is set").format(id=cid))
    return 0


@with_configuration
def _enter(
    args: argparse.Namespace, console: Console, context: ServiceContext, cid: ConfigurationId
) -> int:
    password = read_password(args, _("Password: "))
    window = BreakGlassId(args.window) if args.window else None
    session = access.enter(
        context,
        acting(context, args, cid),
        cid,
        Mode(args.mode),
        password,
        window=window,
        settings=settings_of(args),
    )
    console.print(
        _("session {id} in {mode} mode until {end}").format(
            id=session.id,
            mode=session.mode.value,
            end=session.expires_at.isoformat(timespec="seconds"),
        )
    )
    return 0


@with_configuration
def _audit(
    args: argparse.Namespace, console: Console, context: ServiceContext, cid: ConfigurationId
) -> int:
    actor = acting(context, args, cid)
    entries = access.audit_journal(context, actor, cid)
    head = AuditHead.parse(args.head, field="--head") if args.head else None
    checked = access.verify_audit(context, actor, cid, head=head) if args.verify or head else None
    if console.json:
        document: dict[str, Any] = {
            "configuration": cid,
            "entries": [unstructure(e) for e in entries],
        }
        if checked is not None:
            document["verification"] = {
                "ok": checked.ok,
                "count": checked.count,
                "head": str(checked.head) if checked.head else None,
                "problem": checked.problem.value if checked.problem else None,
                "sequence": checked.sequence,
            }
        console.emit(document)
    else:
        for e in entries:
            details = ", ".join(f"{k}={v}" for k, v in e.details)
            at = e.at.isoformat(timespec="seconds")
            console.print(f"{e.sequence:>4}  {at}  {e.kind.value}  {e.actor}  {details}")
        if checked is not None and checked.ok:
            console.print(
                _("verified: {n} entries, head {head}").format(
                    n=checked.count, head=checked.head or "-"
                )
            )
        elif checked is not None:
            console.error(_("verification failed: {reason}").format(reason=checked.reason or ""))
    if checked is not None and not checked.ok:
        return 1
    return 0
