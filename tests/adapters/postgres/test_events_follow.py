"""``caredomain events follow``: a follower process prints the events another process
commits, as they commit — woken by ``NOTIFY`` on PostgreSQL, looking again every second on
SQLite."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from caredomain.events import OrganisationConfigured
from caredomain.ports import Store
from caredomain_postgres.store import PostgresStore
from caredomain_sqlite import SqliteStore, sqlite_url

CALL = [sys.executable, "-m", "caredomain", "--lang", "en", "events", "follow"]


def commit(store: Store, *ids: str) -> None:
    with store.unit_of_work() as uow:
        uow.events.extend(
            OrganisationConfigured(
                event_id=ident,
                occurred_at=datetime(2026, 3, 2, 8, tzinfo=UTC),
                organisation_id="town",
                name=f"Town {ident}",
            )
            for ident in ids
        )
        uow.commit()


class Lines:
    """The follower's output, line by line, waiting at most ``timeout`` for each (read from
    the pipe itself: a buffered reader would hide lines it had already taken in)."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        self.process = process
        self.pending = b""

    def take(self, count: int, timeout: float = 90) -> list[str]:
        assert self.process.stdout is not None
        descriptor = self.process.stdout.fileno()
        with selectors.DefaultSelector() as selector:
            selector.register(descriptor, selectors.EVENT_READ)
            while self.pending.count(b"\n") < count:
                if not selector.select(timeout):
                    self.process.kill()
                    pytest.fail(f"the follower printed {self.pending!r}, then nothing")
                chunk = os.read(descriptor, 65536)
                if not chunk:
                    pytest.fail(f"the follower ended: {self.process.communicate()[1]!r}")
                self.pending += chunk
        *taken, self.pending = self.pending.split(b"\n", count)
        return [line.decode("utf-8").strip() for line in taken]


def follow(store: Store, url: str, *options: str) -> None:
    commit(store, "e1", "e2")
    follower = subprocess.Popen(
        [*CALL, "--db", url, *options], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    output = Lines(follower)
    try:
        if "--json" in options:
            first = [json.loads(line) for line in output.take(1)]
            assert [(d["position"], d["event"]["event_id"]) for d in first] == [(2, "e2")]
        else:
            shown = output.take(2)
            assert [line.split()[0::3] for line in shown] == [["1", "e1"], ["2", "e2"]]
            assert shown[0].split()[2] == "OrganisationConfigured"
        commit(store, "e3")
        commit(store, "e4", "e5")
        later = output.take(3)
        if "--json" in options:
            later = [str(json.loads(line)["event"]["event_id"]) for line in later]
        else:
            later = [line.split()[3] for line in later]
        assert later == ["e3", "e4", "e5"]
    finally:
        follower.terminate()
        follower.communicate(timeout=30)


@pytest.mark.parametrize("options", [(), ("--json", "--from", "1")])
def test_a_follower_prints_events_as_another_process_commits_them(
    pg_url: str, options: tuple[str, ...]
) -> None:
    with PostgresStore.from_url(pg_url) as store:
        follow(store, pg_url, *options)


def test_a_follower_of_a_sqlite_store_looks_again(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "care.db") as store:
        follow(store, sqlite_url(tmp_path / "care.db"))
