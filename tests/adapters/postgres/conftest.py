"""The PostgreSQL server the tests use, and a fresh schema for each test.

The server is ``CAREDOMAIN_TEST_POSTGRES`` (by default ``postgresql://postgres@127.0.0.1:5432/
test``). Each run makes its schemas under a prefix of its own and drops them all at the end.
Where no server answers, the tests are skipped with a one-line reason; with
``CAREDOMAIN_REQUIRE_POSTGRES=1`` (as ``.ci/run`` sets it) they fail instead.
"""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import Iterator

import pytest
from attrs import define, field

psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed (the postgres extra)")

SERVER = os.environ.get("CAREDOMAIN_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


@define
class Server:
    """A PostgreSQL server with the schemas of this test run."""

    url: str
    prefix: str
    _numbers: Iterator[int] = field(factory=itertools.count)

    def fresh_url(self, **query: object) -> str:
        """The URL of a new, empty schema of this run."""
        parameters = "&".join(
            [f"schema={self.prefix}_{next(self._numbers)}"]
            + [f"{key}={value}" for key, value in query.items()]
        )
        return f"{self.url}?{parameters}"

    def drop_everything(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as connection:
            rows = connection.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s",
                (f"{self.prefix}\\_%",),
            ).fetchall()
            for (schema,) in rows:
                connection.execute(f"DROP SCHEMA {schema} CASCADE")


def _unreachable(url: str) -> str | None:
    try:
        with psycopg.connect(url, connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0]
    return None


@pytest.fixture(scope="session")
def postgres() -> Iterator[Server]:
    reason = _unreachable(SERVER)
    if reason is not None:
        message = f"no PostgreSQL server at {SERVER}: {reason}"
        if os.environ.get("CAREDOMAIN_REQUIRE_POSTGRES") == "1":
            pytest.fail(message + " (CAREDOMAIN_REQUIRE_POSTGRES=1)", pytrace=False)
        pytest.skip(message)
    server = Server(SERVER, f"cdt_{os.getpid()}_{secrets.token_hex(3)}")
    try:
        yield server
    finally:
        server.drop_everything()


@pytest.fixture
def pg_url(postgres: Server) -> str:
    """A fresh schema for this test, dropped with the others at the end of the run."""
    return postgres.fresh_url()
