"""The outbox contract, run on the SQLite store: on a file and in memory."""

from __future__ import annotations

import itertools
from pathlib import Path

from caredomain.testing.outbox_contract import check_outbox
from caredomain_sqlite import SqliteStore


def test_the_outbox_contract_holds_in_memory() -> None:
    check_outbox(lambda: SqliteStore(":memory:"))


def test_the_outbox_contract_holds_on_a_file(tmp_path: Path) -> None:
    numbers = itertools.count()
    check_outbox(lambda: SqliteStore(tmp_path / f"outbox-{next(numbers)}.db"))
