"""Several processes on one SQLite file: a writer killed mid-transaction, racing writers."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from caredomain import Organisation, OrganisationId
from caredomain_sqlite import SqliteStore, sqlite_url

WORKER = Path(__file__).with_name("store_worker.py")

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="uses SIGKILL")


def start_worker(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WORKER), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def read_line(process: subprocess.Popen[str], timeout: float = 20) -> str:
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            process.kill()
            pytest.fail(f"the worker said nothing in {timeout} s")
    return process.stdout.readline().strip()


def test_a_writer_killed_mid_transaction_leaves_the_committed_state(tmp_path: Path) -> None:
    path = tmp_path / "care.db"
    worker = start_worker("crash", sqlite_url(path))
    try:
        assert read_line(worker) == "ready", worker.communicate()[1]
        # The uncommitted rows really reached the disk, not only the page cache.
        assert path.with_name("care.db-wal").stat().st_size > 1_000_000
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.communicate()
    assert worker.returncode == -signal.SIGKILL

    with SqliteStore(path, timeout=0.5) as store:
        with store.unit_of_work(write=False) as reader:
            assert reader.organisations.ids() == ["before"]
            assert reader.events.since() == []
        with store.unit_of_work() as writer:  # no stale lock is left behind
            writer.organisations.add(Organisation(OrganisationId("after"), "After the crash"))
            writer.commit()
        with store.unit_of_work(write=False) as reader:
            assert reader.organisations.ids() == ["after", "before"]


def race(tmp_path: Path, url: str) -> list[str]:
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    workers = [start_worker("race", url, str(barrier), "2") for _ in range(2)]
    try:
        results = [worker.communicate(timeout=30) for worker in workers]
    finally:
        for worker in workers:
            worker.kill()
            worker.communicate()
    for worker, (_, err) in zip(workers, results, strict=True):
        assert worker.returncode == 0, err
    return [out.strip() for out, _ in results]


@pytest.mark.parametrize("attempt", range(3))
def test_two_processes_adding_one_id_on_a_new_file_exactly_one_wins(
    tmp_path: Path, attempt: int
) -> None:
    path = tmp_path / "care.db"  # both processes also create and migrate it at once
    outcomes = race(tmp_path, sqlite_url(path))

    assert sorted(outcome.partition(":")[0] for outcome in outcomes) == ["committed", "conflict"]
    assert "'contested' already exists" in max(outcomes)
    with SqliteStore(path) as store, store.unit_of_work(write=False) as reader:
        assert reader.organisations.ids() == ["contested"]


def test_a_writer_that_cannot_wait_loses_the_race_with_conflict(tmp_path: Path) -> None:
    path = tmp_path / "care.db"
    with SqliteStore(path):  # kept open, so that the racers find the WAL ready
        outcomes = race(tmp_path, sqlite_url(path, timeout=0))

    assert sorted(outcome.partition(":")[0] for outcome in outcomes) == ["committed", "conflict"]
    assert "another writer held the database" in max(outcomes)
