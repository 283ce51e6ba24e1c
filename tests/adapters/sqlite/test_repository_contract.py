"""The repositories' contract, run on the SQLite store: on a file and in memory."""

from __future__ import annotations

import itertools
from pathlib import Path

from caredomain.testing.repository_contract import check_repositories
from caredomain_sqlite import SqliteStore


def test_the_repository_contract_holds_in_memory() -> None:
    check_repositories(lambda: SqliteStore(":memory:"))


def test_the_repository_contract_holds_on_a_file(tmp_path: Path) -> None:
    numbers = itertools.count()
    check_repositories(lambda: SqliteStore(tmp_path / f"repositories-{next(numbers)}.db"))
