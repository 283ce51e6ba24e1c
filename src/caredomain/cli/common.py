"""What the subcommands share: where they print, the environment, plugins and stores."""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from attrs import evolve, frozen

from caredomain.access import Actor, ActorId, Everywhere, Role
from caredomain.cli.i18n import _, shown
from caredomain.cli.progress import Progress
from caredomain.errors import InvalidInput
from caredomain.organisation import OrganisationId
from caredomain.plugins import Plugins, load_plugins
from caredomain.serialization import unstructure
from caredomain.services import ServiceContext

__all__ = [
    "DEFAULT_DB",
    "FIRST_DAY",
    "LAST_DAY",
    "OPERATOR",
    "Console",
    "choose_organisation",
    "existing_sqlite_url",
    "is_store_url",
    "one_line",
    "operator",
    "parse_date",
    "read_file",
    "sqlite_url",
]

log = logging.getLogger("caredomain.cli")

# Every command works on the demo's store unless told otherwise, so that after
# `caredomain demo` the other commands work at once.
DEFAULT_DB = "caredomain-demo.db"

OPERATOR = Actor(
    ActorId("cli"),
    {Role.ADMINISTRATOR},
    name="Command line",
    configuration=Everywhere("whoever runs the command line holds the store: its file or URL"),
)
"""Who the commands act as: the operator of the store, in every configuration of it."""


def operator(name: str | None) -> Actor:
    """:data:`OPERATOR`, or the operator under the name given (``--by``)."""
    return OPERATOR if not name else evolve(OPERATOR, id=ActorId(name), name=name)


@frozen
class Console:
    """Where a command prints. ``quiet`` (``-q``) keeps only the result and the errors;
    ``json`` (``--json``) makes the result one JSON document, and nothing else goes to
    standard output."""

    out: TextIO
    err: TextIO
    environ: Mapping[str, str]
    quiet: bool = False
    json: bool = False

    def print(self, text: str = "") -> None:
        """A line of the command's result, as text (translated if the core built it)."""
        print(shown(text), file=self.out)

    def info(self, text: str = "") -> None:
        """A line that is not the result (a banner, what is about to happen): shown unless
        ``-q`` or ``--json``."""
        if not (self.quiet or self.json):
            print(shown(text), file=self.out)

    def emit(self, document: Any, *, one_line: bool = False) -> None:
        """The result as one JSON document, what JSON cannot hold as it is written by the one
        converter (:func:`caredomain.serialization.unstructure`: datetimes ISO 8601 with
        their offset, enums by value, sets as sorted lists, durations in seconds);
        ``one_line`` for a stream of documents, one a line (JSON Lines)."""
        indent = None if one_line else 2
        json.dump(document, self.out, ensure_ascii=False, indent=indent, default=unstructure)
        print(file=self.out, flush=one_line)

    def error(self, text: str) -> None:
        message = one_line(shown(text))
        print(_("caredomain: error: {message}").format(message=message), file=self.err)

    def warn(self, text: str) -> None:
        if not self.quiet:
            message = one_line(shown(text))
            print(_("caredomain: warning: {message}").format(message=message), file=self.err)

    def progress(self) -> Progress:
        """A progress line on standard error, drawn only when it is a terminal and neither
        ``-q`` nor ``--json`` was given."""
        return Progress(self.err, enabled=not (self.quiet or self.json) and self.err.isatty())

    def plugins(self) -> Plugins:
        """Load the plugins, reporting each that failed on stderr."""
        plugins = load_plugins(self.environ)
        log.info("plugins loaded: %s", ", ".join(plugins.names) or "none")
        for info in plugins.describe():
            log.debug("plugin %s (%s): %s", info.name, info.module, ", ".join(info.hooks))
        for failure in plugins.failures:
            self.warn(_("plugin not loaded: {failure}").format(failure=shown(str(failure))))
        return plugins


