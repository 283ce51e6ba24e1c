"""The store contract, run on the SQLite store: on a file and in memory."""

from __future__ import annotations

import itertools
from pathlib import Path

from hypothesis.stateful import run_state_machine_as_test

from caredomain.ports import Store
from caredomain.testing.store_contract import StoreContract
from caredomain_sqlite import SqliteStore


class MemoryStoreContract(StoreContract):
    def make_store(self) -> Store:
        return SqliteStore(":memory:")


TestMemoryStore = MemoryStoreContract.TestCase


def test_the_contract_holds_on_a_file(tmp_path: Path) -> None:
    numbers = itertools.count()

    class FileStoreContract(StoreContract):
        def make_store(self) -> Store:
            return SqliteStore(tmp_path / f"contract-{next(numbers)}.db")

    run_state_machine_as_test(FileStoreContract)
