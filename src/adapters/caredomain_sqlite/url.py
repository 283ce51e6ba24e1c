"""SQLite store URLs, written the way SQLAlchemy writes them.

* ``sqlite:///relative/path.db`` — three slashes, a path relative to the working directory;
* ``sqlite:////absolute/path.db`` — four slashes, an absolute path;
* ``sqlite:///:memory:`` (or ``sqlite://``) — a private in-memory database.

The query may set ``timeout``, the seconds a unit of work waits for another writer before
it gives up with :class:`~caredomain.errors.Conflict` (5 by default): ``?timeout=0.5``; and
``cache_mib``, the most memory SQLite's page cache may take (64 MiB by default, taken only
as pages are read): ``?timeout=0.5&cache_mib=8``; and ``synchronous``, when a commit
waits for the disk: ``full`` (the default) syncs the write-ahead log at every commit, so
that a committed transaction survives a power cut; ``normal`` syncs it at checkpoints
only — a commit then costs no disk sync (about 4 ms less on a virtual disk), the file is
never corrupted and survives the process being killed, but the last transactions
committed before a power cut or an operating-system crash may be lost.
The path is percent-decoded, so that :func:`sqlite_url` can write any file name.
"""

from __future__ import annotations

import math
import os
from pathlib import PurePath
from typing import Any
from urllib.parse import parse_qsl, quote, unquote

from attrs import Attribute, field, frozen

from caredomain.errors import InvalidInput
from caredomain.text import Text

__all__ = [
    "DEFAULT_CACHE_MIB",
    "DEFAULT_TIMEOUT",
    "MEMORY",
    "SqliteLocation",
    "is_sqlite_url",
    "sqlite_url",
]

SCHEME = "sqlite"
MEMORY = ":memory:"
DEFAULT_TIMEOUT = 5.0
DEFAULT_CACHE_MIB = 64
"""SQLite's own default (2 MiB) sends a hospital group's roster (tens of MiB) back to the
file for pages it has just read: a feed batch then runs about a third slower."""
SYNCHRONOUS = ("full", "normal")
_KNOWN_PARAMETERS = frozenset({"timeout", "cache_mib", "synchronous"})


def _named(instance: SqliteLocation, attribute: Attribute[str], path: str) -> None:
    if not path:
        raise InvalidInput(Text("names no database file"), field="path", text=path)
    if "\x00" in path:
        raise InvalidInput(Text("a file name cannot hold a NUL character"), field="path", text=path)


def _seconds(instance: SqliteLocation, attribute: Attribute[float], timeout: float) -> None:
    if not (math.isfinite(timeout) and timeout >= 0):
        raise InvalidInput(
            Text("must be a number of seconds, zero or more"), field="timeout", text=str(timeout)
        )


def _mebibytes(instance: SqliteLocation, attribute: Attribute[int], size: int) -> None:
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 65536:
        raise InvalidInput(
            Text("must be a whole number of MiB, 1 to 65536"), field="cache_mib", text=str(size)
        )


def _synchronous(instance: SqliteLocation, attribute: Attribute[str], mode: str) -> None:
    if mode not in SYNCHRONOUS:
        raise InvalidInput(Text("must be full or normal"), field="synchronous", text=str(mode))


@frozen
class SqliteLocation:
    """Where a SQLite store lives: a file path (or ``:memory:``), its busy timeout, the
    size of its page cache and when a commit waits for the disk."""

    path: str = field(validator=_named)
    timeout: float = field(default=DEFAULT_TIMEOUT, validator=_seconds)
    cache_mib: int = field(default=DEFAULT_CACHE_MIB, validator=_mebibytes)
    synchronous: str = field(default="full", validator=_synchronous)

    @property
    def in_memory(self) -> bool:
        return self.path == MEMORY

    @classmethod
    def parse(cls, url: str) -> SqliteLocation:
        """The location a ``sqlite://`` URL names, or InvalidInput naming the URL."""
        if not is_sqlite_url(url):
            raise InvalidInput(Text("not a sqlite:// URL"), source=url)
        _, separator, after = url.partition("://")
        if not separator:
            raise InvalidInput(
                Text(
                    "expected sqlite:///relative.db, sqlite:////absolute.db or sqlite:///:memory:"
                ),
                source=url,
            )
        rest, _, query = after.partition("?")
        if "#" in rest or "#" in query:
            raise InvalidInput(Text("a sqlite URL has no fragment (#)"), source=url)
        host, slash, database = rest.partition("/")
        if host:
            raise InvalidInput(
                Text(
                    "a sqlite URL has no host: write sqlite:///relative.db or "
                    "sqlite:////absolute.db"
                ),
                source=url,
                text=host,
            )
        if slash and not database:
            raise InvalidInput(Text("the URL names no database file"), source=url)
        try:
            parameters = _parameters(url, query)
            return cls(
                unquote(database) or MEMORY,
                _number(parameters, "timeout", float, DEFAULT_TIMEOUT),
                _number(parameters, "cache_mib", int, DEFAULT_CACHE_MIB),
                parameters.get("synchronous", "full"),
            )
        except InvalidInput as error:
            raise error.located(source=url) from None

    def url(self) -> str:
        return sqlite_url(
            self.path,
            timeout=self.timeout,
            cache_mib=self.cache_mib,
            synchronous=self.synchronous,
        )


def is_sqlite_url(url: str) -> bool:
    """Whether ``url`` has the ``sqlite`` scheme (well formed or not)."""
    scheme, colon, _ = url.partition(":")
    return bool(colon) and scheme.lower() == SCHEME


def sqlite_url(
    path: str | os.PathLike[str],
    *,
    timeout: float = DEFAULT_TIMEOUT,
    cache_mib: int = DEFAULT_CACHE_MIB,
    synchronous: str = "full",
) -> str:
    """The URL of the SQLite file at ``path`` (``":memory:"`` for an in-memory database).

    >>> sqlite_url("/var/lib/care.db")
    'sqlite:////var/lib/care.db'
    >>> sqlite_url("data/care.db", timeout=0.5)
    'sqlite:///data/care.db?timeout=0.5'
    """
    text = os.fspath(path)
    written = MEMORY if text == MEMORY else quote(PurePath(text).as_posix(), safe="/:")
    parameters = []
    if timeout != DEFAULT_TIMEOUT:
        parameters.append(f"timeout={timeout:g}")
    if cache_mib != DEFAULT_CACHE_MIB:
        parameters.append(f"cache_mib={cache_mib}")
    if synchronous != "full":
        parameters.append(f"synchronous={synchronous}")
    query = f"?{'&'.join(parameters)}" if parameters else ""
    return f"{SCHEME}:///{written}{query}"


def _parameters(url: str, query: str) -> dict[str, str]:
    try:
        parameters = dict(parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query)))
    except ValueError:
        raise InvalidInput(Text("malformed query"), source=url, text=query) from None
    unknown = sorted(set(parameters) - _KNOWN_PARAMETERS)
    if unknown:
        raise InvalidInput(Text("unknown parameter"), source=url, field=unknown[0])
    return parameters


def _number(
    parameters: dict[str, str], name: str, kind: type[float] | type[int], default: float
) -> Any:
    text = parameters.get(name)
    if text is None:
        return default
    try:
        return kind(text)
    except ValueError:
        refused = (
            Text("must be a number of seconds, zero or more")
            if name == "timeout"
            else Text("must be a whole number")
        )
        raise InvalidInput(refused, field=name, text=text) from None
