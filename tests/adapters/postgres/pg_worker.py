"""A child process for the PostgreSQL process tests. Run ``python pg_worker.py COMMAND ...``:

* ``open URL BARRIER PARTIES`` — waits for every party at the barrier directory, opens the
  store (migrating it if no one has yet) and prints its schema version;
* ``feed URL EXPORT NOW`` — applies the GTT export file at the clock's ``NOW`` (ISO), in
  chunks of 256 KiB, printing ``applying`` first and ``applied`` once committed.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime
from pathlib import Path

from attrs import evolve

from caredomain import FixedClock
from caredomain.roster.services import apply_gtt_file
from caredomain.services import ServiceContext
from caredomain_gtt import GttCsvReader, GttSettings
from caredomain_postgres.store import PostgresStore


def open_at_once(url: str, barrier: Path, parties: int) -> None:
    _meet(barrier, parties)
    with PostgresStore.from_url(url) as store:
        print(f"version {store.schema_version}", flush=True)


def feed(url: str, export: Path, now: datetime) -> None:
    reader = GttCsvReader(evolve(GttSettings(), chunk_bytes=256 << 10))
    with PostgresStore.from_url(url) as store:
        context = ServiceContext(store=store, clock=FixedClock(now))
        print("applying", flush=True)
        run = apply_gtt_file(
            context,
            reader.read,
            str(export),
            size=export.stat().st_size,
            recognise=reader.read_recognising,
            chunks=reader.read_chunks,
        )
        assert run.report is not None
        assert not run.report.refused, run.report.lines()
        print("applied", flush=True)


def _meet(barrier: Path, parties: int) -> None:
    (barrier / f"ready-{os.getpid()}").touch()
    deadline = time.monotonic() + 30
    while len(list(barrier.glob("ready-*"))) < parties:
        if time.monotonic() > deadline:
            sys.exit("gave up waiting at the barrier")
        time.sleep(0.001)


if __name__ == "__main__":
    command, url, *rest = sys.argv[1:]
    if command == "open":
        open_at_once(url, Path(rest[0]), int(rest[1]))
    elif command == "feed":
        feed(url, Path(rest[0]), datetime.fromisoformat(rest[1]))
    else:
        sys.exit(f"unknown command {command!r}")
