"""What the ``caredomain access`` subcommands share: who acts, which configuration, the
deployment's dates, the store, and how a password is read (never from the command line)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable

from caredomain.access import Actor, ActorId, Everywhere, Role
from caredomain.access import services as access
from caredomain.access.configurations import UserId
from caredomain.access.ports import access_unit_of_work
from caredomain.access.transition import Transition
from caredomain.cli.common import Console, context_of, existing_sqlite_url
from caredomain.cli.i18n import N_, _
from caredomain.cli.options import date_argument
from caredomain.errors import InvalidInput
from caredomain.organisation import ConfigurationId
from caredomain.secret import Secret
from caredomain.services import ServiceContext

__all__ = [
    "OPERATOR",
    "acting",
    "add_acting_options",
    "chosen_configuration",
    "context_of",
    "read_password",
    "settings_of",
    "with_configuration",
]

OPERATOR = Actor(
    ActorId("cli"),
    {Role.TECHNICIAN},
    name="Command line",
    configuration=Everywhere("the command line holds the store file, as the vendor's operator"),
)


def add_acting_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--configuration", help=N_("the configuration (default: the only one)"))
    parser.add_argument("--user", help=N_("act as this user of the configuration"))
    parser.add_argument(
        "--technician", default="cli", help=N_("act as this technician of the vendor (default cli)")
    )
    parser.add_argument(
        "--stdin", action="store_true", help=N_("read passwords from standard input, one a line")
    )
    for option in (
        "--designation-from",
        "--transition-from",
        "--transition-until",
        "--mandatory-from",
    ):
        parser.add_argument(
            option, type=date_argument(option), help=N_("a date of the transition (YYYY-MM-DD)")
        )


def settings_of(args: argparse.Namespace) -> access.AccessSettings:
    given = {
        name: getattr(args, name)
        for name in ("designation_from", "transition_from", "transition_until", "mandatory_from")
        if getattr(args, name, None) is not None
    }
    return access.AccessSettings(transition=Transition(**given))


def chosen_configuration(context: ServiceContext, wanted: str | None) -> ConfigurationId:
    with access_unit_of_work(context.store, write=False) as uow:
        known = [c.id for c in uow.access.configurations()]
    if wanted is not None:
        return ConfigurationId(wanted)
    if len(known) != 1:
        listed = ", ".join(known) or _("none")
        raise InvalidInput(
            _("choose a configuration with --configuration (known: {known})").format(known=listed)
        )
    return known[0]


def acting(
    context: ServiceContext, args: argparse.Namespace, configuration: ConfigurationId
) -> Actor:
    """The user ``--user`` names, or the technician ``--technician`` names, in scope."""
    if args.user:
        with access_unit_of_work(context.store, write=False) as uow:
            return uow.access.user(configuration, UserId(args.user)).actor()
    return Actor(ActorId(args.technician), {Role.TECHNICIAN}, configuration=configuration)


def read_password(args: argparse.Namespace, prompt: str) -> Secret:
    """One password: a line of standard input with ``--stdin``, else asked without echo."""
    if args.stdin:
        line = sys.stdin.readline()
        if not line:
            raise InvalidInput(_("standard input ended before the password"), field="--stdin")
        return Secret(line.rstrip("\r\n"))
    if not _terminal():  # getpass would read standard input, echoed, after two warnings
        refused = _("no terminal to ask the password on; give it on standard input with --stdin")
        raise InvalidInput(refused)
    try:
        return Secret(getpass.getpass(prompt))
    except EOFError:  # Ctrl-D at the prompt
        raise InvalidInput(_("standard input ended before the password")) from None


def _terminal() -> bool:
    """Whether the process has a terminal to ask on, as :func:`getpass.getpass` looks for it."""
    if os.name != "posix":
        return True
    try:
        descriptor = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return False
    os.close(descriptor)
    return True


def with_configuration(
    run: Callable[[argparse.Namespace, Console, ServiceContext, ConfigurationId], int],
) -> Callable[[argparse.Namespace, Console], int]:
    def command(args: argparse.Namespace, console: Console) -> int:
        with context_of(console, existing_sqlite_url(args.db)) as context:
            return run(args, console, context, chosen_configuration(context, args.configuration))

    return command
