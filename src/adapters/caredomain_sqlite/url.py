"""SQLite store URLs, written the way SQLAlchemy writes them.

* ``sqlite:///relative/path.db`` — three slashes, a path relative to the working directory;
* ``sqlite:////absolute/path.db`` — four slashes, an absolute path;
* ``sqlite:///:memory:`` (or ``sqlite://``) — a private in-memory database.

The query may set ``timeout``, the seconds a unit of work waits for another writer before
it gives up with :class:`~caredomain.errors.Conflict` (5 by default): ``?timeout=0.5``.
The path is percent-decoded, so that :func:`sqlite_url` can write any file name.
"""

from __future__ import annotations

import math
import os
from pathlib import PurePath
from urllib.parse import parse_qsl, quote, unquote

from attrs import Attribute, field, frozen

from caredomain.errors import InvalidInput

__all__ = ["DEFAULT_TIMEOUT", "MEMORY", "SqliteLocation", "is_sqlite_url", "sqlite_url"]

SCHEME = "sqlite"
MEMORY = ":memory:"
DEFAULT_TIMEOUT = 5.0
_KNOWN_PARAMETERS = frozenset({"timeout"})


def _named(instance: SqliteLocation, attribute: Attribute[str], path: str) -> None:
    if not path:
        raise InvalidInput("names no database file", field="path", text=path)
    if "\x00" in path:
        raise InvalidInput("a file name cannot hold a NUL character", field="path", text=path)


def _seconds(instance: SqliteLocation, attribute: Attribute[float], timeout: float) -> None:
    if not (math.isfinite(timeout) and timeout >= 0):
        raise InvalidInput(
            "must be a number of seconds, zero or more", field="timeout", text=str(timeout)
        )


@frozen
class SqliteLocation:
    """Where a SQLite store lives: a file path (or ``:memory:``) and its busy timeout."""

    path: str = field(validator=_named)
    timeout: float = field(default=DEFAULT_TIMEOUT, validator=_seconds)

    @property
    def in_memory(self) -> bool:
        return self.path == MEMORY

    @classmethod
    def parse(cls, url: str) -> SqliteLocation:
        """The location a ``sqlite://`` URL names, or InvalidInput naming the URL."""
        if not is_sqlite_url(url):
            raise InvalidInput("not a sqlite:// URL", source=url)
        _, separator, after = url.partition("://")
        if not separator:
            raise InvalidInput(
                "expected sqlite:///relative.db, sqlite:////absolute.db or sqlite:///:memory:",
                source=url,
            )
        rest, _, query = after.partition("?")
        if "#" in rest or "#" in query:
            raise InvalidInput("a sqlite URL has no fragment (#)", source=url)
        host, slash, database = rest.partition("/")
        if host:
            raise InvalidInput(
                "a sqlite URL has no host: write sqlite:///relative.db or sqlite:////absolute.db",
                source=url,
                text=host,
            )
        if slash and not database:
            raise InvalidInput("the URL names no database file", source=url)
        try:
            return cls(unquote(database) or MEMORY, _timeout(url, query))
        except InvalidInput as error:
            raise error.located(source=url) from None

    def url(self) -> str:
        return sqlite_url(self.path, timeout=self.timeout)


def is_sqlite_url(url: str) -> bool:
    """Whether ``url`` has the ``sqlite`` scheme (well formed or not)."""
    scheme, colon, _ = url.partition(":")
    return bool(colon) and scheme.lower() == SCHEME


def sqlite_url(path: str | os.PathLike[str], *, timeout: float = DEFAULT_TIMEOUT) -> str:
    """The URL of the SQLite file at ``path`` (``":memory:"`` for an in-memory database).

    >>> sqlite_url("/var/lib/care.db")
    'sqlite:////var/lib/care.db'
    >>> sqlite_url("data/care.db", timeout=0.5)
    'sqlite:///data/care.db?timeout=0.5'
    """
    text = os.fspath(path)
    written = MEMORY if text == MEMORY else quote(PurePath(text).as_posix(), safe="/:")
    query = "" if timeout == DEFAULT_TIMEOUT else f"?timeout={timeout:g}"
    return f"{SCHEME}:///{written}{query}"


def _timeout(url: str, query: str) -> float:
    try:
        parameters = dict(parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query)))
    except ValueError:
        raise InvalidInput("malformed query", source=url, text=query) from None
    unknown = sorted(set(parameters) - _KNOWN_PARAMETERS)
    if unknown:
        raise InvalidInput("unknown parameter", source=url, field=unknown[0])
    text = parameters.get("timeout")
    if text is None:
        return DEFAULT_TIMEOUT
    try:
        return float(text)
    except ValueError:
        raise InvalidInput(
            "must be a number of seconds, zero or more", field="timeout", text=text
        ) from None
