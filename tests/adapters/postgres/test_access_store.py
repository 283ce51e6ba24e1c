"""The access use cases' tests (tests/access/test_services.py) run on the PostgreSQL store:
every one that needs nothing but a service context and its clock runs here on a fresh
schema, so that both stores keep configurations, users, sessions, break-glass interventions
and the audit journal alike; and the audit journal refuses UPDATE, DELETE and TRUNCATE."""

from __future__ import annotations

import importlib.util
import inspect
import itertools
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from caredomain.clock import FixedClock
from caredomain.errors import Conflict
from caredomain.services import ServiceContext
from caredomain_postgres.store import PostgresStore

ACCESS_TESTS = Path(__file__).parents[2] / "access" / "test_services.py"


def _module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("access_services_tests", ACCESS_TESTS)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SERVICES = _module()


def _cases() -> Iterator[Any]:
    for name, test in vars(SERVICES).items():
        if name.startswith("test_") and callable(test):
            parameters = set(inspect.signature(test).parameters)
            if parameters <= {"context", "clock"}:
                yield pytest.param(test, id=name)


@pytest.fixture
def store(pg_url: str) -> Iterator[PostgresStore]:
    with PostgresStore.from_url(pg_url) as opened:
        yield opened


@pytest.mark.parametrize("test", list(_cases()))
def test_on_postgres(store: PostgresStore, test: Callable[..., None]) -> None:
    clock = SERVICES.clock.__wrapped__()
    counter = itertools.count(1)
    context = ServiceContext(store=store, clock=clock, new_id=lambda: f"id-{next(counter)}")
    given = {"context": context, "clock": clock}
    test(**{name: given[name] for name in inspect.signature(test).parameters})


def test_most_access_tests_run_here() -> None:
    assert len(list(_cases())) >= 10


@pytest.mark.parametrize(
    "statement",
    ["UPDATE access_audit SET kind = 'x'", "DELETE FROM access_audit", "TRUNCATE access_audit"],
)
def test_the_audit_journal_refuses_changes(store: PostgresStore, statement: str) -> None:
    clock = FixedClock(datetime(2024, 3, 15, 9, tzinfo=UTC))
    SERVICES._configured(ServiceContext(store=store, clock=clock))
    with store.unit_of_work() as uow, pytest.raises(Conflict, match="append-only"):
        uow.change(statement)
