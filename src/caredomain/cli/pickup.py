"""``caredomain pickup``: daycare pickups with HopHop (seed 001), the operator's side.

* ``pickup load DAYCARE.toml`` saves a daycare file (the pickups page of the documentation
  describes it): the organisation, its installations, groups, parents and children;
* ``pickup link INSTALLATION --email E --password-env VAR [--create]`` links an
  installation's HopHop account ("Activer"): green, or red with why;
* ``pickup sync`` sends each linked account what changed ("Synchroniser les données");
* ``pickup alerts --installation I [--group G]`` lists the alerts a tablet shows;
* ``pickup call|ready|depart PICKUP`` are the taps Appeler, Prêt (HopHop tells the parent)
  and Départ;
* ``pickup approve CHILD`` accepts the photo changes waiting on a child's file;
* ``pickup activations --installation I`` lists the children white or orange, and who is
  missing;
* ``pickup tick`` makes the alerts now due ring and the stale pickups expire;
* ``pickup serve`` receives HopHop's webhooks (uvicorn) and ticks every few seconds.

The tablet's subcommands are in :mod:`caredomain.cli.pickup_tablet`, ``tick`` and ``serve``
in :mod:`caredomain.cli.pickup_serve`, what they share in :mod:`caredomain.cli.pickup_common`.

The commands that talk to HopHop (``link``, ``sync``, ``ready``, ``serve``) build the
platform a plugin offers (``--platform``, default ``hophop``) from its settings: the
``[hophop]`` table of ``--settings FILE`` and ``--set KEY=VALUE`` (``url``, ``token_env``,
``webhook_secret_env``…, as the HopHop page of the documentation lists them).

The command line acts as an administrator of the store it opens (``--db``); times are shown
on the daycare's wall clock.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from caredomain.cli.commands import COMMANDS
from caredomain.cli.common import OPERATOR, Console, existing_sqlite_url, read_file, sqlite_url
from caredomain.cli.i18n import N_, _, ngettext
from caredomain.cli.options import Shared, add_group_options, subcommand_maker, whole_number
from caredomain.cli.pickup_common import (
    close_platform,
    context_of,
    daycare_of,
    platform_of,
    platform_options,
)
from caredomain.cli.pickup_serve import TICK_SECONDS, run_serve, run_tick
from caredomain.cli.pickup_tablet import run_activations, run_alerts, run_approve, run_tap
from caredomain.errors import InvalidInput
from caredomain.pickup.daycare import Daycare, load_daycare
from caredomain.pickup.model import AccountSettings, InstallationId
from caredomain.pickup.services import (
    SyncReport,
    hophop_accounts,
    link_account,
    set_up_daycare,
    sync_hophop,
)
from caredomain.secret import Secret
from caredomain.services import configure_organisation

__all__ = ["add_parser", "daycare_counts", "show_sync"]


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "pickup", help=COMMANDS["pickup"].help, description=COMMANDS["pickup"].help
    )
    shared = Shared(db=True, organisation=True)
    add_group_options(parser, shared)
    commands = parser.add_subparsers(dest="pickup_command", required=True, metavar="COMMAND")
    command = subcommand_maker(commands, shared)

    load = command("load", N_("save a daycare file: installations, groups, parents, children"))
    load.add_argument(
        "daycare",
        help=N_(
            "the daycare's TOML file: its installations with their HopHop accounts, groups, "
            "parents and children (the pickups page of the documentation describes it)"
        ),
    )
    load.set_defaults(run=_load)

    link = command("link", N_("link an installation to its HopHop account"))
    link.add_argument("installation", help=N_("the installation's id"))
    link.add_argument(
        "--email",
        help=N_("the account's e-mail (default: the one the daycare file gives, with --daycare)"),
    )
    link.add_argument(
        "--password-env",
        required=True,
        metavar="VAR",
        help=N_("the environment variable holding the account's password"),
    )
    link.add_argument(
        "--create", action="store_true", help=N_("create the account rather than link one")
    )
    link.add_argument(
        "--daycare",
        metavar="FILE",
        help=N_("the daycare file whose installation gives the e-mail and the settings"),
    )
    platform_options(link)
    link.set_defaults(run=_link)

    accounts = command(
        "accounts", N_("each installation's HopHop account: green, or red and why"), json=True
    )
    accounts.set_defaults(run=_accounts)

    sync = command("sync", N_("send each linked HopHop account what changed"), json=True)
    platform_options(sync)
    sync.set_defaults(run=_sync)

    alerts = command("alerts", N_("the alerts a tablet shows"), json=True)
    alerts.add_argument("--installation", required=True, help=N_("the installation's id"))
    alerts.add_argument("--group", help=N_("only this group's alerts: its id"))
    alerts.set_defaults(run=run_alerts)

    for name, help, tap in (
        ("call", N_("Appeler: start preparing the child"), "call"),
        ("ready", N_("Prêt: the child is ready; HopHop tells the parent"), "ready"),
        ("depart", N_("Départ: the child left"), "depart"),
    ):
        sub = command(name, help)
        sub.add_argument("pickup", help=N_("the pickup's id, as `pickup alerts` lists it"))
        sub.add_argument(
            "--by",
            metavar="NAME",
            help=N_("who taps, kept in the journal (who released which child); default cli"),
        )
        if tap == "ready":
            platform_options(sub)
        sub.set_defaults(run=run_tap, tap=tap)

    approve = command("approve", N_("accept the photo changes waiting on a child's file"))
    approve.add_argument("child", help=N_("the child's id"))
    approve.set_defaults(run=run_approve)

    listed = command(
        "activations", N_("the children white or orange, and the parents missing"), json=True
    )
    listed.add_argument("--installation", required=True, help=N_("the installation's id"))
    listed.set_defaults(run=run_activations)

    tick = command("tick", N_("ring the alerts now due, expire the stale pickups"), json=True)
    tick.set_defaults(run=run_tick)

    serve = command("serve", N_("receive HopHop's webhooks, and tick every few seconds"))
    serve.add_argument(
        "--host", default="127.0.0.1", help=N_("the address to listen on (default 127.0.0.1)")
    )
    serve.add_argument(
        "--port",
        type=whole_number("--port", least=0, most=65535),
        default=8000,
        help=N_("the port to listen on (default 8000)"),
    )
    serve.add_argument(
        "--every",
        type=whole_number("--every", least=1),
        default=TICK_SECONDS,
        metavar="SECONDS",
        help=N_("seconds between two ticks (default 5)"),
    )
    platform_options(serve)
    serve.set_defaults(run=run_serve)


# -- the subcommands ---------------------------------------------------------------------------


def daycare_counts(daycare: Daycare) -> str:
    """``2 installation(s), 3 group(s), 4 child(ren), 5 parent(s)``."""
    installations, groups = len(daycare.installations), len(daycare.groups)
    children, parents = len(daycare.children), len(daycare.parents)
    return ", ".join(
        (
            ngettext("{n} installation(s)", "{n} installation(s)", installations).format(
                n=installations
            ),
            ngettext("{n} group(s)", "{n} group(s)", groups).format(n=groups),
            ngettext("{n} child(ren)", "{n} child(ren)", children).format(n=children),
            ngettext("{n} parent(s)", "{n} parent(s)", parents).format(n=parents),
        )
    )


def _load(args: argparse.Namespace, console: Console) -> int:
    path = Path(args.daycare)
    daycare = load_daycare(read_file(path), source=str(path))
    with context_of(console, sqlite_url(args.db)) as context:
        configure_organisation(context, OPERATOR, daycare.organisation)
        set_up_daycare(
            context,
            OPERATOR,
            daycare.organisation.id,
            installations=daycare.installations,
            groups=daycare.groups,
            children=daycare.children,
            parents=daycare.parents,
        )
    organisation = daycare.organisation
    console.print(f"{organisation.name} ({organisation.id}): {daycare_counts(daycare)}")
    return 0


def _link(args: argparse.Namespace, console: Console) -> int:
    email: str | None = args.email
    settings: AccountSettings | None = None
    if args.daycare:
        held = load_daycare(read_file(args.daycare), source=args.daycare).account(args.installation)
        if held is None:
            refused = _("the daycare file names no HopHop account for this installation")
            raise InvalidInput(refused, source=args.daycare, text=args.installation)
        email, settings = email or held.email, held.settings
    if email is None:
        raise InvalidInput(_("give the account's e-mail, or the daycare file"), field="--email")
    password = console.environ.get(args.password_env, "")
    if not password:
        raise InvalidInput(
            _("the environment variable is not set"), field="--password-env", text=args.password_env
        )
    platform = platform_of(console, args)
    try:
        with context_of(console, existing_sqlite_url(args.db)) as context:
            organisation = daycare_of(context, args.organisation)
            account = link_account(
                context,
                OPERATOR,
                organisation.id,
                InstallationId(args.installation),
                email=email,
                password=Secret(password),
                platform=platform,
                create=args.create,
                settings=settings,
            )
    finally:
        close_platform(platform)
    if account.problem is None:
        console.print(
            _("{installation}: {email} linked (green)").format(
                installation=account.installation, email=account.email
            )
        )
        return 0
    console.print(
        _("{installation}: {email} not linked (red): {problem}").format(
            installation=account.installation, email=account.email, problem=account.problem.value
        )
    )
    return 1


def _accounts(args: argparse.Namespace, console: Console) -> int:
    with context_of(console, existing_sqlite_url(args.db)) as context:
        organisation = daycare_of(context, args.organisation)
        listed = hophop_accounts(context, OPERATOR, organisation.id)
    if console.json:
        console.emit(
            {
                "organisation": organisation.id,
                "accounts": [
                    {
                        "installation": installation.id,
                        "display_name": installation.display_name,
                        "email": account.email if account else None,
                        "link": account.link.value if account else None,
                        "problem": account.problem.value if account and account.problem else None,
                    }
                    for installation, account in listed
                ],
            }
        )
        return 0
    console.print(_("{organisation}: HopHop accounts").format(organisation=organisation.name))
    for installation, account in listed:
        if account is None:
            line = _("{installation}: no account linked yet")
        elif account.problem is None:
            line = _("{installation}: {email} green")
        else:
            line = _("{installation}: {email} red ({problem})")
        console.print(
            "  "
            + line.format(
                installation=installation.id,
                email=account.email if account else "",
                problem=account.problem.value if account and account.problem else "",
            )
        )
    return 0


def show_sync(report: SyncReport) -> list[str]:
    """One line an installation: what was sent, or why it was skipped."""
    lines = []
    for installation, change in sorted(report.pushed.items()):
        lines.append(
            _("{installation}: {added} added, {changed} changed, {removed} removed").format(
                installation=installation,
                added=len(change.added),
                changed=len(change.changed),
                removed=len(change.removed),
            )
        )
    for installation, problem in sorted(report.skipped.items()):
        lines.append(
            _("{installation}: skipped, the link is red ({problem})").format(
                installation=installation, problem=problem.value
            )
        )
    return lines


def _sync(args: argparse.Namespace, console: Console) -> int:
    platform = platform_of(console, args)
    try:
        with context_of(console, existing_sqlite_url(args.db)) as context:
            organisation = daycare_of(context, args.organisation)
            report = sync_hophop(context, OPERATOR, organisation.id, platform)
    finally:
        close_platform(platform)
    if console.json:
        console.emit(
            {
                "organisation": organisation.id,
                "pushed": {
                    installation: {
                        "added": [record.reference for record in change.added],
                        "changed": [record.reference for record in change.changed],
                        "removed": list(change.removed),
                    }
                    for installation, change in sorted(report.pushed.items())
                },
                "skipped": {i: p.value for i, p in sorted(report.skipped.items())},
            }
        )
        return 0
    console.print(_("{organisation}: sync with HopHop").format(organisation=organisation.name))
    for line in show_sync(report):
        console.print("  " + line)
    return 0
