"""The options every subcommand shares, defined once.

Each option is accepted after the last word of a subcommand (``caredomain gtt apply --db X
f.csv``). A command group (``gtt``, ``roster``…) also accepts its shared options before the
subcommand word, where scripts written for earlier versions give them
(``caredomain gtt --db X apply f.csv``). The group's copy carries the default; the
subcommand's copy has none (``argparse.SUPPRESS``), so that argparse, which copies every
value the subcommand's parser set over the group's, overwrites the group's value only with
one actually given after the subcommand.

Bad arguments are refused in one line with exit status 2, as bad input is everywhere else.

Help texts are marked with ``N_`` and translated by the parser's formatter when help is
shown, in the language chosen before the parser is built (see :mod:`caredomain.cli.i18n`).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from datetime import date
from typing import Any, NoReturn

from attrs import frozen

from caredomain.cli.common import DEFAULT_DB, parse_date
from caredomain.cli.i18n import LANGUAGES, N_, _, language
from caredomain.errors import InvalidInput

__all__ = [
    "ArgumentRefused",
    "Parser",
    "Shared",
    "add_command_options",
    "add_group_options",
    "add_language_option",
    "configure_logging",
    "date_argument",
    "subcommand_maker",
    "whole_number",
]

DB_HELP = N_(
    "the SQLite file of the store (default caredomain-demo.db, the file `caredomain demo` "
    "creates in the current directory), or a store URL such as postgresql://HOST/DATABASE"
)
ORGANISATION_HELP = N_("the organisation's id (default: the only organisation in the store)")
LANG_HELP = N_("the language of the texts: fr (the default) or en; see also CAREDOMAIN_LANG")


class Translated(argparse.HelpFormatter):
    """A help formatter that shows our help texts and descriptions in the chosen language
    (argparse's own headings, such as "usage:", stay as argparse writes them)."""

    def add_text(self, text: str | None) -> None:
        super().add_text(_(text) if text and text is not argparse.SUPPRESS else text)

    def _get_help_string(self, action: argparse.Action) -> str | None:
        return _(action.help) if action.help and action.help is not argparse.SUPPRESS else None


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, like every other bad input, and whose
    help is translated."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", Translated)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        hint = _("(`{prog} --help` lists the options)").format(prog=self.prog)
        self.exit(2, _("caredomain: error: {message}").format(message=message) + f" {hint}\n")


class ArgumentRefused(Exception):
    """An argument's value refused with our own message.

    Not a ValueError on purpose: argparse would catch it and say "invalid … value"."""

    def __init__(self, error: InvalidInput) -> None:
        super().__init__(str(error))
        self.error = error


def date_argument(option: str) -> Callable[[str], date]:
    """An argparse ``type`` for a date: the one parser and the one message of every command."""

    def parse(text: str) -> date:
        try:
            return parse_date(text)
        except InvalidInput as error:
            raise ArgumentRefused(error.located(field=option)) from None

    return parse


def whole_number(option: str, *, least: int = 0, most: int | None = None) -> Callable[[str], int]:
    """An argparse ``type`` for a whole number of at least ``least`` (and at most ``most``)."""

    def parse(text: str) -> int:
        if not text.isascii() or not text.isdigit() or int(text) < least:
            expected = _("expected a whole number of at least {least}").format(least=least)
            raise ArgumentRefused(InvalidInput(expected, field=option, text=text))
        if most is not None and int(text) > most:
            expected = _("expected a whole number from {low} to {high}").format(
                low=least, high=most
            )
            raise ArgumentRefused(InvalidInput(expected, field=option, text=text))
        return int(text)

    return parse


@frozen
class Shared:
    """The options a command group accepts before its subcommand word as well."""

    db: bool = True
    organisation: bool = False


def add_group_options(parser: argparse.ArgumentParser, shared: Shared) -> None:
    """The group's copy of its shared options, with their defaults."""
    _add(parser, shared, suppress=False)


def subcommand_maker(commands: Any, group: Shared) -> Callable[..., argparse.ArgumentParser]:
    """``command(name, help, json=False)``: a subcommand of a group's ``commands``, with the
    group's options after its last word (:func:`add_command_options`)."""

    def command(name: str, help: str, *, json: bool = False) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = commands.add_parser(name, help=help)
        add_command_options(sub, group, json=json)
        return sub

    return command


def add_command_options(
    parser: argparse.ArgumentParser,
    group: Shared | None,
    *,
    db: str | None = None,
    organisation: bool = False,
    json: bool = False,
) -> None:
    """A subcommand's options: its group's shared ones (without defaults: the group's hold
    unless given here), ``--organisation`` when it needs one organisation, ``--json`` when it
    lists or reports, ``-v``/``-q`` always. ``db`` is the help of ``--db``, if it takes one.
    For a command without a group (``demo``, ``plugins``), ``group`` is None."""
    if group is None:
        _add(parser, Shared(db=db is not None, organisation=organisation), suppress=False, db=db)
    else:
        _add(parser, group, suppress=True, db=db)
        if organisation and not group.organisation:
            parser.add_argument("--organisation", help=ORGANISATION_HELP)
    if json:
        parser.add_argument(
            "--json",
            action="store_true",
            help=N_(
                "print one JSON document on standard output instead of text "
                "(its keys are listed on the command-line page of the documentation)"
            ),
        )
    else:
        parser.set_defaults(json=False)


def _add(
    parser: argparse.ArgumentParser, shared: Shared, *, suppress: bool, db: str | None = None
) -> None:
    def default(value: Any) -> Any:
        return argparse.SUPPRESS if suppress else value

    if shared.db:
        parser.add_argument("--db", default=default(DEFAULT_DB), help=db or DB_HELP)
    if shared.organisation:
        parser.add_argument("--organisation", default=default(None), help=ORGANISATION_HELP)
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=default(0),
        help=N_("log what caredomain does on standard error (-vv: in detail)"),
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=default(False),
        help=N_("print only the result and the errors: no warnings, banners nor progress"),
    )
    add_language_option(parser, default=argparse.SUPPRESS)


def add_language_option(parser: argparse.ArgumentParser, *, default: Any) -> None:
    """``--lang``. Only the top parser's copy has a default (None): argparse copies every value
    a subcommand's parser sets over the top parser's, so the others must set none."""
    parser.add_argument(
        "--lang",
        type=_language,
        default=default,
        metavar="{" + ",".join(LANGUAGES) + "}",
        help=LANG_HELP,
    )


def _language(text: str) -> str:
    try:
        return language(text)
    except InvalidInput as error:
        raise ArgumentRefused(error) from None


def configure_logging(verbose: int, quiet: bool) -> None:
    """caredomain's loggers (the core's and its adapters') at INFO with ``-v``, DEBUG with
    ``-vv``, ERROR with ``-q``; other libraries' at WARNING, ERROR with ``-q``."""
    ours = logging.ERROR if quiet else (logging.WARNING, logging.INFO)[min(verbose, 1)]
    if verbose > 1 and not quiet:
        ours = logging.DEBUG
    others = logging.ERROR if quiet else logging.WARNING
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def shown(record: logging.LogRecord) -> bool:
        floor = ours if record.name.startswith("caredomain") else others
        return record.levelno >= floor

    handler.addFilter(shown)
    logging.basicConfig(level=min(ours, others), handlers=[handler])
