"""The SQLite store's repository tests, run on the PostgreSQL store: every test of
the SQLite tests of the interventions, slots and roster repositories, and the access use
cases' tests that needs nothing but
a store (no file, no sqlite3 connection) runs here on a fresh schema, so that both stores
answer the same questions the same way; and the append-only logs refuse ``TRUNCATE`` too."""

from __future__ import annotations

import importlib.util
import inspect
import itertools
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from caredomain import FixedClock
from caredomain.errors import Conflict
from caredomain.services import ServiceContext
from caredomain_postgres.store import PostgresStore

SQLITE_TESTS = Path(__file__).parents[1] / "sqlite"
ACCESS_TESTS = Path(__file__).parents[2] / "access" / "test_services.py"


def _module(name: str, path: Path | None = None) -> ModuleType:
    path = path or SQLITE_TESTS / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"sqlite_{name}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MODULES = [
    _module(name) for name in ("test_interventions_store", "test_slots_store", "test_roster_store")
]


def _cases() -> Iterator[Any]:
    for module in MODULES:
        for name, test in vars(module).items():
            if not name.startswith("test_") or not callable(test):
                continue
            if "sqlite3" in inspect.getsource(test):
                continue  # reads the file itself
            parameters = list(inspect.signature(test).parameters)
            marks = getattr(test, "pytestmark", [])
            if parameters == ["store"]:
                yield pytest.param(test, {}, id=f"{module.__name__}.{name}")
            elif parameters == ["store", "statement"] and marks:
                for statement in marks[0].args[1]:
                    yield pytest.param(test, {"statement": statement}, id=f"{name}[{statement}]")


@pytest.fixture
def store(pg_url: str) -> Iterator[PostgresStore]:
    with PostgresStore.from_url(pg_url) as opened:
        yield opened


@pytest.mark.parametrize(("test", "arguments"), list(_cases()))
def test_on_postgres(
    store: PostgresStore, test: Callable[..., None], arguments: dict[str, str]
) -> None:
    test(store, **arguments)


ACCESS = _module("access_services", ACCESS_TESTS)


def _access_cases() -> Iterator[Any]:
    for name, test in vars(ACCESS).items():
        if not name.startswith("test_") or "sqlite3" in inspect.getsource(test):
            continue
        if set(inspect.signature(test).parameters) <= {"context", "clock"}:
            yield pytest.param(test, id=name)


@pytest.mark.parametrize("test", list(_access_cases()))
def test_access_on_postgres(store: PostgresStore, test: Callable[..., None]) -> None:
    """The access use cases' tests (tests/access/test_services.py), on PostgreSQL."""
    clock = FixedClock(ACCESS._at(date(2024, 3, 15)))
    counter = itertools.count(1)
    context = ServiceContext(store=store, clock=clock, new_id=lambda: f"id-{next(counter)}")
    arguments = {"context": context, "clock": clock}
    test(**{name: arguments[name] for name in inspect.signature(test).parameters})


@pytest.mark.parametrize(
    "table", ["care_punches", "care_corrections", "care_visit_entries", "access_audit"]
)
def test_the_logs_refuse_truncate(store: PostgresStore, table: str) -> None:
    with store.unit_of_work() as uow, pytest.raises(Conflict, match="append-only"):
        uow.change(f"TRUNCATE {table}")
