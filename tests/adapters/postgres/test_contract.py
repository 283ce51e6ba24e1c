"""The store contract, the outbox contract and the repositories' contract, run on the
PostgreSQL store."""

from __future__ import annotations

from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test

from caredomain.ports import Store
from caredomain.testing.outbox_contract import check_outbox
from caredomain.testing.repository_contract import check_repositories
from caredomain.testing.store_contract import StoreContract
from caredomain_postgres.store import PostgresStore

from .conftest import Server


def test_the_store_contract_holds(postgres: Server) -> None:
    class PostgresStoreContract(StoreContract):
        def make_store(self) -> Store:
            return PostgresStore.from_url(postgres.fresh_url(pool=2))

    # Each program opens a new schema (migrated on open): fewer programs than in memory.
    run_state_machine_as_test(
        PostgresStoreContract, settings=settings(max_examples=30, deadline=None)
    )


def test_the_outbox_contract_holds(postgres: Server) -> None:
    check_outbox(lambda: PostgresStore.from_url(postgres.fresh_url(pool=2)))


def test_the_repository_contract_holds(postgres: Server) -> None:
    check_repositories(lambda: PostgresStore.from_url(postgres.fresh_url(pool=2)))
