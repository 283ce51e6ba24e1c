"""The ``caredomain`` command. Each subcommand lives in its own module of this package."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from caredomain.__about__ import __version__
from caredomain.cli import demo, gtt, notify, plugins_command, roster, slots_command, visits
from caredomain.cli.common import Console
from caredomain.errors import CareDomainError

__all__ = ["main"]

_COMMANDS = (plugins_command, demo, slots_command, notify, roster, gtt, visits)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="caredomain",
        description="Daily operations of care organisations: rosters, appointments, "
        "notifications, pickups, home care.",
    )
    parser.add_argument("--version", action="version", version=f"caredomain {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in _COMMANDS:
        command.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failure, 2 bad input)."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    console = Console(out=sys.stdout, err=sys.stderr, environ=os.environ)
    try:
        status: int = args.run(args, console)
        sys.stdout.flush()  # here, where a closed pipe is caught, rather than at exit
    except CareDomainError as error:
        console.error(str(error))
        return 2
    except BrokenPipeError:
        # The reader went away (`caredomain … | head`): stop quietly, as a shell tool does.
        _discard_standard_output()
        return _CLOSED_PIPE
    return status


_CLOSED_PIPE = 141  # what a shell reports for a command ended by SIGPIPE (128 + 13)


def _discard_standard_output() -> None:
    """Point standard output at /dev/null, so that flushing it at exit raises nothing."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)
