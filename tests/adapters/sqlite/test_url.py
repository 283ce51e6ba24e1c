"""sqlite:// URLs and the caredomain_open_store hook."""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path, PurePath

import pluggy
import pytest
from hypothesis import given
from hypothesis import strategies as st

import caredomain.hookspecs
import caredomain_sqlite.plugin
from caredomain import InvalidInput, Organisation, OrganisationId
from caredomain_sqlite import SqliteStore, sqlite_url
from caredomain_sqlite.url import DEFAULT_TIMEOUT, MEMORY, SqliteLocation


@pytest.mark.parametrize(
    ("url", "path", "timeout"),
    [
        ("sqlite:///care.db", "care.db", DEFAULT_TIMEOUT),
        ("sqlite:///data/care.db", "data/care.db", DEFAULT_TIMEOUT),
        ("sqlite:////var/lib/care.db", "/var/lib/care.db", DEFAULT_TIMEOUT),
        ("sqlite:///:memory:", MEMORY, DEFAULT_TIMEOUT),
        ("sqlite://", MEMORY, DEFAULT_TIMEOUT),
        ("SQLite:///care.db?timeout=0.5", "care.db", 0.5),
        ("sqlite:///care.db?timeout=0", "care.db", 0.0),
        ("sqlite:///my%20care.db", "my care.db", DEFAULT_TIMEOUT),
    ],
)
def test_sqlalchemy_style_urls_are_understood(url: str, path: str, timeout: float) -> None:
    assert SqliteLocation.parse(url) == SqliteLocation(path, timeout)


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("sqlite:care.db", "expected sqlite:///"),
        ("sqlite://localhost/care.db", "no host"),
        ("sqlite:///", "names no database file"),
        ("sqlite:///care.db#top", "no fragment"),
        ("sqlite:///care.db?timeout=soon", "number of seconds"),
        ("sqlite:///care.db?timeout=-1", "number of seconds"),
        ("sqlite:///care.db?timeout=nan", "number of seconds"),
        ("sqlite:///care.db?mode=ro", "unknown parameter"),
        ("sqlite:///care.db?cache_mib=big", "whole number"),
        ("sqlite:///care.db?cache_mib=0", "1 to 65536"),
        ("sqlite:///care.db?synchronous=off", "full or normal"),
        ("sqlite:///care.db?timeout", "malformed query"),
        ("sqlite:///care.db?=&", "malformed query"),
        ("sqlite:///care%00.db", "NUL"),
    ],
)
def test_a_malformed_sqlite_url_is_refused_by_name(url: str, complaint: str) -> None:
    with pytest.raises(InvalidInput, match=complaint) as caught:
        caredomain_sqlite.plugin.caredomain_open_store(url=url)
    assert caught.value.source == url


@pytest.mark.parametrize("url", ["memory:", "postgresql://care@db/care", "sqlite+pysqlite:///x"])
def test_other_schemes_are_passed(url: str) -> None:
    assert caredomain_sqlite.plugin.caredomain_open_store(url=url) is None


@given(st.text(min_size=1).filter(lambda text: "\x00" not in text))
def test_sqlite_url_writes_any_path_back(text: str) -> None:
    expected = MEMORY if text == MEMORY else PurePath(text).as_posix()
    assert SqliteLocation.parse(sqlite_url(text)).path == expected


def test_sqlite_url_of_an_absolute_path_has_four_slashes(tmp_path: Path) -> None:
    assert sqlite_url(tmp_path / "care.db") == f"sqlite:///{tmp_path}/care.db"
    assert sqlite_url(tmp_path / "care.db").startswith("sqlite:////")
    assert sqlite_url(":memory:", timeout=1) == "sqlite:///:memory:?timeout=1"


def test_the_page_cache_is_sized_by_the_url() -> None:
    url = "sqlite:///care.db?timeout=0.5&cache_mib=8"
    assert SqliteLocation.parse(url) == SqliteLocation("care.db", 0.5, 8)
    assert SqliteLocation.parse(url).url() == url
    assert SqliteLocation.parse("sqlite:///care.db").cache_mib == 64


def test_when_a_commit_waits_for_the_disk_is_set_by_the_url(tmp_path: Path) -> None:
    url = "sqlite:///care.db?synchronous=normal"
    assert SqliteLocation.parse(url) == SqliteLocation("care.db", synchronous="normal")
    assert SqliteLocation.parse(url).url() == url
    assert SqliteLocation.parse("sqlite:///care.db").synchronous == "full"
    for mode, pragma in (("full", 2), ("normal", 1)):
        store = SqliteStore(tmp_path / f"{mode}.db", synchronous=mode)
        with store, store.unit_of_work(write=False) as uow:
            assert uow.query("PRAGMA synchronous") == [(pragma,)]


def test_the_plugin_is_declared_in_the_caredomain_entry_point_group() -> None:
    declared = {point.name: point.value for point in entry_points(group="caredomain")}
    assert declared["caredomain_sqlite"] == "caredomain_sqlite.plugin"


def test_hook_caredomain_open_store_opens_sqlite(tmp_path: Path) -> None:
    manager = pluggy.PluginManager("caredomain")
    manager.add_hookspecs(caredomain.hookspecs)
    manager.register(caredomain_sqlite.plugin)
    manager.check_pending()
    url = sqlite_url(tmp_path / "care.db")

    store = manager.hook.caredomain_open_store(url=url)
    assert isinstance(store, SqliteStore)
    assert store.url == url
    with store, store.unit_of_work() as uow:
        uow.organisations.add(Organisation(OrganisationId("ward"), "Ward 3B"))
        uow.commit()
    assert (tmp_path / "care.db").exists()
    assert manager.hook.caredomain_open_store(url="postgresql://care@db/care") is None
