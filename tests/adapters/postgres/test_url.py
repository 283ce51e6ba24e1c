"""postgresql:// URLs, the caredomain_open_store hook, and the password that never shows."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

import caredomain_postgres.plugin
from caredomain import InvalidInput
from caredomain.errors import CareDomainError
from caredomain.plugins import load_plugins
from caredomain.secret import Secret
from caredomain_postgres.store import PostgresStore
from caredomain_postgres.url import DEFAULT_POOL, PostgresLocation, is_postgres_url

from .conftest import Server

SECRET = "s3cr:t/p@ss"
WRITTEN = "s3cr%3At%2Fp%40ss"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql:///care", PostgresLocation("care")),
        ("postgres://db.example/care", PostgresLocation("care", "db.example")),
        (
            "postgresql://care@db.example:6432/care?schema=town&pool=3&timeout=0.5",
            PostgresLocation("care", "db.example", 6432, "care", None, "town", 3, 0.5),
        ),
        (
            "PostgreSQL://[::1]/care?sslmode=require",
            PostgresLocation("care", "::1", options=(("sslmode", "require"),)),
        ),
    ],
)
def test_urls_are_understood(url: str, expected: PostgresLocation) -> None:
    assert PostgresLocation.parse(url) == expected
    assert PostgresLocation.parse(expected.url()) == expected


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("postgresql://db.example", "names no database"),
        ("postgresql://db.example/", "names no database"),
        ("postgresql://db.example/care#top", "no fragment"),
        ("postgresql://db.example/care?schema=Town", "schema name"),
        ("postgresql://db.example/care?schema=a;drop", "schema name"),
        ("postgresql://db.example/care?pool=0", "1 to 1000"),
        ("postgresql://db.example/care?pool=many", "must be a number"),
        ("postgresql://db.example/care?timeout=0", "more than zero"),
        ("postgresql://db.example/care?mode=ro", "unknown parameter"),
        ("postgresql://db.example/care?timeout", "malformed query"),
        ("postgresql://db.example:port/care", "malformed URL"),
    ],
)
def test_a_malformed_url_is_refused_by_name(url: str, complaint: str) -> None:
    with pytest.raises(InvalidInput, match=complaint) as caught:
        caredomain_postgres.plugin.caredomain_open_store(url=url)
    assert caught.value.source == url


def test_other_schemes_are_passed_on() -> None:
    assert caredomain_postgres.plugin.caredomain_open_store(url="sqlite:///care.db") is None
    assert is_postgres_url("postgres://x/y")
    assert not is_postgres_url("postgresql")


@given(password=st.text(min_size=3, max_size=20).filter(lambda p: "\x00" not in p))
def test_the_password_shows_nowhere_but_where_libpq_needs_it(password: str) -> None:
    location = PostgresLocation("care", "db.example", user="care", password=Secret(password))
    assert PostgresLocation.parse(location.connection_url()) == location
    for shown in (location.url(), repr(location), str(location)):
        assert "***" in shown
        assert f":{password}@" not in shown


def test_a_malformed_url_with_a_password_is_reported_masked() -> None:
    url = f"postgresql://care:{WRITTEN}@db.example/care?pool=none"
    with pytest.raises(InvalidInput) as caught:
        caredomain_postgres.plugin.caredomain_open_store(url=url)
    assert WRITTEN not in str(caught.value)
    assert WRITTEN not in str(caught.value.source)
    assert "***" in str(caught.value.source)


def test_a_refused_password_is_masked_in_the_error_and_the_logs(
    postgres: Server, caplog: pytest.LogCaptureFixture
) -> None:
    """Loopback answers with trust authentication: a password is accepted and unused, so
    the server is made to refuse the connection by a database that does not exist."""
    base = postgres.url.replace("postgresql://postgres@", f"postgresql://postgres:{WRITTEN}@")
    url = base.rsplit("/", 1)[0] + "/no_such_database_here?timeout=2"
    with caplog.at_level(logging.DEBUG), pytest.raises(CareDomainError) as caught:
        load_plugins({}).open_store(url)
    for text in (str(caught.value), caplog.text):
        assert SECRET not in text
        assert WRITTEN not in text


def test_a_store_shows_its_url_masked(postgres: Server) -> None:
    url = postgres.fresh_url(pool=2).replace("postgres@", f"postgres:{WRITTEN}@")
    with load_plugins({}).open_store(url) as store:
        assert isinstance(store, PostgresStore)
        assert WRITTEN not in store.url
        assert WRITTEN not in repr(store)
        with store.unit_of_work(write=False) as uow:
            assert WRITTEN not in repr(uow)
        assert store.location.pool == 2 != DEFAULT_POOL
