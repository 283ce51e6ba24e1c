"""The keys a PostgreSQL unit of work holds (``Statements.serialise``) are its schema's: two
stores in two schemas of one database never wait on each other, as two SQLite files do not;
within one schema they do."""

from __future__ import annotations

import pytest

from caredomain.errors import Conflict
from caredomain_postgres.store import PostgresStore

from .conftest import Server


def test_two_schemas_of_one_database_do_not_wait_on_each_others_keys(postgres: Server) -> None:
    with (
        PostgresStore.from_url(postgres.fresh_url()) as one,
        PostgresStore.from_url(postgres.fresh_url(timeout=1)) as other,
        one.unit_of_work() as holding,
        other.unit_of_work() as wanting,
    ):
        holding.serialise(["roster"])
        wanting.serialise(["roster"])


def test_within_one_schema_a_key_held_is_waited_for(postgres: Server) -> None:
    url = postgres.fresh_url(timeout=1)
    with (
        PostgresStore.from_url(url) as one,
        PostgresStore.from_url(url) as other,
        one.unit_of_work() as holding,
    ):
        holding.serialise(["roster"])
        with other.unit_of_work() as wanting, pytest.raises(Conflict):
            wanting.serialise(["roster"])
