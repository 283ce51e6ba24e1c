"""The ``caredomain`` command. Each subcommand lives in its own module of this package."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from caredomain.__about__ import __version__
from caredomain.cli import i18n
from caredomain.cli.commands import COMMANDS
from caredomain.cli.common import Console
from caredomain.cli.options import ArgumentRefused, Parser, add_language_option, configure_logging
from caredomain.errors import CareDomainError, InvalidInput

__all__ = ["main"]


def build_parser(chosen: str | None = None) -> argparse.ArgumentParser:
    """The parser, with the ``chosen`` subcommand's options; the others are listed only."""
    parser = Parser(
        prog="caredomain",
        description=i18n.N_(
            "Daily operations of care organisations: rosters, appointments, "
            "notifications, pickups, home care. Every command takes its options after its "
            "last word; `caredomain COMMAND --help` lists them."
        ),
    )
    parser.add_argument("--version", action="version", version=f"caredomain {__version__}")
    add_language_option(parser, default=None)
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, command in COMMANDS.items():
        if name == chosen:
            importlib.import_module(command.module).add_parser(subparsers)
        else:
            subparsers.add_parser(name, help=command.help, add_help=False)
    return parser


def _chosen(argv: Sequence[str]) -> str | None:
    """The subcommand named: the first word, since no option before it takes a value but
    ``--lang``."""
    words = iter(argv)
    for word in words:
        if word == "--lang":
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failure, 2 bad input)."""
    words = sys.argv[1:] if argv is None else argv
    console = Console(out=sys.stdout, err=sys.stderr, environ=os.environ)
    try:
        # Chosen before argparse reads the words, so that its help and errors are translated;
        # a language refused is refused in the default one.
        i18n.use(i18n.DEFAULT)
        i18n.use(i18n.choose(i18n.wanted(words), os.environ))
        args = build_parser(_chosen(words)).parse_args(words)
        i18n.use(i18n.choose(args.lang, os.environ))  # the same, unless `--lang` was abbreviated
    except ArgumentRefused as refused:
        console.error(str(refused.error))
        return 2
    except InvalidInput as error:
        console.error(str(error))
        return 2
    configure_logging(args.verbose, args.quiet)
    console = Console(
        out=sys.stdout, err=sys.stderr, environ=os.environ, quiet=args.quiet, json=args.json
    )
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