def one_line(text: str) -> str:
    """``text`` with each control character escaped (``\\n``, ``\\x1b``): an id given on the
    command line and echoed in an error can neither forge a line nor drive the terminal."""
    if text.isprintable():
        return text
    return "".join(repr(c)[1:-1] if unicodedata.category(c) == "Cc" else c for c in text)


def read_file(path: str | Path) -> bytes:
    """A file's bytes, for a loader that decodes them and names the file in its errors;
    a file that cannot be read is InvalidInput naming it."""
    try:
        return Path(path).read_bytes()
    except OSError as error:
        reason = _("cannot read: {reason}").format(reason=error.strerror)
        raise InvalidInput(reason, source=str(path)) from None


def sqlite_url(path: str | Path) -> str:
    """The URL of the SQLite store at ``path`` (``sqlite:////abs/path.db``); a store URL
    (``postgresql://…``) as it is."""
    if is_store_url(str(path)):
        return str(path)
    return f"sqlite:///{Path(path).resolve()}"


FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)
"""The days a command takes: the commands count days and months around the one given, which
Python's dates cannot do near years 1 and 9999."""


def parse_date(text: str) -> date:
    """An ISO date given on the command line, from :data:`FIRST_DAY` to :data:`LAST_DAY`."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(_("expected a date as YYYY-MM-DD"), text=text) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        expected = _("expected a date from {first} to {last}")
        raise InvalidInput(expected.format(first=FIRST_DAY, last=LAST_DAY), text=text)
    return day


def is_store_url(text: str) -> bool:
    """Whether ``text`` is a URL (``scheme://…``) rather than a file path."""
    return re.match(r"[A-Za-z][A-Za-z0-9+.-]+://", text) is not None


def existing_sqlite_url(path: str | Path, *, option: str = "--db") -> str:
    """The URL of an existing SQLite file; a missing one is an error, not a new empty store.
    A store URL (``postgresql://…``) is taken as it is: its plugin opens it."""
    if is_store_url(str(path)):
        return str(path)
    if not Path(path).is_file():
        raise InvalidInput(
            _("no such store file (run `caredomain demo` to create one)"),
            field=option,
            text=str(path),
        )
    return sqlite_url(path)


def choose_organisation(
    ids: Sequence[str],
    wanted: str | None,
    *,
    option: str = "--organisation",
    holding: Sequence[str] = (),
) -> OrganisationId:
    """``wanted`` if the store holds it; by default, the only organisation ``holding`` this
    command's module (a town hall's slots, a daycare's pickups), else the store's only one."""
    if wanted is None and len(holding) == 1:
        return OrganisationId(holding[0])
    known = ", ".join(ids) or _("none")
    if wanted is not None:
        if wanted not in ids:
            refused = _("no such organisation; the store holds: {known}").format(known=known)
            raise InvalidInput(refused, field=option, text=wanted)
        return OrganisationId(wanted)
    if len(ids) != 1:
        if ids:
            many = _("the store holds several organisations; choose with {option} (known: {known})")
        else:
            many = _("the store holds no organisation; choose with {option} (known: {known})")
        raise InvalidInput(many.format(option=option, known=known))
    return OrganisationId(ids[0])


@contextmanager
def context_of(console: Console, url: str) -> Iterator[ServiceContext]:
    """A service context on the store at ``url`` (opened by the plugins), publishing its
    events to them; the store is closed at the end of the block."""
    plugins = console.plugins()
    store = plugins.open_store(url)
    try:
        yield ServiceContext(store=store, publish=plugins.publish)
    finally:
        store.close()


def key_values(items: Sequence[str], option: str = "--set") -> dict[str, str]:
    """The settings given as ``KEY=VALUE``, each once or more (the last one counts)."""
    values: dict[str, str] = {}
    for item in items:
        key, equals, value = item.partition("=")
        if not equals or not key.strip():
            raise InvalidInput(_("expected KEY=VALUE"), field=option, text=item)
        values[key.strip()] = value
    return values
