"""PostgreSQL store URLs, as libpq writes them, with a few settings of the store.

``postgresql://USER:PASSWORD@HOST:PORT/DATABASE?schema=care&pool=8&timeout=5``
(``postgres://`` is the same). Every part but the database may be left out: libpq's
defaults then apply (the local socket, the user's name). The query may set

* ``schema``: the schema the store's tables live in (``public`` by default), created on
  open if it does not exist;
* ``pool``: the most connections one store object keeps open (8 by default);
* ``timeout``: the seconds a unit of work waits for a connection or for a lock another
  transaction holds before it gives up with :class:`~caredomain.errors.Conflict` (5 by
  default);
* ``sslmode``, ``application_name``, ``connect_timeout``: passed to libpq as they are.

The password is kept as a :class:`~caredomain.secret.Secret`: :meth:`PostgresLocation.url`,
every repr and every error show ``***`` in its place.
"""

from __future__ import annotations

import math
import re
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from attrs import Attribute, field, frozen

from caredomain.errors import InvalidInput
from caredomain.secret import MASK, Secret
from caredomain.text import Text

__all__ = ["DEFAULT_POOL", "DEFAULT_TIMEOUT", "PostgresLocation", "is_postgres_url"]

SCHEMES = frozenset({"postgresql", "postgres"})
DEFAULT_SCHEMA = "public"
DEFAULT_POOL = 8
DEFAULT_TIMEOUT = 5.0
_PASSED = frozenset({"sslmode", "application_name", "connect_timeout"})
_KNOWN = frozenset({"schema", "pool", "timeout"}) | _PASSED
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,39}")


def _schema(instance: PostgresLocation, attribute: Attribute[str], schema: str) -> None:
    if not _IDENTIFIER.fullmatch(schema):
        raise InvalidInput(
            Text("a schema name is lower-case letters, digits and _, at most 40"),
            field="schema",
            text=schema,
        )


def _pool(instance: PostgresLocation, attribute: Attribute[int], size: int) -> None:
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 1000:
        raise InvalidInput(Text("must be a whole number, 1 to 1000"), field="pool", text=str(size))


def _seconds(instance: PostgresLocation, attribute: Attribute[float], timeout: float) -> None:
    if not (math.isfinite(timeout) and timeout > 0):
        raise InvalidInput(
            Text("must be a number of seconds, more than zero"), field="timeout", text=str(timeout)
        )


@frozen
class PostgresLocation:
    """Where a PostgreSQL store lives and how the store object connects to it."""

    database: str
    host: str = ""
    port: int | None = None
    user: str = ""
    password: Secret | None = field(default=None, repr=False)
    schema: str = field(default=DEFAULT_SCHEMA, validator=_schema)
    pool: int = field(default=DEFAULT_POOL, validator=_pool)
    timeout: float = field(default=DEFAULT_TIMEOUT, validator=_seconds)
    options: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, url: str) -> PostgresLocation:
        """The location a ``postgresql://`` URL names, or InvalidInput naming the URL with
        its password masked."""
        shown = masked(url)
        if not is_postgres_url(url):
            raise InvalidInput(Text("not a postgresql:// URL"), source=shown)
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as error:
            raise InvalidInput(
                Text("malformed URL: {error}", error=masked(str(error))), source=shown
            ) from None
        if parts.fragment:
            raise InvalidInput(Text("a postgresql URL has no fragment (#)"), source=shown)
        database = unquote(parts.path.removeprefix("/"))
        if not database or "/" in database:
            raise InvalidInput(
                Text("the URL names no database: postgresql://HOST/DATABASE"), source=shown
            )
        try:
            query = dict(
                parse_qsl(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
            )
        except ValueError:
            raise InvalidInput(Text("malformed query"), source=shown) from None
        unknown = sorted(set(query) - _KNOWN)
        if unknown:
            raise InvalidInput(Text("unknown parameter"), source=shown, field=unknown[0])
        try:
            numbers = _numbers(query)
            return cls(
                database,
                unquote(parts.hostname or ""),
                port,
                unquote(parts.username or ""),
                None if parts.password is None else Secret(unquote(parts.password)),
                query.get("schema", DEFAULT_SCHEMA),
                int(numbers.get("pool", DEFAULT_POOL)),
                numbers.get("timeout", DEFAULT_TIMEOUT),
                tuple(sorted((key, value) for key, value in query.items() if key in _PASSED)),
            )
        except InvalidInput as error:
            raise error.located(source=shown) from None

    def url(self) -> str:
        """The URL, with ``***`` for the password: safe to print and to log."""
        return self._written(MASK if self.password is not None else None)

    def connection_url(self) -> str:
        """The URL libpq connects with, the password in it: give it to the driver only."""
        return self._written(None if self.password is None else self.password.reveal())

    def _written(self, password: str | None) -> str:
        user = quote(self.user, safe="")
        if password is not None:
            user += ":" + (password if password == MASK else quote(password, safe=""))
        at = f"{user}@" if user else ""
        host = f"[{self.host}]" if ":" in self.host else quote(self.host, safe="")
        port = f":{self.port}" if self.port is not None else ""
        query = [(key, value) for key, value in self.options]
        if self.schema != DEFAULT_SCHEMA:
            query.append(("schema", self.schema))
        if self.pool != DEFAULT_POOL:
            query.append(("pool", str(self.pool)))
        if self.timeout != DEFAULT_TIMEOUT:
            query.append(("timeout", f"{self.timeout:g}"))
        written = "&".join(f"{key}={quote(value, safe='')}" for key, value in sorted(query))
        tail = f"?{written}" if written else ""
        return f"postgresql://{at}{host}{port}/{quote(self.database, safe='')}{tail}"

    def libpq_url(self) -> str:
        """:meth:`connection_url` without the store's own settings, which libpq refuses."""
        return self.connection_url().partition("?")[0] + _libpq_query(self.options)

    def __repr__(self) -> str:
        return f"PostgresLocation({self.url()!r})"


def _libpq_query(options: tuple[tuple[str, str], ...]) -> str:
    written = "&".join(f"{key}={quote(value, safe='')}" for key, value in options)
    return f"?{written}" if written else ""


def is_postgres_url(url: str) -> bool:
    """Whether ``url`` has the ``postgresql`` or ``postgres`` scheme (well formed or not)."""
    scheme, colon, _ = url.partition(":")
    return bool(colon) and scheme.lower() in SCHEMES


def masked(text: str) -> str:
    """``text`` with the password of any URL in it replaced by ``***``."""
    return re.sub(r"(://[^:/?#@\s]*:)[^@/\s]*@", rf"\g<1>{MASK}@", text)


def _numbers(query: dict[str, str]) -> dict[str, float]:
    """The numeric settings the query gives (``pool`` whole), parsed."""
    found: dict[str, float] = {}
    for name, kind in (("pool", int), ("timeout", float)):
        if name in query:
            try:
                found[name] = kind(query[name])
            except ValueError:
                refused = Text("must be a number")
                raise InvalidInput(refused, field=name, text=query[name]) from None
    return found
