"""The GTT feed on the PostgreSQL store: the records written by ``COPY`` give the state the
SQLite store gives, and a process killed during the apply leaves the store as it was."""

from __future__ import annotations

import os
import random
import selectors
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from caredomain import FixedClock
from caredomain.ports import Store
from caredomain.roster import Agent, AgentId, french_hospital_catalogue
from caredomain.roster.ports import roster_unit_of_work
from caredomain.roster.services import apply_gtt_file, load_roster
from caredomain.services import ServiceContext
from caredomain_gtt import GttCsvReader
from caredomain_postgres.store import PostgresStore
from caredomain_sqlite import SqliteStore

from .conftest import Server

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="uses SIGKILL")

WORKER = Path(__file__).with_name("pg_worker.py")
ZONE = ZoneInfo("Europe/Paris")
EXTRACTED = datetime(2026, 11, 1, 6, 0, tzinfo=ZONE)
NOW = EXTRACTED + timedelta(hours=7)
CODES = ["J", "J", "M", "S", "N", "RH", "RH", "CA", "RTT", "MAL"]


def write_export(path: Path, agents: int, days: int, extracted: datetime, seed: int) -> None:
    rnd = random.Random(seed)
    first = datetime(2026, 11, 2)
    texts = [(first + timedelta(days=d)).strftime("%d/%m/%Y") for d in range(days)]
    with path.open("w", encoding="utf-8", newline="") as file:
        file.write(f"Extraction;{extracted:%d/%m/%Y %H:%M}\r\n")
        file.write("Matricule;Nom;Prénom;Date;Code\r\n")
        for a in range(agents):
            head = f"M{a:06d};NOM{a};Prénom{a % 97};"
            file.writelines(f"{head}{text};{rnd.choice(CODES)}\r\n" for text in texts)


def set_up(store: Store, agents: int) -> None:
    with roster_unit_of_work(store) as uow:
        uow.roster.save_catalogue(french_hospital_catalogue())
        uow.roster.save_agents(
            Agent(AgentId(f"M{a:06d}"), f"Agent {a}", {"IDE"}) for a in range(agents)
        )
        uow.commit()


def apply(store: Store, export: Path) -> None:
    reader = GttCsvReader()
    context = ServiceContext(store=store, clock=FixedClock(NOW))
    run = apply_gtt_file(context, reader.read, str(export), size=export.stat().st_size)
    if run.report is None:  # applied before
        assert run.already_applied is not None
    else:
        assert not run.report.refused, run.report.lines()


def snapshot(store: Store) -> object:
    with roster_unit_of_work(store, write=False) as uow:
        return load_roster(uow).snapshot(), uow.roster.applied_batches()


def test_the_feed_gives_the_state_the_sqlite_store_gives(pg_url: str, tmp_path: Path) -> None:
    first, second = tmp_path / "GTT_1.csv", tmp_path / "GTT_2.csv"
    write_export(first, 60, 20, EXTRACTED, seed=1)
    write_export(second, 60, 20, EXTRACTED + timedelta(hours=6), seed=2)
    states = []
    for store in (PostgresStore.from_url(pg_url), SqliteStore(tmp_path / "care.db")):
        with store:
            set_up(store, 60)
            apply(store, first)
            apply(store, second)
            apply(store, second)  # the same file again: nothing to do
            states.append(snapshot(store))
    postgres, sqlite = states
    assert postgres == sqlite


def read_line(process: subprocess.Popen[str], timeout: float = 60) -> str:
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            process.kill()
            pytest.fail(f"the worker said nothing in {timeout} s")
    return process.stdout.readline().strip()


@pytest.mark.parametrize("seed", range(4))
def test_a_feed_killed_at_a_random_moment_leaves_the_store_before_or_after(
    postgres: Server, tmp_path: Path, seed: int
) -> None:
    url = postgres.fresh_url(pool=1)
    agents, days = 5000, 50  # 250,000 rows: about a second to apply
    export = tmp_path / "GTT.csv"
    write_export(export, agents, days, EXTRACTED, seed=seed)
    with PostgresStore.from_url(url) as store:
        set_up(store, agents)
        before = snapshot(store)
    worker = subprocess.Popen(
        [sys.executable, str(WORKER), "feed", url, str(export), NOW.isoformat()],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert read_line(worker) == "applying", worker.communicate()[1]
        time.sleep(random.Random(seed).uniform(0.0, 1.5))
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.communicate()

    with PostgresStore.from_url(url) as store:
        after_kill = snapshot(store)
        if after_kill != before:  # committed before the kill: the whole batch is there
            _, batches = after_kill  # type: ignore[misc]
            assert len(batches) == 1
            with roster_unit_of_work(store, write=False) as uow:
                assert len(uow.roster.agent_days()) == agents
        apply(store, export)  # no lock is left behind; the batch applies (or is known)
        with roster_unit_of_work(store, write=False) as uow:
            assert len(uow.roster.agent_days()) == agents
            assert len(uow.roster.applied_batches()) == 1
